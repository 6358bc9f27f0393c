// The map, phone search and the one Places screen (issue 12, items 11, 13
// and 14), against a real `pinhole serve`: the map over the corpus plus a
// generated household library (a home town with most photos, trips
// abroad), search over the corpus alone so its Berlin photos are the four
// that photo_revgeo_expected.tsv places in Steglitz, State of Berlin.
// Every assertion is about geometry or what a person sees.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import { binary, cleanup, corpus, DESKTOP, launch, library, PHONE, recordRequests, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let browser, dir
const requests = [], bases = []

before(async () => {
  dir = tempDir('maps')
  browser = await launch()
})
after(async () => {
  await browser?.close()
  cleanup(dir)
})

// serveLibrary starts a server over the folders fill makes (lib.js
// library) and remembers its address: requests anywhere else are foreign.
async function serveLibrary(name, fill) {
  const srv = await library(dir, name, fill, { username: USER, password: PASS })
  bases.push(srv.base)
  return srv
}

// page opens a logged-in page at a viewport size; touch on phones.
async function open(srv, vp, path) {
  const ctx = await browser.newContext({ viewport: vp, colorScheme: 'dark', hasTouch: vp.width < 600, isMobile: vp.width < 600 })
  recordRequests(ctx, requests)
  const r = await ctx.request.post(srv.base + '/api/v1/session', { data: { username: USER, password: PASS } })
  assert.ok(r.ok(), 'login: ' + r.status())
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  if (path) await page.goto(srv.base + path)
  return page
}

// decodePNG reads 8-bit RGB(A) PNGs (Chromium's screenshots) and paletted
// ones (the base map's tiles).
function decodePNG(buf) {
  let pos = 8, width = 0, height = 0, channels = 0, plte = null
  const idat = []
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('ascii', pos + 4, pos + 8), data = buf.subarray(pos + 8, pos + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4)
      assert.ok(data[8] === 8 && data[12] === 0, 'PNG: want 8-bit, not interlaced')
      channels = { 2: 3, 3: 1, 6: 4 }[data[9]]
    } else if (type === 'PLTE') plte = data
    else if (type === 'IDAT') idat.push(data)
    pos += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const px = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels] : 0, b = y ? px[(y - 1) * stride + i] : 0, c = i >= channels && y ? px[(y - 1) * stride + i - channels] : 0
      let v = row[i]
      if (f === 1) v += a
      else if (f === 2) v += b
      else if (f === 3) v += (a + b) >> 1
      else if (f === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c }
      px[y * stride + i] = v & 255
    }
  }
  const at = plte ? (x, y) => plte.subarray(3 * px[y * width + x], 3 * px[y * width + x] + 3)
    : (x, y) => px.subarray((y * width + x) * channels, (y * width + x) * channels + 3)
  return { width, height, at }
}

const box = (page, sel) => page.$eval(sel, e => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height } })
const intersects = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
const overlapShare = (a, b) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y)) / Math.min(a.w * a.h, b.w * b.h)

// markers are the cluster markers inside the map's box, with their counts.
async function markers(page) {
  return page.evaluate(() => {
    const m = document.querySelector('.mapel').getBoundingClientRect()
    return [...document.querySelectorAll('.leaflet-marker-icon')].map(e => {
      const r = e.getBoundingClientRect()
      return { x: r.x, y: r.y, w: r.width, h: r.height, n: +e.querySelector('.cl b').textContent }
    }).filter(r => r.x + r.w > m.x && r.x < m.x + m.width && r.y + r.h > m.y && r.y < m.y + m.height)
  })
}

// settle waits until the map has asked for clusters, drawn them and
// stopped moving.
async function settle(page) {
  await page.waitForSelector('.mapel:not([data-busy]) .leaflet-marker-icon .cl', { timeout: 20000 })
  await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim'), null, { timeout: 10000 })
  await page.waitForTimeout(300)
}

