// The viewer, proven by geometry: every kind of photo and video is shown
// whole, centred and aspect-true on a desktop and on a phone, with and
// without the info panel; zooming loads a sharper rendition without a flash;
// each open photo has an address that reloads, goes Back and survives a
// share link. A real `pinhole serve` over corpus files and media generated
// here with ffmpeg, driven through Debian's chromium.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'vera', PASS = 'a long passphrase'
let srv, browser, dir
const byName = new Map() // file name → photo as the API lists it

// What the library holds, and what each case is.
const CORPUS = [
  ['exif-py/jpg/orientation/landscape_1.jpg', 'landscape'],
  ['exif-py/jpg/orientation/portrait_1.jpg', 'portrait'],
  ...[2, 3, 4, 5, 6, 7, 8].map(o => [`exif-py/jpg/orientation/landscape_${o}.jpg`, `orientation ${o}`]),
  ['photoprism/assets/examples/iphone_7.heic', 'HEIC (orientation 6, with a place)'],
  ['exif-py/avif/mountains.avif', 'AVIF'],
  ['photoprism/internal/photoprism/testdata/norway-kjetil-moe.webp', 'WebP'],
  ['photoprism/assets/examples/canon_eos_6d.dng', 'RAW (DNG)'],
  ['exif-py/jpg/tests/Xiaomi_Mi_9T_KeyError.jpg', 'large JPEG (4000×3000, orientation 6)'],
  ['photoprism/pkg/media/video/testdata/quicktime-hvc1.mov', 'phone video: HEVC, landscape frames turned a quarter'],
]
const GENERATED = [
  ['square.jpg', 'square', ['-f', 'lavfi', '-i', 'testsrc2=size=1000x1000', '-frames:v', '1']],
  ['panorama.jpg', '6:1 panorama', ['-f', 'lavfi', '-i', 'testsrc2=size=3000x500', '-frames:v', '1']],
  ['portrait.mp4', 'portrait video', ['-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264']],
  ['landscape.mp4', 'landscape video', ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264']],
  // As phones record portrait: landscape frames and a quarter turn in the track header.
  ['turned.mp4', 'portrait video stored turned', made => ['-i', join(made, 'landscape.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90']],
]
const CASES = [...CORPUS.map(([f, what]) => [f.split('/').pop(), what]), ...GENERATED.map(([f, what]) => [f, what])]
const LARGE = 'Xiaomi_Mi_9T_KeyError.jpg'
// A long timeline: two small photos a month for four years, dated by their
// names, so the grid has loaded only its first months when the viewer opens.
// More photos than the grid's first page (120), spread over four years, so
// stepping must go past what the grid has loaded.
const TIMELINE = Array.from({ length: 192 }, (_, i) => {
  const y = 2010 + Math.floor(i / 48), m = 1 + Math.floor(i / 4) % 12, d = 1 + (i % 4) * 7
  return `IMG_${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}_120000.jpg`
})

before(async () => {
  dir = tempDir('viewer')
  const originals = join(dir, 'originals')
  mkdirSync(join(originals, 'corpus'), { recursive: true })
  mkdirSync(join(originals, 'made'), { recursive: true })
  for (const [f] of CORPUS) copyFileSync(join(corpus, f), join(originals, 'corpus', f.split('/').pop()))
  const made = join(originals, 'made')
  for (const [f, , args] of GENERATED) execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...(typeof args === 'function' ? args(made) : args), join(made, f)])
  mkdirSync(join(originals, 'timeline'))
  const small = join(dir, 'small.jpg')
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', small])
  // Bytes after the end marker: the same picture, a different file to the library.
  for (const n of TIMELINE) writeFileSync(join(originals, 'timeline', n), Buffer.concat([readFileSync(small), Buffer.from(n)]))
  srv = await serve({ originals, data: join(dir, 'data') })
  browser = await launch()
  // Set up the account and wait until every file is indexed.
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  const setup = await page.evaluate(async ([u, p]) => (await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).status, [USER, PASS])
  assert.ok(setup >= 200 && setup < 300, `setup answered ${setup}`)
  const deadline = Date.now() + 90000
  let photos = []
  while (Date.now() < deadline) {
    photos = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=500')).json()).photos || [])
    if (photos.length >= CASES.length + TIMELINE.length) break
    await page.waitForTimeout(500)
  }
  assert.equal(photos.length, CASES.length + TIMELINE.length, 'not every test file was indexed')
  for (const p of photos) {
    const d = await page.evaluate(async id => (await fetch('/api/v1/photos/' + id)).json(), p.id)
    byName.set(d.files.find(f => f.primary).name, p)
  }
  for (const [name] of CASES) assert.ok(byName.has(name), `${name} is not in the library`)
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

// A logged-in page at desktop or phone size (touch, 3× pixels).
async function open(vp, { info = false } = {}) {
  const phone = vp.width < 600
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: phone ? 3 : 1, hasTouch: phone, isMobile: phone, colorScheme: 'dark' })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.evaluate(async ([u, p, i]) => {
    localStorage.setItem('pinhole.info', i ? '1' : '0')
    const r = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!r.ok) throw new Error('login: ' + r.status)
  }, [USER, PASS, info])
  return { ctx, page, phone }
}

