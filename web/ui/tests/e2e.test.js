// End to end: a real `pinhole serve` over a copy of the test corpus, driven
// through Debian's chromium. It walks what a person does on the first day
// (setup, login, timeline, viewer, search, favourite, album, share, revoke,
// map, upload, a copied file appearing live), screenshots every screen at
// phone and desktop sizes, and fails if the browser ever talks to anyone but
// the Pinhole server.
import assert from 'node:assert/strict'
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, foreign, launch, PHONE, recordRequests, serve, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let srv, browser, dir, originals, ctx, page
const requests = []

// A JPEG from the corpus with extra bytes after its end marker: same picture,
// new content hash, so the library takes it as a new photo.
function uniqueJPEG(tag) {
  const cands = []
  const walk = d => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (/\.jpe?g$/i.test(n) && st.size > 20000 && st.size < 400000) cands.push(p)
    }
  }
  walk(corpus)
  cands.sort()
  const buf = Buffer.concat([readFileSync(cands[0]), Buffer.from(`pinhole-e2e-${tag}-${Date.now()}`)])
  return buf
}

before(async () => {
  dir = tempDir('e2e')
  originals = join(dir, 'originals')
  // The corpus is never written to: uploads and copy-ins go to a copy.
  cpSync(corpus, originals, { recursive: true })
  srv = await serve({ originals, data: join(dir, 'data'), args: ['--read-only=false', '--upload-folder', 'Uploads', '--debounce', '300ms', '--settle-time', '200ms'] })
  browser = await launch()
  ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
  recordRequests(ctx, requests)
  page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function both(name, prepare) {
  for (const vp of [DESKTOP, PHONE]) {
    await page.setViewportSize(vp)
    if (prepare) await prepare()
    await page.waitForTimeout(350)
    await shot(page, name)
  }
  await page.setViewportSize(DESKTOP)
}

async function libraryTotal() {
  return page.evaluate(async () => (await (await fetch('/api/v1/photos/months')).json()).months.reduce((n, m) => n + m.count, 0))
}

test('first run: set up the admin account', async () => {
  await page.goto(srv.base + '/')
  await page.waitForSelector('form[aria-label="Create the admin account"]')
  await both('setup')
  await page.fill('input[name=username]', USER)
  await page.fill('input[name=password]', PASS)
  await page.fill('input[name=password2]', PASS)
  await page.click('button:has-text("Create account")')
  await page.waitForSelector('.cell[data-id]', { timeout: 20000 })
})

test('log out and log in again', async () => {
  await page.click('button[aria-label="Account menu"]')
  await page.click('text=Log out')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', USER)
  await page.fill('input[name=password]', 'wrong password!')
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.err:has-text("wrong")')
  await both('login')
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]')
})

test('timeline: justified rows, month headers, virtualised scrolling', async () => {
  const total = await libraryTotal()
  assert.ok(total > 200, `library has ${total} photos`)
  await page.waitForTimeout(500)
  await both('library')
  // Every cell in a row has the same height, and rows fill the width.
  const rows = await page.evaluate(() => {
    const byTop = new Map()
    for (const c of document.querySelectorAll('.sec .cell')) {
      const r = c.getBoundingClientRect()
      const k = Math.round(r.top)
      if (!byTop.has(k)) byTop.set(k, [])
      byTop.get(k).push(r)
    }
    return [...byTop.values()].map(rs => ({ hs: [...new Set(rs.map(r => Math.round(r.height)))], right: Math.max(...rs.map(r => r.right)), left: Math.min(...rs.map(r => r.left)), n: rs.length }))
  })
  assert.ok(rows.length > 2, 'fewer than 3 rows rendered')
  for (const r of rows) assert.equal(r.hs.length, 1, `a row has cells of different heights: ${r.hs}`)
  const full = rows.filter(r => r.n > 1).slice(0, -1)
  const w = Math.max(...full.map(r => r.right - r.left))
  for (const r of full.slice(0, 5)) assert.ok(Math.abs(r.right - r.left - w) <= 2, 'a full row does not span the grid width')
  assert.ok(await page.locator('.sec-h').count() >= 1, 'no month header')

  const seen = new Set()
  for (let i = 0; i < 12; i++) {
    for (const id of await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id))) seen.add(id)
    await page.evaluate(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop += s.clientHeight * 1.5 })
    await page.waitForTimeout(250)
  }
  for (const id of await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id))) seen.add(id)
  const inDom = await page.locator('.cell').count()
  assert.ok(seen.size > inDom, `scrolling showed ${seen.size} photos but ${inDom} cells exist: rows are not recycled`)
  assert.ok(inDom < total, `${inDom} of ${total} photos in the DOM: the grid is not virtualised`)
  await page.evaluate(() => { document.querySelector('.grid-scroll').scrollTop = 0 })
})

