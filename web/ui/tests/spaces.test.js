// Private spaces, as two people use them in two browsers: ana's uploads are
// hers; in Settings → Your space she shares them with cleo, who then sees
// them (but not ana's Only me photo), and revokes; ana's grid marks her
// Only me photo. Real `pinhole serve`, Debian's chromium.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const PASS = 'a long passphrase'
const testdata = join(corpus, 'photoprism/internal/meta/testdata')
let dir, srv, browser
const tokens = {}
let shared, onlyMe, library

async function call(who, method, path, body) {
  const headers = { Authorization: 'Bearer ' + tokens[who] }
  if (body && !(body instanceof FormData)) headers['Content-Type'] = 'application/json'
  const r = await fetch(srv.base + '/api/v1' + path, { method, headers, body: body instanceof FormData ? body : body && JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

async function upload(who, file) {
  const fd = new FormData()
  fd.append('files', new Blob([readFileSync(join(testdata, file))], { type: 'image/jpeg' }), file)
  const r = await call(who, 'POST', '/upload', fd)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.files[0].status, 'saved', JSON.stringify(r.body))
  return r.body.files[0].photo_id
}

before(async () => {
  dir = tempDir('spaces')
  const root = join(dir, 'photos')
  mkdirSync(join(root, '2019'), { recursive: true })
  copyFileSync(join(testdata, 'digikam.jpg'), join(root, '2019/digikam.jpg'))
  srv = await serve({ originals: root, data: join(dir, 'data'), args: ['--upload-writable'] })
  let r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'root', password: PASS, bearer: true }) })
  assert.equal(r.status, 201)
  tokens.root = (await r.json()).token
  for (const name of ['ana', 'cleo']) {
    assert.equal((await call('root', 'POST', '/users', { username: name, password: PASS, role: 'user' })).status, 201)
    r = await fetch(srv.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password: PASS, bearer: true }) })
    tokens[name] = (await r.json()).token
  }
  shared = await upload('ana', 'aurora.jpg')
  onlyMe = await upload('ana', 'Iceland-sRGB.jpg')
  assert.equal((await call('ana', 'PUT', `/photos/${onlyMe}/only-me`, { only_me: true })).status, 200)
  library = (await call('root', 'GET', '/photos')).body.photos.find(p => !p.owner_user).id
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function logIn(vp, name) {
  const ctx = await browser.newContext({ viewport: vp, colorScheme: vp === PHONE ? 'dark' : 'light', deviceScaleFactor: vp === PHONE ? 3 : 1, hasTouch: vp === PHONE, isMobile: vp === PHONE })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', name)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]')
  return page
}

async function box(loc) {
  const b = await loc.boundingBox()
  const vp = loc.page().viewportSize()
  assert.ok(b, 'the element is not displayed')
  return { ...b, inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5 && b.width > 0 && b.height > 0 }
}

const gridIds = async page => (await page.locator('.cell[data-id]').evaluateAll(els => els.map(e => +e.dataset.id))).sort()

// expectGrid waits (up to 10 s) for the grid to show exactly ids: the
// timeline may draw before its live refresh lands.
async function expectGrid(page, ids, what) {
  const want = JSON.stringify([...ids].sort())
  let got = ''
  for (const end = Date.now() + 10000; Date.now() < end;) {
    got = JSON.stringify(await gridIds(page))
    if (got === want) return
    await page.waitForTimeout(200)
  }
  assert.fail(`${what}: the grid shows ${got}, want ${want}`)
}

