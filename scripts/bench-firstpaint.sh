#!/usr/bin/env bash
# First paint of the library: the time from navigation start to the first
# grid thumbnail visible (loaded, decoded and painted) in headless Chromium,
# for a logged-in browser on a warm local server (thumbnail cache filled by
# first loads). Each run is a fresh browser context (nothing in the
# browser's cache). Prints every run, the median and the 90th percentile.
#   scripts/bench-firstpaint.sh [RUNS]        default 15
# Environment: PINHOLE_BIN (default ./pinhole, built by make build),
# COMPARE_BIN (another build, e.g. of main: served too, runs alternate so
# both see the same machine load), PINHOLE_CORPUS (default
# ../shared/corpus: the library, served read-only), CHROMIUM (default
# /usr/bin/chromium), VIEWPORT (default 1440x900), DPR (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${1:-15}
bin=${PINHOLE_BIN:-$repo/pinhole}
corpus=${PINHOLE_CORPUS:-$repo/../shared/corpus}
[ -x "$bin" ] || make -s build >/dev/null
[ -d web/ui/node_modules/playwright-core ] || make -s ui >/dev/null
tmp=$(mktemp -d /tmp/pinhole-firstpaint-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; rm -rf "$tmp"' EXIT

# start NAME BIN: serves the corpus with BIN, sets up an account, waits for
# the first scan, and appends NAME=URL to $bases.
bases=""
start() {
  local name=$1 b=$2 port=$((20000 + RANDOM % 20000))
  local base=http://127.0.0.1:$port
  "$b" serve --originals "$corpus" --data "$tmp/$name" --listen 127.0.0.1:$port --demo=false --log-level warn --backup-interval 0 &
  pids+=($!)
  until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do sleep 0.05; done
  curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"username":"bench","password":"a long passphrase"}' "$base/api/v1/setup"
  local tok
  tok=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"bench","password":"a long passphrase","bearer":true}' "$base/api/v1/session" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  until curl -fsS -H "Authorization: Bearer $tok" "$base/api/v1/status" | grep -q '"last_scan":{'; do sleep 0.3; done
  echo "$name: $(curl -fsS -H "Authorization: Bearer $tok" "$base/api/v1/status" | sed 's/.*"photos":\([0-9]*\).*/\1/') photos from $corpus ($b)"
  bases="$bases${bases:+,}$name=$base"
}
start this "$bin"
[ -z "${COMPARE_BIN:-}" ] || start compare "$COMPARE_BIN"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

BASES=$bases RUNS=$runs REPO=$repo node --input-type=module - <<'EOF'
import { createRequire } from 'node:module'
const require = createRequire(process.env.REPO + '/web/ui/package.json')
const { chromium } = require('playwright-core')
const runs = +process.env.RUNS
const [vw, vh] = (process.env.VIEWPORT || '1440x900').split('x').map(Number)
const dpr = +(process.env.DPR || 1)

// Installed before the page's scripts: notes when the first cell exists and
// when the first thumbnail inside the viewport has been decoded and a
// frame painted with it.
function probe() {
  window.__firstCell = 0
  window.__firstThumb = 0
  let waiting = false
  const check = () => {
    if (window.__firstThumb) return
    for (const c of document.querySelectorAll('.cell[data-id]')) {
      const r = c.getBoundingClientRect()
      if (!(r.bottom > 0 && r.top < innerHeight && r.width > 0)) continue
      if (!window.__firstCell) window.__firstCell = performance.now()
      const img = c.querySelector('img')
      if (img && img.complete && img.naturalWidth > 0 && !waiting) {
        waiting = true
        img.decode().then(() => requestAnimationFrame(() => { window.__firstThumb = performance.now() }), () => { waiting = false })
      }
    }
    requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
})
const once = async base => {
  const ctx = await browser.newContext({ viewport: { width: vw, height: vh }, deviceScaleFactor: dpr })
  const r = await ctx.request.post(base + '/api/v1/session', { data: { username: 'bench', password: 'a long passphrase' } })
  if (r.status() !== 200) throw new Error('login failed: ' + r.status())
  const page = await ctx.newPage()
  await page.addInitScript(probe)
  await page.goto(base + '/')
  await page.waitForFunction(() => window.__firstThumb > 0, null, { timeout: 30000 })
  const t = await page.evaluate(() => ({ cell: window.__firstCell, thumb: window.__firstThumb }))
  // Let the rest of the screen load, so the next run finds a warm server.
  await page.waitForTimeout(1500)
  await ctx.close()
  return t
}
const servers = process.env.BASES.split(',').map(kv => { const [name, base] = kv.split('='); return { name, base, cells: [], thumbs: [] } })
for (const s of servers) { await once(s.base); await once(s.base) } // fill the thumbnail caches, warm the servers
for (let i = 0; i < runs; i++) {
  for (const s of servers) {
    const t = await once(s.base)
    s.cells.push(t.cell); s.thumbs.push(t.thumb)
    console.log(`${s.name} run ${String(i + 1).padStart(2)}: first cell ${t.cell.toFixed(0)} ms, first thumbnail visible ${t.thumb.toFixed(0)} ms`)
  }
}
await browser.close()
const q = (a, p) => { const s = a.slice().sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] }
for (const s of servers) {
  console.log(`${s.name}: first cell median ${q(s.cells, 0.5).toFixed(0)} ms, p90 ${q(s.cells, 0.9).toFixed(0)} ms; first thumbnail shown median ${q(s.thumbs, 0.5).toFixed(0)} ms, p90 ${q(s.thumbs, 0.9).toFixed(0)} ms (target 400 ms); ${runs} runs, ${vw}x${vh} at ${dpr}x`)
}
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