test('viewer: open, step with the keyboard, info panel, close', async () => {
  await page.evaluate(() => { document.querySelector('.grid-scroll').scrollTop = 0 })
  await page.waitForTimeout(300)
  // Open an image (not a video): the first cell without a play badge.
  const cell = page.locator('.cell:not(:has(.badge))').first()
  await cell.click()
  await page.waitForSelector('.viewer')
  const label = () => page.getAttribute('.viewer', 'aria-label')
  const l0 = await label()
  assert.match(l0, /^Photo (\d+) of \d+$/)
  const n0 = +l0.match(/\d+/)[0]
  // The label changes on the next render: wait for it, then compare.
  const position = async want => {
    await page.waitForFunction(w => (document.querySelector('.viewer')?.getAttribute('aria-label') || '').startsWith(`Photo ${w} of`), want, { timeout: 5000 })
      .catch(() => {})
    return +(await label()).match(/\d+/)[0]
  }
  await page.keyboard.press('ArrowRight')
  assert.equal(await position(n0 + 1), n0 + 1, 'after one right arrow')
  await page.keyboard.press('ArrowRight')
  assert.equal(await position(n0 + 2), n0 + 2, 'after two right arrows')
  await page.keyboard.press('ArrowLeft')
  assert.equal(await position(n0 + 1), n0 + 1, 'after a left arrow')
  await page.keyboard.press('i')
  await page.waitForSelector('.info :text("Files")')
  await page.waitForSelector('.info .small.muted >> text=/[A-Za-z0-9]/')
  await both('viewer-info')
  await page.keyboard.press('i')
  await both('viewer')
  await page.keyboard.press('Escape')
  await page.waitForSelector('.viewer', { state: 'detached' })
})