// ready waits until the viewer shows photo id with its media loaded.
// The image shown must be the top layer: the screen's rendition, not the
// small one shown while it loads.
async function ready(page, id) {
  await page.waitForSelector(`.viewer[data-id="${id}"]`)
  await page.waitForFunction(() => {
    const v = document.querySelector('.viewer video.full')
    if (v) return v.readyState >= 1
    const i = document.querySelector('.viewer .media img.full:last-child')
    return i && i.complete && i.naturalWidth > 0
  }, null, { timeout: 20000 })
}

// measure returns the free area (viewport below the top bar, left of the
// desktop info panel, above the phone info sheet) and the media's box, once
// two frames in a row agree (layout follows a ResizeObserver).
async function measure(page) {
  let last = ''
  for (let i = 0; i < 40; i++) {
    const m = await page.evaluate(() => new Promise(res => requestAnimationFrame(() => requestAnimationFrame(() => {
      const rect = el => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height } }
      const vw = innerWidth, vh = innerHeight
      const bar = rect(document.querySelector('.viewer .vtop'))
      const infoEl = document.querySelector('.viewer .info')
      const info = infoEl && rect(infoEl)
      const phone = vw < 720
      const free = { left: 0, top: bar.bottom, right: info && !phone ? info.left : vw, bottom: info && phone ? info.top : vh }
      free.width = free.right - free.left; free.height = free.bottom - free.top
      const el = document.querySelector('.viewer .media .full')
      const note = document.querySelector('.viewer .vnote')
      res({ vw, vh, bar, info, free, box: rect(el), tag: el.tagName, muted: el.muted, paused: el.paused, controls: el.controls, picture: el.videoWidth > 0, note: note && rect(note) })
    }))))
    const k = JSON.stringify(m)
    if (k === last) return m
    last = k
  }
  throw new Error('the viewer layout did not settle')
}

function assertFits(m, p, what) {
  const { free: f, box: b } = m
  const at = `${what}: box ${Math.round(b.left)},${Math.round(b.top)} ${Math.round(b.width)}×${Math.round(b.height)} in free ${Math.round(f.left)},${Math.round(f.top)} ${Math.round(f.width)}×${Math.round(f.height)}`
  assert.ok(b.left >= f.left - 2 && b.top >= f.top - 2 && b.right <= f.right + 2 && b.bottom <= f.bottom + 2, `not inside the free area (${at})`)
  const want = p.width / p.height, got = b.width / b.height
  assert.ok(Math.abs(got / want - 1) <= 0.02, `aspect ${got.toFixed(3)}, the photo's is ${want.toFixed(3)} (${at})`)
  assert.ok(Math.abs(b.width - f.width) <= 2 || Math.abs(b.height - f.height) <= 2, `shrunk: it fills the free area in neither dimension (${at})`)
  assert.ok(Math.abs((b.left + b.right) / 2 - (f.left + f.right) / 2) <= 2 && Math.abs((b.top + b.bottom) / 2 - (f.top + f.bottom) / 2) <= 2, `not centred (${at})`)
  assert.ok(m.bar.height <= 80, `the top bar takes ${m.bar.height}px`)
}

