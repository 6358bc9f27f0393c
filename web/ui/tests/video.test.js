// Every phone video plays: a real `pinhole serve` with videos made here by
// ffmpeg as phones and cameras record them (iPhone HEVC, AVCHD MPEG-2,
// MJPEG AVI, H.263 3GP, and an Android H.264 MP4), opened in Debian's
// chromium. Each reaches `playing` with its picture, whole in the viewport;
// the H.264 one plays the original without a conversion; the others are
// converted while they play; a conversion that must wait says so with its
// progress, and what has arrived of a conversion can be seeked in.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'vera', PASS = 'a long passphrase'
let srv, browser, dir
const byName = new Map()

const size = args => args[args.indexOf('-i') + 1].match(/size=(\d+x\d+)/)[1]
const av = (size, secs) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(secs)]
const x265 = ['-pix_fmt', 'yuv420p', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1']
// [file, what, direct?, ffmpeg arguments]
const VIDEOS = [
  ['PXL_0001.mp4', 'Android H.264 MP4', true, [...av('640x360', 3), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']],
  ['IMG_0001.MOV', 'iPhone HEVC MOV', false, [...av('640x360', 3), ...x265, '-c:a', 'aac', '-f', 'mov']],
  ['IMG_0002.mp4', 'HEVC MP4', false, [...av('360x640', 3), ...x265, '-c:a', 'aac']],
  ['00001.MTS', 'AVCHD MPEG-2 transport stream', false, [...av('640x360', 3), '-c:v', 'mpeg2video', '-q:v', '4', '-c:a', 'mp2', '-f', 'mpegts']],
  ['MVI_0001.AVI', 'camera MJPEG AVI', false, [...av('640x480', 3), '-c:v', 'mjpeg', '-q:v', '5', '-c:a', 'pcm_s16le', '-f', 'avi']],
  ['VID_0001.3gp', 'old phone H.263 3GP', false, [...av('176x144', 3), '-c:v', 'h263', '-c:a', 'aac', '-ac', '1', '-ar', '8000', '-b:a', '12k', '-f', '3gp']],
  // Longer camcorder clips: conversions that take a while.
  ['00002.MTS', 'long AVCHD clip', false, [...av('1280x720', 40), '-c:v', 'mpeg2video', '-q:v', '8', '-c:a', 'mp2', '-f', 'mpegts']],
  // Opened only while another conversion runs: it must wait.
  ['IMG_0003.MOV', 'iPhone HEVC MOV, converted after another', false, [...av('360x640', 4), ...x265, '-c:a', 'aac', '-f', 'mov']],
  ['00003.MTS', 'another long AVCHD clip', false, [...av('1280x720', 39), '-c:v', 'mpeg2video', '-q:v', '8', '-c:a', 'mp2', '-f', 'mpegts']],
]

before(async () => {
  dir = tempDir('video')
  const originals = join(dir, 'originals')
  mkdirSync(join(originals, 'videos'), { recursive: true })
  for (const [f, , , args] of VIDEOS) execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, join(originals, 'videos', f)])
  srv = await serve({ originals, data: join(dir, 'data') })
  browser = await launch()
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  const setup = await page.evaluate(async ([u, p]) => (await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).status, [USER, PASS])
  assert.ok(setup >= 200 && setup < 300, `setup answered ${setup}`)
  const deadline = Date.now() + 90000
  let photos = []
  while (Date.now() < deadline) {
    photos = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=100')).json()).photos || [])
    if (photos.length >= VIDEOS.length) break
    await page.waitForTimeout(300)
  }
  assert.equal(photos.length, VIDEOS.length, 'not every video was indexed')
  for (const p of photos) {
    const d = await page.evaluate(async id => (await fetch('/api/v1/photos/' + id)).json(), p.id)
    byName.set(d.files.find(f => f.primary).name, p)
  }
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

// A logged-in page that records the video requests it makes and counts
// the video element's `playing` events.
async function open(vp = DESKTOP) {
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: vp.width < 600 ? 3 : 1, hasTouch: vp.width < 600, isMobile: vp.width < 600, colorScheme: 'dark' })
  await ctx.addInitScript(() => {
    window.__playing = 0
    document.addEventListener('playing', () => { window.__playing++ }, true)
  })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  const log = []
  page.on('response', r => { if (r.url().includes('/api/v1/video/')) log.push({ url: r.url(), kind: r.headers()['x-pinhole-video'] || '' }) })
  await page.goto(srv.base + '/')
  await page.evaluate(async ([u, p]) => {
    const r = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!r.ok) throw new Error('login: ' + r.status)
  }, [USER, PASS])
  return { ctx, page, log }
}

// playing waits until the viewer's video has played a little with its
// picture, and returns what it looks like.
async function playing(page, id, timeout = 60000) {
  await page.waitForSelector(`.viewer[data-id="${id}"]`)
  await page.waitForFunction(() => {
    const v = document.querySelector('.viewer video.full')
    return window.__playing > 0 && v && !v.paused && v.currentTime > 0.3 && v.videoWidth > 0
  }, null, { timeout, polling: 100 })
  return page.evaluate(() => {
    const v = document.querySelector('.viewer video.full')
    const r = v.getBoundingClientRect()
    const rng = t => Array.from({ length: t.length }, (_, i) => [t.start(i), t.end(i)])
    return {
      box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
      vw: innerWidth, vh: innerHeight, videoWidth: v.videoWidth, videoHeight: v.videoHeight,
      duration: v.duration, seekable: rng(v.seekable), buffered: rng(v.buffered),
      prep: !!document.querySelector('.viewer .vprep'), note: document.querySelector('.viewer .vnote')?.textContent || '',
    }
  })
}

