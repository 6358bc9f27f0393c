// The library's rough edges, as a person meets them: a file that cannot be
// shown (a tile that says why, at the date it really has, and a Problems
// view with the fix), uploads on read-only originals (off, and saying how to
// turn them on) and after an upload (Recently added), and the forms and
// placeholders (one red error at a time, the product name on every phone
// page, placeholders in the light theme's colours). Real `pinhole serve`
// over real camera files from the corpus; Debian's chromium.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { binary, cleanup, corpus, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
const BROKEN = '2019/2019-07-14 Lake/IMG_0001.JPG'
const HEIC = 'Phone/IMG_5195.HEIC'
let dir, ro, rw, browser

// Real JPEGs with EXIF dates from October 2021 back to October 2018.
const DATED = {
  'Camera/iptc-2021.jpg': 'photoprism/internal/meta/testdata/iptc-2021.jpg', // 2021-10
  'Camera/digikam.jpg': 'photoprism/internal/meta/testdata/digikam.jpg', // 2020-10
  'Camera/photoshop.jpg': 'photoprism/internal/meta/testdata/photoshop.jpg', // 2020-01
  'Camera/iptc-2019.jpg': 'photoprism/internal/meta/testdata/iptc-2019.jpg', // 2019-10
  'Camera/IMG_4120.JPG': 'photoprism/assets/examples/IMG_4120.JPG', // 2019-06
  'Camera/ship.jpg': 'photoprism/internal/meta/testdata/ship.jpg', // 2019-05
  'Camera/orientation.jpg': 'photoprism/internal/meta/testdata/orientation.jpg', // 2018-10
}

// cutOff is a JPEG without EXIF whose copy stopped inside its header:
// nothing in it says when it was taken, and there is no picture to show.
function cutOff() {
  const b = readFileSync(join(corpus, 'photoprism/internal/meta/testdata/no-exif-data.jpg'))
  const sos = b.indexOf(Buffer.from([0xff, 0xda]))
  assert.ok(sos > 100, 'the source JPEG has no scan')
  return b.subarray(0, sos - 20)
}

function library(name, extra) {
  const root = join(dir, name)
  for (const [rel, src] of Object.entries(DATED)) {
    mkdirSync(join(root, rel, '..'), { recursive: true })
    copyFileSync(join(corpus, src), join(root, rel))
  }
  extra && extra(root)
  return root
}

before(async () => {
  dir = tempDir('library')
  binary() // built (if need be) before PATH changes below
  const roRoot = library('ro', root => {
    mkdirSync(join(root, '2019/2019-07-14 Lake'), { recursive: true })
    writeFileSync(join(root, BROKEN), cutOff()) // modified "today", as a fresh copy is
    mkdirSync(join(root, 'Phone'), { recursive: true })
    copyFileSync(join(corpus, 'exif-samples/heic/IMG_5195.HEIC'), join(root, HEIC))
  })
  const rwRoot = library('rw')
  // The read-only server runs without heif-convert and ffmpeg on its PATH,
  // as on a fresh Pi, so the HEIC photo cannot be shown either.
  const path = process.env.PATH
  process.env.PATH = join(dir, 'no-helpers')
  try {
    ro = await serve({ originals: roRoot, data: join(dir, 'ro-data'), args: ['--debounce', '300ms'] })
  } finally {
    process.env.PATH = path
  }
  rw = await serve({ originals: rwRoot, data: join(dir, 'rw-data'), args: ['--read-only=false', '--upload-folder', 'Uploads', '--debounce', '300ms'] })
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await ro?.stop()
  await rw?.stop()
  cleanup(dir)
})

async function newPage(vp, colorScheme = 'dark') {
  const ctx = await browser.newContext({ viewport: vp, colorScheme, deviceScaleFactor: vp === PHONE ? 3 : 1, hasTouch: vp === PHONE, isMobile: vp === PHONE })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  return page
}

// box returns an element's rectangle and whether it lies inside the
// viewport (and is not hidden).
async function box(loc) {
  const b = await loc.boundingBox()
  const vp = loc.page().viewportSize()
  assert.ok(b, 'the element is not displayed')
  return { ...b, inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5 && b.width > 0 && b.height > 0 }
}