for (const vp of [DESKTOP, PHONE]) {
  for (const info of [false, true]) {
    const size = vp.width < 600 ? 'phone' : 'desktop'
    test(`fit: every kind of photo and video, whole and centred, ${size}, info ${info ? 'open' : 'closed'}`, async () => {
      const { ctx, page, phone } = await open(vp, { info })
      try {
        for (const [name, what] of CASES) {
          const p = byName.get(name)
          await page.goto(`${srv.base}/?photo=${p.id}`)
          await ready(page, p.id)
          if (info && !(await page.locator('.viewer .info').count())) {
            await (phone ? page.tap('.viewer button[aria-label="Info (i)"]') : page.click('.viewer button[aria-label="Info (i)"]'))
            await page.waitForSelector('.viewer .info')
          }
          const m = await measure(page)
          assertFits(m, p, `${what} (${name}, ${size}${info ? ', info open' : ''})`)
          if (info) {
            if (phone) {
              assert.ok(m.info.height <= 0.55 * m.vh + 1 && Math.abs(m.info.bottom - m.vh) <= 1 && m.info.width >= m.vw - 1, `the info sheet: ${JSON.stringify(m.info)}`)
            } else {
              assert.ok(Math.abs(m.info.right - m.vw) <= 1 && m.info.width <= 400, `the info panel: ${JSON.stringify(m.info)}`)
            }
          }
          if (m.tag === 'VIDEO') {
            assert.ok(m.muted || m.paused, `${what} opened playing with sound`)
            assert.ok(m.controls, `${what} has no controls`)
            // The controls sit along the video's bottom edge: nothing covers it there.
            const hit = await page.evaluate(b => document.elementFromPoint((b.left + b.right) / 2, b.bottom - 12)?.tagName, m.box)
            assert.equal(hit, 'VIDEO', `${what}: the controls' strip is covered by ${hit}`)
            // A codec this browser lacks (HEVC in Chromium) plays sound over a
            // still poster: the viewer says so, inside the video's box.
            if (!m.picture) assert.ok(m.note && m.note.top >= m.box.top && m.note.bottom <= m.box.bottom, `${what}: no picture and no word about it`)
          }
          if (['portrait_1.jpg', 'panorama.jpg', 'iphone_7.heic', 'portrait.mp4', 'quicktime-hvc1.mov'].includes(name)) {
            await shot(page, `viewer-fit-${name.replace(/\..*/, '').replace(/_/g, '-')}${info ? '-info' : ''}`)
          }
        }
      } finally { await ctx.close() }
    })
  }
}

test('the top bar: date taken and place, else the file name, readable on both sizes', async () => {
  for (const vp of [DESKTOP, PHONE]) {
    const { ctx, page } = await open(vp)
    try {
      for (const [name, expect] of [['iphone_7.heic', /Takasago/], ['square.jpg', /square\.jpg/]]) {
        const p = byName.get(name)
        await page.goto(`${srv.base}/?photo=${p.id}`)
        await ready(page, p.id)
        await page.waitForFunction(re => new RegExp(re).test(document.querySelector('.viewer .vtitle')?.textContent || ''), expect.source)
        const t = await page.evaluate(() => {
          const el = document.querySelector('.viewer .vtitle')
          const r = el.getBoundingClientRect()
          const lines = [...el.children].map(c => ({ text: c.textContent, cut: c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1, size: parseFloat(getComputedStyle(c).fontSize) }))
          const overlaps = [...document.querySelectorAll('.viewer .vtop .ib')].filter(b => { const q = b.getBoundingClientRect(); return q.left < r.right - 1 && q.right > r.left + 1 && q.top < r.bottom && q.bottom > r.top }).length
          return { lines, overlaps, inside: r.left >= 0 && r.right <= innerWidth && r.top >= 0 }
        })
        const year = p.taken_local.slice(0, 4)
        assert.ok(t.lines[0].text.includes(year), `the first line is not the date taken: ${t.lines[0].text}`)
        assert.match(t.lines[1].text, expect)
        for (const l of t.lines) {
          assert.ok(!l.cut, `"${l.text}" is cut off`)
          assert.ok(l.size >= 13, `"${l.text}" is ${l.size}px`)
        }
        assert.equal(t.overlaps, 0, 'the title runs under the buttons')
        assert.ok(t.inside, 'the title is outside the window')
        await shot(page, `viewer-topbar-${name.replace(/\..*/, '').replace(/_/g, '-')}`)
      }
    } finally { await ctx.close() }
  }
})

