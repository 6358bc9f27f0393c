// The timeline on a generated 100,000-photo library: the first photos show
// within 1 s of loading the page, and the scrubber jumps to 2010 and shows
// its photos within 1 s. Times are measured inside the browser. Then the
// scrubber is dragged, with a mouse on a desktop and a finger on a phone:
// the grid lands in the month its bubble named, and its year labels never
// overlap.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { touchDrag } from './gestures.js'
import { cleanup, DESKTOP, launch, PHONE, repo, serve, shot, tempDir } from './lib.js'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

const N = 100000
let srv, browser, dir

before(async () => {
  dir = tempDir('100k')
  const data = join(dir, 'data'), originals = join(dir, 'originals')
  mkdirSync(originals)
  const t0 = Date.now()
  execFileSync('go', ['run', '-tags', 'sqlite_fts5 synthetic', './scripts/genlib', '-data', data, '-n', String(N)], { cwd: repo, stdio: 'inherit' })
  console.log(`generated ${N} photos in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  srv = await serve({ originals, data, args: ['--demo=false'] })
  browser = await launch()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

// firstVisible is installed before the page's own scripts run: it notes the
// moment the first photo cell inside the viewport exists.
function firstVisible() {
  window.__firstCell = 0
  const check = () => {
    if (window.__firstCell) return
    for (const c of document.querySelectorAll('.cell[data-id]')) {
      const r = c.getBoundingClientRect()
      if (r.bottom > 0 && r.top < innerHeight && r.width > 0) { window.__firstCell = performance.now(); return }
    }
    requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
}

test('100k library: first photos within 1 s, scrubber to 2010 within 1 s', async () => {
  const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  await page.fill('input[name=username]', 'ana')
  await page.fill('input[name=password]', 'a long passphrase')
  await page.fill('input[name=password2]', 'a long passphrase')
  await page.click('button:has-text("Create account")')
  await page.waitForSelector('.cell[data-id]')

  // A fresh load, as someone opening Pinhole (logged in already).
  await page.addInitScript(firstVisible)
  const runs = []
  for (let i = 0; i < 3; i++) {
    await page.goto(srv.base + '/')
    await page.waitForFunction(() => window.__firstCell > 0, null, { timeout: 10000 })
    runs.push(await page.evaluate(() => window.__firstCell))
  }
  // The median of three loads: one slow run on a shared machine is noise.
  const first = runs.slice().sort((a, b) => a - b)[1]
  console.log(`first photos visible after ${runs.map(r => r.toFixed(0)).join(', ')} ms (median ${first.toFixed(0)} ms) on ${N} photos`)

  const cells = await page.locator('.cell').count()
  assert.ok(cells > 0 && cells < 600, `${cells} photo cells in the DOM: the grid is not virtualised`)
  const months = await page.locator('.sec').count()
  assert.ok(months < 40, `${months} month sections in the DOM`)

  // A real mouse click on the 2010 label.
  const label = page.locator('.scrubber [aria-label="Jump to 2010"]')
  assert.equal(await label.count(), 1, 'no 2010 label on the scrubber')
  const lb = await label.boundingBox()
  await page.evaluate(() => { window.__clicked = 0; document.querySelector('.scrubber').addEventListener('pointerup', () => { window.__clicked = performance.now() }, { once: true }) })
  await page.mouse.click(lb.x + lb.width / 2, lb.y + lb.height / 2)
  const jump = await page.evaluate(async () => {
    const scroller = document.querySelector('.grid-scroll')
    const t0 = window.__clicked
    if (!t0) return { error: 'the click did not reach the scrubber' }
    return await new Promise(resolve => {
      const check = () => {
        const box = scroller.getBoundingClientRect()
        for (const c of document.querySelectorAll('.sec[aria-label$=" 2010"] .cell[data-id]')) {
          const r = c.getBoundingClientRect()
          if (r.bottom > box.top && r.top < box.bottom) return resolve({ ms: performance.now() - t0, label: c.closest('.sec').getAttribute('aria-label') })
        }
        if (performance.now() - t0 > 10000) return resolve({ error: 'no 2010 photo became visible in 10 s' })
        requestAnimationFrame(check)
      }
      check()
    })
  })
  assert.ok(!jump.error, jump.error)
  console.log(`scrubber jump to 2010 (${jump.label}): photos visible after ${jump.ms.toFixed(0)} ms`)
  await shot(page, 'timeline-100k-2010')
  assert.ok(first <= 1000, `first photos took ${first.toFixed(0)} ms (limit 1000 ms)`)
  assert.ok(jump.ms <= 1000, `scrubber jump took ${jump.ms.toFixed(0)} ms (limit 1000 ms)`)
  await ctx.close()
})

// visibleMonth waits until cells of the month named by a bubble are on
// screen and returns how many.
async function monthOnScreen(page, bubble) {
  const name = `${MONTHS[bubble.month - 1]} ${bubble.year}`
  await page.waitForFunction(name => {
    const box = document.querySelector('.grid-scroll').getBoundingClientRect()
    return [...document.querySelectorAll(`.sec[aria-label="${name}"] .cell[data-id]`)].some(c => {
      const r = c.getBoundingClientRect()
      return r.bottom > box.top + 50 && r.top < box.bottom
    })
  }, name, { timeout: 10000 }).catch(() => {})
  return page.evaluate(name => {
    const box = document.querySelector('.grid-scroll').getBoundingClientRect()
    const on = [...document.querySelectorAll('.sec .cell[data-id]')].filter(c => { const r = c.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom })
    return { name, mine: on.filter(c => c.closest('.sec').getAttribute('aria-label') === name).length, months: [...new Set(on.map(c => c.closest('.sec').getAttribute('aria-label')))] }
  }, name)
}

const bubbleNow = page => page.evaluate(() => {
  const b = document.querySelector('.scrubber .bubble')
  return b ? { year: +b.dataset.year, month: +b.dataset.month, text: b.textContent, box: b.getBoundingClientRect().toJSON() } : null
})

test('100k library: a mouse drag on the scrubber, starting on a year label, lands in the month its bubble names; labels never overlap', async () => {
  const ctx = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })
  await ctx.request.post(srv.base + '/api/v1/session', { data: { username: 'ana', password: 'a long passphrase' } })
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  await page.waitForSelector('.scrubber .yr')

  const labels = await page.$$eval('.scrubber .yr', els => els.map(e => ({ year: e.textContent, ...e.getBoundingClientRect().toJSON() })))
  assert.ok(labels.length >= 10, `only ${labels.length} year labels for 25 years`)
  for (let i = 1; i < labels.length; i++) {
    const a = labels[i - 1], b = labels[i]
    assert.ok(a.bottom <= b.top, `year labels ${a.year} and ${b.year} overlap (${a.top.toFixed(0)}–${a.bottom.toFixed(0)}, ${b.top.toFixed(0)}–${b.bottom.toFixed(0)})`)
  }
  assert.equal(await page.locator('.scrubber .dot').count(), 0, 'unlabelled dots on the scrubber')
  const pos = await page.$eval('.scrubber .pos', e => e.getBoundingClientRect().toJSON())
  for (const l of labels) assert.ok(pos.left >= l.right || pos.bottom <= l.top || pos.top >= l.bottom, `the position mark crosses the ${l.year} label`)

  // Take hold of a label near the top and drag to the middle of the strip.
  const strip = await page.$eval('.scrubber', e => e.getBoundingClientRect().toJSON())
  const start = labels[1]
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2)
  await page.mouse.down()
  await page.mouse.move(start.x + start.width / 2, strip.top + strip.height / 2, { steps: 15 })
  await page.waitForTimeout(100)
  const bubble = await bubbleNow(page)
  await shot(page, 'scrubber-drag')
  await page.mouse.up()
  assert.ok(bubble, 'no bubble while dragging')
  assert.ok(bubble.year >= 2010 && bubble.year <= 2014, `the middle of 2000–2024 is ${bubble.text}`)
  const on = await monthOnScreen(page, bubble)
  assert.ok(on.mine > 0, `the bubble said ${bubble.text}, the grid shows ${on.months.join(', ')}`)
  await shot(page, 'scrubber-after-drag')

  // Hovering names the month under the pointer without scrolling.
  const top = await page.$eval('.grid-scroll', e => e.scrollTop)
  await page.mouse.move(strip.left + strip.width / 2, strip.top + strip.height * 0.9)
  const hover = await bubbleNow(page)
  assert.ok(hover && hover.year <= 2004, `hovering near the bottom shows ${hover?.text}`)
  assert.equal(await page.$eval('.grid-scroll', e => e.scrollTop), top, 'hovering scrolled the grid')
  await ctx.close()
})

test('100k library: a finger drags the phone scrubber handle to the month its bubble names', async () => {
  const ctx = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 3, colorScheme: 'dark' })
  await ctx.request.post(srv.base + '/api/v1/session', { data: { username: 'ana', password: 'a long passphrase' } })
  const page = await ctx.newPage()
  await page.goto(srv.base + '/')
  await page.waitForSelector('.cell[data-id]')
  // The handle is hidden until the grid scrolls, and then appears.
  assert.equal(await page.$eval('.scrubber .handle', e => getComputedStyle(e).opacity), '0', 'the handle shows before any scrolling')
  await page.evaluate(() => { document.querySelector('.grid-scroll').scrollTop += 600 })
  await page.waitForSelector('.scrubber.active')
  await page.waitForTimeout(300)
  const h = await page.$eval('.scrubber .handle', e => e.getBoundingClientRect().toJSON())
  assert.ok(h.right <= PHONE.width + 1 && h.width >= 40 && h.height >= 44, `handle ${h.width}×${h.height} at ${h.left}`)
  const strip = await page.$eval('.scrubber', e => e.getBoundingClientRect().toJSON())
  const from = { x: h.left + h.width / 2, y: h.top + h.height / 2 }
  const bubble = await touchDrag(page, from, { x: from.x, y: strip.top + strip.height / 2 }, {
    during: async p => { const b = await bubbleNow(p); await shot(p, 'scrubber-touch'); return b },
  })
  assert.ok(bubble, 'no bubble while dragging the handle')
  assert.ok(bubble.box.left >= 0 && bubble.box.right <= PHONE.width, 'the bubble is off screen')
  assert.ok(bubble.year >= 2009 && bubble.year <= 2015, `the middle of 2000–2024 is ${bubble.text}`)
  const on = await monthOnScreen(page, bubble)
  assert.ok(on.mine > 0, `the bubble said ${bubble.text}, the grid shows ${on.months.join(', ')}`)
  // Once scrolling stops the handle goes, and taps reach the photos again.
  await page.waitForFunction(() => !document.querySelector('.scrubber.active'), null, { timeout: 5000 })
  await ctx.close()
})