// rgb reads a computed colour ("rgb(…)", "rgba(…)" or "color(srgb …)") as
// 0–255 channels.
function rgb(s) {
  const n = (s.match(/[\d.]+/g) || []).map(Number)
  if (s.startsWith('color(')) return n.slice(0, 3).map(v => Math.round(v * 255))
  if (s.startsWith('#')) return [1, 3, 5].map(i => parseInt(s.slice(i, i + 2), 16))
  return n.slice(0, 3)
}
function luminance(c) {
  const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) }

async function logIn(page, base) {
  await page.goto(base + '/')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', USER)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]')
}

// logoOnPhone checks that the mark and the name "Pinhole" are shown and lie
// inside the viewport.
async function logoOnPhone(page, scope, what) {
  const name = page.locator(scope + ' .logo span').first()
  assert.equal((await name.textContent()).trim(), 'Pinhole', `${what}: no product name`)
  const n = await box(name), mark = await box(page.locator(scope + ' .logo i').first())
  assert.ok(n.inside && mark.inside, `${what}: the logo or name is outside the viewport ${JSON.stringify({ n, mark })}`)
  assert.ok(n.width > 30 && n.height > 12, `${what}: the name is too small to read (${n.width}×${n.height})`)
}

test('first run on a phone: the setup page shows the product name', async () => {
  const page = await newPage(PHONE)
  await page.goto(ro.base + '/')
  await page.waitForSelector('form[aria-label="Create the admin account"]')
  await logoOnPhone(page, '.auth', 'setup')
  await shot(page, 'library-setup')
  // The two passwords differ, twice: one error, replaced.
  for (const pw of ['first password', 'second password']) {
    await page.fill('input[name=username]', USER)
    await page.fill('input[name=password]', PASS)
    await page.fill('input[name=password2]', pw)
    await page.click('button:has-text("Create account")')
    await page.waitForSelector('.err:has-text("differ")')
  }
  assert.equal(await page.locator('.err').count(), 1, 'errors stack on the setup page')
  await page.fill('input[name=password2]', PASS)
  await page.click('button:has-text("Create account")')
  await page.waitForSelector('.cell[data-id]', { timeout: 30000 })
  // The app's top bar at 390 px: mark and name, and every control beside
  // them full size; search is a button that unfolds a field wide enough to
  // type in, still beside the name.
  await logoOnPhone(page, '.top', 'top bar')
  const name = await box(page.locator('.top .logo span'))
  for (const b of await page.locator('.top .ib').all()) {
    const bb = await box(b)
    assert.ok(bb.x >= name.x + name.width && bb.x + bb.width <= PHONE.width && bb.width >= 44 && bb.height >= 44,
      `a top bar button is squeezed or off screen: ${JSON.stringify(bb)}`)
  }
  await page.locator('.top button[aria-label="Search (/)"]').click()
  const search = await box(page.locator('.top .searchbox'))
  assert.ok(name.x + name.width <= search.x, 'the name overlaps the search field')
  assert.ok(search.width >= 180, `the search field is squeezed to ${search.width}px`)
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Search (/)', 'the unfolded field has no focus')
  await shot(page, 'library-topbar')
  await page.context().close()
})

