// Sign-in beyond the password, in a real browser: two-factor sign-in set up
// in Settings (QR code from the server, a code computed here from the key
// the page shows, recovery codes) and then asked for after the password; a
// role that must use it held to the set-up page; and sign-in with an
// OpenID Connect provider — zitadel/oidc's OP, served by the Go test binary
// (web/oidcop_test.go) — from the login page's button, through the
// provider's own login form and back, with passwords turned off but for
// the break-glass admin.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, DESKTOP, freePort, launch, PHONE, repo, serve, shot, tempDir } from './lib.js'

const ADMIN = 'ana', PASS = 'a long passphrase'
let browser, dir
const servers = []

before(async () => {
  dir = tempDir('signin')
  browser = await launch()
})

after(async () => {
  await browser?.close()
  for (const s of servers) await s.stop()
  cleanup(dir)
})

// totp is what an authenticator app shows for a base32 key (RFC 6238:
// SHA-1, 30 s, 6 digits), steps ahead of now.
function totp(key, steps = 0) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of key.replace(/[\s=]/g, '').toUpperCase()) bits += alpha.indexOf(c).toString(2).padStart(5, '0')
  const raw = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + steps))
  const h = createHmac('sha1', raw).update(counter).digest()
  const o = h[h.length - 1] & 15
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0')
}

async function started(name, args = [], port) {
  const data = join(dir, name)
  const originals = join(dir, name + '-photos')
  mkdirSync(originals, { recursive: true })
  const srv = await serve({ originals, data, port, args: ['--demo=false', ...args] })
  servers.push(srv)
  return srv
}

async function post(base, path, body, headers = {}) {
  const r = await fetch(base + '/api/v1' + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: r.status, body: await r.json().catch(() => null) }
}

// box is an element's rectangle; inside checks it lies in the viewport.
const box = (page, sel) => page.locator(sel).first().boundingBox()
function inside(b, vp, what) {
  assert.ok(b, `${what} is not shown`)
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5,
    `${what} ${JSON.stringify(b)} leaves the ${vp.width}×${vp.height} viewport`)
}

test('two-factor sign-in: set up in Settings, then asked for after the password', async () => {
  const srv = await started('totp')
  assert.equal((await post(srv.base, '/setup', { username: ADMIN, password: PASS })).status, 201)
  const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.fill('input[name=username]', ADMIN)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('main')
  await page.goto(srv.base + '/settings')
  const setupBtn = page.locator('[data-testid=two-factor] button:has-text("Set up two-factor sign-in")')
  await setupBtn.scrollIntoViewIfNeeded()
  await setupBtn.click()

  // The QR code: drawn by the server, whole and square on the screen.
  const qr = page.locator('img.qr')
  await qr.waitFor()
  await qr.scrollIntoViewIfNeeded()
  const natural = await qr.evaluate(img => [img.naturalWidth, img.naturalHeight, img.src.slice(0, 22)])
  assert.deepEqual(natural, [240, 240, 'data:image/png;base64,'])
  const q = await qr.boundingBox()
  assert.ok(Math.abs(q.width - q.height) < 1 && q.width >= 200, `QR box ${JSON.stringify(q)}`)
  inside(q, DESKTOP, 'the QR code')
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp)
    await qr.scrollIntoViewIfNeeded()
    inside(await qr.boundingBox(), vp, 'the QR code')
    await shot(page, 'totp-setup')
  }
  const key = (await page.textContent('[data-testid=totp-secret]')).replace(/\s/g, '')
  assert.match(key, /^[A-Z2-7]{32}$/)

  // A wrong code says so and changes nothing.
  await page.fill('input[name=code]', '000000')
  await page.click('button:has-text("Turn on")')
  await page.waitForSelector('[data-testid=two-factor] .err:has-text("wrong code")')
  await page.fill('input[name=code]', totp(key))
  await page.click('button:has-text("Turn on")')
  const codes = page.locator('[data-testid=recovery-codes] li code')
  await codes.first().waitFor()
  const list = await codes.allTextContents()
  assert.equal(list.length, 10)
  for (const c of list) assert.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
  const done = page.locator('button:has-text("Done")')
  assert.ok(await done.isDisabled(), 'Done before the codes were saved')
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp)
    await codes.last().scrollIntoViewIfNeeded()
    inside(await codes.last().boundingBox(), vp, 'the last recovery code')
    await shot(page, 'totp-recovery-codes')
  }
  await page.check('text=I have saved them')
  await done.click()
  await page.waitForSelector('[data-testid=two-factor] .pill:has-text("On")')
  await page.locator('[data-testid=two-factor]').scrollIntoViewIfNeeded()
  await shot(page, 'totp-on')

  // Log out; the password now leads to the code step.
  await page.click('button[aria-label="Account menu"]')
  await page.click('text=Log out')
  await page.fill('input[name=username]', ADMIN)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  const codeInput = page.locator('form[aria-label="Two-factor code"] input[name=code]')
  await codeInput.waitFor()
  assert.equal(await codeInput.getAttribute('autocomplete'), 'one-time-code')
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp)
    const b = await box(page, 'form[aria-label="Two-factor code"] button:has-text("Continue")')
    inside(b, vp, 'the Continue button')
    assert.ok(b.height >= 40, `Continue is ${b.height}px tall`)
    await shot(page, 'totp-code-step')
  }
  // The code that turned it on is spent; the next one opens the library.
  await codeInput.fill(totp(key, 1))
  await page.click('button:has-text("Continue")')
  await page.waitForSelector('nav.rail', { timeout: 20000 })
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()))
  assert.equal(me.user.username, ADMIN)
  assert.equal(me.user.totp, true)

  // A role that must use it: a user without it is held to the set-up page.
  const csrf = me.csrf_token
  const h = { 'X-CSRF-Token': csrf }
  assert.equal((await page.evaluate(async ([h]) => (await fetch('/api/v1/users', { method: 'POST', headers: { 'Content-Type': 'application/json', ...h }, body: JSON.stringify({ username: 'bo', password: 'bo password here', role: 'user' }) })).status, [h])), 201)
  assert.equal((await page.evaluate(async ([h]) => (await fetch('/api/v1/settings/totp', { method: 'PUT', headers: { 'Content-Type': 'application/json', ...h }, body: JSON.stringify({ required_roles: ['user'] }) })).status, [h])), 200)
  const bo = await (await browser.newContext({ viewport: PHONE, colorScheme: 'dark' })).newPage()
  await bo.goto(srv.base + '/')
  await bo.fill('input[name=username]', 'bo')
  await bo.fill('input[name=password]', 'bo password here')
  await bo.click('button:has-text("Log in")')
  await bo.waitForSelector('#enrol-h')
  assert.equal(await bo.locator('nav.rail').count(), 0, 'a held session shows the library')
  await shot(bo, 'totp-required')
  await bo.click('button:has-text("Set up two-factor sign-in")')
  await bo.locator('img.qr').waitFor()
  inside(await bo.locator('img.qr').boundingBox(), PHONE, 'the QR code on the set-up page')
  await shot(bo, 'totp-required-scan')
  const boKey = (await bo.locator('[data-testid=totp-secret]').textContent()).replace(/\s/g, '')
  await bo.fill('input[name=code]', totp(boKey))
  await bo.click('button:has-text("Turn on")')
  await bo.check('text=I have saved them')
  await bo.click('button:has-text("Done")')
  await bo.waitForSelector('nav.nav', { timeout: 20000 })
  await ctx.close()
})

