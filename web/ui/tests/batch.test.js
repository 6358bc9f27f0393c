// Batch edits and ratings, in a real `pinhole serve` over photos made here
// with ffmpeg, driven through Debian's chromium: select several photos on a
// desktop and on a phone, open "Edit" from the selection bar (its overflow
// menu on a phone), shift the date by an hour with a preview, set a place
// found by name, add a keyword and give four stars; the grid's badges, the
// viewer's stars (and keys 0–5) and the rating filter show the result.
// Geometry is asserted: every control of the editor inside the viewport
// and at least 44 px tall.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'rui', PASS = 'a long passphrase'
const PHONE_CTX = { viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 3 }
// Twelve photos a few days apart in July 2019, dated by their names.
const NAMES = Array.from({ length: 12 }, (_, i) => `IMG_201907${String(1 + i * 2).padStart(2, '0')}_1${i % 10}1403.jpg`)
let srv, browser, dir

before(async () => {
  dir = tempDir('batch')
  const originals = join(dir, 'originals', '2019')
  mkdirSync(originals, { recursive: true })
  const small = join(dir, 'small.jpg')
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=480x320', '-frames:v', '1', small])
  // Bytes after the end marker: the same picture, a different file each.
  for (const n of NAMES) writeFileSync(join(originals, n), Buffer.concat([readFileSync(small), Buffer.from(n)]))
  srv = await serve({ originals: join(dir, 'originals'), data: join(dir, 'data') })
  const r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASS }) })
  assert.ok(r.ok, 'setup failed: ' + r.status)
  browser = await launch()
  const { ctx, page } = await open(DESKTOP)
  const deadline = Date.now() + 90000
  for (;;) {
    const n = await page.evaluate(async () => ((await (await fetch('/api/v1/photos?limit=100')).json()).photos || []).length)
    if (n === NAMES.length) break
    assert.ok(Date.now() < deadline, `only ${n} of ${NAMES.length} photos were indexed`)
    await page.waitForTimeout(300)
  }
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

// open is a logged-in page; ratings shows the grid's star badges.
async function open(opts, { ratings = false } = {}) {
  const vp = opts.viewport ? opts : { viewport: opts }
  const ctx = await browser.newContext({ colorScheme: 'dark', ...vp })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/healthz')
  await page.evaluate(async ([u, p, r]) => {
    localStorage.setItem('pinhole.ratings', r ? '1' : '0')
    const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!res.ok) throw new Error('login: ' + res.status)
  }, [USER, PASS, ratings])
  return { ctx, page }
}

const apiGet = (page, path) => page.evaluate(async p => (await fetch('/api/v1' + p)).json(), path)

// controls lists the editor's buttons, inputs and selects with their boxes.
const controls = page => page.$$eval('.bedit button, .bedit input, .bedit select, .bedit textarea', els => els.map(e => {
  const r = e.getBoundingClientRect()
  return { what: e.getAttribute('aria-label') || e.textContent.trim() || e.tagName, top: r.top, bottom: r.bottom, left: r.left, right: r.right, h: r.height, w: r.width }
}).filter(b => b.w > 0))

// assertFits checks every control of the editor: inside the viewport's
// width, at least 44 px tall, and inside the viewport's height once the
// editor's body is scrolled to it; the header and Apply always in view.
async function assertFits(page, vp, when) {
  const dlg = await page.locator('.bedit').boundingBox()
  assert.ok(dlg.x >= 0 && dlg.x + dlg.width <= vp.width + 0.5 && dlg.y >= 0 && dlg.y + dlg.height <= vp.height + 0.5, `${when}: the editor ${JSON.stringify(dlg)} is not inside the ${vp.width}×${vp.height} viewport`)
  for (const c of await controls(page)) {
    assert.ok(c.left >= -0.5 && c.right <= vp.width + 0.5, `${when}: "${c.what}" runs off the side (${c.left.toFixed(0)}–${c.right.toFixed(0)})`)
    assert.ok(c.h >= 43.5, `${when}: "${c.what}" is ${c.h.toFixed(0)} px tall, under 44`)
  }
  const n = await page.locator('.bedit .bbody :is(button, input, select, textarea)').count()
  for (let i = 0; i < n; i++) {
    const el = page.locator('.bedit .bbody :is(button, input, select, textarea)').nth(i)
    if (!(await el.isVisible())) continue
    await el.scrollIntoViewIfNeeded()
    const b = await el.boundingBox()
    assert.ok(b && b.y >= -0.5 && b.y + b.height <= vp.height + 0.5, `${when}: control ${i} cannot be scrolled into view (${JSON.stringify(b)})`)
  }
  for (const sel of ['.bedit header h2', '.bedit footer .btn.primary']) {
    const b = await page.locator(sel).boundingBox()
    assert.ok(b && b.y >= 0 && b.y + b.height <= vp.height + 0.5, `${when}: ${sel} is out of view`)
  }
}

