// Bundle budget: what a phone downloads before the first screen (the entry
// script, its static imports and CSS) stays within 150 KB gzipped, and the
// map library is only in the chunk the map screen loads.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'

const dist = join(import.meta.dirname, '..', 'dist')
const BUDGET = 150 * 1024

test('initial JS + CSS is within 150 KB gzipped and the map is a separate chunk', () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(m => m[1])
  assert.ok(refs.some(r => r.endsWith('.js')), 'index.html references no script: run the build first')
  // Follow static imports of the entry (shared chunks load before first paint).
  const initial = new Set(refs)
  const queue = refs.filter(r => r.endsWith('.js'))
  while (queue.length) {
    const src = readFileSync(join(dist, queue.pop()), 'utf8')
    for (const m of src.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      const f = 'assets/' + m[1]
      if (!initial.has(f)) { initial.add(f); queue.push(f) }
    }
  }
  let total = 0
  for (const f of initial) {
    const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
    console.log(`initial  ${f}  ${(gz / 1024).toFixed(1)} KB gzipped`)
    total += gz
  }
  console.log(`initial total ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`)
  assert.ok(total <= BUDGET, `initial JS + CSS is ${(total / 1024).toFixed(1)} KB gzipped, over the ${BUDGET / 1024} KB budget`)

  const leaflet = /leaflet-container|L\.Map|_leaflet_id/
  for (const f of initial) {
    assert.ok(!leaflet.test(readFileSync(join(dist, f), 'utf8')), `${f} is loaded at start but contains map (Leaflet) code`)
  }
  const lazy = readdirSync(join(dist, 'assets')).filter(f => f.endsWith('.js') && !initial.has('assets/' + f))
  const mapChunk = lazy.find(f => leaflet.test(readFileSync(join(dist, 'assets', f), 'utf8')))
  assert.ok(mapChunk, 'no lazily loaded chunk holds the map code')
  const gz = gzipSync(readFileSync(join(dist, 'assets', mapChunk)), { level: 9 }).length
  console.log(`lazy     assets/${mapChunk}  ${(gz / 1024).toFixed(1)} KB gzipped (map screen only)`)
})
