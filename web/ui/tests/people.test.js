// People from face tags in the browser: photos made here (ffmpeg draws a
// coloured square where each face is; the XMP that names it is written in
// the MWG and Microsoft dialects, embedded and in a sidecar, one photo turned
// by EXIF orientation 6) on a real `pinhole serve`. The People screen shows
// round avatars whose centre is the face's colour and whose box keeps its
// square aspect inside the viewport; tapping one opens the person's photos;
// `person:` search, the Person filter chip, rename, merge and hide work.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, DESKTOP, launch, PHONE, serve, shot, tempDir } from './lib.js'

const USER = 'pia', PASS = 'a long passphrase'
let srv, browser, dir

const W = 600, H = 400
// name → [file, colour, face in fractions of the stored picture, dialect, where, orientation]
const PHOTOS = [
  ['anna1.jpg', 'red', { name: 'Anna', x: 0.1, y: 0.15, w: 0.2, h: 0.3 }, 'mwg', 'embedded', 6],
  ['anna2.jpg', 'red', { name: 'Anna', x: 0.55, y: 0.2, w: 0.2, h: 0.3 }, 'mp', 'sidecar', 1],
  ['bo.jpg', 'lime', { name: 'Bo', x: 0.4, y: 0.4, w: 0.2, h: 0.3 }, 'mp', 'embedded', 1],
  ['carl.jpg', 'blue', { name: 'Carl', x: 0.3, y: 0.1, w: 0.15, h: 0.25 }, 'mwg', 'sidecar', 8],
]
const RGB = { red: [255, 0, 0], lime: [0, 255, 0], blue: [0, 0, 255] }

function xmp(dialect, f) {
  const head = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
  if (dialect === 'mp') {
    return head + `<rdf:Description rdf:about="" xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#" xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">
<MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag><rdf:li MPReg:PersonDisplayName="${f.name}" MPReg:Rectangle="${f.x}, ${f.y}, ${f.w}, ${f.h}"/></rdf:Bag></MPRI:Regions></MP:RegionInfo>
</rdf:Description></rdf:RDF></x:xmpmeta>`
  }
  return head + `<rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#">
<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:AppliedToDimensions stDim:w="${W}" stDim:h="${H}" stDim:unit="pixel"/><mwg-rs:RegionList><rdf:Bag>
<rdf:li><rdf:Description mwg-rs:Name="${f.name}" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="${f.x + f.w / 2}" stArea:y="${f.y + f.h / 2}" stArea:w="${f.w}" stArea:h="${f.h}" stArea:unit="normalized"/></rdf:Description></rdf:li>
</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>`
}