// The layers watcher: on every frame, the image on top that is visible must
// be a loaded one; a blank frame between two renditions is a flash.
const watchFlash = page => page.evaluate(() => {
  window.__flashes = 0
  window.__frames = 0
  const tick = () => {
    const full = document.querySelector('.viewer .media img.full')
    window.__frames++
    if (!full || !full.complete || !full.naturalWidth) window.__flashes++
    window.__watch = requestAnimationFrame(tick)
  }
  tick()
})

test('zoom loads detail, stays anchored at the pointer, and pans only as far as the photo goes', async () => {
  const { ctx, page } = await open(DESKTOP)
  try {
    const p = byName.get(LARGE)
    await page.goto(`${srv.base}/?photo=${p.id}`)
    await ready(page, p.id)
    const m0 = await measure(page)
    const nat = () => page.$eval('.viewer .media img.full', i => i.naturalWidth)
    const w0 = await nat()
    // The screen rendition covers the displayed size and no more than a box above it.
    assert.ok(w0 >= m0.box.width * 0.98, `the first image is ${w0}px wide for a ${m0.box.width}px box`)
    assert.ok(w0 < p.width, `the first image is already the full ${w0}px`)

    // Wheel at a point off-centre: the photo point under the pointer stays
    // there. (Off-centre along the photo's height, which fills the frame; a
    // point off-centre across a portrait photo's width in a wide window is
    // pulled in by the pan limit once the photo is wider than the window.)
    await watchFlash(page)
    const px = m0.box.left + m0.box.width * 0.5, py = m0.box.top + m0.box.height * 0.3
    const fx = (px - m0.box.left) / m0.box.width, fy = (py - m0.box.top) / m0.box.height
    await page.mouse.move(px, py)
    for (let i = 0; i < 4; i++) { await page.mouse.wheel(0, -200); await page.waitForTimeout(30) }
    await page.waitForTimeout(300) // the transform's transition
    const m1 = await measure(page)
    const scale = m1.box.width / m0.box.width
    assert.ok(scale > 2.5, `zoomed only ${scale.toFixed(2)}×`)
    // The sharpest rendition this zoom needs (all of the photo's pixels here).
    const need = Math.min(p.width, Math.floor(m1.box.width * 0.98))
    await page.waitForFunction(w => (document.querySelector('.viewer .media img.full')?.naturalWidth || 0) >= w, need, { timeout: 20000 })
      .catch(async () => assert.fail(`after zooming to ${scale.toFixed(1)}× the image is still ${await nat()}px wide (the first was ${w0}px)`))
    const w1 = await nat()
    assert.ok(w1 >= Math.min(p.width, m1.box.width * 0.98), `after zooming to ${scale.toFixed(1)}× the image is ${w1}px wide for a ${Math.round(m1.box.width)}px box`)
    assert.ok(w1 <= p.width, `the rendition (${w1}px) is larger than the photo (${p.width}px)`)
    const ax = m1.box.left + fx * m1.box.width, ay = m1.box.top + fy * m1.box.height
    assert.ok(Math.abs(ax - px) <= 2 && Math.abs(ay - py) <= 2, `the point under the pointer moved from ${px},${py} to ${ax.toFixed(1)},${ay.toFixed(1)}`)
    const flashes = await page.evaluate(() => { cancelAnimationFrame(window.__watch); return [window.__flashes, window.__frames] })
    assert.equal(flashes[0], 0, `${flashes[0]} of ${flashes[1]} frames showed no loaded image while the sharper one came`)
    await shot(page, 'viewer-zoomed')

    // Drag far right and down: the photo's left and top edges stop at the frame's.
    await page.mouse.move(px, py)
    await page.mouse.down()
    await page.mouse.move(px + 3000, py + 3000, { steps: 8 })
    await page.mouse.up()
    await page.waitForTimeout(300)
    const m2 = await measure(page)
    assert.ok(m2.box.left <= m2.free.left + 1 && m2.box.right >= m2.free.right - 1, `dragged off horizontally: ${JSON.stringify(m2.box)} in ${JSON.stringify(m2.free)}`)
    assert.ok(m2.box.top <= m2.free.top + 1 && m2.box.bottom >= m2.free.bottom - 1, `dragged off vertically: ${JSON.stringify(m2.box)} in ${JSON.stringify(m2.free)}`)
    assert.ok(Math.abs(m2.box.left - m2.free.left) <= 1 && Math.abs(m2.box.top - m2.free.top) <= 1, 'the drag stopped before the edge')

    // Keys: 0 resets, + zooms and loads detail too.
    await page.keyboard.press('0')
    await page.waitForTimeout(300)
    assertFits(await measure(page), p, 'after reset')
    await page.keyboard.press('+')
    await page.keyboard.press('+')
    await page.waitForTimeout(300)
    const m3 = await measure(page)
    assert.ok(m3.box.width / m0.box.width > 2, 'two + presses did not zoom')
    // Double-click toggles back to fit, and in again at the pointer.
    await page.mouse.dblclick(px, py)
    await page.waitForTimeout(300)
    assertFits(await measure(page), p, 'after a double-click on a zoomed photo')
    await page.mouse.dblclick(px, py)
    await page.waitForTimeout(300)
    const m4 = await measure(page)
    assert.ok(Math.abs(m4.box.width / m0.box.width - 2.5) < 0.05, `double-click zoomed to ${(m4.box.width / m0.box.width).toFixed(2)}×`)
  } finally { await ctx.close() }
})