test('a file that cannot be shown: a tile says why, at the date it really has', async () => {
  for (const [vp, scheme] of [[DESKTOP, 'dark'], [PHONE, 'light']]) {
    const page = await newPage(vp, scheme)
    await logIn(page, ro.base)
    // The API dates it from its folder, not from the day it was copied.
    const p = await page.evaluate(async path => {
      const r = await (await fetch('/api/v1/photos?folder=' + encodeURIComponent(path))).json()
      return r.photos[0]
    }, BROKEN.slice(0, BROKEN.lastIndexOf('/')))
    assert.equal(p.taken_local, '2019-07-14 00:00:00')
    assert.equal(p.taken_source, 'folder_name')
    assert.equal(p.problem?.kind, 'damaged')

    // Not at the top: the newest month is the newest real photo's.
    const first = page.locator('.sec').first()
    assert.equal(await first.getAttribute('aria-label'), 'October 2021', 'the timeline does not start with the newest photo')
    assert.equal(await first.locator(`.cell[data-id="${p.id}"]`).count(), 0, 'the broken file sits at the top')
    // It sits in July 2019.
    await page.evaluate(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop = s.scrollHeight })
    const cell = page.locator(`.cell[data-id="${p.id}"]`)
    await cell.waitFor()
    await cell.scrollIntoViewIfNeeded()
    assert.equal(await page.locator(`.sec:has(.cell[data-id="${p.id}"])`).getAttribute('aria-label'), 'July 2019')
    // The tile: an icon and the reason in words, readable, inside the cell.
    assert.ok(await cell.evaluate(el => el.classList.contains('ptile')), 'the broken photo has no problem tile')
    assert.equal(await cell.locator('img').count(), 0, 'the tile still loads a placeholder image')
    const why = cell.locator('.why span')
    assert.equal((await why.textContent()).trim(), 'Damaged file')
    const c = await box(cell), w = await box(why), icon = await box(cell.locator('.why .icon'))
    assert.ok(w.inside && c.inside, 'the tile or its text is off screen')
    for (const b of [w, icon]) assert.ok(b.x >= c.x - 0.5 && b.x + b.width <= c.x + c.width + 0.5 && b.y >= c.y - 0.5 && b.y + b.height <= c.y + c.height + 0.5, 'the reason spills out of its tile')
    const [fg, bg, size] = await why.evaluate(el => [getComputedStyle(el).color, getComputedStyle(el.closest('.cell')).backgroundColor, parseFloat(getComputedStyle(el).fontSize)])
    assert.ok(contrast(fg, bg) >= 4.5, `${scheme}: the reason's contrast is ${contrast(fg, bg).toFixed(2)} (${fg} on ${bg})`)
    assert.ok(size >= 12, `the reason is ${size}px`)
    // The whole reason on hover.
    assert.match(await cell.getAttribute('title'), /Damaged file: The file is damaged/)
    await shot(page, 'library-broken-tile')
    // The HEIC without heif-convert says what it needs.
    await page.evaluate(() => { document.querySelector('.grid-scroll').scrollTop = 0 })
    const heic = page.locator('.cell.ptile:has-text("HEIC needs libheif")')
    await heic.waitFor()
    await shot(page, 'library-heic-tile')
    // Tapping the tile opens the photo like any other.
    await cell.scrollIntoViewIfNeeded()
    await cell.click()
    await page.waitForSelector('.viewer')
    await page.context().close()
  }
})

test('the Problems view lists the file, what went wrong and the fix', async () => {
  for (const vp of [DESKTOP, PHONE]) {
    const page = await newPage(vp)
    await logIn(page, ro.base)
    await page.goto(ro.base + '/settings')
    await page.click('[data-testid=problems-link]')
    await page.waitForURL(/\/problems$/)
    const row = page.locator(`li.prob[data-path="${BROKEN}"]`)
    await row.waitFor()
    assert.match(await row.textContent(), /damaged/i)
    const group = page.locator('.pgroup[data-kind=damaged]')
    assert.match(await group.locator('.fix').first().textContent(), /Copy it again from the camera/)
    const heic = page.locator(`li.prob[data-path="${HEIC}"]`)
    assert.match(await page.locator('.pgroup[data-kind=needs_heif] .fix').textContent(), /install libheif-examples/i)
    for (const r of [row, heic]) {
      const b = await box(r.locator('.path'))
      assert.ok(b.x >= 0 && b.x + b.width <= vp.width, `a path runs off the ${vp.width}px screen`)
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'the page scrolls sideways')
    await row.scrollIntoViewIfNeeded()
    await shot(page, 'library-problems')
    await page.context().close()
  }
})