function withXMP(jpg, packet) {
  const body = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0'), Buffer.from(packet)])
  const head = Buffer.from([0xff, 0xe1, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([jpg.subarray(0, 2), head, body, jpg.subarray(2)])
}

before(async () => {
  dir = tempDir('people')
  const originals = join(dir, 'originals', 'family')
  mkdirSync(originals, { recursive: true })
  for (const [file, colour, f, dialect, where, orientation] of PHOTOS) {
    const out = join(dir, 'made-' + file)
    const box = `drawbox=x=${Math.round(f.x * W)}:y=${Math.round(f.y * H)}:w=${Math.round(f.w * W)}:h=${Math.round(f.h * H)}:color=${colour}:t=fill`
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x808070:s=${W}x${H}`, '-vf', box, '-frames:v', '1', '-q:v', '2', out])
    if (orientation !== 1) execFileSync('exiftool', ['-q', '-overwrite_original', `-Orientation#=${orientation}`, out])
    let jpg = readFileSync(out)
    if (where === 'embedded') jpg = withXMP(jpg, xmp(dialect, f))
    else writeFileSync(join(originals, file.replace('.jpg', '.xmp')), xmp(dialect, f))
    writeFileSync(join(originals, file), jpg)
  }
  srv = await serve({ originals: join(dir, 'originals'), data: join(dir, 'data') })
  browser = await launch()
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  const setup = await page.evaluate(async ([u, p]) => (await fetch('/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).status, [USER, PASS])
  assert.ok(setup >= 200 && setup < 300, `setup answered ${setup}`)
  const deadline = Date.now() + 90000
  let people = []
  while (Date.now() < deadline) {
    people = await page.evaluate(async () => (await (await fetch('/api/v1/people')).json()).people || [])
    if (people.length === 3 && people[0].count === 2) break
    await page.waitForTimeout(300)
  }
  assert.deepEqual(people.map(p => [p.name, p.count]), [['Anna', 2], ['Bo', 1], ['Carl', 1]])
  await ctx.close()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function open(vp) {
  const phone = vp.width < 600
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: phone ? 3 : 1, hasTouch: phone, isMobile: phone, colorScheme: 'dark' })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error:', e.message))
  await page.goto(srv.base + '/')
  await page.evaluate(async ([u, p]) => {
    const r = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })
    if (!r.ok) throw new Error('login: ' + r.status)
  }, [USER, PASS])
  return { ctx, page }
}

// avatars reads each person card on the People screen: its name, the
// avatar's box, and the colour at the avatar's centre as the browser drew it.
async function avatars(page) {
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('.people .person img.avatar')]
    return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)
  }, null, { timeout: 20000 })
  return page.$$eval('.people .person', cards => cards.map(a => {
    const img = a.querySelector('img.avatar')
    const r = img.getBoundingClientRect()
    const c = document.createElement('canvas')
    c.width = img.naturalWidth; c.height = img.naturalHeight
    const g = c.getContext('2d')
    g.drawImage(img, 0, 0)
    const px = [...g.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1, 1, 1).data.slice(0, 3)]
    return { name: a.querySelector('b').textContent, href: a.getAttribute('href'), box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
      radius: getComputedStyle(img).borderRadius, natural: [img.naturalWidth, img.naturalHeight], px }
  }))
}

for (const vp of [DESKTOP, PHONE]) {
  test(`People screen: round avatars on the face, tap opens the person (${vp.width}px)`, async () => {
    const { ctx, page } = await open(vp)
    await page.goto(srv.base + '/people')
    const cards = await avatars(page)
    await shot(page, 'people')
    assert.deepEqual(cards.map(c => c.name), ['Anna', 'Bo', 'Carl'])
    const want = { Anna: 'red', Bo: 'lime', Carl: 'blue' }
    for (const c of cards) {
      const b = c.box
      assert.ok(b.left >= 0 && b.top >= 0 && b.right <= vp.width && b.bottom <= vp.height, `${c.name}'s avatar ${JSON.stringify(b)} is outside the viewport`)
      assert.ok(Math.abs(b.width - b.height) <= 1, `${c.name}'s avatar is ${b.width}×${b.height}, not square`)
      assert.ok(b.width >= 44, `${c.name}'s avatar is ${b.width}px, too small to tap`)
      assert.equal(c.natural[0], c.natural[1], `${c.name}'s avatar image is not square: ${c.natural}`)
      assert.equal(c.radius, '50%', `${c.name}'s avatar is not round`)
      const rgb = RGB[want[c.name]]
      const d = c.px.reduce((s, v, i) => s + Math.abs(v - rgb[i]), 0)
      assert.ok(d < 120, `${c.name}'s avatar centre is rgb(${c.px}), want the face's ${want[c.name]}`)
    }
    // Tap the middle of Bo's avatar: Bo's page with Bo's one photo.
    const bo = cards.find(c => c.name === 'Bo')
    const x = (bo.box.left + bo.box.right) / 2, y = (bo.box.top + bo.box.bottom) / 2
    if (vp.width < 600) await page.touchscreen.tap(x, y)
    else await page.mouse.click(x, y)
    await page.waitForURL(u => u.pathname === bo.href)
    await page.waitForSelector('.person-head h1')
    assert.equal(await page.textContent('.person-head h1'), 'Bo')
    await page.waitForFunction(() => document.querySelectorAll('[role=grid] .cell[data-id]').length === 1, null, { timeout: 15000 })
    assert.match(await page.textContent('.person-head .muted'), /^1 photo/)
    const head = await page.$eval('.person-head .avatar', el => { const r = el.getBoundingClientRect(); return [r.width, r.height, r.right] })
    assert.ok(Math.abs(head[0] - head[1]) <= 1 && head[2] <= vp.width, `person page avatar ${head}`)
    await shot(page, 'person')
    await ctx.close()
  })
}

