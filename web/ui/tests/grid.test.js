// The photo grid on a phone and a desktop, over a real `pinhole serve` of
// the camera corpus: taps open the photo they land on, selection mode and
// its bar fit a 360 px phone, thumbnails are the smallest rendition that
// covers each cell, the first screen comes from the data inlined into
// index.html, and placeholders follow the theme.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { longPress } from './gestures.js'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
const PHONE_CTX = { viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 3 }
let srv, browser, dir, bearer

before(async () => {
  dir = tempDir('grid')
  // Served read-only (the default): the corpus is never written.
  srv = await serve({ originals: corpus, data: join(dir, 'data'), args: ['--demo=false'] })
  const r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASS, bearer: true }) })
  assert.equal(r.status, 201, 'setup failed')
  bearer = (await r.json()).token
  // Wait for the first scan to finish so every screen sees the whole library.
  const deadline = Date.now() + 120000
  for (;;) {
    const st = await apiGet('/status')
    if (st.index && st.index.last_scan && !st.index.progress.running && st.counts.photos > 100) break
    assert.ok(Date.now() < deadline, 'the corpus was not indexed in 2 minutes: ' + JSON.stringify(st.index))
    await new Promise(res => setTimeout(res, 300))
  }
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function apiGet(path) {
  const r = await fetch(srv.base + '/api/v1' + path, { headers: { Authorization: 'Bearer ' + bearer } })
  return r.json()
}
async function apiSend(method, path, body) {
  const r = await fetch(srv.base + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + bearer, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const text = await r.text()
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`)
  return text ? JSON.parse(text) : null
}

// open makes a logged-in browser context (the cookie comes from a real
// login) and a page in it.
async function open(opts) {
  const ctx = await browser.newContext({ colorScheme: 'dark', ...opts })
  const r = await ctx.request.post(srv.base + '/api/v1/session', { data: { username: USER, password: PASS } })
  assert.equal(r.status(), 200, 'login failed')
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  return { ctx, page }
}

// cellsToTap returns cells on screen whose centre and top-left point
// (14 px in) both hit the cell itself, with those points.
async function cellsToTap(page, n) {
  return page.evaluate(n => {
    const out = []
    for (const c of document.querySelectorAll('.cell[data-id]')) {
      const r = c.getBoundingClientRect()
      const pts = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 14, r.top + 14]]
      if (pts.every(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight && document.elementFromPoint(x, y)?.closest('.cell') === c)) {
        out.push({ id: c.dataset.id, centre: pts[0], corner: pts[1], w: r.width, h: r.height })
      }
      if (out.length === n) break
    }
    return out
  }, n)
}

const selectedCount = page => page.evaluate(() => document.querySelectorAll('.cell.sel').length)

test('phone: taps open the photo they land on; long-press starts selection', async () => {
  const { ctx, page } = await open(PHONE_CTX)
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id] img.ld')
  await page.waitForTimeout(300)
  assert.equal(await page.locator('.cell .chk').count(), 0, 'selection ticks exist outside selection mode on a touch screen')
  const sb = await page.locator('header button[aria-label="Select photos"]').boundingBox({ timeout: 3000 }).catch(() => null)
  assert.ok(sb && sb.x >= 0 && sb.x + sb.width <= PHONE.width && sb.height >= 44, 'no "Select" button in the phone top bar')
  // The memories strip (when the library has photos from this day in
  // other years) takes the top of the first screen: scroll past it.
  if (await page.locator('.mem-strip').count()) {
    await page.evaluate(() => {
      const strip = document.querySelector('.mem-strip').getBoundingClientRect()
      const bar = document.querySelector('header').getBoundingClientRect()
      ;(document.querySelector('.grid-scroll') || document.scrollingElement).scrollBy(0, strip.bottom - bar.bottom)
    })
    await page.waitForTimeout(300)
  }
  const cells = await cellsToTap(page, 12)
  assert.equal(cells.length, 12, `only ${cells.length} cells can be tapped on the first phone screen`)
  for (const c of cells) {
    for (const where of ['centre', 'corner']) {
      const [x, y] = c[where]
      await page.touchscreen.tap(x, y)
      await page.waitForSelector('.viewer', { timeout: 5000 }).catch(() => {})
      const id = await page.evaluate(() => document.querySelector('.viewer')?.dataset.id || '')
      const sel = await selectedCount(page)
      assert.equal(id, c.id, `a tap at the ${where} of photo ${c.id} (${c.w.toFixed(0)}×${c.h.toFixed(0)} px cell) opened ${id || 'nothing'}${sel ? ' and selected it' : ''}`)
      assert.equal(sel, 0, 'a tap selected a photo')
      assert.equal(await page.locator('.selbar').count(), 0, 'a tap started selection mode')
      await page.keyboard.press('Escape')
      await page.waitForSelector('.viewer', { state: 'detached' })
    }
  }

  // A long-press selects without opening; then taps toggle.
  const [a, b, c] = cells
  await longPress(page, ...a.centre)
  await page.waitForSelector('.selbar b:has-text("1 selected")', { timeout: 3000 })
  assert.equal(await page.locator('.viewer').count(), 0, 'the long-press opened the viewer')
  assert.ok(await page.locator(`.cell[data-id="${a.id}"].sel`).count(), 'the long-pressed photo is not marked selected')
  await page.touchscreen.tap(...b.centre)
  await page.touchscreen.tap(...c.corner)
  await page.waitForSelector('.selbar b:has-text("3 selected")')
  await page.touchscreen.tap(...b.centre)
  await page.waitForSelector('.selbar b:has-text("2 selected")')
  assert.equal(await page.locator('.viewer').count(), 0, 'a tap in selection mode opened the viewer')
  assert.equal(await selectedCount(page), 2)
  await page.waitForTimeout(200)
  await shot(page, 'grid-selecting')
  await page.locator('.selbar button[aria-label="Done"]').tap()
  await page.waitForSelector('.selbar', { state: 'detached' })
  assert.equal(await selectedCount(page), 0, 'Done left photos selected')

  // "Select" in the top bar starts selection mode with nothing selected.
  await page.locator('header button[aria-label="Select photos"]').tap()
  await page.waitForSelector('.selbar b:has-text("Select photos")')
  await page.touchscreen.tap(...c.centre)
  await page.waitForSelector('.selbar b:has-text("1 selected")')
  assert.equal(await page.locator('.viewer').count(), 0)
  await page.locator('.selbar button[aria-label="Done"]').tap()
  await page.waitForSelector('.selbar', { state: 'detached' })
  // Out of selection mode a tap opens again.
  await page.touchscreen.tap(...c.centre)
  await page.waitForSelector('.viewer')
  await ctx.close()
})

test('phone: every selection action fits at 360 and 390 px in the library, an album and search', async () => {
  const list = await apiGet('/photos?limit=8&type=photo')
  const album = await apiSend('POST', '/albums', { title: 'Selection test' })
  const albumID = album.id ?? album.album?.id
  await apiSend('POST', `/albums/${albumID}/photos`, { photo_ids: list.photos.map(p => p.id) })
  const common = ['Add to album', 'Favourite', 'Download', 'Archive', 'Make private']
  const screens = [
    { name: 'library', path: '/', want: common },
    { name: 'album', path: `/albums/${albumID}`, want: [...common, 'Remove from album', 'Use as album cover'] },
    { name: 'search', path: '/search?type=photo', want: common },
  ]
  const { ctx, page } = await open(PHONE_CTX)
  for (const width of [360, 390]) {
    await page.setViewportSize({ width, height: PHONE.height })
    for (const sc of screens) {
      await page.goto(srv.base + sc.path)
      await page.waitForSelector('.cell[data-id]')
      const [cell] = await cellsToTap(page, 1)
      await longPress(page, ...cell.centre)
      await page.waitForSelector('.selbar b:has-text("1 selected")')
      const boxes = async sel => page.$$eval(sel, els => els.filter(e => e.offsetParent).map(e => {
        const r = e.getBoundingClientRect()
        return { label: e.getAttribute('aria-label') || e.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom, h: r.height }
      }))
      const bar = await boxes('.selbar button')
      assert.ok(bar.some(b => b.label === 'More actions') || width > 719, `${sc.name} at ${width}: no "More actions"`)
      await page.locator('.selbar button[aria-label="More actions"]').tap()
      await page.waitForSelector('.selbar .menu [role=menuitem]')
      const menu = await boxes('.selbar .menu [role=menuitem]')
      if (width === 360) await shot(page, `selection-menu-${sc.name}`)
      const seen = new Set()
      for (const b of [...bar, ...menu]) {
        seen.add(b.label)
        assert.ok(b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= PHONE.height,
          `${sc.name} at ${width} px: "${b.label}" lies outside the screen (${b.left.toFixed(0)}–${b.right.toFixed(0)} × ${b.top.toFixed(0)}–${b.bottom.toFixed(0)})`)
        assert.ok(b.h >= 44, `${sc.name} at ${width} px: "${b.label}" is ${b.h.toFixed(0)} px tall`)
      }
      for (const w of sc.want) assert.ok(seen.has(w), `${sc.name} at ${width} px: "${w}" cannot be reached (have ${[...seen].join(', ')})`)
      await page.locator('.selbar button[aria-label="More actions"]').tap()
      await page.waitForSelector('.selbar .menu', { state: 'detached' })

      // What the actions do.
      if (sc.name === 'library' && width === 390) {
        await page.locator('.selbar button[aria-label="Favourite"]').tap()
        await page.waitForSelector('.toast:has-text("Favourited 1 photo")')
        const d = await apiGet(`/photos/${cell.id}`)
        assert.ok((d.photo || d).favorite, 'Favourite did not mark the photo a favourite')
        continue
      }
      if (sc.name === 'search' && width === 360) {
        await page.locator('.selbar button[aria-label="Add to album"]').tap()
        const dlg = page.locator('.dialog[aria-label="Add to album"]')
        await dlg.waitFor()
        const r = await dlg.boundingBox()
        assert.ok(r.x >= 0 && r.x + r.width <= width && r.y >= 0 && r.y + r.height <= PHONE.height, 'the album dialog does not fit the screen')
        await page.locator('.dialog button:has-text("Selection test")').tap()
        await page.waitForSelector('.toast:has-text("Added")')
        continue
      }
      if (sc.name === 'album' && width === 390) {
        const before = (await apiGet(`/albums/${albumID}`)).album?.count ?? (await apiGet(`/albums/${albumID}`)).count
        await page.locator('.selbar [aria-label="Remove from album"], .selbar [role=menuitem]:has-text("Remove from album")').first().tap()
        await page.waitForSelector('.toast:has-text("Removed 1")')
        const now = (await apiGet(`/albums/${albumID}`)).album?.count ?? (await apiGet(`/albums/${albumID}`)).count
        assert.equal(now, before - 1, 'Remove from album did not remove the photo')
        continue
      }
      await page.locator('.selbar button[aria-label="Done"]').tap()
      await page.waitForSelector('.selbar', { state: 'detached' })
    }
  }
  await ctx.close()
})

// firstScreen loads / and, once every image on screen has arrived and no
// thumbnail request has been made for a second, measures them.
async function firstScreen(opts) {
  const { ctx, page } = await open(opts)
  const thumbs = []
  page.on('response', async r => {
    if (!r.url().includes('/api/v1/t/')) return
    try { thumbs.push((await r.body()).length) } catch { thumbs.push(0) }
  })
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  await page.waitForFunction(() => {
    // Tiles of files that cannot be shown carry no image.
    const cells = [...document.querySelectorAll('.cell[data-id]:not(.ptile)')].filter(c => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight })
    return cells.length > 0 && cells.every(c => { const i = c.querySelector('img'); return i && i.complete && i.naturalWidth > 0 })
  }, null, { timeout: 60000 })
  for (let n = -1; n !== thumbs.length;) { n = thumbs.length; await page.waitForTimeout(1000) }
  const m = await page.evaluate(() => {
    const dpr = devicePixelRatio
    const box = document.querySelector('.grid-scroll').getBoundingClientRect()
    const cells = []
    for (const c of document.querySelectorAll('.cell[data-id]:not(.ptile)')) {
      const r = c.getBoundingClientRect()
      if (r.bottom <= box.top || r.top >= box.bottom) continue
      const i = c.querySelector('img')
      cells.push({ id: c.dataset.id, src: i.getAttribute('src'), size: i.dataset.size, w: r.width, h: r.height, nw: i.naturalWidth, nh: i.naturalHeight })
    }
    return { dpr, cells }
  })
  return { ctx, page, thumbs, ...m }
}

// The grid asks for the smallest rendition that covers each cell at the
// screen's density: the pixels delivered for the first screen are at most
// twice those shown, the desktop's first screen costs at most 800 KB, each
// image covers its cell (or is as large as the photo allows), and the next
// smaller size would not have.
test('thumbnail economy: the first screen gets the smallest covering renditions', async () => {
  const sizes = (await apiGet('/status')).thumb_sizes.filter(s => !s.crop)
  for (const [name, opts] of [['desktop', { viewport: DESKTOP, deviceScaleFactor: 1 }], ['phone', PHONE_CTX]]) {
    const s = await firstScreen(opts)
    let delivered = 0, shown = 0
    for (const c of s.cells) { delivered += c.nw * c.nh; shown += c.w * c.h * s.dpr * s.dpr }
    const ratio = delivered / shown
    const bytes = s.thumbs.reduce((a, b) => a + b, 0)
    const used = {}
    for (const c of s.cells) used[c.size] = (used[c.size] || 0) + 1
    console.log(`${name}: ${s.cells.length} cells on screen, delivered/displayed pixels ${ratio.toFixed(2)}, ${s.thumbs.length} thumbnails ${(bytes / 1024).toFixed(0)} KB; sizes ${JSON.stringify(used)}`)
    assert.ok(s.cells.length >= 8, `${name}: only ${s.cells.length} cells on the first screen`)
    assert.ok(ratio <= 2, `${name}: ${ratio.toFixed(2)}× the displayed pixels were delivered (limit 2)`)
    if (name === 'desktop') assert.ok(bytes <= 800 * 1024, `desktop first screen: ${(bytes / 1024).toFixed(0)} KB of thumbnails (limit 800 KB)`)
    // Each image against its neighbours in the size table.
    const natural = src => s.page.evaluate(async src => { const i = new Image(); i.src = src; await i.decode(); return [i.naturalWidth, i.naturalHeight] }, src)
    for (const c of s.cells.slice(0, 12)) {
      const needW = Math.round(c.w * s.dpr), needH = Math.round(c.h * s.dpr)
      const k = sizes.findIndex(x => x.name === c.size)
      assert.ok(k >= 0, `photo ${c.id}: the grid asked for ${c.size}, not a fit size`)
      const covers = c.nw >= needW - 1 && c.nh >= needH - 1
      if (!covers && k + 1 < sizes.length) {
        const [w, h] = await natural(c.src.replace(/[^/]+$/, sizes[k + 1].name))
        assert.ok(w === c.nw && h === c.nh, `photo ${c.id}: ${c.size} (${c.nw}×${c.nh}) does not cover its ${needW}×${needH} cell, and ${sizes[k + 1].name} would have (${w}×${h})`)
      }
      if (covers && k > 0) {
        const [w, h] = await natural(c.src.replace(/[^/]+$/, sizes[k - 1].name))
        assert.ok(w < needW - 1 || h < needH - 1, `photo ${c.id}: ${c.size} was asked for, but the smaller ${sizes[k - 1].name} (${w}×${h}) covers the ${needW}×${needH} cell`)
      }
    }
    await shot(s.page, 'grid-first-screen')
    await s.ctx.close()
  }
})

// A logged-in browser draws the first screen from the data inlined into
// index.html: it asks neither for its session, nor for the month counts,
// nor for the first page.
test('first paint: the library needs no API round trip before its thumbnails', async () => {
  const { ctx, page } = await open({ viewport: DESKTOP })
  const asked = []
  page.on('request', r => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/v1/') && !u.pathname.startsWith('/api/v1/t/')) asked.push(u.pathname + u.search) })
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id] img.ld')
  const early = asked.filter(u => u === '/api/v1/session' || u === '/api/v1/photos/months' || u === '/api/v1/photos?limit=120' || u === '/api/v1/status')
  assert.deepEqual(early, [], `the app fetched what index.html carries: ${early.join(', ')}`)
  assert.equal(await page.locator('script#boot[type="application/json"]').count(), 1)
  await ctx.close()
})

// Placeholders (cells whose image has not arrived) are greys of the theme:
// light in the light theme, dark in the dark one.
test('placeholders follow the theme', async () => {
  for (const scheme of ['light', 'dark']) {
    const { ctx, page } = await open({ viewport: DESKTOP, colorScheme: scheme })
    await page.route('**/api/v1/t/**', () => {}) // thumbnails never arrive
    await page.goto(srv.base + '/', { waitUntil: 'domcontentloaded' })
    await page.waitForSelector('.cell[data-id]')
    await page.waitForTimeout(300)
    // The browser turns whatever syntax the stylesheet uses (rgb, hsl,
    // color-mix) into pixels on a canvas; the test reads those.
    const ls = await page.$$eval('.cell[data-id]', cs => {
      const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })
      return cs.slice(0, 40).map(c => {
        ctx.clearRect(0, 0, 1, 1)
        ctx.fillStyle = getComputedStyle(c).backgroundColor
        ctx.fillRect(0, 0, 1, 1)
        const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data
        return (Math.max(r, g, b) + Math.min(r, g, b)) / 2 / 255
      })
    })
    assert.ok(ls.length > 0)
    if (scheme === 'light') assert.ok(Math.min(...ls) >= 0.8, `light theme: a placeholder at ${(Math.min(...ls) * 100).toFixed(0)}% lightness`)
    else assert.ok(Math.max(...ls) <= 0.35, `dark theme: a placeholder at ${(Math.max(...ls) * 100).toFixed(0)}% lightness`)
    await shot(page, `grid-placeholders-${scheme}`)
    await ctx.close()
  }
})

// The corpus spans three decades with a few crowded years: their labels
// are thinned, never drawn over each other or as bare dots, and the
// position mark stays beside them.
test('desktop scrubber: year labels never overlap', async () => {
  const { ctx, page } = await open({ viewport: DESKTOP })
  await page.goto(srv.base + '/')
  await page.waitForSelector('.scrubber .yr')
  const labels = await page.$$eval('.scrubber .yr', els => els.map(e => ({ year: e.textContent, ...e.getBoundingClientRect().toJSON() })))
  const years = (await apiGet('/photos/months')).months.map(m => m.year)
  console.log(`${new Set(years).size} years in the library, ${labels.length} labelled`)
  assert.ok(labels.length >= 5, `only ${labels.length} year labels`)
  for (let i = 1; i < labels.length; i++) {
    const a = labels[i - 1], b = labels[i]
    assert.ok(a.bottom <= b.top, `year labels ${a.year} and ${b.year} overlap`)
  }
  assert.equal(await page.locator('.scrubber .dot').count(), 0, 'unlabelled dots on the scrubber')
  const pos = await page.$eval('.scrubber .pos', e => e.getBoundingClientRect().toJSON())
  for (const l of labels) assert.ok(pos.left >= l.right || pos.bottom <= l.top || pos.top >= l.bottom, `the position mark crosses the ${l.year} label`)
  await ctx.close()
})
