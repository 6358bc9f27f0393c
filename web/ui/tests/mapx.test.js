// Map extras (issue 17, item 6) against a real `pinhole serve` on the
// offline base map: the heatmap layer, and GPX tracks with the locations
// they suggest for photos without GPS.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { binary, cleanup, DESKTOP, launch, library, PHONE, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
let browser, dir

before(async () => {
  dir = tempDir('mapx')
  browser = await launch()
})
after(async () => {
  await browser?.close()
  cleanup(dir)
})

// withAdmin serves a library (lib.js) with this suite's admin.
const withAdmin = (name, fill) => library(dir, name, fill, { username: USER, password: PASS })

async function open(srv, vp, path) {
  const ctx = await browser.newContext({ viewport: vp, colorScheme: 'dark', hasTouch: vp.width < 600, isMobile: vp.width < 600 })
  const r = await ctx.request.post(srv.base + '/api/v1/session', { data: { username: USER, password: PASS } })
  assert.ok(r.ok(), 'login: ' + r.status())
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  if (path) await page.goto(srv.base + path)
  return page
}

const box = (page, sel) => page.$eval(sel, e => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height } })

async function settled(page) {
  await page.waitForSelector('.mapel:not([data-busy])', { timeout: 20000 })
  await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim'), null, { timeout: 10000 })
  await page.waitForTimeout(300)
}

// heatShare is the share of the heat canvas's pixels that are coloured.
const heatShare = page => page.$eval('canvas.heat-layer', c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
  let n = 0
  for (let i = 3; i < d.length; i += 4) if (d[i] > 40) n++
  return n / (d.length / 4)
})

describe('heatmap', () => {
  let srv
  before(async () => {
    srv = await withAdmin('heat', originals => {
      execFileSync(binary(), ['demo', '--out', join(originals, 'family'), '--count', '120', '--megapixels', '0.1-0.2'], { stdio: 'ignore' })
    })
  })
  after(() => srv?.stop())

  for (const vp of [DESKTOP, PHONE]) {
    const kind = vp === PHONE ? 'phone' : 'desktop'
    test(`${kind}: the heatmap toggle swaps the markers for a heat layer over the whole map, and is remembered`, async () => {
      const page = await open(srv, vp, '/map')
      await page.waitForSelector('.leaflet-marker-icon .cl', { timeout: 20000 })
      await settled(page)
      const toggle = page.getByRole('button', { name: 'Heatmap' })
      const tb = await toggle.boundingBox()
      assert.ok(tb.width >= 44 && tb.height >= 44, `toggle is ${tb.width}×${tb.height} px`)
      const m = await box(page, '.mapel')
      assert.ok(tb.x >= m.x && tb.y >= m.y && tb.x + tb.width <= m.x + m.w && tb.y + tb.height <= m.y + m.h, 'toggle inside the map')
      // Not on Leaflet's zoom buttons.
      const z = await box(page, '.leaflet-control-zoom')
      assert.ok(tb.x > z.x + z.w || tb.y > z.y + z.h, 'toggle covers the zoom buttons')
      // The zoom buttons are big enough for a finger.
      for (const b of await page.$$eval('.leaflet-control-zoom a', as => as.map(a => a.getBoundingClientRect()).map(r => [r.width, r.height]))) {
        assert.ok(b[0] >= 44 && b[1] >= 44 || vp !== PHONE, `a zoom button is ${b[0]}×${b[1]} px on a phone`)
      }
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false')

      await toggle.click()
      await page.waitForSelector('canvas.heat-layer')
      await settled(page)
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true')
      const c = await box(page, 'canvas.heat-layer')
      for (const [k, d] of [['x', c.x - m.x], ['y', c.y - m.y], ['w', c.w - m.w], ['h', c.h - m.h]]) assert.ok(Math.abs(d) <= 1, `heat canvas ${k} off the map's by ${d} px`)
      assert.equal(await page.locator('.leaflet-marker-icon .cl').count(), 0, 'markers still drawn over the heat')
      const share = await heatShare(page)
      assert.ok(share > 0.002 && share < 0.9, `${(share * 100).toFixed(2)}% of the map is heat`)
      // The offline base map is still under it.
      assert.ok(await page.locator('img.leaflet-tile-loaded').count() > 0, 'no base map tiles under the heat')
      await shot(page, 'mapx-heat')

      // Kept across a reload, and after zooming in the heat is redrawn
      // for the new view.
      await page.reload()
      await page.waitForSelector('canvas.heat-layer', { timeout: 20000 })
      await settled(page)
      assert.equal(await page.getByRole('button', { name: 'Heatmap' }).getAttribute('aria-pressed'), 'true', 'heatmap choice not kept')
      await page.waitForFunction(() => {
        const c = document.querySelector('canvas.heat-layer')
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
        for (let i = 3; i < d.length; i += 4) if (d[i] > 40) return true
        return false
      }, null, { timeout: 10000 })

      // Off again: markers come back.
      await page.getByRole('button', { name: 'Heatmap' }).click()
      await page.waitForSelector('.leaflet-marker-icon .cl', { timeout: 10000 })
      assert.equal(await page.locator('canvas.heat-layer').count(), 0)
      await page.context().close()
    })
  }
})

