// Memories, the story player, the slideshow and the photo frame, as a person
// meets them: cards above the timeline for photos taken on today's date in
// earlier years (file names dated relative to now), a story that fits each
// photo whole, advances by itself and pauses; a slideshow that crossfades
// between decoded pictures and keeps the screen awake; a share link shown
// as a photo frame that keeps showing a photo while the server restarts and
// carries on after. A real `pinhole serve`, Debian's chromium.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { touchDrag } from './gestures.js'
import { cleanup, DESKTOP, freePort, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'mila', PASS = 'a long passphrase'
let dir, originals, data, port, srv, browser
const wait = ms => new Promise(r => setTimeout(r, ms))
const pad = n => String(n).padStart(2, '0')

// The years whose today is a memory: on 29 February only leap years have one.
const now = new Date()
const leapDay = now.getMonth() === 1 && now.getDate() === 29
const YEARS = leapDay ? [now.getFullYear() - 4, now.getFullYear() - 8] : [now.getFullYear() - 1, now.getFullYear() - 3]
const ymd = y => `${y}${pad(now.getMonth() + 1)}${pad(now.getDate())}`

// Picture shapes, so fitting is tested on both sides.
const SHAPES = { wide: '1600x1000', tall: '900x1600' }
// The memories: four photos a year ago (two shapes), three three years ago, one video.
const MEMORIES = [
  [`IMG_${ymd(YEARS[0])}_091500.jpg`, 'wide'], [`IMG_${ymd(YEARS[0])}_113000.jpg`, 'tall'],
  [`IMG_${ymd(YEARS[0])}_154500.jpg`, 'wide'], [`IMG_${ymd(YEARS[0])}_190000.jpg`, 'tall'],
  [`IMG_${ymd(YEARS[1])}_100000.jpg`, 'wide'], [`IMG_${ymd(YEARS[1])}_130000.jpg`, 'tall'], [`IMG_${ymd(YEARS[1])}_170000.jpg`, 'wide'],
]
// Photos of other days, for the album the frame shows.
const ALBUM = ['IMG_20150301_120000.jpg', 'IMG_20150302_120000.jpg', 'IMG_20150303_120000.jpg', 'IMG_20150304_120000.jpg']
const LATER = 'IMG_20150305_120000.jpg' // added to the album while the frame runs
let session = null // {csrf}
const ids = new Map() // file name → photo id

function picture(file, shape, tag) {
  const base = join(dir, `base-${shape}.jpg`)
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${SHAPES[shape]}`, '-frames:v', '1', base])
  // Bytes after the end marker: the same picture, another file.
  writeFileSync(file, Buffer.concat([readFileSync(base), Buffer.from(tag)]))
}

before(async () => {
  dir = tempDir('relive')
  originals = join(dir, 'originals')
  data = join(dir, 'data')
  for (const d of ['memories', 'album', 'later']) mkdirSync(join(originals, d), { recursive: true })
  for (const [name, shape] of MEMORIES) picture(join(originals, 'memories', name), shape, name)
  for (const name of ALBUM) picture(join(originals, 'album', name), 'wide', name)
  // A video taken today two years back, at noon UTC (the same day in every zone nearby).
  const vy = leapDay ? YEARS[0] : now.getFullYear() - 2
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '3', '-pix_fmt', 'yuv420p', '-c:v', 'libx264',
    '-metadata', `creation_time=${vy}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T12:00:00Z`, join(originals, 'memories', 'clip.mp4')])
  port = await freePort()
  srv = await serve({ originals, data, port })
  browser = await launch()
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  session = await page.evaluate(async ([u, p]) => (await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).json(), [USER, PASS])
  assert.ok(session.csrf_token, 'setup gave no session')
  const want = MEMORIES.length + ALBUM.length + 1
  const deadline = Date.now() + 90000
  let photos = []
  while (Date.now() < deadline) {
    photos = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=500')).json()).photos || [])
    if (photos.length >= want) break
    await wait(400)
  }
  assert.equal(photos.length, want, 'not every test file was indexed')
  for (const p of photos) {
    const d = await page.evaluate(async id => (await fetch('/api/v1/photos/' + id)).json(), p.id)
    ids.set(d.files.find(f => f.primary).name, p.id)
  }
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

// open logs in and opens path; phones get touch and 3× pixels.
async function open(vp, path = '/', init) {
  const phone = vp.width < 600
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: phone ? 3 : 1, hasTouch: phone, isMobile: phone, colorScheme: 'dark' })
  if (init) await ctx.addInitScript(init)
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  const requests = []
  page.on('request', r => requests.push(r.url()))
  await page.goto(srv.base + '/healthz')
  await page.evaluate(async ([u, p]) => {
    const r = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!r.ok) throw new Error('login: ' + r.status)
  }, [USER, PASS])
  requests.length = 0
  await page.goto(srv.base + path)
  return { ctx, page, phone, requests }
}

// api sends a request as the owner (the setup's session cookie is in
// another context: log in again here).
async function api(method, path, body) {
  const r = await fetch(srv.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASS, bearer: true }) })
  const { token } = await r.json()
  const res = await fetch(srv.base + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

const rect = async loc => {
  const b = await loc.boundingBox()
  assert.ok(b, 'the element is not displayed')
  return b
}

// whole checks that a picture element is inside the viewport, keeps its
// picture's aspect ratio and fills the viewport's width or height: fitted
// whole, neither cropped nor letterboxed inside its own box.
async function whole(page, sel, what) {
  const m = await page.evaluate(s => {
    const el = document.querySelector(s)
    const r = el.getBoundingClientRect()
    const w = el.naturalWidth || el.videoWidth, h = el.naturalHeight || el.videoHeight
    return { x: r.left, y: r.top, w: r.width, h: r.height, nw: w, nh: h, vw: innerWidth, vh: innerHeight }
  }, sel)
  assert.ok(m.nw > 0, `${what}: no picture loaded`)
  assert.ok(m.x >= -0.5 && m.y >= -0.5 && m.x + m.w <= m.vw + 0.5 && m.y + m.h <= m.vh + 0.5, `${what}: outside the viewport ${JSON.stringify(m)}`)
  assert.ok(Math.abs(m.w / m.h - m.nw / m.nh) < 0.01 * (m.nw / m.nh), `${what}: aspect ${m.w / m.h} differs from the picture's ${m.nw / m.nh}`)
  assert.ok(Math.abs(m.w - m.vw) < 1 || Math.abs(m.h - m.vh) < 1, `${what}: fills neither side of the screen ${JSON.stringify(m)}`)
  assert.ok(Math.abs(m.x + m.w / 2 - m.vw / 2) < 1 && Math.abs(m.y + m.h / 2 - m.vh / 2) < 1, `${what}: not centred ${JSON.stringify(m)}`)
  return m
}

test('memories: a strip of cards above the first month, from the boot data', async () => {
  for (const vp of [DESKTOP, PHONE]) {
    const { ctx, page, phone, requests } = await open(vp)
    await page.waitForSelector('.mem-card img.ld')
    await page.waitForSelector('.sec-h')
    const titles = await page.$$eval('.mem-card b', bs => bs.map(b => b.textContent))
    const n = now.getFullYear() - YEARS[0], m = now.getFullYear() - YEARS[1]
    const want = ['On this day', n === 1 ? '1 year ago' : `${n} years ago`, `${m} years ago`]
    for (const t of want) assert.ok(titles.includes(t), `no card "${t}" in ${JSON.stringify(titles)}`)
    assert.equal(titles[0], 'On this day')
    // The cards come with the page: no request of their own.
    assert.ok(!requests.some(u => u.includes('/api/v1/memories')), 'memories were fetched instead of coming with the page')
    const strip = await rect(page.locator('.mem-strip'))
    const first = await rect(page.locator('.mem-card').first())
    const month = await rect(page.locator('.sec-h').first())
    const cell = await rect(page.locator('.cell').first())
    assert.ok(first.width >= 100 && first.height >= 140, `a card of ${first.width}×${first.height} is too small to tap and read`)
    assert.ok(first.x >= 0 && first.y >= 0 && first.x + first.width <= vp.width, 'the first card is not on screen')
    assert.ok(month.y >= first.y + first.height - 0.5 && cell.y >= first.y + first.height, `the first month (${month.y}) or photo (${cell.y}) is under the cards (bottom ${first.y + first.height})`)
    assert.ok(strip.width <= vp.width + 0.5, 'the strip is wider than the screen')
    // The title reads on its cover: white text on a darkened bottom.
    const ink = await page.$eval('.mem-card b', b => getComputedStyle(b).color)
    assert.equal(ink, 'rgb(255, 255, 255)')
    await shot(page, 'relive-memories')
    if (phone) {
      // The strip scrolls sideways by itself, the page does not.
      const sw = await page.$eval('.mem-strip', s => [s.scrollWidth, s.clientWidth])
      const doc = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(doc <= vp.width, `the page scrolls sideways (${doc} px)`)
      assert.ok(sw[0] >= sw[1])
    }
    await ctx.close()
  }
})

// story state: the photo shown, whether paused, the current bar's fill.
const storyState = page => page.evaluate(() => {
  const s = document.querySelector('.story')
  if (!s) return null
  const bars = [...s.querySelectorAll('.story-bar i')]
  const i = bars.findIndex(b => b.style.width !== '100%')
  const cur = bars[i < 0 ? bars.length - 1 : i]
  return { memory: s.dataset.memory, photo: s.dataset.photo, paused: s.dataset.paused === '1', fill: parseFloat(cur.style.width) || 0, index: i, bars: bars.length }
})

async function storyLoaded(page) {
  await page.waitForFunction(() => {
    const m = document.querySelector('.story .story-media')
    return m && (m.tagName === 'VIDEO' ? m.readyState >= 2 : m.complete && m.naturalWidth > 0)
  }, null, { timeout: 20000 })
}

test('memories: the story fits each photo whole, advances by itself, pauses and steps', async () => {
  const { ctx, page } = await open(DESKTOP)
  await page.waitForSelector('.mem-card img.ld')
  await page.click('.mem-card >> nth=0')
  await page.waitForSelector('.story')
  await storyLoaded(page)
  let s = await storyState(page)
  assert.equal(s.memory, 'on-this-day')
  assert.ok(s.bars >= 7, `${s.bars} progress bars, want one per photo`)
  // Fitted whole, whatever its shape: the oldest year's wide, tall, wide.
  const shapes = new Set()
  for (let k = 0; k < 3; k++) {
    await storyLoaded(page)
    const m = await whole(page, '.story .story-media', `story photo ${k + 1}`)
    shapes.add(m.nw > m.nh ? 'wide' : 'tall')
    if (k === 1) await shot(page, 'relive-story')
    const before = (await storyState(page)).photo
    await page.keyboard.press('ArrowRight')
    await page.waitForFunction(p => document.querySelector('.story')?.dataset.photo !== p, before)
  }
  assert.deepEqual([...shapes].sort(), ['tall', 'wide'], 'the story showed photos of one shape only')
  await page.keyboard.press('Escape')
  await page.waitForSelector('.story', { state: 'detached' })

  // A year's card of four photos. Auto-advance: a photo shows five
  // seconds, its bar filling meanwhile.
  await page.click(`.mem-card[data-memory="day-${YEARS[0]}"]`)
  await storyLoaded(page)
  s = await storyState(page)
  assert.equal(s.bars, 4)
  const t0 = Date.now()
  await wait(1500)
  const mid = await storyState(page)
  assert.equal(mid.photo, s.photo)
  assert.ok(mid.fill > 10 && mid.fill < 60, `after 1.5 s the bar is ${mid.fill}% full, want about 30%`)
  await page.waitForFunction(p => document.querySelector('.story')?.dataset.photo !== p, s.photo, { timeout: 25000 })
  const took = Date.now() - t0
  assert.ok(took >= 4000, `advanced after ${took} ms, before its five seconds`)
  assert.equal((await storyState(page)).index, 1)

  // Space pauses: the photo and its bar stay; space again resumes.
  await storyLoaded(page)
  await page.keyboard.press(' ')
  s = await storyState(page)
  assert.ok(s.paused)
  await wait(6000)
  const still = await storyState(page)
  assert.equal(still.photo, s.photo, 'a paused story moved on')
  assert.ok(Math.abs(still.fill - s.fill) < 2, `the bar moved while paused: ${s.fill} → ${still.fill}`)
  await page.keyboard.press(' ')
  await page.waitForFunction(p => document.querySelector('.story')?.dataset.photo !== p, s.photo, { timeout: 25000 })

  // Press and hold pauses only while held, and does not step.
  await storyLoaded(page)
  s = await storyState(page)
  assert.equal(s.index, 2)
  await page.mouse.move(DESKTOP.width * 0.7, DESKTOP.height / 2)
  await page.mouse.down()
  await wait(600)
  assert.ok((await storyState(page)).paused, 'holding did not pause')
  await wait(5500)
  assert.equal((await storyState(page)).photo, s.photo, 'the story moved on while held')
  await page.mouse.up()
  await wait(200)
  const released = await storyState(page)
  assert.equal(released.photo, s.photo, 'releasing a hold stepped to another photo')
  assert.ok(!released.paused)

  // Taps: the right of the screen steps on, the left third back.
  await page.mouse.click(DESKTOP.width * 0.8, DESKTOP.height / 2)
  await page.waitForFunction(p => document.querySelector('.story')?.dataset.photo !== p, s.photo)
  await page.mouse.click(DESKTOP.width * 0.1, DESKTOP.height / 2)
  await page.waitForFunction(p => document.querySelector('.story')?.dataset.photo === p, s.photo)

  await page.keyboard.press('Escape')
  await page.waitForSelector('.story', { state: 'detached' })
  await ctx.close()
})

test('memories: a video plays muted in the story; a downward swipe closes it on a phone', async () => {
  const { ctx, page } = await open(PHONE)
  const video = ids.get('clip.mp4')
  // The video's card is the year it was taken (two years back), or "On this day".
  const cards = await page.$$eval('.mem-card', cs => cs.map(c => c.dataset.memory))
  await page.waitForSelector('.mem-card img.ld')
  let found = false
  for (const id of cards) {
    await page.click(`.mem-card[data-memory="${id}"]`)
    await page.waitForSelector('.story')
    for (let k = 0; k < 14 && !found; k++) {
      const s = await storyState(page)
      if (s.memory !== id) break
      if (+s.photo === video) { found = true; break }
      await page.keyboard.press('ArrowRight')
      await wait(150)
    }
    if (found) break
    await page.keyboard.press('Escape')
    await page.waitForSelector('.story', { state: 'detached' })
  }
  assert.ok(found, 'the video is in no memory')
  await page.waitForFunction(() => { const v = document.querySelector('.story video'); return v && v.currentTime > 0.3 }, null, { timeout: 20000 })
  const v = await page.$eval('.story video', v => ({ muted: v.muted, paused: v.paused }))
  assert.ok(v.muted && !v.paused, `the story's video: ${JSON.stringify(v)}`)
  await whole(page, '.story video', 'story video')
  await shot(page, 'relive-story-video')
  await touchDrag(page, { x: PHONE.width / 2, y: 250 }, { x: PHONE.width / 2 + 10, y: 560 })
  await page.waitForSelector('.story', { state: 'detached' })
  await ctx.close()
})

// Records every animation frame's layer opacities while a slideshow fades,
// and whether the incoming picture was decoded when its fade began.
const SAMPLER = () => {
  window.__fades = []
  const tick = () => {
    const ls = [...document.querySelectorAll('.ss-layer')]
    window.__fades.push(ls.map(l => {
      const m = l.querySelector('.ss-media')
      return { id: l.dataset.id, front: l.classList.contains('front'), op: +getComputedStyle(l).opacity, ready: !!m && (m.tagName === 'IMG' ? m.complete && m.naturalWidth > 0 : m.readyState >= 2) }
    }))
    window.__raf = requestAnimationFrame(tick)
  }
  tick()
}

// A spy on the Wake Lock API (the real one is called through); a stand-in
// only where the browser has none.
const WAKE = () => {
  window.__wake = { calls: 0, locks: [], stub: false }
  if (!navigator.wakeLock) {
    window.__wake.stub = true
    Object.defineProperty(navigator, 'wakeLock', { value: { request: async () => ({ released: false, release: async function () { this.released = true } }) } })
  }
  const real = navigator.wakeLock.request.bind(navigator.wakeLock)
  navigator.wakeLock.request = async type => {
    window.__wake.calls++
    const l = await real(type)
    window.__wake.locks.push(l)
    return l
  }
}

// rendition checks the slideshow's picture is the smallest of the server's
// fit sizes that covers its box at the screen's pixel density: sharp, and
// no larger than this screen needs.
async function rendition(page, what) {
  const r = await page.evaluate(async () => {
    const img = document.querySelector('.ss-layer.front img')
    const id = img.closest('.ss-layer').dataset.id
    const p = (await (await fetch('/api/v1/photos/' + id)).json()).photo
    const sizes = (await (await fetch('/api/v1/status')).json()).thumb_sizes.filter(s => !s.crop)
    const b = img.getBoundingClientRect()
    return { size: img.dataset.size, w: p.width, h: p.height, bw: b.width * devicePixelRatio, bh: b.height * devicePixelRatio, nw: img.naturalWidth, sizes }
  })
  const out = s => (r.w <= s.width && r.h <= s.height ? [r.w, r.h] : r.w * s.height >= r.h * s.width ? [s.width, Math.floor(r.h * s.width / r.w + 0.5)] : [Math.floor(r.w * s.height / r.h + 0.5), s.height])
  // None covers the box (a small original): the smallest that gives the
  // photo's whole resolution, since larger ones are the same picture.
  const most = Math.max(...r.sizes.map(s => out(s)[0] * out(s)[1]))
  const want = r.sizes.find(s => { const [w, h] = out(s); return w >= Math.round(r.bw) && h >= Math.round(r.bh) }) || r.sizes.find(s => out(s)[0] * out(s)[1] === most)
  assert.equal(r.size, want.name, `${what}: a ${r.w}×${r.h} photo in a ${Math.round(r.bw)}×${Math.round(r.bh)} px box got ${r.size}, want ${want.name}`)
  assert.ok(r.nw >= r.bw * 0.98 || r.nw === r.w, `${what}: a ${r.nw} px picture in a ${r.bw} px box`)
}

const front = page => page.evaluate(() => document.querySelector('.ss-layer.front')?.dataset.id || '')

test('slideshow: from the library, crossfading decoded photos, screen kept awake, keys', async () => {
  const { ctx, page } = await open(DESKTOP, '/', WAKE)
  await page.waitForSelector('.cell img')
  await page.click('button[aria-label="Slideshow"]')
  await page.waitForSelector('.slideshow .ss-layer.front .ss-media')
  await page.waitForFunction(() => { const m = document.querySelector('.ss-layer.front img'); return m && m.complete && m.naturalWidth > 0 })
  await whole(page, '.ss-layer.front img', 'slideshow photo')
  await rendition(page, 'desktop')
  await page.selectOption('.ss-int', '3')
  const wake = await page.evaluate(() => window.__wake)
  console.log(`wake lock: ${wake.stub ? 'stand-in (this Chromium has no navigator.wakeLock)' : 'the browser’s own API'}`)
  assert.ok(wake.calls >= 1, 'the slideshow did not ask to keep the screen awake')

  // The next photo fades in over the last (a crossfade, not a cut), and only
  // once it is decoded.
  const first = await front(page)
  await page.evaluate(SAMPLER)
  await page.waitForFunction(id => document.querySelector('.ss-layer.front')?.dataset.id !== id, first, { timeout: 15000 })
  await wait(1400) // the fade's second, and a little
  const fades = await page.evaluate(() => { cancelAnimationFrame(window.__raf); return window.__fades })
  const next = await front(page)
  assert.notEqual(next, first)
  const mixed = fades.filter(f => f.length === 2 && f.every(l => l.op > 0.05 && l.op < 0.95))
  // A busy machine may paint too few frames to catch the fade midway; then
  // the crossfade is proven by its parts: the last photo still under the
  // next one as it comes to the front, and an opacity transition of ~1 s.
  const under = fades.some(f => f.length === 2 && f.some(l => l.id === next && l.front) && f.some(l => l.id === first && !l.front))
  const fade = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.ss-layer')).transitionDuration) || 0)
  assert.ok(mixed.length >= 1 || (under && fade >= 0.5), `no frame showed both photos half-faded (transition ${fade} s, last photo under the next: ${under}): ${JSON.stringify(fades.slice(0, 5))}…`)
  const start = fades.find(f => f.some(l => l.id === next && l.op > 0.001))
  assert.ok(start && start.find(l => l.id === next).ready, 'the next photo began to fade in before it was decoded')
  await shot(page, 'relive-slideshow')

  // Keys: space pauses (the photo stays), → steps anyway, Esc ends the show.
  await page.keyboard.press(' ')
  await page.waitForSelector('.ss-paused')
  const paused = await front(page)
  await wait(5000)
  assert.equal(await front(page), paused, 'a paused slideshow moved on')
  await page.keyboard.press('ArrowRight')
  await page.waitForFunction(id => document.querySelector('.ss-layer.front')?.dataset.id !== id, paused)

  // Back from another tab: the browser dropped the lock; it is asked for again.
  const before = await page.evaluate(() => window.__wake.calls)
  await page.evaluate(async () => {
    const l = window.__wake.locks[window.__wake.locks.length - 1]
    if (l) await l.release()
    document.dispatchEvent(new Event('visibilitychange'))
  })
  await page.waitForFunction(n => window.__wake.calls > n, before)

  await page.keyboard.press('Escape')
  await page.waitForSelector('.slideshow', { state: 'detached' })
  assert.equal(await page.evaluate(() => !!document.fullscreenElement), false, 'still full screen after the show')
  await ctx.close()
})

test('slideshow: of a selection, only the selected photos; swipes on a phone', async () => {
  const { ctx, page } = await open(DESKTOP)
  await page.waitForSelector('.cell img')
  const cells = page.locator('.cell')
  const picked = []
  for (const k of [0, 2]) {
    const c = cells.nth(k)
    picked.push(await c.getAttribute('data-id'))
    await c.hover()
    await c.locator('.chk').click()
  }
  await page.click('.selbar button[aria-label="Slideshow"]')
  await page.waitForSelector('.slideshow .ss-layer.front img')
  const seen = new Set()
  for (let k = 0; k < 4; k++) {
    const id = await front(page)
    seen.add(id)
    await page.keyboard.press('ArrowRight')
    await page.waitForFunction(i => document.querySelector('.ss-layer.front')?.dataset.id !== i, id)
  }
  assert.deepEqual([...seen].sort(), picked.sort(), 'the slideshow showed photos outside the selection')
  await ctx.close()

  const ph = await open(PHONE)
  await ph.page.waitForSelector('.cell img')
  await ph.page.click('button[aria-label="Slideshow"]')
  await ph.page.waitForSelector('.slideshow .ss-layer.front img')
  await ph.page.waitForFunction(() => { const m = document.querySelector('.ss-layer.front img'); return m && m.complete && m.naturalWidth > 0 })
  await whole(ph.page, '.ss-layer.front img', 'phone slideshow photo')
  await rendition(ph.page, 'phone')
  await ph.page.waitForFunction(() => +getComputedStyle(document.querySelector('.ss-layer.front')).opacity === 1)
  // Every control fits a phone and is large enough to tap.
  const bar = await ph.page.$$eval('.ss-bar .ib, .ss-bar select', els => els.map(e => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height, right: r.right } }))
  for (const b of bar) assert.ok(b.w >= 44 && b.h >= 44 && b.right <= PHONE.width, `a slideshow control of ${b.w}×${b.h} at ${b.right}`)
  // And on the smallest phones, 360 px wide: every control still on screen.
  await ph.page.setViewportSize({ width: 360, height: 740 })
  await ph.page.mouse.move(100, 300)
  const small = await ph.page.$$eval('.ss-bar .ib, .ss-bar select', els => els.map(e => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height, left: r.left, right: r.right } }))
  for (const b of small) assert.ok(b.w >= 44 && b.h >= 44 && b.left >= 0 && b.right <= 360, `at 360 px a slideshow control of ${b.w}×${b.h} spans ${b.left}–${b.right}`)
  await ph.page.setViewportSize(PHONE)
  await shot(ph.page, 'relive-slideshow')
  const id = await front(ph.page)
  await touchDrag(ph.page, { x: 300, y: 420 }, { x: 80, y: 430 })
  await ph.page.waitForFunction(i => document.querySelector('.ss-layer.front')?.dataset.id !== i, id)
  await touchDrag(ph.page, { x: 200, y: 250 }, { x: 205, y: 600 })
  await ph.page.waitForSelector('.slideshow', { state: 'detached' })
  await ph.ctx.close()
})