test('read-only originals: no active upload control, and one sentence on how to turn uploads on', async () => {
  for (const vp of [DESKTOP, PHONE]) {
    const page = await newPage(vp)
    await logIn(page, ro.base)
    assert.equal(await page.locator('input[type=file]').count(), 0, 'a file picker is offered on read-only originals')
    const btn = page.locator('.top button[aria-label^="Upload"]')
    assert.equal(await btn.getAttribute('aria-disabled'), 'true', 'the upload button does not say it is off')
    // aria-disabled: Playwright would wait for it to be enabled; a person
    // can click it and is told why it is off.
    await btn.click({ force: true })
    const say = page.locator('[data-testid=uploads-off]')
    await say.waitFor()
    const text = await say.textContent()
    assert.match(text, /--read-only=false/)
    assert.match(text, /ReadWritePaths/)
    assert.ok((await box(say)).inside, 'the sentence is off screen')
    await shot(page, 'library-uploads-off')
    await page.keyboard.press('Escape')
    assert.equal(await say.count(), 0, 'Esc does not close the explanation')
    // Files dragged over the window: the drop zone says uploads are off,
    // and a drop sends nothing.
    let posted = 0
    page.on('request', r => { if (r.url().endsWith('/api/v1/upload')) posted++ })
    await page.evaluate(() => {
      const dt = new DataTransfer()
      dt.items.add(new File(['x'], 'IMG_1.JPG', { type: 'image/jpeg' }))
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }))
      window.__dt = dt
    })
    const zone = page.locator('.dropzone.off')
    await zone.waitFor()
    assert.match(await zone.textContent(), /--read-only=false/)
    await page.evaluate(() => window.dispatchEvent(new DragEvent('drop', { dataTransfer: window.__dt, bubbles: true, cancelable: true })))
    await zone.waitFor({ state: 'detached' })
    await page.waitForSelector('.toast.error:has-text("read-only")')
    assert.equal(posted, 0, 'a drop uploaded to read-only originals')
    await page.context().close()
  }
})

test('forms: one red error at a time, in both themes', async () => {
  for (const [vp, scheme] of [[PHONE, 'dark'], [DESKTOP, 'light']]) {
    const page = await newPage(vp, scheme)
    await page.goto(ro.base + '/')
    await page.waitForSelector('form[aria-label="Log in"]')
    if (vp === PHONE) await logoOnPhone(page, '.auth', 'login')
    for (let i = 0; i < 2; i++) {
      await page.fill('input[name=username]', USER)
      await page.fill('input[name=password]', 'not the password ' + i)
      await page.click('button:has-text("Log in")')
      await page.waitForSelector('.err:has-text("wrong")')
      await page.waitForSelector('form button:not([disabled])')
    }
    const errs = page.locator('.err')
    assert.equal(await errs.count(), 1, 'login errors stack')
    const [color, danger] = await errs.evaluate(el => [getComputedStyle(el).color, getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()])
    assert.deepEqual(rgb(color), rgb(danger), `${scheme}: the login error is ${color}, not the theme's red ${danger}`)
    assert.equal(await errs.locator('svg.icon').count(), 1, 'the error has no icon')
    assert.ok((await box(errs)).inside, 'the error is off screen')
    await shot(page, 'library-login-error')

    // Change password with a wrong current one, twice.
    await page.fill('input[name=password]', PASS)
    await page.click('button:has-text("Log in")')
    await page.waitForSelector('.cell[data-id]')
    await page.goto(ro.base + '/settings')
    const form = page.locator('form:has(input[aria-label="Current password"])')
    for (let i = 0; i < 2; i++) {
      await form.locator('input[aria-label="Current password"]').fill('wrong current ' + i)
      await form.locator('input[aria-label="New password"]').fill('a new long passphrase')
      await form.locator('button').click()
      await page.waitForSelector('[data-testid=password-error] .err')
      await page.waitForTimeout(150)
    }
    const pe = page.locator('[data-testid=password-error] .err')
    assert.equal(await pe.count(), 1, 'password errors stack')
    assert.deepEqual(rgb(await pe.evaluate(el => getComputedStyle(el).color)), rgb(danger))
    assert.equal(await page.locator('.toast.error').count(), 0, 'the error is also toasted')
    await pe.scrollIntoViewIfNeeded()
    await shot(page, 'library-password-error')
    await page.context().close()
  }
})

test('a share visitor on a phone sees the product name', async () => {
  const page = await newPage(PHONE)
  await logIn(page, ro.base)
  const url = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json()
    const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }
    const ph = (await (await fetch('/api/v1/photos?limit=3')).json()).photos
    const a = await (await fetch('/api/v1/albums', { method: 'POST', headers: h, body: JSON.stringify({ title: 'Lake' }) })).json()
    const id = a.id ?? a.album.id
    await fetch(`/api/v1/albums/${id}/photos`, { method: 'POST', headers: h, body: JSON.stringify({ photo_ids: ph.map(p => p.id) }) })
    const sh = await (await fetch(`/api/v1/albums/${id}/shares`, { method: 'POST', headers: h, body: JSON.stringify({}) })).json()
    const x = sh.share || sh
    return x.url || '/s/' + x.token
  })
  const visitor = await newPage(PHONE)
  await visitor.goto(ro.base + url)
  await visitor.waitForSelector('.cell[data-id]')
  await logoOnPhone(visitor, '.top', 'share page')
  await shot(visitor, 'library-share')
  await visitor.context().close()
  await page.context().close()
})