test('phone: pinch and double tap zoom, pinching loads detail; a swipe steps; the neighbours are preloaded at the screen size', async () => {
  const { ctx, page } = await open(PHONE)
  const asked = []
  page.on('request', r => asked.push(r.url()))
  try {
    const p = byName.get(LARGE)
    await page.goto(`${srv.base}/?photo=${p.id}`)
    await ready(page, p.id)
    // The grid's list arrives and becomes the viewer's: it has neighbours.
    await page.waitForSelector('.viewer .frame') // same screen
    await page.waitForFunction(() => +(document.querySelector('.viewer')?.getAttribute('aria-label') || '').match(/of (\d+)$/)?.[1] > 1)
      .catch(async e => { throw new Error(`no neighbours: ${await page.getAttribute('.viewer', 'aria-label')} ${page.url()}: ${e.message}`) })
    const m0 = await measure(page)
    const w0 = await page.$eval('.viewer .media img.full', i => i.naturalWidth)
    const cdp = await ctx.newCDPSession(page)
    const cx = m0.free.left + m0.free.width / 2, cy = m0.free.top + m0.free.height / 2
    const touch = (type, pts) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y], id) => ({ x, y, id })) })
    await touch('touchStart', [[cx - 30, cy], [cx + 30, cy]])
    for (let d = 40; d <= 150; d += 10) await touch('touchMove', [[cx - d, cy], [cx + d, cy]])
    await touch('touchEnd', [])
    await page.waitForTimeout(300)
    const m1 = await measure(page)
    assert.ok(m1.box.width / m0.box.width > 3, `pinched to ${(m1.box.width / m0.box.width).toFixed(2)}×`)
    await page.waitForFunction(w => (document.querySelector('.viewer .media img.full')?.naturalWidth || 0) > w, w0, { timeout: 20000 })
    await shot(page, 'viewer-pinched')

    // A double tap zooms in (2.5×) where the finger is; another fits again.
    await page.keyboard.press('0')
    await page.waitForTimeout(300)
    const tap = async () => { await touch('touchStart', [[cx, cy - 80]]); await touch('touchEnd', []) }
    await tap(); await tap()
    await page.waitForTimeout(300)
    const m2 = await measure(page)
    assert.ok(Math.abs(m2.box.width / m0.box.width - 2.5) < 0.05, `a double tap zoomed to ${(m2.box.width / m0.box.width).toFixed(2)}×`)
    await tap(); await tap()
    await page.waitForTimeout(300)
    assertFits(await measure(page), p, 'after a second double tap')

    // Back to fit, then a swipe shows the neighbour.
    await page.keyboard.press('0')
    await page.waitForTimeout(300)
    const label = () => page.getAttribute('.viewer', 'aria-label')
    const [, n, of] = (await label()).match(/^Photo (\d+) of (\d+)$/).map(Number)
    const d = n < of ? 1 : -1 // a swipe to the left shows the next photo
    const mark = asked.length
    await touch('touchStart', [[cx + 120 * d, cy]])
    for (let x = 100; x >= -120; x -= 20) await touch('touchMove', [[cx + x * d, cy]])
    await touch('touchEnd', [])
    await page.waitForFunction(want => (document.querySelector('.viewer')?.getAttribute('aria-label') || '').startsWith(`Photo ${want} of`), n + d)
    const next = await page.getAttribute('.viewer', 'data-id')
    assert.equal(new URL(page.url()).searchParams.get('photo'), next, 'the address does not follow the swipe')
    // What the viewer shows for a neighbour was asked for before it opened.
    const np = [...byName.values()].find(x => String(x.id) === next)
    if (np.media_type !== 'video') {
      await ready(page, next)
      const src = await page.$eval('.viewer .media img:last-child', i => i.src)
      assert.match(src, /\/fit_\d+(\?ph=0)?$/)
      assert.ok(asked.slice(0, mark).includes(src), `the rendition shown for the neighbour (${src}) was not preloaded`)
    }
  } finally { await ctx.close() }
})