// edit fills the editor: a one-hour shift (checking the preview), a place
// found by name, a keyword and four stars; then applies it.
async function edit(page, vp, { place, keyword, first }) {
  await page.waitForSelector('.bedit')
  await assertFits(page, vp, 'opened')
  await page.locator('.bedit [aria-label="Change the date"] button:has-text("Shift")').click()
  await page.locator('.bedit input[aria-label="Shift by hours"]').fill('1')
  const preview = await page.locator('[data-testid=date-preview]').textContent()
  // The preview names the first photo's date and its new one, an hour on.
  const [from, to] = await page.evaluate(local => {
    const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)/.exec(local)
    const f = h => new Date(+m[1], +m[2] - 1, +m[3], +m[4] + h, +m[5]).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' }).replace(/\s/g, '\u00a0')
    return [f(0), f(1)]
  }, first.taken_local)
  assert.ok(preview.includes(from) && preview.includes(to) && preview.includes('+1 h'), `the preview says "${preview}", want ${from} → ${to}, +1 h`)
  await page.locator('.bedit [aria-label="Change the place"] button:has-text("Search")').click()
  await page.locator('.bedit input[aria-label="Search places"]').fill(place.q)
  const option = page.locator(`.bedit [role=option]:has-text("${place.name}")`).first()
  await option.waitFor({ timeout: 10000 })
  await option.click()
  await page.waitForSelector(`[data-testid=place-chosen]:has-text("${place.name}")`)
  const kw = page.locator('.bedit input[aria-label="Add keywords"]')
  await kw.fill(keyword)
  await kw.press('Enter')
  await page.waitForSelector(`.bedit .kinput .chip:has-text("${keyword}")`)
  await page.locator('.bedit [role=radio][aria-label="4 stars"]').click()
  await assertFits(page, vp, 'filled in')
  await page.locator('.bedit .bbody').evaluate(e => { e.scrollTop = e.scrollHeight })
  await shot(page, 'batch-editor-end')
  await page.locator('.bedit .bbody').evaluate(e => { e.scrollTop = 0 })
  await shot(page, 'batch-editor')
  await page.locator('.bedit footer .btn.primary').click()
  await page.waitForSelector('.bedit', { state: 'detached', timeout: 15000 })
  await page.waitForSelector('.toast:has-text("Edited")')
}

// checkEdited asks the API how the photos came out.
async function checkEdited(page, before, { city, keyword }) {
  for (const b of before) {
    const d = await apiGet(page, `/photos/${b.id}`)
    const p = d.photo
    const shifted = (Date.parse(p.taken_local.replace(' ', 'T') + 'Z') - Date.parse(b.taken_local.replace(' ', 'T') + 'Z')) / 3600e3
    assert.equal(shifted, 1, `photo ${b.id}: taken ${b.taken_local} → ${p.taken_local}, want an hour later`)
    assert.equal(p.rating, 4, `photo ${b.id}: rating ${p.rating}`)
    assert.equal(p.city, city, `photo ${b.id}: city ${p.city}`)
    assert.ok(d.keywords.includes(keyword), `photo ${b.id}: keywords ${d.keywords}`)
  }
}