test('light theme: loading placeholders are light, not dark', async () => {
  const page = await newPage(DESKTOP, 'light')
  await logIn(page, ro.base)
  // Hold the thumbnails and the photo lists so the placeholders stay. The
  // library's first screen comes inlined in the page (no placeholders at
  // all), so this looks at Recently added, which asks the API.
  await page.route('**/api/v1/t/**', () => {})
  await page.route('**/api/v1/photos?**', async r => { await new Promise(res => setTimeout(res, 1500)); r.continue() })
  // Not "load": on-screen thumbnails load eagerly, and they never arrive here.
  await page.goto(ro.base + '/recent', { waitUntil: 'domcontentloaded' })
  const skel = page.locator('.skel').first()
  await skel.waitFor()
  const colors = await skel.evaluate(el => getComputedStyle(el).backgroundImage.match(/(rgba?|color)\([^)]*\)/g) || [])
  assert.ok(colors.length > 0, 'the skeleton has no colour')
  for (const c of colors.filter(c => !/, 0\)$|\/ 0\)$/.test(c))) assert.ok(luminance(c) > 0.6, `a skeleton colour is dark in the light theme: ${c}`)
  await page.waitForSelector('.cell[data-id]:not(.ptile)')
  const cells = await page.$$eval('.cell[data-id]:not(.ptile)', cs => cs.slice(0, 12).map(c => getComputedStyle(c).backgroundColor))
  for (const c of cells) assert.ok(luminance(c) > 0.6, `a photo placeholder is dark in the light theme: ${c}`)
  await shot(page, 'library-light-placeholders')
  await page.context().close()
})

test('upload on a writable server: "Show" opens Recently added with the upload first', async () => {
  const page = await newPage(DESKTOP)
  await page.goto(rw.base + '/')
  await page.waitForSelector('form[aria-label="Create the admin account"]')
  await page.fill('input[name=username]', USER)
  await page.fill('input[name=password]', PASS)
  await page.fill('input[name=password2]', PASS)
  await page.click('button:has-text("Create account")')
  await page.waitForSelector('.cell[data-id]')
  assert.equal(await page.locator('.top button[aria-label="Upload photos (u)"]').getAttribute('aria-disabled'), null)
  // A camera JPEG taken in June 2001, made unique so it is a new photo.
  const old = Buffer.concat([readFileSync(join(corpus, 'exif-py/jpg/exif-org/canon-ixus.jpg')), Buffer.from('pinhole-upload-' + Date.now())])
  const resp = page.waitForResponse(r => r.url().endsWith('/api/v1/upload'))
  await page.setInputFiles('input[type=file]', { name: 'IMG_2001.JPG', mimeType: 'image/jpeg', buffer: old })
  const up = (await (await resp).json()).files[0]
  assert.equal(up.status, 'saved')
  await page.waitForSelector('.uploads li[data-status=saved]')
  // In the timeline it went to 2001, far from the top.
  assert.equal(await page.locator('.sec').first().locator(`.cell[data-id="${up.photo_id}"]`).count(), 0)
  const show = page.locator('.uploads a:has-text("Show")')
  assert.ok((await box(show)).inside && (await box(show)).height >= 36, 'the Show link is off screen or too small')
  await shot(page, 'library-upload-done')
  await show.click()
  await page.waitForURL(/\/recent$/)
  await page.waitForSelector('.cell[data-id]')
  const first = await page.evaluate(() => {
    const cs = [...document.querySelectorAll('.cell[data-id]')].map(c => ({ id: +c.dataset.id, r: c.getBoundingClientRect() }))
    cs.sort((a, b) => a.r.top - b.r.top || a.r.left - b.r.left)
    return cs[0]
  })
  assert.equal(first.id, up.photo_id, 'the upload is not first in Recently added')
  assert.ok(first.r.top >= 0 && first.r.left >= 0 && first.r.bottom <= DESKTOP.height, 'the first photo is off screen')
  await shot(page, 'library-recent')
  await page.context().close()
})
