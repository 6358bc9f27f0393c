// The Trash, as a person uses it: move a photo to the Trash from the
// viewer and two from a selection, find them under More → Trash with the
// days they have left, restore one, empty the rest (the files of each
// photo, its sidecar too, leave the disk). On read-only originals the same
// screen says "Remove from library", keeps the files and says how to allow
// deleting; a viewer gets no trash action at all. Real `pinhole serve`
// over corpus JPEGs; Debian's chromium; geometry checked on a phone.
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let dir, rw, ro, rwRoot, browser

const FILES = {
  'Camera/iptc-2021.jpg': 'photoprism/internal/meta/testdata/iptc-2021.jpg',
  'Camera/digikam.jpg': 'photoprism/internal/meta/testdata/digikam.jpg',
  'Camera/photoshop.jpg': 'photoprism/internal/meta/testdata/photoshop.jpg',
  'Camera/iptc-2019.jpg': 'photoprism/internal/meta/testdata/iptc-2019.jpg',
  'Camera/IMG_4120.JPG': 'photoprism/assets/examples/IMG_4120.JPG',
  'Camera/ship.jpg': 'photoprism/internal/meta/testdata/ship.jpg',
}
// IMG_4120 has an XMP sidecar: the photo is both files, and both go.
const SIDECAR = 'Camera/IMG_4120.xmp'

function library(name) {
  const root = join(dir, name)
  for (const [rel, src] of Object.entries(FILES)) {
    mkdirSync(join(root, rel, '..'), { recursive: true })
    copyFileSync(join(corpus, src), join(root, rel))
  }
  writeFileSync(join(root, SIDECAR), '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour stack</rdf:li></rdf:Alt></dc:title>' +
    '</rdf:Description></rdf:RDF></x:xmpmeta>')
  return root
}

async function setup(srv) {
  const r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASS, bearer: true }) })
  assert.equal(r.status, 201)
  const { token } = await r.json()
  const v = await fetch(srv.base + '/api/v1/users', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify({ username: 'kim', password: PASS, role: 'viewer' }),
  })
  assert.equal(v.status, 201)
}

before(async () => {
  dir = tempDir('trash')
  rwRoot = library('rw')
  rw = await serve({ originals: rwRoot, data: join(dir, 'rw-data'), args: ['--read-only=false', '--debounce', '300ms'] })
  ro = await serve({ originals: library('ro'), data: join(dir, 'ro-data'), args: ['--debounce', '300ms'] })
  await setup(rw)
  await setup(ro)
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await rw?.stop()
  await ro?.stop()
  cleanup(dir)
})

async function logIn(srv, vp, name = USER) {
  const phone = vp === PHONE
  const ctx = await browser.newContext({ viewport: vp, colorScheme: 'dark', deviceScaleFactor: phone ? 3 : 1, hasTouch: phone, isMobile: phone })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', name)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]', { timeout: 30000 })
  return page
}

// box is an element's rectangle, and whether all of it is in the viewport.
// The grid lays its cells out again when a live update arrives (a moment
// after each trash or restore): an element between two layouts is waited
// for.
async function box(loc) {
  let b = await loc.boundingBox()
  for (let i = 0; !b && i < 20; i++) { await new Promise(r => setTimeout(r, 150)); b = await loc.boundingBox() }
  const vp = loc.page().viewportSize()
  assert.ok(b, 'the element is not displayed')
  return { ...b, inside: b.x >= -0.5 && b.y >= -0.5 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5 && b.width > 0 && b.height > 0 }
}
const tappable = async (loc, what) => {
  const b = await box(loc)
  assert.ok(b.inside, `${what} is off screen: ${JSON.stringify(b)}`)
  assert.ok(b.width >= 44 && b.height >= 44, `${what} is ${b.width}×${b.height}, smaller than a finger`)
  return b
}

// api calls the API as the page's session does (its CSRF token from the
// session document).
const api = (page, method, path, body) => page.evaluate(async ([method, path, body]) => {
  const csrf = (await (await fetch('/api/v1/session')).json()).csrf_token
  const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body && JSON.stringify(body) })
  return { status: r.status, body: await r.json().catch(() => null) }
}, [method, path, body])

const ids = async page => (await page.locator('.grid-inner .cell[data-id]').evaluateAll(els => els.map(e => Number(e.dataset.id))))

