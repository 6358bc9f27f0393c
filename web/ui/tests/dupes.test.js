// Duplicates, as a person clears them: two corpus photos each with a
// smaller, more compressed copy (made by ffmpeg) and a distinct photo.
// More → Duplicates shows two groups once the background hashing is done,
// the original suggested; "Trash 1 other" keeps it and moves the copy to
// the Trash; "Not duplicates" hides the other group for good. Real
// `pinhole serve`, Debian's chromium, phone geometry.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, launch, PHONE, serve, setupAdmin, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let dir, srv, browser

before(async () => {
  dir = tempDir('dupes')
  const root = join(dir, 'photos')
  mkdirSync(join(root, 'Camera'), { recursive: true })
  mkdirSync(join(root, 'Copies'), { recursive: true })
  const src = {
    'Camera/IMG_4120.JPG': 'photoprism/assets/examples/IMG_4120.JPG',
    'Camera/ship.jpg': 'photoprism/internal/meta/testdata/ship.jpg',
    'Camera/digikam.jpg': 'photoprism/internal/meta/testdata/digikam.jpg',
  }
  for (const [rel, s] of Object.entries(src)) copyFileSync(join(corpus, s), join(root, rel))
  // Half the size at a low quality: what a messenger app sends back.
  for (const name of ['IMG_4120.JPG', 'ship.jpg']) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', join(root, 'Camera', name), '-vf', 'scale=iw/2:-2', '-q:v', '12', join(root, 'Copies', 'small-' + name.toLowerCase())])
  }
  srv = await serve({ originals: root, data: join(dir, 'data'), args: ['--read-only=false', '--debounce', '300ms'] })
  await setupAdmin(srv, USER, PASS)
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function box(loc) {
  const b = await loc.boundingBox()
  const vp = loc.page().viewportSize()
  assert.ok(b, 'the element is not displayed')
  return { ...b, inside: b.x >= -0.5 && b.y >= -0.5 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5 && b.width > 0 && b.height > 0 }
}

test('on a phone: keep the original of one group, dismiss the other', async () => {
  const ctx = await browser.newContext({ viewport: PHONE, colorScheme: 'dark', deviceScaleFactor: 3, hasTouch: true, isMobile: true })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.waitForSelector('form[aria-label="Log in"]')
  await page.fill('input[name=username]', USER)
  await page.fill('input[name=password]', PASS)
  await page.click('button:has-text("Log in")')
  await page.waitForSelector('.cell[data-id]')
  // The hashing runs in the background: wait until nothing is pending.
  const deadline = Date.now() + 60000
  let d
  for (;;) {
    d = await page.evaluate(async () => (await fetch('/api/v1/dupes')).json())
    if (d.pending === 0 && d.total === 2) break
    assert.ok(Date.now() < deadline, `hashing did not finish: ${JSON.stringify({ pending: d.pending, total: d.total })}`)
    await new Promise(r => setTimeout(r, 300))
  }
  await page.locator('nav.nav a[href="/more"]').click()
  await page.locator('.page a[href="/dupes"]').click()
  await page.waitForSelector('.dgroup')
  const groups = page.locator('.dgroup')
  assert.equal(await groups.count(), 2)
  const photos = Object.fromEntries((await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=50')).json()).photos)).map(p => [p.id, p]))
  for (const g of await groups.all()) {
    const ids = (await g.getAttribute('data-ids')).split(',').map(Number)
    assert.equal(ids.length, 2)
    // The original (twice the width) is suggested and chosen.
    const [keep, copy] = ids
    assert.ok(photos[keep].width >= photos[copy].width * 1.9, `the suggested keeper is not the larger photo: ${photos[keep].width} vs ${photos[copy].width}`)
    const tile = g.locator(`.dtile[data-id="${keep}"]`)
    assert.equal((await tile.locator('.suggest').textContent()).trim(), 'Suggested')
    assert.equal(await tile.locator('.btn.keep').getAttribute('aria-pressed'), 'true')
  }
  // Geometry: the first group's photos are whole and on screen, the
  // buttons a finger's size.
  const first = groups.first()
  for (const t of await first.locator('.dtile').all()) {
    const img = await box(t.locator('img')), frame = await box(t.locator('.dimg'))
    assert.ok(frame.inside, `a photo of the group is off screen: ${JSON.stringify(frame)}`)
    const [nw, nh] = await t.locator('img').evaluate(el => [el.naturalWidth, el.naturalHeight])
    assert.ok(nw > 0, 'a thumbnail did not load')
    // object-fit: contain shows it whole: its drawn box fits the frame.
    const scale = Math.min(img.width / nw, img.height / nh)
    assert.ok(nw * scale <= frame.width + 1 && nh * scale <= frame.height + 1)
    const kb = await box(t.locator('.btn.keep'))
    assert.ok(kb.inside && kb.height >= 44, `Keep is ${JSON.stringify(kb)}`)
  }
  for (const b of await first.locator('.dactions .btn').all()) {
    const bb = await box(b)
    assert.ok(bb.inside && bb.height >= 44 && bb.width >= 44, `a group action is off screen or small: ${JSON.stringify(bb)}`)
  }
  await shot(page, 'dupes')

  const [keep, copy] = (await first.getAttribute('data-ids')).split(',').map(Number)
  await first.locator('[data-testid="dupes-resolve"]').click()
  await page.waitForSelector('.toast:has-text("moved 1 photo to the Trash")')
  await page.waitForFunction(() => document.querySelectorAll('.dgroup').length === 1)
  const trash = await page.evaluate(async () => (await (await fetch('/api/v1/trash')).json()).photos.map(p => p.id))
  assert.deepEqual(trash, [copy], 'the copy is not the one in the Trash')
  const left = await page.evaluate(async () => (await (await fetch('/api/v1/photos?limit=50')).json()).photos.map(p => p.id))
  assert.ok(left.includes(keep) && !left.includes(copy))

  await page.locator('.dgroup button:has-text("Not duplicates")').click()
  await page.waitForSelector('.empty h2:has-text("No duplicates")')
  await page.reload()
  await page.waitForSelector('.empty h2:has-text("No duplicates")')
  await ctx.close()
})