test('desktop: select three photos, Edit; the grid, the viewer and the rating filter show the result', async () => {
  const { ctx, page } = await open(DESKTOP, { ratings: true })
  try {
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id] img.ld')
    const ids = await page.$$eval('.cell[data-id]', cs => cs.slice(0, 3).map(c => c.dataset.id))
    for (const id of ids) {
      await page.locator(`.cell[data-id="${id}"]`).hover()
      await page.locator(`.cell[data-id="${id}"] .chk`).click()
    }
    await page.waitForSelector('.selbar b:has-text("3 selected")')
    const before = []
    for (const id of ids) before.push((await apiGet(page, `/photos/${id}`)).photo)
    const edit1 = page.locator('.selbar button[aria-label="Edit"]')
    const eb = await edit1.boundingBox()
    assert.ok(eb && eb.height >= 44 && eb.x + eb.width <= DESKTOP.width, 'no Edit button in the desktop selection bar')
    await edit1.click()
    // The map picker comes from the map's chunk and gives a position.
    await page.waitForSelector('.bedit')
    await page.locator('.bedit [aria-label="Change the place"] button:has-text("Map")').click()
    await page.waitForSelector('.bedit .mpick-box.leaflet-container .leaflet-tile-loaded', { timeout: 15000 })
    const mb = await page.locator('.bedit .mpick-box').boundingBox()
    await page.mouse.click(mb.x + mb.width / 2, mb.y + mb.height / 2)
    await page.waitForFunction(() => /^-?\d+\.\d{5}, -?\d+\.\d{5}$/.test(document.querySelector('[data-testid=map-point]')?.textContent || ''))
    assert.equal(await page.locator('.bedit .leaflet-marker-icon.pick-pin').count(), 1, 'no pin where the map was clicked')
    await shot(page, 'batch-map-pick')
    await edit(page, DESKTOP, { place: { q: 'lisbo', name: 'Lisbon' }, keyword: 'tram', first: before[0] })
    await checkEdited(page, before, { city: 'Lisbon', keyword: 'tram' })

    // The grid shows four stars on each (the setting is on) without a reload.
    await page.waitForSelector('.selbar', { state: 'detached' })
    for (const id of ids) {
      const badge = page.locator(`.cell[data-id="${id}"] .rate`)
      await badge.waitFor({ timeout: 5000 })
      assert.equal((await badge.textContent()).trim(), '4', `photo ${id}'s badge`)
      const [bb, cb] = [await badge.boundingBox(), await page.locator(`.cell[data-id="${id}"]`).boundingBox()]
      assert.ok(bb.x >= cb.x && bb.x + bb.width <= cb.x + cb.width && bb.y >= cb.y && bb.y + bb.height <= cb.y + cb.height, 'the badge leaves its cell')
    }
    assert.equal(await page.locator('.cell .rate').count(), 3, 'unrated photos have a badge')
    await shot(page, 'batch-grid-badges')

    // The viewer: four stars in the top bar and the info panel; 5 and 0
    // change them, and the server keeps the last.
    await page.locator(`.cell[data-id="${ids[0]}"]`).click()
    await page.waitForSelector(`.viewer[data-id="${ids[0]}"] .vstars`)
    assert.equal((await page.locator('.viewer .vstars').textContent()).trim(), '4')
    await page.keyboard.press('i')
    await page.waitForSelector('.viewer .info .stars [aria-label="4 stars"][aria-checked=true]')
    const sb = await page.locator('.viewer .info .stars [aria-label="5 stars"]').boundingBox()
    assert.ok(sb.height >= 44 && sb.width >= 44, 'the stars are too small to tap')
    await page.keyboard.press('5')
    await page.waitForSelector('.viewer .info .stars [aria-label="5 stars"][aria-checked=true]')
    await page.waitForFunction(async id => (await (await fetch('/api/v1/photos/' + id)).json()).photo.rating === 5, ids[0])
    await page.keyboard.press('0')
    await page.waitForSelector('.viewer .vstars', { state: 'detached' })
    await page.waitForFunction(async id => (await (await fetch('/api/v1/photos/' + id)).json()).photo.rating === 0, ids[0])
    await page.locator('.viewer .info .stars [aria-label="4 stars"]').click()
    await page.waitForFunction(async id => (await (await fetch('/api/v1/photos/' + id)).json()).photo.rating === 4, ids[0])
    await shot(page, 'batch-viewer-stars')
    await page.keyboard.press('Escape')
    await page.waitForSelector('.viewer', { state: 'detached' })

    // The rating filter finds exactly them; best rated first puts them first.
    await page.goto(srv.base + '/search?min_rating=4')
    await page.waitForSelector('[aria-label="Result count"]:has-text("3 photos")')
    const found = await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id).sort())
    assert.deepEqual(found, [...ids].sort(), 'the rating filter found other photos')
    await page.goto(srv.base + '/search?sort=rating')
    await page.waitForSelector('[aria-label="Result count"]:has-text("12 photos")')
    await page.waitForFunction(() => document.querySelectorAll('.cell[data-id]').length === 12)
    const order = await page.$$eval('.cell[data-id]', cs => cs.map(c => ({ id: c.dataset.id, top: c.getBoundingClientRect().top, left: c.getBoundingClientRect().left })))
    order.sort((a, b) => a.top - b.top || a.left - b.left)
    assert.deepEqual(order.slice(0, 3).map(c => c.id).sort(), [...ids].sort(), 'best rated first does not start with the rated photos')
    await page.locator('.chips button:has-text("Filters")').click()
    await page.waitForSelector('.fsheet [aria-label="Order"] button[aria-pressed=true]:has-text("Best rated first")')
    await shot(page, 'batch-search-rating')
  } finally { await ctx.close() }
})

