import { chromium } from 'playwright-core'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
const data = mkdtempSync('/tmp/walkdata-')
const port = 18077
const proc = spawn('/work/main/pinhole', ['serve', '--data', data, '--listen', `127.0.0.1:${port}`], { stdio: 'inherit' })
const base = `http://127.0.0.1:${port}`
for (let i = 0; i < 200; i++) { try { if ((await fetch(base + '/healthz')).ok) break } catch {} ; await new Promise(r => setTimeout(r, 300)) }
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
const out = '/tmp/walk/'
async function run(name, vp, opts = {}) {
  const ctx = await browser.newContext({ viewport: vp, deviceScaleFactor: opts.dpr || 1, hasTouch: !!opts.touch, isMobile: !!opts.touch, colorScheme: opts.scheme || 'dark' })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('page error', e.message))
  await page.goto(base + '/')
  await page.waitForTimeout(800)
  if (await page.locator('form[aria-label="Create the admin account"]').count()) {
    await page.screenshot({ path: out + name + '-setup.png' })
    await page.fill('input[name=username]', 'ana'); await page.fill('input[name=password]', 'a long passphrase'); await page.fill('input[name=password2]', 'a long passphrase')
    await page.click('button:has-text("Create account")')
  } else if (await page.locator('form[aria-label="Log in"]').count()) {
    await page.fill('input[name=username]', 'ana'); await page.fill('input[name=password]', 'a long passphrase'); await page.click('button:has-text("Log in")')
  }
  await page.waitForSelector('.cell[data-id]', { timeout: 60000 })
  await page.waitForTimeout(2500)
  await page.screenshot({ path: out + name + '-library.png' })
  const first = await page.locator('.cell[data-id]').nth(3)
  if (opts.touch) await first.tap(); else await first.click()
  await page.waitForSelector('.viewer')
  await page.waitForTimeout(1500)
  await page.screenshot({ path: out + name + '-viewer.png' })
  await page.keyboard.press('i'); await page.waitForTimeout(1200)
  await page.screenshot({ path: out + name + '-viewer-info.png' })
  await page.goBack(); await page.waitForTimeout(500)
  for (const [p, n] of [['/map', 'map'], ['/places?view=list', 'places'], ['/albums', 'albums'], ['/search?q=lisbon', 'search'], ['/settings', 'settings'], ['/problems', 'problems'], ['/more', 'more'], ['/recent', 'recent'], ['/calendar', 'calendar'], ['/folders', 'folders']]) {
    await page.goto(base + p); await page.waitForTimeout(2000)
    await page.screenshot({ path: out + name + '-' + n + '.png' })
  }
  await ctx.close()
}
try {
  await run('desk', { width: 1440, height: 900 })
  await run('phone', { width: 390, height: 844 }, { touch: true, dpr: 3, scheme: 'light' })
} finally { await browser.close(); proc.kill() }