test('share dialog: a photo frame link beside the link', async () => {
  const album = await api('POST', '/albums', { title: 'Wall' })
  await api('POST', `/albums/${album.id}/photos`, { photo_ids: ALBUM.map(n => ids.get(n)) })
  const { ctx, page } = await open(PHONE, `/albums/${album.id}`)
  await page.click('button:has-text("Share")')
  await page.click('button:has-text("Create link")')
  await page.waitForSelector('[data-share]')
  await page.click('button[aria-label="Copy photo frame link"]')
  const link = await page.textContent('output[aria-label="Photo frame link"]')
  assert.match(link, /\/s\/[\w-]+\?frame=1$/)
  const btn = await rect(page.locator('button[aria-label="Copy photo frame link"]'))
  assert.ok(btn.height >= 40 && btn.x >= 0 && btn.x + btn.width <= PHONE.width, 'the photo frame button is off screen or too small')
  const shown = await rect(page.locator('output[aria-label="Photo frame link"]'))
  assert.ok(shown.x >= 0 && shown.x + shown.width <= PHONE.width, 'the photo frame link runs off the screen')
  await page.waitForSelector('.toast', { state: 'detached', timeout: 15000 })
  await shot(page, 'relive-share-frame')
  await ctx.close()
})

// frameShows is the photo the frame shows and whether it is really shown:
// loaded, on top and opaque.
const frameShows = page => page.evaluate(() => {
  const l = document.querySelector('.frame-page .ss-layer.front')
  const img = l && l.querySelector('img')
  return { id: l ? l.dataset.id : '', ok: !!img && img.complete && img.naturalWidth > 0 && +getComputedStyle(l).opacity > 0.99,
    offline: document.querySelector('.frame-page')?.dataset.offline === '1', text: document.body.innerText.trim() }
})