test('person: search, the Person filter, rename, merge and hide', async () => {
  const { ctx, page } = await open(DESKTOP)
  const count = () => page.waitForFunction(() => { const s = document.querySelector('[aria-label="Result count"]'); return s && s.textContent }).then(h => h.jsonValue())
  // person:Anna in the search box.
  await page.goto(srv.base + '/')
  await page.fill('.searchbox input', 'person:anna')
  await page.press('.searchbox input', 'Enter')
  await page.waitForURL(u => u.pathname === '/search')
  assert.equal(await count(), '2 photos')
  // The Person chip opens the Filters sheet at the Person list.
  await page.goto(srv.base + '/search')
  await page.click('.chips button:has-text("Person")')
  await page.click('[role=listbox][aria-label=Person] [role=option]:has-text("Bo")')
  await page.click('.fsheet footer .btn.primary')
  assert.equal(await count(), '1 photo')
  assert.ok(await page.isVisible('.chips .chip-label:has-text("Bo")'), 'no active Bo chip')
  await shot(page, 'people-search')

  const people = await page.evaluate(async () => (await (await fetch('/api/v1/people')).json()).people)
  const id = n => people.find(p => p.name === n).id
  // Rename Anna.
  await page.goto(srv.base + `/people/${id('Anna')}`)
  await page.click('.person-actions button:has-text("Rename")')
  await page.fill('.dialog input[name=name]', 'Anna Lind')
  await page.click('.dialog button.primary')
  await page.waitForFunction(() => document.querySelector('.person-head h1')?.textContent === 'Anna Lind')
  // Merge Bo into Anna Lind.
  await page.click('.person-actions button:has-text("Merge")')
  await page.click('.dialog .merge-list button:has-text("Bo")')
  await page.waitForFunction(() => /^3 photos/.test(document.querySelector('.person-head .muted')?.textContent || ''))
  // Hide Carl: gone from People, listed under Hidden people, and back.
  await page.goto(srv.base + `/people/${id('Carl')}`)
  await page.click('.person-actions button:has-text("Hide")')
  await page.waitForSelector('.person-actions button:has-text("Show")')
  await page.goto(srv.base + '/people')
  assert.deepEqual((await avatars(page)).map(c => c.name), ['Anna Lind'])
  await page.click('.page-head a:has-text("Hidden people")')
  await page.waitForURL(u => u.search === '?hidden=true')
  assert.deepEqual((await avatars(page)).map(c => c.name), ['Carl'])
  await page.click('.people .person')
  await page.click('.person-actions button:has-text("Show")')
  await page.waitForSelector('.person-actions button:has-text("Hide")')
  await page.goto(srv.base + '/people')
  assert.deepEqual((await avatars(page)).map(c => c.name), ['Anna Lind', 'Carl'])
  // The viewer's info panel names the people on a photo; the name opens them.
  const carlPhoto = await page.evaluate(async id => (await (await fetch('/api/v1/photos?person=' + id)).json()).photos[0].id, id('Carl'))
  await page.evaluate(() => localStorage.setItem('pinhole.info', '1'))
  await page.goto(srv.base + `/?photo=${carlPhoto}`)
  const chip = await page.waitForSelector('.info .photo-people a:has-text("Carl")')
  const box = await chip.boundingBox()
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= DESKTOP.width && box.y + box.height <= DESKTOP.height && box.height >= 44, `people chip ${JSON.stringify(box)}`)
  await shot(page, 'people-info')
  await chip.click()
  await page.waitForURL(u => u.pathname === `/people/${id('Carl')}`)
  await page.waitForFunction(() => document.querySelector('.person-head h1')?.textContent === 'Carl')
  await ctx.close()
})