test('partner sharing and Only me across two browsers', async () => {
  const ana = await logIn(DESKTOP, 'ana')
  const cleo = await logIn(PHONE, 'cleo')
  // Before any sharing cleo sees only the library.
  assert.deepEqual(await gridIds(cleo), [library])
  // Ana's grid has all three, her Only me photo marked inside its cell.
  assert.deepEqual(await gridIds(ana), [library, shared, onlyMe].sort())
  const badge = ana.locator(`.cell[data-id="${onlyMe}"] [data-testid=only-me-badge]`)
  const cell = await box(ana.locator(`.cell[data-id="${onlyMe}"]`))
  const b = await box(badge)
  assert.ok(b.x >= cell.x && b.y >= cell.y && b.x + b.width <= cell.x + cell.width + 0.5 && b.y + b.height <= cell.y + cell.height + 0.5, 'the Only me mark sits inside its photo')
  assert.equal(await ana.locator(`.cell[data-id="${shared}"] [data-testid=only-me-badge]`).count(), 0)
  await shot(ana, 'spaces-grid-only-me')

  // Settings → Your space: the default and the sharing form, all in view
  // and big enough to tap.
  await ana.goto(srv.base + '/settings')
  const section = ana.locator('[data-testid=your-space]')
  await section.waitFor()
  const def = section.locator('label.check:has([data-testid=uploads-only-me])')
  await def.scrollIntoViewIfNeeded()
  const db = await box(def)
  assert.ok(db.inside && db.height >= 44, `the uploads default is in view and tappable: ${JSON.stringify(db)}`)
  await def.click()
  assert.equal((await call('ana', 'GET', '/space')).body.uploads_only_me, true)
  await def.click()
  assert.equal((await call('ana', 'GET', '/space')).body.uploads_only_me, false)
  const select = section.locator('[data-testid=partner-select]')
  await select.scrollIntoViewIfNeeded()
  await select.selectOption('cleo')
  await section.locator('[data-testid=partner-since]').fill('2000-01-01')
  const share = section.locator('[data-testid=partner-share]')
  for (const el of [select, section.locator('[data-testid=partner-since]'), share]) {
    const eb = await box(el)
    assert.ok(eb.inside && eb.height >= 44, `a sharing control is in view and tappable: ${JSON.stringify(eb)}`)
  }
  await share.click()
  const row = section.locator('[data-testid=partner-row]')
  await row.waitFor()
  assert.match(await row.textContent(), /cleo sees your photos from 2000-01-01/)
  await shot(ana, 'spaces-settings-desktop')

  // Cleo now sees ana's shared photo, never her Only me one.
  await cleo.reload()
  await cleo.waitForSelector(`.cell[data-id="${shared}"]`)
  await expectGrid(cleo, [library, shared], 'cleo once ana shares')
  await cleo.goto(srv.base + '/settings')
  const withMe = cleo.locator('[data-testid=shared-with-me]')
  await withMe.waitFor()
  await withMe.scrollIntoViewIfNeeded()
  const wb = await box(withMe)
  assert.ok(wb.inside, 'the sharing cleo receives is listed in view on a phone')
  assert.match(await withMe.textContent(), /You see ana's photos/)
  await shot(cleo, 'spaces-settings-phone')

  // Ana marks the shared photo Only me in its details: cleo loses it.
  await ana.goto(srv.base + '/')
  await ana.click(`.cell[data-id="${shared}"]`)
  const infoBtn = ana.locator('button[aria-label="Info (i)"]')
  if (await infoBtn.getAttribute('aria-pressed') !== 'true') await infoBtn.click()
  const toggle = ana.locator('aside.info [data-testid=only-me]')
  await toggle.scrollIntoViewIfNeeded()
  const tb = await box(toggle)
  assert.ok(tb.inside && tb.height >= 44, `the Only me toggle is in view and tappable: ${JSON.stringify(tb)}`)
  await toggle.click()
  await ana.waitForFunction(() => document.querySelector('aside.info [data-testid=only-me] input')?.checked)
  await shot(ana, 'spaces-viewer-only-me')
  assert.equal((await call('ana', 'GET', `/photos/${shared}`)).body.photo.only_me, true)
  await cleo.goto(srv.base + '/')
  await cleo.waitForSelector('.cell[data-id]')
  await expectGrid(cleo, [library], 'cleo after ana marked it Only me')
  assert.equal((await call('cleo', 'GET', `/photos/${shared}`)).status, 404)
  await ana.keyboard.press('Escape')
  // Not only-me again: cleo sees it again, until ana revokes below.
  assert.equal((await call('ana', 'PUT', `/photos/${shared}/only-me`, { only_me: false })).status, 200)
  await cleo.reload()
  await cleo.waitForSelector(`.cell[data-id="${shared}"]`)

  // Ana revokes; cleo's timeline loses the photo.
  await ana.goto(srv.base + '/settings')
  await row.waitFor()
  ana.once('dialog', d => d.accept())
  await row.locator('button:has-text("Revoke")').click()
  await row.waitFor({ state: 'detached' })
  await cleo.goto(srv.base + '/')
  await cleo.waitForSelector('.cell[data-id]')
  await expectGrid(cleo, [library], 'cleo after ana revoked')
  await ana.context().close()
  await cleo.context().close()
})