test('the arrows go through the whole timeline, past the months the grid has loaded', async () => {
  const { ctx, page } = await open(DESKTOP)
  try {
    const all = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=500')).json()).photos.map(p => String(p.id)))
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id]')
    await page.click(`.cell[data-id="${all[0]}"]`)
    await page.waitForSelector(`.viewer[data-id="${all[0]}"]`)
    const loaded = +(await page.getAttribute('.viewer', 'aria-label')).match(/of (\d+)/)[1]
    assert.ok(loaded < all.length, `the grid had loaded all ${all.length} photos: this test proves nothing`)
    const seen = [all[0]]
    for (let i = 1; i < all.length; i++) {
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(prev => { const id = document.querySelector('.viewer')?.dataset.id; return id && id !== prev }, seen[i - 1], { timeout: 10000 })
        .catch(() => assert.fail(`stepping stopped at photo ${i} of ${all.length} (the grid had loaded ${loaded})`))
      seen.push(await page.getAttribute('.viewer', 'data-id'))
    }
    assert.deepEqual(seen, all, 'the viewer stepped through the timeline in another order')
    assert.equal(await page.getAttribute('.viewer', 'aria-label'), `Photo ${all.length} of ${all.length}`)
  } finally { await ctx.close() }
})

// openCell opens a photo from the grid with a click event: how a tap on a
// phone's grid cell is told from a long press (selection) is the grid's
// business and its own test's; here only the viewer is under test.
async function openCell(page, id) {
  await page.waitForSelector(`.cell[data-id="${id}"]`)
  await page.$eval(`.cell[data-id="${id}"]`, c => c.click())
}

// inView waits for a grid cell well inside the window (rows appear as the
// grid loads the months scrolled to) and returns its photo id.
async function inView(page) {
  const h = await page.waitForFunction(() => [...document.querySelectorAll('.cell[data-id]')]
    .find(c => { const r = c.getBoundingClientRect(); return r.top > 120 && r.bottom < innerHeight - 80 && r.width > 40 })?.dataset.id)
  return h.jsonValue()
}

