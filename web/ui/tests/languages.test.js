// Languages, as a person meets them: a browser set to German gets
// Pinhole in German from the first screen — words, month names, numbers
// and the server's own error messages — with no English left over and no
// German word spilling out of its button on a phone; a person can choose
// another language in Settings, it stays chosen after a reload, and
// "Browser's language" gives the browser's back. Real `pinhole serve`
// over corpus photos; Debian's chromium.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corpus, DESKTOP, launch, PHONE, serve, setupAdmin, shot, tempDir } from './lib.js'

const USER = 'ana', PASS = 'a long passphrase'
const FILES = {
  'Camera/iptc-2021.jpg': 'photoprism/internal/meta/testdata/iptc-2021.jpg',
  'Camera/digikam.jpg': 'photoprism/internal/meta/testdata/digikam.jpg',
  'Camera/iptc-2019.jpg': 'photoprism/internal/meta/testdata/iptc-2019.jpg',
  'Camera/IMG_4120.JPG': 'photoprism/assets/examples/IMG_4120.JPG',
  'Camera/ship.jpg': 'photoprism/internal/meta/testdata/ship.jpg',
}
let dir, srv, browser

// The catalogs, as the app has them: web app (per namespace) and server.
const locales = join(import.meta.dirname, '..', 'src', 'locales')
function catalog(lang) {
  const out = {}
  for (const f of readdirSync(join(locales, lang)).filter(f => f.endsWith('.json'))) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(locales, lang, f), 'utf8')))) out[f.slice(0, -5) + '.' + k] = v
  }
  return out
}
const server = lang => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'locales', lang + '.json'), 'utf8'))
const EN = catalog('en')
// say finds the message whose English is text and gives it in lang.
function say(lang, text) {
  const cat = catalog(lang)
  const key = Object.keys(EN).find(k => EN[k] === text)
  assert.ok(key, `no message says "${text}" in English`)
  return cat[key]
}

before(async () => {
  dir = tempDir('languages')
  const root = join(dir, 'originals')
  for (const [rel, src] of Object.entries(FILES)) {
    mkdirSync(join(root, rel, '..'), { recursive: true })
    copyFileSync(join(corpus, src), join(root, rel))
  }
  srv = await serve({ originals: root, data: join(dir, 'data') })
  await setupAdmin(srv, USER, PASS)
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
  cleanup(dir)
})

async function context(vp, locale) {
  const phone = vp === PHONE
  return browser.newContext({ viewport: vp, locale, colorScheme: 'dark', deviceScaleFactor: phone ? 2 : 1, hasTouch: phone, isMobile: phone })
}

// leftovers lists visible text on the page that is an English message
// which the language words differently: words the code did not translate.
async function leftovers(page, lang) {
  const cat = catalog(lang)
  // (A word both languages have — Italian "Create", created — is not one.)
  const own = new Set(Object.values(cat).filter(v => typeof v === 'string'))
  const english = new Set(Object.keys(EN).filter(k => typeof EN[k] === 'string' && !/\{/.test(EN[k]) && EN[k] !== cat[k] && !own.has(EN[k]) && /\p{L}{3,}/u.test(EN[k])).map(k => EN[k]))
  const texts = await page.evaluate(() => {
    const out = []
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    while (walk.nextNode()) {
      const n = walk.currentNode, el = n.parentElement
      const t = n.textContent.trim()
      if (!t || !el || !el.checkVisibility?.()) continue
      out.push(t)
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (!el.checkVisibility?.()) continue
      for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim())
    }
    return out
  })
  return [...new Set(texts.filter(t => english.has(t)))]
}

// spills lists buttons, links and tabs whose words do not fit their box,
// or that leave the screen.
async function spills(page) {
  return page.evaluate(() => {
    const out = []
    for (const el of document.querySelectorAll('button, a.btn, nav a, [role=tab], .chip, label.field > span')) {
      if (!el.checkVisibility?.()) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      const text = el.innerText.trim()
      if (!text) continue
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).textOverflow !== 'ellipsis') out.push(`"${text}" needs ${el.scrollWidth}px, has ${el.clientWidth}px`)
      // Rows that scroll sideways (the search chips) may run past the edge.
      let scroller = el.parentElement
      while (scroller && !/auto|scroll/.test(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement
      if (!scroller && (r.left < -1 || r.right > innerWidth + 1)) out.push(`"${text}" is off screen (${Math.round(r.left)}–${Math.round(r.right)} of ${innerWidth})`)
    }
    return out
  })
}