describe('map', () => {
  let srv
  before(async () => {
    srv = await serveLibrary('map', originals => {
      cpSync(corpus, join(originals, 'corpus'), { recursive: true })
      // A household library: most photos at home (Berlin), trips abroad.
      execFileSync(binary(), ['demo', '--out', join(originals, 'family'), '--count', '300', '--megapixels', '0.1-0.2'], { stdio: 'ignore' })
    })
  })
  after(() => srv?.stop())

  for (const vp of [DESKTOP, PHONE]) {
    const kind = vp === PHONE ? 'phone' : 'desktop'

    test(`${kind}: the base map is drawn before the clusters and fills the map at world zoom`, async () => {
      const page = await open(srv, vp)
      // Watch, from the first script on, when tiles finish and when the
      // first marker goes in, and whether every tile then was loaded.
      await page.addInitScript(() => {
        const t = (window.__mapTimes = { tile: 0, marker: 0, tilesAtMarker: 0, tilesDoneAtMarker: false })
        document.addEventListener('load', e => {
          if (e.target.classList?.contains('leaflet-tile')) t.tile = Math.max(t.tile, performance.now())
        }, true)
        new MutationObserver(() => {
          if (t.marker || !document.querySelector('.leaflet-marker-icon')) return
          t.marker = performance.now()
          const tiles = [...document.querySelectorAll('img.leaflet-tile')]
          t.tilesAtMarker = tiles.length
          t.tilesDoneAtMarker = tiles.every(i => i.complete && i.naturalWidth > 0)
        }).observe(document, { childList: true, subtree: true })
      })
      await page.goto(srv.base + '/map')
      await settle(page)
      const t = await page.evaluate(() => window.__mapTimes)
      assert.ok(t.tilesAtMarker > 0 && t.tilesDoneAtMarker, `markers went in before the base map had loaded: ${JSON.stringify(t)}`)
      assert.ok(t.tile > 0 && t.tile <= t.marker, `last tile loaded at ${t.tile.toFixed(0)} ms, first marker at ${t.marker.toFixed(0)} ms`)

      // No empty band above or below the world: loaded tiles cover the top
      // and bottom rows of the map's box…
      const m = await box(page, '.mapel')
      const uncovered = await page.evaluate(m => {
        const tiles = [...document.querySelectorAll('img.leaflet-tile-loaded')].map(i => i.getBoundingClientRect())
        const out = []
        for (const y of [m.y + 1, m.y + m.h - 2]) {
          for (let x = m.x + 1; x < m.x + m.w; x += 16) {
            if (!tiles.some(r => x >= r.left && x < r.right && y >= r.top && y < r.bottom)) out.push([Math.round(x), Math.round(y)])
          }
        }
        return out
      }, m)
      assert.deepEqual(uncovered, [], 'points of the map box no tile covers')
      // …and on screen, those rows are not the empty box's grey.
      const png = decodePNG(await page.screenshot({ clip: { x: m.x, y: m.y, width: m.w, height: m.h } }))
      const bg = (await page.$eval('.leaflet-container', e => getComputedStyle(e).backgroundColor)).match(/\d+/g).map(Number)
      let greyN = 0, all = 0
      for (const y of [0, png.height - 1]) {
        for (let x = 0; x < png.width; x++, all++) {
          const [r, g, b] = png.at(x, y)
          if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) < 6) greyN++
        }
      }
      const grey = greyN / all
      assert.ok(grey < 0.02, `${(grey * 100).toFixed(1)}% of the top and bottom rows are the empty grey`)
      await shot(page, 'maps-world')
      await page.context().close()
    })

    test(`${kind}: cluster markers do not cover each other at world, country and city zoom`, async () => {
      const page = await open(srv, vp)
      for (const [name, path] of [['world', '/map'], ['country', '/map?lat=50&lng=8&z=5'], ['city', '/map?lat=52.52&lng=13.405&z=12']]) {
        await page.goto(srv.base + path)
        await settle(page)
        const ms = await markers(page)
        assert.ok(ms.length >= 2, `${name}: ${ms.length} markers in view`)
        for (let i = 0; i < ms.length; i++) {
          for (let j = 0; j < i; j++) {
            const s = overlapShare(ms[i], ms[j])
            assert.ok(s <= 0.25, `${name}: markers of ${ms[i].n} and ${ms[j].n} photos overlap by ${(s * 100).toFixed(0)}%`)
          }
        }
        if (name !== 'world') await shot(page, 'maps-' + name)
      }
      await page.context().close()
    })

    test(`${kind}: photos are at most three clicks from the world; small clusters open their photos`, async () => {
      const page = await open(srv, vp, '/map')
      await settle(page)
      // Follow the biggest cluster, as someone looking for home would.
      let clicks = 0
      const trail = []
      while (!(await page.locator('.sheet .cell[data-id]').count()) && clicks < 6) {
        const ms = await markers(page)
        const big = ms.reduce((a, b) => (b.n > a.n ? b : a))
        trail.push(`zoom ${await page.getAttribute('.mapel', 'data-zoom')}: ${ms.map(m => m.n).join(',')}`)
        // Leaflet starts a zoom on the next frame, so wait for the click
        // to land (a new zoom or the sheet) before waiting for the map to
        // settle: settling at once could catch the old markers on their way out.
        const z = await page.getAttribute('.mapel', 'data-zoom')
        await page.mouse.click(big.x + big.w / 2, big.y + big.h / 2)
        clicks++
        await page.waitForFunction(z => document.querySelector('.sheet .cell[data-id]') || document.querySelector('.mapel').dataset.zoom !== z, z, { timeout: 8000 })
        if (!(await page.locator('.sheet .cell[data-id]').count())) await settle(page)
      }
      assert.ok(clicks <= 3, `${clicks} clicks from the world to photos: ${trail.join(' → ')}`)
      await page.waitForSelector('.sheet .cell[data-id]')

      // A cluster of at most 20 photos opens them at once, where it is.
      await page.goto(srv.base + '/map')
      await settle(page)
      const z0 = await page.getAttribute('.mapel', 'data-zoom')
      const small = (await markers(page)).filter(m => m.n <= 20).sort((a, b) => b.n - a.n)[0]
      assert.ok(small, 'no cluster of 20 photos or fewer at world zoom')
      await page.mouse.click(small.x + small.w / 2, small.y + small.h / 2)
      await page.waitForSelector('.sheet .cell[data-id]')
      assert.equal(await page.getAttribute('.mapel', 'data-zoom'), z0, 'the map zoomed instead of showing the photos')
      await page.waitForFunction(n => document.querySelector('.sheet header b')?.textContent.startsWith(n + ' photo'), small.n)
      // Its header counts the cluster's photos (from the month counts the
      // grid lays out); the grid draws the rows in view.
      const cells = await page.$$eval('.sheet .cell[data-id]', cs => cs.length)
      assert.ok(cells >= Math.min(small.n, 4) && cells <= small.n, `the sheet of a ${small.n}-photo cluster shows ${cells} photos`)

      // The attribution stays visible and off the photos and the nav.
      const attr = await box(page, '.leaflet-control-attribution')
      const sheet = await box(page, '.sheet')
      const vpBox = { x: 0, y: 0, w: vp.width, h: vp.height }
      assert.ok(attr.w > 0 && attr.x >= 0 && attr.y >= 0 && attr.x + attr.w <= vp.width && attr.y + attr.h <= vp.height, `attribution ${JSON.stringify(attr)} is off screen`)
      assert.ok(!intersects(attr, sheet), `attribution ${JSON.stringify(attr)} covers the photo sheet ${JSON.stringify(sheet)}`)
      if (vp === PHONE) {
        const nav = await box(page, 'nav.nav')
        assert.ok(!intersects(attr, nav), 'attribution covers the bottom nav')
        assert.ok(!intersects(sheet, nav) && intersects(sheet, vpBox), 'the sheet is hidden by the nav')
      }
      const cellBox = await box(page, '.sheet .cell[data-id]')
      assert.ok(intersects(cellBox, sheet) && cellBox.y >= sheet.y, 'the first photo is outside its sheet')
      await shot(page, 'maps-sheet')
      await page.context().close()
    })

    test(`${kind}: at city zoom one line says how to get street detail, off the photos`, async () => {
      const page = await open(srv, vp, '/map?lat=52.52&lng=13.405&z=12')
      await settle(page)
      const hint = page.locator('.map-hint')
      await hint.waitFor()
      assert.match(await hint.innerText(), /online map.*tiles-url/)
      const h = await box(page, '.map-hint')
      const m = await box(page, '.mapel')
      assert.ok(h.h <= 28, `the hint is ${h.h}px tall: more than one line`)
      assert.ok(h.x >= m.x && h.y >= m.y && h.x + h.w <= m.x + m.w + 0.5 && h.y + h.h <= m.y + m.h + 0.5, 'the hint is not inside the map')
      const attr = await box(page, '.leaflet-control-attribution')
      assert.ok(!intersects(h, attr), 'the hint covers the attribution')
      for (const sel of ['.leaflet-control-zoom', '.places-bar']) assert.ok(!intersects(h, await box(page, sel)), `the hint covers ${sel}`)
      if (vp === PHONE) assert.ok(!intersects(h, await box(page, 'nav.nav')), 'the hint covers the nav')
      // Markers under it stay clickable: the hint lets clicks through.
      assert.equal(await page.$eval('.map-hint', e => getComputedStyle(e).pointerEvents), 'none')
      // The offline base map is not a flat colour at this zoom: its tiles
      // dot and name the towns around.
      const srcs = await page.$$eval('img.leaflet-tile-loaded', is => is.map(i => i.src))
      let marked = 0
      for (const src of srcs) {
        const t = decodePNG(await (await page.context().request.get(src)).body())
        const counts = new Map()
        for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) { const k = t.at(x, y).join(); counts.set(k, (counts.get(k) || 0) + 1) }
        // At least a town's dot (13 px) off the tile's main colour.
        if (t.width * t.height - Math.max(...counts.values()) >= 13) marked++
      }
      assert.ok(marked >= srcs.length / 2, `${marked} of ${srcs.length} city-zoom tiles show more than one flat colour`)
      await shot(page, 'maps-city')
      // At world zoom there is nothing to explain.
      await page.goto(srv.base + '/map')
      await settle(page)
      assert.equal(await page.locator('.map-hint').count(), 0, 'the hint shows at world zoom')
      await page.context().close()
    })

    test(`${kind}: one Places entry; its toggle switches between map and list`, async () => {
      const page = await open(srv, vp, '/')
      await page.waitForSelector('.cell[data-id]')
      const navSel = vp === PHONE ? 'nav.nav a' : 'nav.rail a'
      const names = await page.$$eval(navSel, as => as.map(a => a.textContent.trim()))
      let places = names.filter(n => /places/i.test(n))
      if (vp === PHONE) {
        await page.click('nav.nav a:has-text("More")')
        await page.waitForSelector('.list .row')
        places = places.concat(await page.$$eval('.list .row', rs => rs.map(r => r.textContent.trim()).filter(t => /places/i.test(t))))
      }
      assert.deepEqual(places, ['Places'], `entries naming places: ${JSON.stringify(places)}`)

      await page.click(`${navSel}:has-text("Places")`)
      await page.waitForSelector('.leaflet-marker-icon .cl')
      assert.equal(await page.getAttribute('.places-bar button:has-text("Map")', 'aria-pressed'), 'true')
      await page.click('.places-bar button:has-text("List")')
      await page.waitForSelector('.places .cards a.card')
      assert.equal(new URL(page.url()).pathname, '/places')
      assert.equal(await page.getAttribute('.places-bar button:has-text("List")', 'aria-pressed'), 'true')
      const cards = await page.$$eval('.places .cards a.card', cs => cs.map(c => ({ t: c.querySelector('b').textContent, n: parseInt(c.querySelector('small').textContent.replace(/\D/g, ''), 10) })))
      assert.ok(cards.length >= 5 && cards.every(c => c.t && c.n > 0), `list view: ${JSON.stringify(cards)}`)
      // The toggle is reachable and big enough to tap.
      for (const b of await page.$$eval('.places-bar .seg button', bs => bs.map(b => b.getBoundingClientRect().toJSON()))) {
        assert.ok(b.height >= 44 && b.right <= vp.width && b.left >= 0, `toggle button ${JSON.stringify(b)}`)
      }
      // The Places entry stays the current one in both views.
      assert.equal(await page.getAttribute(`${navSel}:has-text("Places")`, 'aria-current'), 'page')
      await shot(page, 'maps-places-list')
      await page.click('.places-bar button:has-text("Map")')
      await page.waitForSelector('.leaflet-marker-icon .cl')
      assert.equal(new URL(page.url()).pathname, '/map')
      await page.context().close()
    })
  }
})

