// The message catalogs (src/locales/<lang>/<namespace>.json): every
// language has every message English has, with the same placeholders and
// the plural forms its grammar needs; the source asks only for messages
// that exist; and no component writes words people read into the code.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { SAME_EVERYWHERE, scanFile } from './i18n-scan.js'

const src = join(import.meta.dirname, '..', 'src')
const locales = join(src, 'locales')
const LANGS = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt']

function catalog(lang) {
  const out = {}
  for (const f of readdirSync(join(locales, lang)).filter(f => f.endsWith('.json'))) {
    const ns = f.replace(/\.json$/, '')
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(locales, lang, f), 'utf8')))) out[ns + '.' + k] = v
  }
  return out
}
const placeholders = m => [...new Set((typeof m === 'string' ? [m] : Object.values(m)).flatMap(s => [...s.matchAll(/\{(\w+)\}/g)].map(x => x[1])))].sort()
const sources = () => readdirSync(src).filter(f => /\.(jsx?|mjs)$/.test(f)).map(f => join(src, f))

test('every language has every message, with the same placeholders and its plural forms', () => {
  const en = catalog('en')
  assert.ok(Object.keys(en).length > 100, `only ${Object.keys(en).length} English messages`)
  const problems = []
  for (const lang of LANGS) {
    const cat = lang === 'en' ? en : catalog(lang)
    const forms = new Set(new Intl.PluralRules(lang).resolvedOptions().pluralCategories)
    for (const [k, v] of Object.entries(en)) {
      const m = cat[k]
      if (m === undefined) { problems.push(`${lang}: ${k} is missing`); continue }
      if (typeof m !== typeof v) { problems.push(`${lang}: ${k} is ${typeof m}, English is ${typeof v}`); continue }
      if (typeof m === 'string' && !m.trim()) problems.push(`${lang}: ${k} is empty`)
      if (typeof m === 'object') {
        if (typeof m.other !== 'string') problems.push(`${lang}: ${k} has no "other" form`)
        if (forms.has('one') && typeof m.one !== 'string') problems.push(`${lang}: ${k} has no "one" form`)
        for (const f of Object.keys(m)) if (!forms.has(f)) problems.push(`${lang}: ${k} has a "${f}" form ${lang} does not use`)
      }
      const a = placeholders(v).join(','), b = placeholders(m).join(',')
      if (a !== b) problems.push(`${lang}: ${k} has placeholders {${b}}, English {${a}}`)
    }
    for (const k of Object.keys(cat)) if (!(k in en)) problems.push(`${lang}: ${k} is not an English message`)
  }
  assert.deepEqual(problems, [])
})

test('the other languages are translated, not copies of the English', () => {
  const en = catalog('en')
  for (const lang of LANGS.slice(1)) {
    const cat = catalog(lang)
    const same = Object.keys(en).filter(k => typeof en[k] === 'string' && en[k] === cat[k] && /\p{L}{4,}/u.test(en[k]) && !SAME_EVERYWHERE.has(en[k]))
    const share = same.length / Object.keys(en).length
    assert.ok(share < 0.05, `${lang}: ${same.length} messages are the English text: ${same.slice(0, 15).join(', ')}`)
  }
})

test('the source asks only for messages that exist, and every message is used', () => {
  const en = catalog('en')
  const used = new Set(), prefixes = [], missing = []
  for (const f of sources()) {
    for (const k of scanFile(f).keys) {
      if (k.key !== undefined) { used.add(k.key); if (!(k.key in en)) missing.push(`${k.file}:${k.line} ${k.key}`) } else prefixes.push(k.prefix)
    }
  }
  assert.deepEqual(missing, [], 'keys asked for that no catalog has')
  assert.ok(!prefixes.includes(''), 't() is called with a key the source does not spell out')
  const unused = Object.keys(en).filter(k => !used.has(k) && !prefixes.some(p => k.startsWith(p)))
  assert.deepEqual(unused, [], 'messages nothing uses')
})

test('no component writes the words people read into its code', () => {
  const found = sources().flatMap(f => scanFile(f).hardcoded).map(h => `${h.file.replace(src + '/', '')}:${h.line} [${h.where}] ${h.text}`)
  assert.deepEqual(found, [], 'hard-coded strings (put them in src/locales/*/<file>.json and use t())')
})