// size is the frame size recorded ("640x360"): the metadata of MPEG-TS
// has none, so the API's width and height cannot be the reference.
function assertWhole(m, size, what) {
  const b = m.box
  const [w, h] = size.split('x').map(Number)
  assert.ok(b.left >= -1 && b.top >= -1 && b.right <= m.vw + 1 && b.bottom <= m.vh + 1, `${what}: the video is not inside the window: ${JSON.stringify(b)}`)
  const want = w / h
  assert.ok(Math.abs(b.width / b.height / want - 1) < 0.02, `${what}: box ${b.width}×${b.height}, the video is ${size}`)
  assert.ok(Math.abs(m.videoWidth / m.videoHeight / want - 1) < 0.02, `${what}: picture ${m.videoWidth}×${m.videoHeight}, the video is ${size}`)
  assert.ok(m.box.width >= 300, `${what}: shown ${m.box.width}px wide`)
}

for (const [name, what, direct, args] of VIDEOS.slice(0, 6)) {
  test(`${what} (${name}) plays in the viewer${direct ? ' as it is' : ', converted'}`, async () => {
    const { ctx, page, log } = await open()
    try {
      const p = byName.get(name)
      assert.equal(p.playable, direct, `the API's playable for ${name}`)
      await page.goto(`${srv.base}/?photo=${p.id}`)
      const m = await playing(page, p.id)
      assertWhole(m, size(args), what)
      assert.equal(m.note, '', `${what}: the viewer says "${m.note}"`)
      const status = log.filter(r => r.url.includes('/status'))
      const streams = log.filter(r => !r.url.includes('/status'))
      if (direct) {
        assert.equal(status.length, 0, 'a directly playable video asked about a conversion')
        assert.ok(streams.length > 0 && streams.every(r => r.kind === 'original'), `served ${JSON.stringify(streams)}`)
      } else {
        assert.ok(status.length > 0, 'no conversion status asked')
        assert.ok(streams.some(r => r.kind === 'converting' || r.kind === 'converted'), `served ${JSON.stringify(streams)}`)
        assert.ok(streams.every(r => r.kind !== 'original'), 'the original was sent to a browser that cannot play it')
      }
      if (name === 'IMG_0001.MOV') await shot(page, 'video-converted-hevc')
    } finally { await ctx.close() }
  })
}

// A long clip plays while it is converted, shows its whole length, and
// what has arrived can be seeked in: back to the start, and back again.
test('a conversion plays while it runs, with its whole length and seeking in what has arrived', async () => {
  const { ctx, page, log } = await open()
  try {
    const p = byName.get('00002.MTS')
    await page.goto(`${srv.base}/?photo=${p.id}`)
    const m = await playing(page, p.id)
    assert.ok(log.some(r => r.kind === 'converting'), `served ${JSON.stringify(log)}`)
    assert.ok(Math.abs(m.duration - 40) < 1.5, `duration ${m.duration}, the video's 40 s`)
    assert.ok(m.seekable.length && m.seekable[0][1] >= 38.5, `seekable ${JSON.stringify(m.seekable)}`)
    assertWhole(m, '1280x720', 'long clip')
    await page.waitForFunction(() => document.querySelector('.viewer video.full').currentTime > 2.5, null, { timeout: 30000 })
    const seeked = await page.evaluate(() => new Promise((res, rej) => {
      const v = document.querySelector('.viewer video.full')
      const t = setTimeout(() => rej(new Error('no seeked event')), 10000)
      v.addEventListener('seeked', () => { clearTimeout(t); res(v.currentTime) }, { once: true })
      v.currentTime = 0.5
    }))
    assert.ok(seeked < 1.5, `seeked to ${seeked}, asked for 0.5`)
    await page.waitForFunction(() => { const v = document.querySelector('.viewer video.full'); return !v.paused && v.currentTime > 1 }, null, { timeout: 10000 })
  } finally { await ctx.close() }
})

// A video that must wait for another's conversion says so, with its
// progress, over its poster; then plays.
test('a video that must wait shows "Preparing video… NN%" and then plays', async () => {
  for (const vp of [PHONE]) {
    const { ctx, page } = await open(vp)
    try {
      const first = byName.get('00003.MTS'), second = byName.get('IMG_0003.MOV')
      // The first conversion starts; the second video is opened at once
      // and has to wait for it.
      await page.evaluate(async u => { await fetch(u) }, `/api/v1/video/${first.hash}/status?start=1&t=` + encodeURIComponent(await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=1')).json()).thumb_token)))
      await page.goto(`${srv.base}/?photo=${second.id}`)
      await page.waitForSelector('.viewer .vprep', { timeout: 20000 })
      const o = await page.evaluate(() => {
        const el = document.querySelector('.viewer .vprep'), v = document.querySelector('.viewer video.full')
        const r = el.getBoundingClientRect(), b = v.getBoundingClientRect()
        return { text: el.textContent, inside: r.left >= b.left && r.right <= b.right && r.top >= b.top && r.bottom <= b.bottom, h: r.height }
      })
      assert.match(o.text, /Preparing video… \d+%/)
      assert.ok(o.inside, 'the progress note is outside the video')
      await shot(page, 'video-preparing')
      const m = await playing(page, second.id, 90000)
      assert.ok(!m.prep, 'the progress note stays over a playing video')
    } finally { await ctx.close() }
  }
})