test('sign in with a provider; passwords off but for the break-glass admin', async () => {
  // The provider is the Go test binary's (zitadel/oidc's OP).
  const bin = join(dir, 'web.test')
  execFileSync('go', ['test', '-c', '-tags', 'sqlite_fts5 synthetic', '-o', bin, './web'], { cwd: repo, stdio: 'inherit' })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const op = spawn(bin, ['-test.run', '^TestProviderForBrowserTests$', '-test.timeout', '0'],
    { cwd: join(repo, 'web'), env: { ...process.env, PINHOLE_TEST_PROVIDER: base + '/api/v1/oidc/callback' }, stdio: ['ignore', 'pipe', 'inherit'] })
  servers.push({ stop: async () => { op.kill('SIGTERM') } })
  const issuer = await new Promise((resolve, reject) => {
    let out = ''
    op.stdout.on('data', d => { out += d; const m = out.match(/issuer (\S+)/); if (m) resolve(m[1]) })
    op.on('exit', c => reject(new Error('the provider exited: ' + c + out)))
    setTimeout(() => reject(new Error('the provider did not start: ' + out)), 60000)
  })
  const secret = join(dir, 'oidc-secret')
  writeFileSync(secret, 'pinhole secret\n', { mode: 0o600 })
  const srv = await started('oidc', ['--public-url', base, '--oidc-issuer', issuer, '--oidc-client-id', 'pinhole',
    '--oidc-client-secret-file', secret, '--oidc-name', 'Family Login', '--oidc-admin-group', 'family-admins',
    '--oidc-user-group', 'family', '--local-login=false', '--break-glass-admin', 'root'], port)
  assert.equal((await post(srv.base, '/setup', { username: 'root', password: PASS })).status, 201)

  const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
  const requests = []
  ctx.on('request', r => requests.push(r.url()))
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  const button = page.locator('[data-testid=oidc-signin]')
  await button.waitFor()
  assert.equal((await button.textContent()).trim(), 'Sign in with Family Login')
  assert.equal(await page.locator('input[name=password]').isVisible(), false, 'a password field is offered with passwords off')
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp)
    const b = await button.boundingBox()
    const form = await box(page, 'form[aria-label="Log in"]')
    inside(b, vp, 'the provider button')
    assert.ok(b.height >= 44 && b.width >= form.width - 2 * 28 - 1, `provider button ${JSON.stringify(b)} in a ${form.width}px form`)
    await shot(page, 'login-provider')
  }

  // The round trip: Pinhole → the provider's login form → back, signed in.
  await button.click()
  await page.waitForURL(u => u.toString().startsWith(issuer))
  await page.fill('input[name=username]', 'ana')
  await page.fill('input[name=password]', 'provider password')
  await page.click('button:has-text("Login")')
  await page.waitForSelector('nav.rail', { timeout: 20000 })
  assert.equal(new URL(page.url()).pathname, '/')
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()))
  assert.equal(me.user.username, 'ana')
  assert.equal(me.user.role, 'admin')
  assert.equal(me.method, 'oidc')
  for (const u of requests) {
    assert.ok(u.startsWith(srv.base + '/') || u.startsWith(issuer + '/') || u.startsWith('data:'), `the browser asked ${u}`)
  }

  // A refused sign-in comes back with a sentence, not a session.
  await page.click('button[aria-label="Account menu"]')
  await page.click('text=Log out')
  await page.goto(srv.base + '/?signin_error=no_role')
  await page.waitForSelector('.err:has-text("not allowed to use Pinhole")')
  assert.equal(new URL(page.url()).search, '', 'the reason stays in the address')

  // The break-glass admin still has a password, behind the emergency sign-in.
  await page.click('summary:has-text("emergency")')
  await page.fill('input[name=username]', 'root')
  await page.fill('input[name=password]', PASS)
  await shot(page, 'login-breakglass')
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('nav.rail', { timeout: 20000 })
  await ctx.close()
})
