// Live photos and motion photos in the browser: a Google Motion Photo, a
// Micro Video, a Samsung motion photo (each a JPEG with a real MP4 made here
// by ffmpeg inside it) and an Apple Live Photo (a corpus HEIC with an ffmpeg
// MOV of the same name) carry the live badge in the grid, and their motion
// plays in the viewer — hovering the LIVE control with a mouse, a long press
// on a phone, and for a share link's visitor — up to the video element's
// `playing` event, over the still, then returns to the still. A real
// `pinhole serve` driven through Debian's chromium.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'mona', PASS = 'a long passphrase'
let srv, browser, dir
const byName = new Map() // primary file name → photo as the API lists it

// The motion photo layouts (app/meta/motion.go), written as phones do.
const u16le = n => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b }
const u32le = n => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b }
function withXMP(jpg, xmp, ...tail) {
  const body = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0'), Buffer.from(xmp)])
  const head = Buffer.from([0xff, 0xe1, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([jpg.subarray(0, 2), head, body, jpg.subarray(2), ...tail])
}
const RDF = body => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta>`
const googleMotion = (jpg, mp4) => withXMP(jpg, RDF(`<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"
  xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/"
  GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1"><Container:Directory><rdf:Seq>
  <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li>
  <rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="${mp4.length}" Item:Padding="0"/></rdf:li>
  </rdf:Seq></Container:Directory></rdf:Description>`), mp4)
const microVideo = (jpg, mp4) => withXMP(jpg, RDF(`<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"
  GCamera:MicroVideo="1" GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="${mp4.length}"/>`), mp4)
function samsung(jpg, mp4) {
  const block = Buffer.concat([Buffer.from([0, 0]), u16le(0x0a30), u32le(16), Buffer.from('MotionPhoto_Data'), mp4])
  const dir = Buffer.concat([Buffer.from('SEFH'), u32le(106), u32le(1), Buffer.from([0, 0]), u16le(0x0a30), u32le(block.length), u32le(block.length)])
  return Buffer.concat([jpg, block, dir, u32le(dir.length), Buffer.from('SEFT')])
}

// name → [what, how it moves: 'motion' (inside the file) or 'video' (the MOV)]
const LIVE = {
  'PXL_20230704_101010123.MP.jpg': ['Google Motion Photo', 'motion'],
  'MVIMG_20190704_101010.jpg': ['Google Micro Video', 'motion'],
  '20190704_101011.jpg': ['Samsung motion photo', 'motion'],
  'IMG_0007.HEIC': ['Apple Live Photo (HEIC + MOV)', 'video'],
}
const STILL = 'still.jpg'

before(async () => {
  dir = tempDir('motion')
  const originals = join(dir, 'originals'), made = join(dir, 'made')
  mkdirSync(join(originals, 'phone'), { recursive: true })
  mkdirSync(made)
  const ff = (...args) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args])
  // The still and its motion look different, so a screenshot shows which plays.
  ff('-f', 'lavfi', '-i', 'smptebars=size=640x480', '-frames:v', '1', join(made, 'still.jpg'))
  // Eight seconds: longer than a hold, so only the release can stop it.
  ff('-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=25', '-t', '8', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-movflags', '+faststart', join(made, 'motion.mp4'))
  // The HEIC is a portrait 3024×4032, and so is its Live Photo's movie.
  ff('-f', 'lavfi', '-i', 'testsrc2=size=480x640:rate=25', '-t', '8', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', join(made, 'live.mov'))
  const jpg = readFileSync(join(made, 'still.jpg')), mp4 = readFileSync(join(made, 'motion.mp4'))
  const phone = join(originals, 'phone')
  writeFileSync(join(phone, 'PXL_20230704_101010123.MP.jpg'), googleMotion(jpg, mp4))
  writeFileSync(join(phone, 'MVIMG_20190704_101010.jpg'), microVideo(jpg, mp4))
  writeFileSync(join(phone, '20190704_101011.jpg'), samsung(jpg, mp4))
  copyFileSync(join(corpus, 'photoprism/assets/examples/iphone_7.heic'), join(phone, 'IMG_0007.HEIC'))
  copyFileSync(join(made, 'live.mov'), join(phone, 'IMG_0007.MOV'))
  copyFileSync(join(made, 'still.jpg'), join(phone, STILL))
  srv = await serve({ originals, data: join(dir, 'data') })
  browser = await launch()
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  const setup = await page.evaluate(async ([u, p]) => (await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).status, [USER, PASS])
  assert.ok(setup >= 200 && setup < 300, `setup answered ${setup}`)
  const want = Object.keys(LIVE).length + 1
  const deadline = Date.now() + 90000
  let photos = []
  while (Date.now() < deadline) {
    photos = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=50')).json()).photos || [])
    if (photos.length >= want && photos.filter(p => p.motion).length >= want - 1) break
    await page.waitForTimeout(300)
  }
  for (const p of photos) {
    const d = await page.evaluate(async id => (await fetch('/api/v1/photos/' + id)).json(), p.id)
    byName.set(d.files.find(f => f.primary).name, p)
  }
  for (const [name, [what, how]] of Object.entries(LIVE)) {
    const p = byName.get(name)
    assert.ok(p, `${what}: ${name} is not in the library`)
    assert.equal(p.media_type, 'live', `${what}: media type`)
    assert.ok(p.motion, `${what}: no motion in the API`)
    assert.equal(p.motion.embedded, how === 'motion', `${what}: embedded`)
  }
  assert.equal(byName.get(STILL)?.motion, undefined, 'the plain still has motion')
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function open(vp) {
  const phone = vp.width < 600
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: phone ? 3 : 1, hasTouch: phone, isMobile: phone, colorScheme: 'dark' })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.evaluate(async ([u, p]) => {
    localStorage.setItem('pinhole.info', '0')
    const r = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!r.ok) throw new Error('login: ' + r.status)
  }, [USER, PASS])
  return { ctx, page }
}

const rect = async (page, sel) => page.$eval(sel, el => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height } })

// centre is a screenshot of the middle of the photo's box: what the user
// sees there (the still, or the motion over it).
async function centre(page) {
  const m = await rect(page, '.viewer .media')
  return page.screenshot({ clip: { x: Math.round(m.left + m.width / 2 - 30), y: Math.round(m.top + m.height / 2 - 30), width: 60, height: 60 } })
}

// openLive opens the viewer on photo p, waits for its still, and arms a
// promise on the motion video's `playing` event. It returns what the
// middle of the still looks like.
async function openLive(page, base, p) {
  await page.goto(`${base}?photo=${p.id}`)
  await page.waitForSelector(`.viewer[data-id="${p.id}"] .media img.full`)
  await page.waitForFunction(() => { const i = document.querySelector('.viewer .media img.full:last-child'); return i && i.complete && i.naturalWidth > 0 }, null, { timeout: 20000 })
  await page.evaluate(() => {
    const v = document.querySelector('.viewer video.live')
    window.__playing = new Promise(res => v.addEventListener('playing', () => res(v.currentSrc), { once: true }))
  })
  return centre(page)
}

// played waits for the `playing` event, then checks the motion shows over
// the still (the middle of the photo no longer looks like the still), in
// the photo's own box, and moves.
async function played(page, what, how, before) {
  const src = await Promise.race([page.evaluate(() => window.__playing), new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: the video never reached playing`)), 20000))])
  assert.match(src, how === 'motion' ? /\/api\/v1\/motion\/[0-9a-f]{40}\?t=/ : /\/api\/v1\/video\/[0-9a-f]{40}\?t=/, `${what}: played from ${src}`)
  await page.waitForFunction(() => { const v = document.querySelector('.viewer video.live'); return v && getComputedStyle(v).opacity === '1' && v.currentTime > 0.2 }, null, { timeout: 10000 })
  const still = await rect(page, '.viewer .media'), video = await rect(page, '.viewer video.live')
  for (const k of ['left', 'top', 'width', 'height']) assert.ok(Math.abs(still[k] - video[k]) <= 1, `${what}: the motion's box ${JSON.stringify(video)} is not the still's ${JSON.stringify(still)}`)
  assert.ok(!(await centre(page)).equals(before), `${what}: the video plays, but the screen still shows the still`)
  const vw = page.viewportSize()
  assert.ok(video.left >= -1 && video.top >= -1 && video.right <= vw.width + 1 && video.bottom <= vw.height + 1, `${what}: the motion leaves the screen`)
}

