// Settings → App passwords, as a person sets up phone backup: name one,
// see it once with the server address and user to type into the app, use
// it over WebDAV, see when it was last used, revoke it. Real `pinhole
// serve` on read-only originals with --upload-writable; Debian's chromium.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let dir, srv, browser

before(async () => {
  dir = tempDir('webdav')
  const root = join(dir, 'photos')
  mkdirSync(join(root, '2019'), { recursive: true })
  copyFileSync(join(corpus, 'photoprism/internal/meta/testdata/digikam.jpg'), join(root, '2019/digikam.jpg'))
  srv = await serve({ originals: root, data: join(dir, 'data'), args: ['--upload-writable'] })
  const r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASS, bearer: true }) })
  assert.equal(r.status, 201)
  const { token } = await r.json()
  const v = await fetch(srv.base + '/api/v1/users', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify({ username: 'kim', password: PASS, role: 'viewer' }),
  })
  assert.equal(v.status, 201)
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function settingsAs(vp, name) {
  // The phone in the dark theme, the desktop in the light one: both are
  // looked at.
  const ctx = await browser.newContext({ viewport: vp, colorScheme: vp === PHONE ? 'dark' : 'light', deviceScaleFactor: vp === PHONE ? 3 : 1, hasTouch: vp === PHONE, isMobile: vp === PHONE })
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', name)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]')
  await page.goto(srv.base + '/settings')
  await page.waitForSelector('.settings h1')
  return page
}

// box is an element's rectangle, and whether all of it is in the viewport.
async function box(loc) {
  const b = await loc.boundingBox()
  const vp = loc.page().viewportSize()
  assert.ok(b, 'the element is not displayed')
  return { ...b, inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5 && b.width > 0 && b.height > 0 }
}

const propfind = password => fetch(srv.base + '/dav/', {
  method: 'PROPFIND', headers: { Depth: '1', Authorization: 'Basic ' + Buffer.from(`${USER}:${password}`).toString('base64') },
})

for (const vp of [DESKTOP, PHONE]) {
  const size = vp === PHONE ? 'phone' : 'desktop'
  test(`app passwords on a ${size}: create, shown once, used over WebDAV, revoked`, async () => {
    const page = await settingsAs(vp, USER)
    const section = page.locator('[data-testid=app-passwords]')
    await section.scrollIntoViewIfNeeded()
    const device = `Ana's ${size}`
    await section.locator('input[aria-label="Name of the new app password"]').fill(device)
    await section.locator('button:has-text("Create app password")').click()
    const made = section.locator('[data-testid=new-app-password]')
    await made.waitFor()
    const password = (await made.locator('[data-testid=app-password-value]').textContent()).trim()
    assert.match(password, /^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){6}$/)
    const text = await made.textContent()
    assert.ok(text.includes(srv.base + '/dav/'), `the server address is not shown: ${text}`)
    assert.ok(text.includes('Uploads/ana'), 'the folder the files go to is not shown')
    assert.match(text, /not shown again/)

    // All of it readable on the screen: the password whole, nothing
    // sideways, buttons big enough to tap.
    await made.scrollIntoViewIfNeeded()
    const pw = await box(made.locator('[data-testid=app-password-value]'))
    assert.ok(pw.inside, `the password is cut off: ${JSON.stringify(pw)}`)
    const inner = await made.locator('[data-testid=app-password-value]').evaluate(el => [el.scrollWidth, el.clientWidth])
    assert.ok(inner[0] <= inner[1] + 1, `the password overflows its box ${inner}`)
    const copyBtn = made.locator('button:has-text("Copy")')
    const cb = await box(copyBtn)
    assert.ok(cb.inside && cb.height >= 44 && cb.width >= 44, `the Copy button is off screen or too small: ${JSON.stringify(cb)}`)
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'the page scrolls sideways')
    await shot(page, 'settings-app-password')

    // Copy puts exactly the password on the clipboard.
    await copyBtn.click()
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password)

    // It works for WebDAV, and the list says it was used.
    assert.equal((await propfind(password)).status, 207)
    await made.locator('button:has-text("Done")').click()
    await page.reload()
    const row = page.locator('[data-testid=app-password]', { hasText: device })
    await row.waitFor()
    assert.match(await row.textContent(), /Last used .* from 127\.0\.0\.1/)
    await row.scrollIntoViewIfNeeded()
    await shot(page, 'settings-app-password-list')
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'the list scrolls sideways')
    assert.equal((await page.content()).includes(password), false, 'the password is shown again after a reload')

    // Revoking it stops WebDAV at once.
    page.once('dialog', d => d.accept())
    const revoke = row.locator(`button[aria-label="Revoke ${device}"]`)
    const rb = await box(revoke)
    assert.ok(rb.height >= 44, `the Revoke button is ${rb.height}px tall`)
    await revoke.click()
    await row.waitFor({ state: 'detached' })
    assert.equal((await propfind(password)).status, 401)
    await page.context().close()
  })
}

test('viewers are not offered app passwords', async () => {
  const page = await settingsAs(DESKTOP, 'kim')
  await page.waitForSelector('#s-sec')
  assert.equal(await page.locator('[data-testid=app-passwords]').count(), 0)
  await page.context().close()
})