test('phone: Edit from the overflow menu, the editor fits the screen, the result shows', async () => {
  const { ctx, page } = await open(PHONE_CTX)
  try {
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id] img.ld')
    const all = await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id))
    const ids = all.slice(-2) // the oldest two: not edited by the desktop test
    await page.locator('header button[aria-label="Select photos"]').tap()
    for (const id of ids) {
      await page.locator(`.cell[data-id="${id}"]`).scrollIntoViewIfNeeded()
      await page.locator(`.cell[data-id="${id}"]`).tap()
    }
    await page.waitForSelector('.selbar b:has-text("2 selected")')
    const before = []
    for (const id of ids) before.push((await apiGet(page, `/photos/${id}`)).photo)
    assert.equal(await page.locator('.selbar > button[aria-label="Edit"]').count(), 0, 'Edit should fold into the overflow menu on a phone')
    await page.locator('.selbar button[aria-label="More actions"]').tap()
    const item = page.locator('.selbar .menu [role=menuitem]:has-text("Edit")')
    const ib = await item.boundingBox()
    assert.ok(ib && ib.height >= 44 && ib.x >= 0 && ib.x + ib.width <= PHONE.width && ib.y + ib.height <= PHONE.height, `the Edit menu item ${JSON.stringify(ib)}`)
    for (const b of await page.$$eval('.selbar button', bs => bs.map(b => { const r = b.getBoundingClientRect(); return { l: b.getAttribute('aria-label') || b.textContent, x: r.x, r: r.right, h: r.height } }))) {
      assert.ok(b.x >= 0 && b.r <= PHONE.width && b.h >= 44, `selection bar: ${JSON.stringify(b)}`)
    }
    await item.tap()
    await edit(page, PHONE, { place: { q: 'evora', name: 'Évora' }, keyword: 'alentejo', first: before[0] })
    await checkEdited(page, before, { city: 'Évora', keyword: 'alentejo' })

    // The setting turns the grid's badges on.
    await page.goto(srv.base + '/settings')
    const box = page.locator('label.check:has-text("Show ratings") input')
    await box.scrollIntoViewIfNeeded()
    await box.tap()
    assert.equal(await page.evaluate(() => localStorage.getItem('pinhole.ratings')), '1', 'the setting was not kept')
    await page.goto(srv.base + '/')
    await page.waitForSelector('.cell[data-id] img.ld')
    for (const id of ids) {
      await page.locator(`.cell[data-id="${id}"]`).scrollIntoViewIfNeeded()
      await page.waitForSelector(`.cell[data-id="${id}"] .rate:has-text("4")`)
    }
    await shot(page, 'batch-grid-badges')
  } finally { await ctx.close() }
})