// stopped checks the viewer is back on the still at once: within 2 s, 5×
// a 0.4 s target (measured: 104–177 ms, load average 8–11 on two cores),
// long before the 8 s video would end by itself.
async function stopped(page, what) {
  await page.waitForFunction(() => { const v = document.querySelector('.viewer video.live'); return v.paused && getComputedStyle(v).opacity === '0' }, null, { timeout: 2000 })
    .catch(() => { throw new Error(`${what}: the motion did not stop when released`) })
}

test('grid: live photos carry the live badge, inside their cell; a still does not', async () => {
  const { ctx, page } = await open(DESKTOP)
  try {
    await page.goto(srv.base + '/')
    for (const p of byName.values()) await page.waitForSelector(`.cell[data-id="${p.id}"] img.ld`)
    for (const [name, [what]] of Object.entries(LIVE)) {
      const id = byName.get(name).id
      const cell = await rect(page, `.cell[data-id="${id}"]`)
      const badge = await rect(page, `.cell[data-id="${id}"] .badge.live`)
      assert.ok(badge.width >= 14 && badge.left >= cell.left && badge.right <= cell.right && badge.top >= cell.top && badge.bottom <= cell.top + cell.height / 2,
        `${what}: badge ${JSON.stringify(badge)} not in the top of its cell ${JSON.stringify(cell)}`)
      assert.match(await page.getAttribute(`.cell[data-id="${id}"]`, 'aria-label'), /live photo/, `${what}: the cell does not say it is live`)
    }
    assert.equal(await page.locator(`.cell[data-id="${byName.get(STILL).id}"] .badge`).count(), 0, 'the still has a badge')
    await shot(page, 'motion-grid')
  } finally { await ctx.close() }
})