test('photo frame: full screen, no chrome, new photos, and a server restart ridden out', async () => {
  const album = await api('POST', '/albums', { title: 'Hall' })
  await api('POST', `/albums/${album.id}/photos`, { photo_ids: ALBUM.map(n => ids.get(n)) })
  const share = await api('POST', `/albums/${album.id}/shares`, {})
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  await ctx.addInitScript(WAKE)
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(`${srv.base}/s/${share.token}?frame=1&interval=3&refresh=5`)
  await page.waitForFunction(() => document.querySelector('.frame-page')?.dataset.state === 'run')
  await page.waitForFunction(() => { const i = document.querySelector('.frame-page .ss-layer.front img'); return i && i.complete && i.naturalWidth > 0 })
  await whole(page, '.frame-page .ss-layer.front img', 'frame photo')
  // Nothing but the photo: the control is hidden until a tap.
  assert.equal(await page.$eval('.frame-ctl', e => getComputedStyle(e).opacity), '0')
  assert.equal(await page.evaluate(() => document.body.innerText.trim()), '', 'the frame shows text')
  assert.ok(await page.evaluate(() => window.__wake.calls >= 1), 'the frame does not keep the screen awake')
  await page.waitForFunction(() => +getComputedStyle(document.querySelector('.frame-page .ss-layer.front')).opacity === 1)
  await shot(page, 'relive-frame')

  // It moves on, and a photo added to the album shows up by itself.
  const a = (await frameShows(page)).id
  await page.waitForFunction(id => document.querySelector('.frame-page .ss-layer.front')?.dataset.id !== id, a, { timeout: 15000 })
  const added = join(originals, 'later', LATER)
  picture(added, 'wide', LATER)
  let later = 0
  for (const deadline = Date.now() + 60000; !later && Date.now() < deadline; await wait(500)) later = (await api('GET', '/photos?folder=later')).photos[0]?.id || 0
  assert.ok(later, 'the new photo was not indexed')
  await api('POST', `/albums/${album.id}/photos`, { photo_ids: [later] })
  await page.waitForFunction(id => document.querySelector('.frame-page .ss-layer.front')?.dataset.id === String(id), later, { timeout: 45000 })

  // The server goes away. Nothing comes from the browser's cache (as on a
  // tablet that kept little of it): the photo on screen stays, whole and
  // opaque, at every moment, and no error shows.
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  await page.waitForFunction(() => { const l = document.querySelector('.frame-page .ss-layer.front'); return l && +getComputedStyle(l).opacity === 1 })
  await srv.stop()
  const gone = (await frameShows(page)).id
  let s
  for (const until = Date.now() + 9000; Date.now() < until; await wait(300)) { // three intervals
    s = await frameShows(page)
    assert.ok(s.ok, `no photo fully on screen while the server is down: ${JSON.stringify(s)}`)
    assert.equal(s.text, '', `the frame shows text while the server is down: ${s.text}`)
  }
  assert.equal(s.id, gone, 'a photo that could not be loaded replaced the one on screen')
  assert.ok(s.offline, 'the frame did not notice the server is away')
  assert.ok(page.url().includes('frame=1'))
  await shot(page, 'relive-frame-offline')
  // Back on the same address: the frame carries on by itself, and a photo
  // added to the album since shows up.
  srv = await serve({ originals, data, port })
  await page.waitForFunction(id => { const l = document.querySelector('.frame-page .ss-layer.front'); return l && l.dataset.id !== id && l.querySelector('img')?.naturalWidth > 0 }, gone, { timeout: 90000 })
  s = await frameShows(page)
  assert.equal(s.text, '', JSON.stringify(s))
  const newest = ids.get(ALBUM[0])
  await api('DELETE', `/albums/${album.id}/photos`, { photo_ids: [newest] })
  await wait(6000) // a refresh: the photo is gone from the frame's list
  await api('POST', `/albums/${album.id}/photos`, { photo_ids: [newest] })
  await page.waitForFunction(id => document.querySelector('.frame-page .ss-layer.front')?.dataset.id === String(id), newest, { timeout: 60000 })
  assert.ok(!(await frameShows(page)).offline)

  // A tap shows the small control, large enough to use.
  await page.mouse.click(640, 400)
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.frame-ctl')).opacity === '1')
  for (const b of await page.$$eval('.frame-ctl .ib', els => els.map(e => e.getBoundingClientRect().toJSON()))) {
    assert.ok(b.width >= 44 && b.height >= 44 && b.right <= 1280 && b.bottom <= 800, JSON.stringify(b))
  }
  await shot(page, 'relive-frame-control')
  await ctx.close()
})