describe('phone search', () => {
  let srv
  before(async () => { srv = await serveLibrary('search', originals => cpSync(corpus, join(originals, 'corpus'), { recursive: true })) })
  after(() => srv?.stop())

  const months = (page, q) => page.evaluate(async q => (await (await fetch('/api/v1/photos/months' + q)).json()).months.reduce((n, m) => n + m.count, 0), q)
  const shownCount = page => page.$eval('[aria-label="Result count"]', e => parseInt(e.textContent.replace(/\D/g, ''), 10))

  test('filter chips take one row; the Filters sheet narrows the camera list; picking filters the grid', async () => {
    const page = await open(srv, PHONE, '/search?q=jpg')
    await page.waitForSelector('.cell[data-id]')
    // One row: the chips' box is one chip tall (plus padding), every chip
    // on the same line, and the first photos start right under it.
    const row = await box(page, '.chips')
    const chips = await page.$$eval('.chips > .chip', cs => cs.map(c => c.getBoundingClientRect().toJSON()))
    const chipH = Math.max(...chips.map(c => c.height))
    assert.ok(chips.length >= 4, `${chips.length} chips`)
    assert.ok(row.h <= chipH + 20, `the chips take ${row.h}px for ${chipH}px chips: more than one row`)
    assert.ok(chips.every(c => Math.abs(c.top - chips[0].top) < 1), 'chips wrap onto a second line')
    assert.ok(chipH >= 44, `chips are ${chipH}px tall, under a 44px tap target`)
    const first = await box(page, '.cell[data-id]')
    // Under the chips: the title with the count, a month heading, photos.
    assert.ok(first.y < row.y + row.h + 120, `the first photo starts at ${first.y}px, far under the chips`)
    // A count of the results, the same as the photos in the grid.
    await page.waitForSelector('[aria-label="Result count"]:has-text("photo")')
    assert.equal(await shownCount(page), await months(page, '?q=jpg'))
    await shot(page, 'search-chips')

    await page.click('.chips button:has-text("Filters")')
    await page.waitForSelector('.fsheet')
    const sheet = await box(page, '.fsheet')
    assert.ok(sheet.x >= 0 && sheet.x + sheet.w <= PHONE.width + 0.5 && sheet.y >= 0 && sheet.y + sheet.h <= PHONE.height + 0.5, `the sheet ${JSON.stringify(sheet)} is not on screen`)
    const options = () => page.$$eval('[role=listbox][aria-label=Camera] [role=option]', os => os.map(o => o.querySelector('.grow').textContent))
    const all = await options()
    const cams = (await page.evaluate(async () => (await (await fetch('/api/v1/cameras')).json()).cameras)).length
    assert.ok(cams > 100, `the corpus has ${cams} cameras`)
    assert.ok(all.length >= 20 && all.length < cams, `the camera list shows ${all.length} of ${cams} before typing`)
    await page.locator('input[aria-label="Search camera list"]').scrollIntoViewIfNeeded()
    await page.fill('input[aria-label="Search camera list"]', 'eos 50')
    await page.waitForFunction(() => document.querySelectorAll('[role=listbox][aria-label=Camera] [role=option]').length < 5)
    const narrowed = await options()
    assert.ok(narrowed.length >= 1 && narrowed.every(o => /eos 50/i.test(o)), `typing "eos 50" left ${JSON.stringify(narrowed)}`)
    await shot(page, 'search-filters')
    const pick = page.locator('[role=listbox][aria-label=Camera] [role=option]').first()
    const pickBox = await pick.boundingBox()
    assert.ok(pickBox.height >= 44, 'camera entries are too small to tap')
    const model = (await pick.locator('.grow').textContent()).replace(/^Canon /, '')
    await pick.click()
    await page.waitForFunction(() => new URL(location.href).searchParams.get('camera'))
    const camera = new URL(page.url()).searchParams.get('camera')
    assert.ok(camera.endsWith(model), `picked ${model}, filtering by ${camera}`)
    await page.click('.fsheet footer .btn.primary')
    await page.waitForSelector('.fsheet', { state: 'detached' })
    const want = await months(page, '?q=jpg&camera=' + encodeURIComponent(camera))
    assert.ok(want > 0)
    await page.waitForFunction(n => document.querySelectorAll('.cell[data-id]').length === n, want)
    await page.waitForFunction(n => document.querySelector('[aria-label="Result count"]')?.textContent.startsWith(n + ' photo'), want)
    // The filter shows as a chip, still on one row.
    assert.ok(await page.locator(`.chips .chip-x:has-text("${camera}")`).count())
    assert.ok((await box(page, '.chips')).h <= chipH + 20)
    await page.context().close()
  })

  test('a typo finds nothing but offers the place the library knows', async () => {
    const page = await open(srv, PHONE, '/search?q=berln')
    await page.waitForSelector('.empty:has-text("No photos match")')
    const offer = page.locator('.did-you-mean a')
    await offer.waitFor()
    assert.equal(await offer.textContent(), 'Berlin')
    assert.match(await page.locator('.did-you-mean').innerText(), /^Did you mean Berlin\?$/)
    const ob = await offer.boundingBox()
    assert.ok(ob.height >= 40 && ob.y + ob.height < PHONE.height - 64, 'the offer is too small to tap or under the nav')
    await shot(page, 'search-did-you-mean')
    await offer.click()
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'Berlin')
    // The photos the corpus places in Berlin, all of them, and the count.
    const ids = await page.evaluate(async () => (await (await fetch('/api/v1/photos?q=Berlin&limit=100')).json()).photos.map(p => String(p.id)))
    assert.ok(ids.length >= 3, `Berlin: ${ids.length} photos`)
    await page.waitForFunction(n => document.querySelectorAll('.cell[data-id]').length === n, ids.length)
    const shown = await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id))
    assert.deepEqual(shown.sort(), ids.sort())
    await page.waitForFunction(n => document.querySelector('[aria-label="Result count"]')?.textContent === `${n} photos`, ids.length)
    await shot(page, 'search-berlin')
    await page.context().close()
  })
})

test('the browser talked to nothing but the Pinhole servers', () => {
  assert.deepEqual(requests.filter(u => !bases.some(b => u.startsWith(b + '/')) && !u.startsWith('data:') && !u.startsWith('blob:')), [])
})