test('desktop: hovering LIVE plays the motion over the still; leaving it returns to the still', async () => {
  const { ctx, page } = await open(DESKTOP)
  try {
    for (const [name, [what, how]] of Object.entries(LIVE)) {
      const still = await openLive(page, srv.base + '/', byName.get(name))
      const btn = await rect(page, '.viewer .livebtn')
      const bar = await rect(page, '.viewer .vtop')
      assert.ok(btn.height >= 44 && btn.width >= 44 && btn.top >= bar.top && btn.bottom <= bar.bottom, `${what}: LIVE control ${JSON.stringify(btn)} outside the top bar or too small`)
      await page.hover('.viewer .livebtn')
      await played(page, what, how, still)
      if (how === 'motion' && name.startsWith('PXL')) await shot(page, 'motion-viewer-playing')
      await page.mouse.move(btn.left - 200, btn.bottom + 300)
      await stopped(page, what)
    }
    // A photo that does not move has no LIVE control.
    await page.goto(`${srv.base}/?photo=${byName.get(STILL).id}`)
    await page.waitForSelector(`.viewer[data-id="${byName.get(STILL).id}"] .media img`)
    assert.equal(await page.locator('.viewer .livebtn, .viewer video.live').count(), 0, 'a still has a LIVE control')
  } finally { await ctx.close() }
})

test('phone: a long press on the photo plays the motion while held', async () => {
  const { ctx, page } = await open(PHONE)
  try {
    const s = await ctx.newCDPSession(page)
    for (const [name, [what, how]] of Object.entries(LIVE)) {
      const still = await openLive(page, srv.base + '/', byName.get(name))
      const btn = await rect(page, '.viewer .livebtn')
      assert.ok(btn.height >= 44 && btn.width >= 44 && btn.right <= PHONE.width, `${what}: LIVE control ${JSON.stringify(btn)} too small or off screen`)
      const m = await rect(page, '.viewer .media')
      const x = m.left + m.width / 2, y = m.top + m.height / 2
      await s.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] })
      try {
        await played(page, what, how, still)
        if (name.startsWith('IMG')) await shot(page, 'motion-viewer-hold')
      } finally {
        await s.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
      }
      await stopped(page, what)
      // The long press neither zoomed nor left the photo.
      assert.equal(await page.getAttribute('.viewer', 'data-id'), String(byName.get(name).id), `${what}: the long press moved to another photo`)
      const after = await rect(page, '.viewer .media')
      assert.ok(Math.abs(after.width - m.width) <= 1, `${what}: the long press zoomed`)
    }
  } finally { await ctx.close() }
})

test('share link visitors play the motion too', async () => {
  const { ctx, page } = await open(DESKTOP)
  let visitor
  try {
    const ids = ['PXL_20230704_101010123.MP.jpg', 'IMG_0007.HEIC'].map(n => byName.get(n).id)
    const url = await page.evaluate(async ids => {
      const s = await (await fetch('/api/v1/session')).json()
      const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }
      const a = await (await fetch('/api/v1/albums', { method: 'POST', headers: h, body: JSON.stringify({ title: 'Moving' }) })).json()
      await fetch(`/api/v1/albums/${a.id}/photos`, { method: 'POST', headers: h, body: JSON.stringify({ photo_ids: ids }) })
      return (await (await fetch(`/api/v1/albums/${a.id}/shares`, { method: 'POST', headers: h, body: JSON.stringify({ downloads: false }) })).json()).url
    }, ids)
    visitor = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
    const vp = await visitor.newPage()
    for (const name of ['PXL_20230704_101010123.MP.jpg', 'IMG_0007.HEIC']) {
      const [what, how] = LIVE[name]
      const still = await openLive(vp, srv.base + url, byName.get(name))
      await vp.hover('.viewer .livebtn')
      await played(vp, `visitor, ${what}`, how, still)
      await vp.mouse.move(10, 800)
      await stopped(vp, `visitor, ${what}`)
    }
  } finally {
    await visitor?.close()
    await ctx.close()
  }
})