test('on a phone: trash from the viewer and from a selection, restore one, empty the rest', async () => {
  const page = await logIn(rw, PHONE)
  const all = await ids(page)
  assert.equal(all.length, 6, `the library shows ${all.length} photos`)
  const stack = (await api(page, 'GET', '/photos?limit=50')).body.photos.find(p => p.title === 'Harbour stack')
  assert.ok(stack, 'the photo with a sidecar is not in the library')

  // The viewer: the photo is whole on screen, the trash button beside the
  // others, full size; a tap moves the photo and shows the next one.
  await page.locator(`.cell[data-id="${stack.id}"]`).click()
  await page.waitForSelector(`.viewer[data-id="${stack.id}"] .media img`)
  const btn = page.locator('.viewer [data-testid="viewer-trash"]')
  assert.equal(await btn.getAttribute('aria-label'), 'Move to Trash (Delete)')
  const tb = await tappable(btn, 'the viewer\'s trash button')
  const media = await box(page.locator('.viewer .media'))
  assert.ok(media.inside, `the photo is cut off in the viewer: ${JSON.stringify(media)}`)
  for (const other of await page.locator('.viewer .vtop .ib').all()) {
    if (await other.getAttribute('data-testid') === 'viewer-trash' || !(await other.isVisible())) continue
    const o = await box(other)
    assert.ok(o.x + o.width <= tb.x + 0.5 || o.x >= tb.x + tb.width - 0.5, 'the trash button overlaps another button')
  }
  await shot(page, 'trash-viewer')
  await btn.click()
  await page.waitForSelector('.toast:has-text("Moved 1 photo to the Trash")')
  await page.waitForFunction(id => document.querySelector('.viewer') && document.querySelector('.viewer').dataset.id !== String(id), stack.id)
  await page.keyboard.press('Escape')
  await page.waitForSelector('.viewer', { state: 'detached' })
  await page.waitForFunction(id => !document.querySelector(`.grid-inner .cell[data-id="${id}"]`), stack.id)

  // A selection of two: long-press starts selection mode, a tap adds.
  const rest = (await ids(page)).filter(id => id !== stack.id)
  assert.equal(rest.length, 5, 'the trashed photo is still in the grid')
  const [a, b] = rest
  await page.locator('.top button[aria-label="Select photos"]').click()
  await page.locator(`.cell[data-id="${a}"]`).click()
  await page.locator(`.cell[data-id="${b}"]`).click()
  await page.waitForSelector('.selbar b:has-text("2 selected")')
  // On a phone Move to Trash folds into More actions; the menu lies on screen.
  await page.locator('.selbar button[aria-label="More actions"]').click()
  const item = page.locator('.selbar .menu button:has-text("Move to Trash")')
  const ib = await box(item)
  assert.ok(ib.inside && ib.height >= 44, `Move to Trash in the menu: ${JSON.stringify(ib)}`)
  await shot(page, 'trash-selection')
  await item.click()
  await page.waitForSelector('.toast:has-text("Moved 2 photos to the Trash")')
  await page.waitForFunction(([a, b]) => !document.querySelector(`.grid-inner .cell[data-id="${a}"]`) && !document.querySelector(`.grid-inner .cell[data-id="${b}"]`), [a, b])
  assert.equal((await ids(page)).length, 3, 'the library does not show 3 photos after trashing 3')

  // More → Trash: newest trashed first, each with its days left.
  await page.locator('nav.nav a[href="/more"]').click()
  const entry = page.locator('.page a[href="/trash"]')
  await tappable(entry, 'More → Trash')
  await entry.click()
  await page.waitForSelector('.trash-head h1:has-text("Trash")')
  await page.waitForFunction(() => document.querySelectorAll('.grid-inner .cell[data-id]').length === 3)
  const listed = await ids(page)
  assert.deepEqual(new Set(listed), new Set([stack.id, a, b]), 'the Trash does not list the three trashed photos')
  assert.equal(listed[listed.length - 1], stack.id, 'the first photo trashed is not last (newest trashed first)')
  for (const id of listed) {
    const cell = page.locator(`.cell[data-id="${id}"]`)
    const note = cell.locator('.note')
    assert.equal((await note.textContent()).trim(), '30 days left')
    const c = await box(cell), n = await box(note)
    assert.ok(n.x >= c.x && n.x + n.width <= c.x + c.width + 0.5 && n.y + n.height <= c.y + c.height + 0.5, `"days left" spills out of its cell: ${JSON.stringify({ c, n })}`)
  }
  assert.match(await page.locator('[data-testid="trash-rule"]').textContent(), /3 photos · Photos are deleted 30 days after they were moved here/)
  for (const name of ['Restore all', 'Empty Trash']) await tappable(page.locator(`.trash-head button:has-text("${name}")`), name)
  assert.equal(await page.locator('[data-testid="trash-readonly"]').count(), 0, 'writable originals get the read-only note')
  await shot(page, 'trash-screen')

  // The viewer in the Trash restores: the stack goes back to the library.
  await page.locator(`.cell[data-id="${stack.id}"]`).click()
  await page.waitForSelector(`.viewer[data-id="${stack.id}"]`)
  assert.equal(await btn.getAttribute('aria-label'), 'Restore from Trash')
  await btn.click()
  await page.waitForSelector('.toast:has-text("Restored 1 photo")')
  if (await page.locator('.viewer').count()) { await page.keyboard.press('Escape'); await page.waitForSelector('.viewer', { state: 'detached' }) }
  await page.waitForFunction(id => !document.querySelector(`.grid-inner .cell[data-id="${id}"]`), stack.id)

  // Empty the Trash: a confirmation that says what goes, then the files
  // leave the disk and the Trash says it is empty.
  await page.locator('.trash-head button:has-text("Empty Trash")').click()
  const dialog = page.locator('.dialog[aria-label="Empty the Trash?"]')
  await dialog.waitFor()
  assert.match(await dialog.textContent(), /deletes the files of everything in the Trash/)
  const confirm = dialog.locator('[data-testid="confirm-empty"]')
  const d = await box(dialog), cb = await box(confirm)
  assert.ok(d.inside && cb.inside && cb.height >= 40, `the confirmation is off screen: ${JSON.stringify({ d, cb })}`)
  await shot(page, 'trash-confirm')
  await confirm.click()
  await page.waitForSelector('.empty h2:has-text("The Trash is empty")')
  const paths = Object.keys(FILES)
  const deadline = Date.now() + 20000
  let onDisk
  do {
    onDisk = paths.filter(p => existsSync(join(rwRoot, p)))
    if (onDisk.length === 4) break
    await new Promise(r => setTimeout(r, 200))
  } while (Date.now() < deadline)
  assert.equal(onDisk.length, 4, `after emptying, ${onDisk.length} of 6 photos' files are on disk (want the two emptied gone)`)
  assert.ok(existsSync(join(rwRoot, SIDECAR)) && existsSync(join(rwRoot, 'Camera/IMG_4120.JPG')), 'the restored stack lost a file')

  // Back in the library: the restored photo, not the emptied ones.
  await page.goto(rw.base + '/')
  await page.waitForSelector(`.cell[data-id="${stack.id}"]`)
  const now = await ids(page)
  assert.equal(now.length, 4)
  assert.ok(!now.includes(a) && !now.includes(b), 'an emptied photo is back in the library')
  await page.context().close()
})