test('addresses: open, step, Back, reload, search, album, and the info panel\'s links', async () => {
  const { ctx, page } = await open(PHONE)
  try {
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id]')
    // Scroll the grid a little: Back must return to the same place.
    await page.evaluate(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop = s.scrollHeight })
    await page.waitForTimeout(300)
    const scrolled = await page.evaluate(() => document.querySelector('.grid-scroll').scrollTop)
    assert.ok(scrolled > 50, `the phone grid does not scroll (${scrolled})`)
    const id = await inView(page)
    const len0 = await page.evaluate(() => history.length)
    await openCell(page, id)
    await page.waitForSelector(`.viewer[data-id="${id}"]`)
    assert.equal(new URL(page.url()).searchParams.get('photo'), id)
    assert.equal(new URL(page.url()).pathname, '/')
    const len1 = await page.evaluate(() => history.length)
    assert.equal(len1, len0 + 1, 'opening a photo adds one history entry')
    // Stepping replaces the address.
    const label = () => page.getAttribute('.viewer', 'aria-label')
    const n = +(await label()).match(/\d+/)[0]
    const total = +(await label()).match(/of (\d+)/)[1]
    const d = n < total ? 1 : -1
    await page.keyboard.press(d > 0 ? 'ArrowRight' : 'ArrowLeft')
    await page.waitForFunction(w => (document.querySelector('.viewer')?.getAttribute('aria-label') || '').startsWith(`Photo ${w} of`), n + d)
    const stepped = await page.getAttribute('.viewer', 'data-id')
    assert.notEqual(stepped, id)
    assert.equal(new URL(page.url()).searchParams.get('photo'), stepped)
    assert.equal(await page.evaluate(() => history.length), len1, 'stepping pushed history entries')
    await shot(page, 'viewer-address')

    // Reload: the same photo, over the same screen, with neighbours (its
    // month and the months either side: the grid has not loaded that far).
    await page.reload()
    await page.waitForSelector(`.viewer[data-id="${stepped}"]`)
    await page.waitForFunction(() => +(document.querySelector('.viewer')?.getAttribute('aria-label') || '').match(/of (\d+)/)?.[1] > 1)
    const m = (await label()).match(/^Photo (\d+) of (\d+)$/)
    await page.keyboard.press(+m[1] < +m[2] ? 'ArrowRight' : 'ArrowLeft')
    await page.waitForFunction(s => document.querySelector('.viewer')?.dataset.id !== s, stepped)
    const again = await page.getAttribute('.viewer', 'data-id')
    assert.equal(new URL(page.url()).searchParams.get('photo'), again, 'stepping after a reload does not follow in the address')
    // Back closes it and the grid is where it was (the page was reloaded, so
    // at its top; without a reload, where it was scrolled — checked below).
    await page.goBack()
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(page.url()).searchParams.get('photo'), null)
    await page.waitForSelector('.cell[data-id]')

    // Without a reload: Back returns to the scrolled grid.
    await page.evaluate(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop = s.scrollHeight })
    await page.waitForTimeout(300)
    const at = await page.evaluate(() => document.querySelector('.grid-scroll').scrollTop)
    const visible = [await inView(page)]
    await openCell(page, visible[0])
    await page.waitForSelector('.viewer')
    await page.goBack()
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(await page.evaluate(() => document.querySelector('.grid-scroll').scrollTop), at, 'Back did not return to the same place in the grid')
    // Forward reopens it.
    await page.goForward()
    await page.waitForSelector(`.viewer[data-id="${visible[0]}"]`)
    await page.keyboard.press('Escape')
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(page.url()).search, '')

    // Search results keep their query.
    const heic = byName.get('iphone_7.heic')
    await page.goto(`${srv.base}/search?type=photo&photo=${heic.id}`)
    await page.waitForSelector(`.viewer[data-id="${heic.id}"]`)
    await page.waitForFunction(() => +(document.querySelector('.viewer')?.getAttribute('aria-label') || '').match(/of (\d+)/)?.[1] > 1)
    await page.keyboard.press('Escape')
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/search?type=photo')
    await page.waitForSelector('.cell[data-id]')

    // An album: its own address; the info panel's album link leaves the
    // viewer, and Back from the album returns to the screen, not the viewer.
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id]')
    const top = await page.getAttribute('.cell[data-id]', 'data-id')
    const album = await page.evaluate(async ids => {
      const s = await (await fetch('/api/v1/session')).json()
      const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }
      const a = await (await fetch('/api/v1/albums', { method: 'POST', headers: h, body: JSON.stringify({ title: 'Viewer trip' }) })).json()
      await fetch(`/api/v1/albums/${a.id}/photos`, { method: 'POST', headers: h, body: JSON.stringify({ photo_ids: ids }) })
      return a
    }, [+top, heic.id, byName.get('square.jpg').id])
    await page.goto(`${srv.base}/albums/${album.id}?photo=${heic.id}`)
    await page.waitForSelector(`.viewer[data-id="${heic.id}"]`)
    await page.waitForFunction(() => (document.querySelector('.viewer')?.getAttribute('aria-label') || '').endsWith('of 3'))
    await page.keyboard.press('Escape')
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, `/albums/${album.id}`)

    await page.goto(srv.base + '/')
    await openCell(page, top)
    await page.waitForSelector(`.viewer[data-id="${top}"]`)
    await page.tap('.viewer button[aria-label="Info (i)"]')
    await page.tap(`.info a[href="/albums/${album.id}"]`)
    await page.waitForURL(`${srv.base}/albums/${album.id}`)
    await page.waitForSelector('.viewer', { state: 'detached' })
    await page.goBack()
    await page.waitForURL(`${srv.base}/`)
    await page.waitForSelector('.cell[data-id]')
    assert.equal(await page.locator('.viewer').count(), 0, 'Back from the album reopened the viewer')

    // An address naming a photo that is not there: a message, no viewer.
    await page.goto(`${srv.base}/?photo=987654`)
    await page.waitForSelector('.toast')
    await page.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(page.url()).searchParams.get('photo'), null)
  } finally { await ctx.close() }
})