for (const vp of [PHONE, DESKTOP]) {
  const kind = vp === PHONE ? 'phone' : 'desktop'
  test(`${kind}: a German browser gets Pinhole in German, the server's words too`, async () => {
    const ctx = await context(vp, 'de-DE')
    const page = await ctx.newPage()
    await page.goto(srv.base + '/')
    await page.waitForSelector('form input[name=password]')
    assert.equal(await page.getAttribute('html', 'lang'), 'de')
    assert.equal((await page.locator('form button.primary').innerText()).trim(), say('de', 'Log in'))
    assert.deepEqual(await leftovers(page, 'de'), [], 'English words on the login page')

    // A wrong password: the server says so in German.
    await page.fill('input[name=username]', USER)
    await page.fill('input[name=password]', 'not the password')
    await page.click('form button.primary')
    await page.waitForFunction(t => document.body.innerText.includes(t), server('de')['wrong user name or password'])

    await page.fill('input[name=password]', PASS)
    await page.click('form button.primary')
    await page.waitForSelector('.cell[data-id] img.ld')
    // The navigation and the month headings are German; months as Intl
    // names them in German.
    const nav = vp === PHONE ? 'nav.nav' : 'nav.rail'
    const labels = (await page.locator(`${nav} a`).allInnerTexts()).map(s => s.trim())
    assert.ok(labels.includes(say('de', 'Library')) && labels.includes(say('de', 'Albums')), `navigation: ${labels.join(', ')}`)
    const months = await (await ctx.request.get(srv.base + '/api/v1/photos/months')).json()
    const { year: y, month: m } = months.months[0]
    const german = new Intl.DateTimeFormat('de', { month: 'long' }).format(new Date(y, m - 1, 1))
    const body = await page.locator('main').innerText()
    assert.ok(body.includes(german), `the newest month (${y}-${m}) is not called ${german}: ${body.slice(0, 300)}`)
    assert.deepEqual(await leftovers(page, 'de'), [], 'English words in the library')
    assert.deepEqual(await spills(page), [], 'German words that do not fit')
    await shot(page, 'lang-de-library')

    // The other screens: no English left, nothing spilling.
    for (const path of ['/albums', '/more', '/settings', '/trash', '/search?q=ship']) {
      await page.goto(srv.base + path)
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(300)
      assert.deepEqual(await leftovers(page, 'de'), [], `English words on ${path}`)
      if (path === '/settings') {
        // The server's own sentence: uploads are off on read-only originals.
        const off = Object.entries(server('de')).find(([en]) => en.startsWith('Uploads are off because the photo folder is read-only'))[1]
        assert.ok((await page.locator('main').innerText()).includes(off.slice(0, 40)), 'the server says why uploads are off in English')
      }
      assert.deepEqual(await spills(page), [], `German words that do not fit on ${path}`)
      await shot(page, 'lang-de' + path.replace(/[/?=]/g, '-'))
    }
    await ctx.close()
  })
}

test('the language setting: chosen, kept after a reload, and back to the browser\'s', async () => {
  const ctx = await context(PHONE, 'en-US')
  const r = await ctx.request.post(srv.base + '/api/v1/session', { data: { username: USER, password: PASS } })
  assert.ok(r.ok())
  const page = await ctx.newPage()
  await page.goto(srv.base + '/settings')
  const select = page.getByTestId('language')
  await select.waitFor()
  assert.equal(await page.getAttribute('html', 'lang'), 'en')
  const sel = await select.boundingBox()
  assert.ok(sel.height >= 40 && sel.x >= 0 && sel.x + sel.width <= PHONE.width, `the language picker ${JSON.stringify(sel)} is too small or off screen`)
  await select.selectOption('fr')
  await page.waitForFunction(() => document.documentElement.lang === 'fr')
  const nav = async () => (await page.locator('nav.nav a').allInnerTexts()).map(s => s.trim())
  assert.ok((await nav()).includes(say('fr', 'Library')), `after choosing French: ${(await nav()).join(', ')}`)
  assert.deepEqual(await leftovers(page, 'fr'), [], 'English words after choosing French')
  // The server's sentence on why uploads are off follows, without a reload.
  const off = Object.entries(server('fr')).find(([en]) => en.startsWith('Uploads are off because the photo folder is read-only'))[1]
  await page.waitForFunction(t => document.querySelector('main').innerText.includes(t), off.slice(0, 40), { timeout: 5000 })
  await shot(page, 'lang-fr-settings')

  await page.reload()
  await page.waitForSelector('nav.nav a')
  assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'the choice did not survive a reload')
  assert.ok((await nav()).includes(say('fr', 'Library')))

  // Back to the browser's language (English here).
  await page.getByTestId('language').selectOption('')
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  assert.ok((await nav()).includes('Library'))
  await page.reload()
  await page.waitForSelector('nav.nav a')
  assert.equal(await page.getAttribute('html', 'lang'), 'en')
  await ctx.close()
})

// Every language, on a phone and a desktop: the navigation, the library's
// top bar and the settings fit, with no English left in them.
test('every language fits the navigation and settings on both sizes', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    const ctx = await context(vp, 'en-US')
    const r = await ctx.request.post(srv.base + '/api/v1/session', { data: { username: USER, password: PASS } })
    assert.ok(r.ok())
    const page = await ctx.newPage()
    for (const lang of ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt']) {
      await page.goto(srv.base + '/')
      await page.evaluate(l => localStorage.setItem('pinhole.lang', l), lang)
      for (const path of ['/', '/settings', '/more']) {
        await page.goto(srv.base + path)
        await page.waitForFunction(l => document.documentElement.lang === l, lang)
        await page.waitForLoadState('networkidle')
        await page.waitForTimeout(200)
        assert.deepEqual(await spills(page), [], `${lang} on ${path} (${vp.width} px): words that do not fit`)
        if (lang !== 'en') assert.deepEqual(await leftovers(page, lang), [], `${lang} on ${path}: English words`)
      }
    }
    await ctx.close()
  }
})