test('read-only originals: "Remove from library", the files stay, and how to allow deleting', async () => {
  const page = await logIn(ro, DESKTOP)
  const [first] = await ids(page)
  await page.locator(`.cell[data-id="${first}"]`).click()
  await page.waitForSelector(`.viewer[data-id="${first}"]`)
  await page.keyboard.press('Delete') // the viewer's shortcut
  await page.waitForSelector('.toast:has-text("Moved 1 photo to the Trash")')
  await page.keyboard.press('Escape')
  await page.goto(ro.base + '/trash')
  await page.waitForSelector(`.cell[data-id="${first}"]`)
  const note = page.locator('[data-testid="trash-readonly"]')
  const text = await note.textContent()
  assert.match(text, /read-only/)
  assert.match(text, /--read-only=false/)
  assert.match(text, /ReadWritePaths/)
  const n = await box(note)
  assert.ok(n.inside && n.width <= DESKTOP.width, 'the read-only note is off screen')
  assert.match(await page.locator('[data-testid="trash-rule"]').textContent(), /removed from the library 30 days after/)
  // Selecting it offers Restore and Remove from library (not "Delete").
  const cell = page.locator(`.cell[data-id="${first}"]`)
  await cell.hover()
  await cell.locator('.chk').click()
  await page.waitForSelector('.selbar b:has-text("1 selected")')
  const remove = page.locator('.selbar button[aria-label="Remove from library"]')
  await tappable(remove, 'Remove from library')
  assert.equal(await page.locator('.selbar button[aria-label="Delete for good"]').count(), 0)
  await shot(page, 'trash-readonly')
  await remove.click()
  const dialog = page.locator('.dialog[aria-label="Remove from library?"]')
  await dialog.waitFor()
  assert.match(await dialog.textContent(), /files stay on disk/)
  await dialog.locator('[data-testid="confirm-empty"]').click()
  await page.waitForSelector('.toast:has-text("Removed 1 photo from the library")')
  await page.waitForSelector('.empty h2:has-text("The Trash is empty")')
  await page.context().close()
})

test('a viewer has no Trash: no viewer button, no menu entry, no selection action', async () => {
  const page = await logIn(rw, PHONE, 'kim')
  const [first] = await ids(page)
  await page.locator(`.cell[data-id="${first}"]`).click()
  await page.waitForSelector(`.viewer[data-id="${first}"]`)
  assert.equal(await page.locator('[data-testid="viewer-trash"]').count(), 0, 'a viewer sees a trash button')
  await page.keyboard.press('Delete')
  await page.keyboard.press('Escape')
  await page.waitForSelector('.viewer', { state: 'detached' })
  assert.ok((await ids(page)).includes(first), 'the Delete key trashed a viewer\'s photo')
  await page.locator('nav.nav a[href="/more"]').click()
  await page.waitForSelector('.page a[href="/settings"]')
  assert.equal(await page.locator('.page a[href="/trash"]').count(), 0, 'More lists the Trash for a viewer')
  await page.goto(rw.base + '/')
  await page.waitForSelector('.cell[data-id]')
  await page.locator('.top button[aria-label="Select photos"]').click()
  await page.locator(`.cell[data-id="${first}"]`).click()
  await page.waitForSelector('.selbar b:has-text("1 selected")')
  const more = page.locator('.selbar button[aria-label="More actions"]')
  if (await more.count()) await more.click()
  assert.equal(await page.locator('.selbar :is(button)[aria-label="Move to Trash"], .selbar .menu button:has-text("Move to Trash")').count(), 0, 'a viewer may move photos to the Trash')
  assert.equal((await api(page, 'POST', '/trash', { photo_ids: [first] })).status, 403)
  await page.context().close()
})