test('share link visitors get addresses too', async () => {
  const { ctx, page } = await open(DESKTOP)
  let visitor
  try {
    const ids = ['portrait_1.jpg', 'landscape_1.jpg', 'portrait.mp4'].map(n => byName.get(n).id)
    const url = await page.evaluate(async ids => {
      const s = await (await fetch('/api/v1/session')).json()
      const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }
      const a = await (await fetch('/api/v1/albums', { method: 'POST', headers: h, body: JSON.stringify({ title: 'For grandma' }) })).json()
      await fetch(`/api/v1/albums/${a.id}/photos`, { method: 'POST', headers: h, body: JSON.stringify({ photo_ids: ids }) })
      return (await (await fetch(`/api/v1/albums/${a.id}/shares`, { method: 'POST', headers: h, body: JSON.stringify({}) })).json()).url
    }, ids)
    visitor = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 3, hasTouch: true, isMobile: true, colorScheme: 'dark' })
    const vp = await visitor.newPage()
    await vp.goto(srv.base + url)
    await vp.waitForSelector('.cell[data-id]')
    const first = await vp.getAttribute('.cell[data-id]', 'data-id')
    await openCell(vp, first)
    await vp.waitForSelector(`.viewer[data-id="${first}"]`)
    assert.equal(new URL(vp.url()).pathname, url)
    assert.equal(new URL(vp.url()).searchParams.get('photo'), first)
    await vp.reload()
    await vp.waitForSelector(`.viewer[data-id="${first}"]`)
    await ready(vp, first)
    const m = await measure(vp)
    assertFits(m, [...byName.values()].find(p => String(p.id) === first), 'a shared photo after reload')
    await vp.waitForFunction(() => (document.querySelector('.viewer')?.getAttribute('aria-label') || '').endsWith('of 3'))
    await shot(vp, 'viewer-shared')
    await vp.goBack()
    await vp.waitForSelector('.viewer', { state: 'detached' })
    assert.equal(new URL(vp.url()).pathname + new URL(vp.url()).search, url)
    await vp.waitForSelector('.cell[data-id]')
  } finally {
    await visitor?.close()
    await ctx.close()
  }
})