test('search by camera and by place', async () => {
  const total = await libraryTotal()
  await page.goto(srv.base + '/search')
  // Filters live in a sheet; cameras and places are lists to pick from.
  const pick = async list => {
    await page.click('.chips button:has-text("Filters")')
    const first = page.locator(`[role=listbox][aria-label=${list}] [role=option]`).first()
    await first.waitFor()
    await first.click()
    await page.click('.fsheet footer .btn.primary')
    await page.waitForSelector('.fsheet', { state: 'detached' })
  }
  await pick('Camera')
  await page.waitForSelector('.cell[data-id]')
  const url = new URL(page.url())
  const cam = url.searchParams.get('camera')
  assert.ok(cam, 'no camera filter in ' + url)
  const camCount = await page.evaluate(async c => (await (await fetch('/api/v1/photos/months?camera=' + encodeURIComponent(c))).json()).months.reduce((n, m) => n + m.count, 0), cam)
  assert.ok(camCount > 0 && camCount < total, `camera ${cam}: ${camCount} of ${total}`)
  const shown = await page.$$eval('.sec-h .muted', hs => hs.reduce((n, h) => n + +h.textContent, 0))
  assert.equal(shown, camCount, 'month headers do not add up to the camera search count')
  await both('search-camera')

  await page.click(`.chips button[aria-label="Remove filter ${cam}"]`)
  await pick('Country')
  await page.waitForSelector('.cell[data-id]')
  const cc = new URL(page.url()).searchParams.get('country')
  assert.ok(cc && !new URL(page.url()).searchParams.get('camera'), 'filters after picking a country: ' + page.url())
  const placeCount = await page.evaluate(async c => (await (await fetch('/api/v1/photos/months?country=' + c)).json()).months.reduce((n, m) => n + m.count, 0), cc)
  assert.ok(placeCount > 0 && placeCount < total, `country ${cc}: ${placeCount} of ${total}`)
  await both('search-place')

  // A photo with a place shows where it is on a mini map of Pinhole's own
  // tiles, and its time zone can be set without changing the wall clock.
  await page.locator('.cell:not(:has(.badge))').first().click()
  await page.waitForSelector('.viewer')
  if (!(await page.locator('.info').count())) await page.keyboard.press('i')
  await page.waitForSelector('.info .minimap img')
  await page.waitForFunction(() => [...document.querySelectorAll('.minimap img')].some(i => i.complete && i.naturalWidth === 256))
  const tileSrc = await page.getAttribute('.minimap img', 'src')
  assert.match(tileSrc, /^\/api\/v1\/tiles\//)
  const pid = await page.evaluate(() => document.querySelector('.viewer')?.dataset.id || '')
  const before = await page.evaluate(async id => (await (await fetch('/api/v1/photos/' + id)).json()).photo, pid)
  await page.selectOption('.info select[aria-label="Time zone of the date taken"]', '-300')
  await page.waitForSelector('.toast:has-text("Saved")')
  const after = await page.evaluate(async id => (await (await fetch('/api/v1/photos/' + id)).json()).photo, pid)
  assert.equal(after.taken_offset, -300)
  assert.equal(after.taken_local, before.taken_local, 'the wall-clock time changed with the zone')
  await both('viewer-minimap')
  await page.keyboard.press('i')
  await page.keyboard.press('Escape')
  await page.waitForSelector('.viewer', { state: 'detached' })

  // The search box: `/` focuses it from anywhere.
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  await page.keyboard.press('/')
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Search (/)')
  await page.keyboard.press('Escape')
})

let favId
test('favourite a photo from the viewer', async () => {
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  const cell = page.locator('.cell:not(:has(.fav))').first()
  favId = await cell.getAttribute('data-id')
  await cell.click()
  await page.waitForSelector('.viewer')
  await page.keyboard.press('f')
  await page.waitForSelector('.toast:has-text("Added to favourites")')
  await page.keyboard.press('Escape')
  await page.goto(srv.base + '/favorites')
  await page.waitForSelector(`.cell[data-id="${favId}"]`)
  await both('favorites')
})

let shareURL
test('album: create, add a selection, share, open as a visitor, revoke', async () => {
  await page.goto(srv.base + '/albums')
  await page.waitForSelector('.empty:has-text("No albums yet")')
  await both('albums-empty')
  await page.click('button:has-text("New album")')
  await page.fill('.dialog input[name=title]', 'Summer trip')
  await page.click('.dialog button:has-text("Create")')
  await page.waitForURL(/\/albums\/\d+$/)
  const albumURL = page.url()
  await page.waitForSelector('.empty:has-text("This album is empty")')

  // Select three photos in the library: one by its checkbox, then a shift-click range.
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  const cells = page.locator('.sec .cell')
  await cells.nth(0).hover()
  await cells.nth(0).locator('.chk').click()
  await cells.nth(2).click({ modifiers: ['Shift'] })
  await page.waitForSelector('.selbar b:has-text("3 selected")')
  await both('selection')
  await page.click('.selbar button[aria-label="Add to album"]')
  await page.click('.dialog .row:has-text("Summer trip")')
  await page.waitForSelector('.toast:has-text("Added 3")')

  await page.goto(albumURL)
  await page.waitForSelector('.cell[data-id]')
  assert.equal(await page.locator('.cell[data-id]').count(), 3)
  await both('album')

  await page.click('button:has-text("Share")')
  // Exact locations are off unless the owner ticks them; the box is a
  // full-height, visible tap target.
  const locBox = page.locator('.dialog form label.check:has-text("Include exact locations")')
  assert.equal(await locBox.locator('input').isChecked(), false, 'include locations is on by default')
  const lb = await locBox.boundingBox()
  const vs = page.viewportSize()
  assert.ok(lb && lb.height >= 44 && lb.y >= 0 && lb.y + lb.height <= vs.height && lb.x >= 0 && lb.x + lb.width <= vs.width, `locations checkbox box ${JSON.stringify(lb)}`)
  await page.click('.dialog button:has-text("Create link")')
  await page.waitForSelector('.dialog input.share-url')
  shareURL = await page.inputValue('.dialog input.share-url')
  assert.ok(shareURL.startsWith(srv.base + '/s/'), shareURL)
  await both('share-dialog')

  // Ticking "Exact locations" on the live link reaches visitors at once.
  const tokenOf = u => u.split('/s/')[1]
  const visitorSees = async () => (await (await fetch(`${srv.base}/api/v1/s/${tokenOf(shareURL)}`)).json()).include_locations
  assert.equal(await visitorSees(), false)
  await page.click('.dialog .row input[aria-label="Share exact locations through this link"]')
  await page.waitForSelector('.toast:has-text("Visitors see where")')
  assert.equal(await visitorSees(), true)
  await page.click('.dialog .row input[aria-label="Share exact locations through this link"]')
  await page.waitForSelector('.toast:has-text("Exact locations hidden")')
  assert.equal(await visitorSees(), false)

  // A visitor: a fresh browser context with nothing but the link.
  const visitor = await browser.newContext({ viewport: PHONE, colorScheme: 'dark' })
  recordRequests(visitor, requests)
  const vp = await visitor.newPage()
  await vp.goto(shareURL)
  await vp.waitForSelector('h1:has-text("Summer trip")')
  await vp.waitForSelector('.cell[data-id]')
  assert.equal(await vp.locator('.cell[data-id]').count(), 3)
  await vp.waitForTimeout(300)
  await shot(vp, 'shared-album')
  await vp.setViewportSize(DESKTOP)
  await vp.waitForTimeout(300)
  await shot(vp, 'shared-album')
  await vp.locator('.cell[data-id]').first().click()
  await vp.waitForSelector('.viewer')
  // The visitor can read the photo's info (files by name, never folder paths) and download it.
  await vp.click('.viewer button[aria-label="Info (i)"]')
  await vp.waitForSelector('.info h3:has-text("Files")')
  await vp.waitForSelector('.info a:has-text("Download")')
  const fileLine = await vp.locator('.info h3:has-text("Files") + div, .info h3:has-text("Files") ~ div').first().innerText()
  assert.ok(!fileLine.split('\n')[0].includes('/'), `visitor sees a folder path: ${fileLine}`)
  await shot(vp, 'shared-viewer-info')
  assert.equal(await vp.locator('.viewer a[aria-label="Download original"]').count(), 1)
  await vp.keyboard.press('Escape')

  // The owner turns downloads off for the live link: the visitor's next visit has no download.
  await page.click('.dialog .row input[aria-label="Allow downloads through this link"]')
  await page.waitForSelector('.toast:has-text("Downloads turned off")')
  await vp.reload()
  await vp.waitForSelector('.cell[data-id]')
  await vp.locator('.cell[data-id]').first().click()
  await vp.waitForSelector('.viewer .info h3:has-text("Files")')
  assert.equal(await vp.locator('.viewer a[aria-label="Download original"]').count(), 0)
  assert.equal(await vp.locator('.info a:has-text("Download")').count(), 0)
  const dl = await vp.evaluate(async () => {
    const img = document.querySelector('.cell img')?.src || ''
    const m = img.match(/\/api\/v1\/t\/([0-9a-f]+)\/([^/]+)\//)
    return m ? (await fetch(`/api/v1/dl/${m[1]}?t=${m[2]}`)).status : 0
  })
  assert.equal(dl, 403, 'original download through a no-download share')
  await vp.keyboard.press('Escape')
  // The visitor's own thumbnail URL (it carries the link's secret): served
  // now, refused once the link is revoked.
  const visitorThumb = await vp.evaluate(() => document.querySelector('.cell img')?.src || '')
  assert.match(visitorThumb, /\/api\/v1\/t\/[0-9a-f]+\/[^/]+\//, 'no visitor thumbnail url')
  const thumbStatus = () => vp.evaluate(async u => (await fetch(u, { cache: 'no-store' })).status, visitorThumb)
  assert.equal(await thumbStatus(), 200, 'visitor thumbnail before revoking')

  await page.click('.dialog button:has-text("Revoke")')
  await page.waitForSelector('.toast:has-text("revoked")')
  await page.waitForSelector('.dialog :text("No links yet")')
  await page.keyboard.press('Escape')

  await vp.reload()
  await vp.waitForSelector('h2:has-text("This link does not work")')
  await shot(vp, 'shared-revoked')
  // Its thumbnails stop too.
  assert.equal(await thumbStatus(), 403, 'visitor thumbnail after revoking')
  await visitor.close()
})

test('albums: reorder the album list', async () => {
  await page.goto(srv.base + '/albums')
  await page.click('button:has-text("New album")')
  await page.fill('.dialog input[name=title]', 'Winter')
  await page.click('.dialog button:has-text("Create")')
  await page.waitForURL(/\/albums\/\d+$/)
  await page.goto(srv.base + '/albums')
  await page.waitForSelector('.cards .card:nth-child(2)')
  const titles = () => page.$$eval('.cards .card b', bs => bs.map(b => b.textContent))
  const before = await titles()
  assert.equal(before.length, 2)
  await page.click('button:has-text("Reorder")')
  await page.waitForSelector('.dialog .reorder .it:nth-child(2)')
  await both('albums-reorder')
  await page.click('.dialog button[aria-label="Move album 2 earlier"]')
  await page.click('.dialog button:has-text("Save order")')
  await page.waitForSelector('.toast:has-text("Order saved")')
  await page.waitForFunction(b => [...document.querySelectorAll('.cards .card b')].map(x => x.textContent).join('|') === b,
    [before[1], before[0]].join('|'))
  // The order is the server's, not just this page's.
  await page.reload()
  await page.waitForSelector('.cards .card:nth-child(2)')
  assert.deepEqual(await titles(), [before[1], before[0]])
})

test('map: clusters open into a sheet of photos', async () => {
  await page.goto(srv.base + '/map')
  // The route always exists and the corpus has geotagged photos.
  const geo = await page.evaluate(async () => (await fetch('/api/v1/geo?bbox=-180,-90,180,90&zoom=2')).status)
  assert.equal(geo, 200, 'GET /api/v1/geo')
  await page.waitForSelector('.leaflet-container')
  await page.waitForSelector('.cl', { timeout: 15000 })
  await page.waitForSelector('.leaflet-control-attribution')
  await both('map')
  // Click the biggest cluster until a sheet of photos opens (each click
  // zooms in). Overlapping markers stack biggest on top, so click the top one.
  for (let i = 0; i < 8 && !(await page.locator('.sheet').count()); i++) {
    const top = page.locator('.leaflet-marker-icon').filter({ has: page.locator('.cl') })
    const counts = await top.evaluateAll(els => els.map(e => +e.querySelector('.cl b').textContent))
    await top.nth(counts.indexOf(Math.max(...counts))).click()
    await page.waitForTimeout(900)
  }
  await page.waitForSelector('.sheet .cell[data-id]')
  await both('map-cluster')
})

test('upload a file and see it appear; a duplicate is reported', async () => {
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  const name = 'zzupload' + Date.now() + '.jpg'
  const buffer = uniqueJPEG('upload')
  const resp = page.waitForResponse(r => r.url().endsWith('/api/v1/upload'))
  await page.setInputFiles('input[type=file]', { name, mimeType: 'image/jpeg', buffer })
  const body = await (await resp).json()
  assert.equal(body.files[0].status, 'saved', JSON.stringify(body))
  await page.waitForSelector('.uploads li[data-status=saved]')
  await both('upload')
  // The same bytes again: reported as already in the library.
  await page.setInputFiles('input[type=file]', { name: 'again-' + name, mimeType: 'image/jpeg', buffer })
  await page.waitForSelector('.uploads li[data-status=duplicate]')
  await page.goto(srv.base + '/search?q=' + name.replace('.jpg', ''))
  await page.waitForSelector(`.cell[data-id="${body.files[0].photo_id}"]`)
})

test('a photo copied into the originals appears without reloading', async () => {
  const name = 'zzcopied' + Date.now()
  await page.goto(srv.base + '/search?q=' + name)
  await page.waitForSelector('.empty:has-text("No photos match")')
  const marker = await page.evaluate(() => (window.__notReloaded = Math.random()))
  mkdirSync(join(originals, 'Incoming'), { recursive: true })
  const tmp = join(dir, name + '.jpg')
  writeFileSync(tmp, uniqueJPEG('copy'))
  cpSync(tmp, join(originals, 'Incoming', name + '.jpg'))
  await page.waitForSelector('.cell[data-id]', { timeout: 30000 })
  assert.equal(await page.evaluate(() => window.__notReloaded), marker, 'the page reloaded')
})

test('every other screen, at phone and desktop sizes', async () => {
  const screens = [
    ['folders', '/folders', '.card'],
    ['places', '/places', '.card, .empty'],
    ['calendar', '/calendar', '.cal-year'],
    ['archive', '/archive', '.empty, .cell'],
    ['private', '/private', '.empty, .cell'],
    ['missing', '/missing', '.empty, .cell'],
    ['settings', '/settings', '.stat b'],
    ['more', '/more', '.row'],
    ['search-empty', '/search', '.empty'],
  ]
  for (const [name, path, sel] of screens) {
    await page.goto(srv.base + path)
    await page.waitForSelector(sel)
    await both(name)
  }
  // An admin empties the thumbnail cache from Settings; the library still shows.
  await page.goto(srv.base + '/settings')
  await page.waitForSelector('button:has-text("Clear cached thumbnails")')
  page.once('dialog', d => d.accept())
  await page.click('button:has-text("Clear cached thumbnails")')
  await page.waitForSelector('.toast:has-text("Removed")')
  const left = await page.evaluate(async () => (await (await fetch('/api/v1/status')).json()).thumbs)
  assert.ok(typeof left?.files === 'number' && left.files <= 2, `thumbnail cache after clearing: ${JSON.stringify(left)}`)
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id] img')
  await page.waitForFunction(() => [...document.querySelectorAll('.cell img')].some(i => i.complete && i.naturalWidth > 0))
  await page.keyboard.press('?')
  await page.waitForSelector('.dialog[aria-label="Keyboard shortcuts"]')
  await both('shortcuts')
  await page.keyboard.press('Escape')
  await page.emulateMedia({ colorScheme: 'light' })
  await both('library-light')
  await page.emulateMedia({ colorScheme: 'dark' })
})

test('the browser talked to nobody but Pinhole', () => {
  assert.ok(requests.length > 50, `only ${requests.length} requests recorded`)
  const out = foreign(requests, srv.base)
  assert.deepEqual(out, [], 'requests left the Pinhole server')
  console.log(`${requests.length} requests, all to ${srv.base}`)
})