test('photo frame: a password-protected share asks once and remembers it', async () => {
  const album = await api('POST', '/albums', { title: 'Kitchen' })
  await api('POST', `/albums/${album.id}/photos`, { photo_ids: ALBUM.slice(0, 2).map(n => ids.get(n)) })
  const share = await api('POST', `/albums/${album.id}/shares`, { password: 'open sesame' })
  const ctx = await browser.newContext({ viewport: { width: 800, height: 1280 }, colorScheme: 'dark' })
  const page = await ctx.newPage()
  const url = `${srv.base}/s/${share.token}?frame=1&interval=3`
  await page.goto(url)
  await page.waitForSelector('form[aria-label="Unlock photo frame"]')
  await page.fill('input[name=password]', 'open sesame')
  await page.click('button:has-text("Start the frame")')
  await page.waitForFunction(() => { const i = document.querySelector('.frame-page .ss-layer.front img'); return i && i.complete && i.naturalWidth > 0 })
  await whole(page, '.frame-page .ss-layer.front img', 'portrait frame photo')
  // A new browser session (the tablet rebooted): no password asked.
  const state = await ctx.storageState()
  await ctx.close()
  const again = await browser.newContext({ viewport: { width: 800, height: 1280 }, storageState: { origins: state.origins, cookies: [] } })
  const p2 = await again.newPage()
  await p2.goto(url)
  await p2.waitForFunction(() => { const i = document.querySelector('.frame-page .ss-layer.front img'); return i && i.complete && i.naturalWidth > 0 }, null, { timeout: 20000 })
  assert.equal(await p2.$('form[aria-label="Unlock photo frame"]'), null)
  await again.close()
})