// gpx is a GPX 1.1 walk: a point a minute from 09:00 UTC for an hour,
// going north-east from Zürich's old town.
function gpx() {
  const t0 = Date.UTC(2024, 5, 1, 9, 0, 0)
  let pts = ''
  for (let i = 0; i <= 60; i++) {
    pts += `<trkpt lat="${(47.37 + i * 0.0005).toFixed(6)}" lon="${(8.54 + i * 0.001).toFixed(6)}"><time>${new Date(t0 + i * 60000).toISOString().replace('.000', '')}</time></trkpt>\n`
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Morning walk</name><trkseg>\n${pts}</trkseg></trk></gpx>\n`
}

// jpeg makes a small photo with a taken time (and a position, when given).
function jpeg(out, local, offset, gps) {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x607080:s=320x240', '-frames:v', '1', '-q:v', '3', out])
  const tags = [`-DateTimeOriginal=${local}`, `-OffsetTimeOriginal=${offset}`]
  if (gps) tags.push(`-GPSLatitude=${gps[0]}`, '-GPSLatitudeRef=N', `-GPSLongitude=${gps[1]}`, '-GPSLongitudeRef=E')
  execFileSync('exiftool', ['-q', '-overwrite_original', ...tags, out])
}

describe('tracks', () => {
  let srv
  before(async () => {
    srv = await withAdmin('tracks', originals => {
      const walk = join(originals, 'walk')
      mkdirSync(walk, { recursive: true })
      writeFileSync(join(walk, 'Morning walk.gpx'), gpx())
      jpeg(join(walk, 'lake.jpg'), '2024:06:01 10:00:00', '+02:00', [47.36, 8.54])
      jpeg(join(walk, 'a.jpg'), '2024:06:01 11:15:30', '+02:00')
      jpeg(join(walk, 'b.jpg'), '2024:06:01 11:40:00', '+02:00')
    })
  })
  after(() => srv?.stop())

  const photos = async () => {
    const r = await fetch(srv.base + '/api/v1/photos', { headers: { Cookie: srv.cookie } })
    return (await r.json()).photos
  }

  test('desktop: the tracks toggle draws the walk where it was, and is remembered', async () => {
    const page = await open(srv, DESKTOP, '/map?lat=47.385&lng=8.57&z=13')
    await settled(page)
    const toggle = page.getByRole('button', { name: 'Tracks' })
    const tb = await toggle.boundingBox()
    assert.ok(tb.width >= 44 && tb.height >= 44, `toggle is ${tb.width}×${tb.height} px`)
    await toggle.click()
    await page.waitForSelector('.mapel[data-tracks="1"] path.track-line', { timeout: 15000 })
    const m = await box(page, '.mapel')
    const line = await box(page, 'path.track-line')
    // The walk spans 0.03° north and 0.06° east: at zoom 13 a few hundred
    // pixels, all of it inside the map.
    assert.ok(line.w > 200 && line.h > 100, `track line ${JSON.stringify(line)}`)
    assert.ok(line.x >= m.x && line.y >= m.y && line.x + line.w <= m.x + m.w && line.y + line.h <= m.y + m.h, 'track line outside the map')
    await shot(page, 'mapx-tracks')
    await page.reload()
    await page.waitForSelector('.mapel[data-tracks="1"] path.track-line', { timeout: 15000 })
    assert.equal(await page.getByRole('button', { name: 'Tracks' }).getAttribute('aria-pressed'), 'true', 'tracks choice not kept')
    // A click on the track lists the photos taken while it recorded.
    const list = await photos()
    const during = list.filter(p => ['2024-06-01 11:15:30', '2024-06-01 11:40:00'].includes(p.taken_local)).map(p => String(p.id)).sort()
    assert.equal(during.length, 2)
    await page.locator('path.track-line').first().dispatchEvent('click')
    await page.waitForURL(/\/search\?.*after=/, { timeout: 5000 })
    await page.waitForSelector('.cell[data-id]')
    await page.waitForTimeout(300)
    const shown = (await page.$$eval('.cell[data-id]', cs => cs.map(c => c.dataset.id))).sort()
    assert.deepEqual(shown, during, 'the track opened other photos than those taken along it')
    await page.context().close()
  })

  test('desktop: the info panel suggests the place from the track, and Accept all places both photos', async () => {
    const list = await photos()
    const a = list.find(p => p.taken_local === '2024-06-01 11:15:30'), b = list.find(p => p.taken_local === '2024-06-01 11:40:00')
    assert.ok(a && b && a.lat == null && b.lat == null, 'photos a and b without a position')
    const page = await open(srv, DESKTOP)
    await page.goto(srv.base + '/')
    await page.evaluate(() => localStorage.setItem('pinhole.info', '1'))
    await page.goto(srv.base + `/?photo=${a.id}`)
    const sg = await page.waitForSelector('.info .track-suggest', { timeout: 15000 })
    assert.match(await sg.textContent(), /Suggested place from track Morning walk/)
    const all = page.getByRole('button', { name: 'Accept all 2 from this track' })
    const one = page.getByRole('button', { name: 'Accept', exact: true })
    for (const bt of [all, one]) {
      const r = await bt.boundingBox()
      assert.ok(r.height >= 44 && r.x >= 0 && r.y >= 0 && r.x + r.width <= DESKTOP.width && r.y + r.height <= DESKTOP.height, `button ${JSON.stringify(r)}`)
    }
    await shot(page, 'mapx-suggest')
    await all.click()
    // The panel now shows the place set, with its map.
    await page.waitForSelector('.info .track-suggest', { state: 'detached', timeout: 10000 })
    await page.waitForSelector('.info a:has-text("Show on map")', { timeout: 10000 })
    const after = await photos()
    // 09:15:30 UTC is half way between the 15th and 16th minute's points.
    const pa = after.find(p => p.id === a.id), pb = after.find(p => p.id === b.id)
    assert.ok(Math.abs(pa.lat - (47.37 + 15.5 * 0.0005)) < 1e-5 && Math.abs(pa.lng - (8.54 + 15.5 * 0.001)) < 1e-5, `a placed at ${pa.lat},${pa.lng}`)
    assert.ok(Math.abs(pb.lat - (47.37 + 40 * 0.0005)) < 1e-5 && Math.abs(pb.lng - (8.54 + 40 * 0.001)) < 1e-5, `b placed at ${pb.lat},${pb.lng}`)
    await page.context().close()
  })
})
