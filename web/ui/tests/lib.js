// Shared helpers for the browser tests: start a real `pinhole serve`, launch
// Debian's chromium through playwright-core, record every request the
// browser makes, and write screenshots to artifacts/screenshots.
import { spawn, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, existsSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

export const repo = resolve(import.meta.dirname, '../../..')
// The shared camera corpus beside the checkout; PINHOLE_CORPUS overrides it,
// as for the Go tests and the release scripts.
export const corpus = resolve(process.env.PINHOLE_CORPUS || resolve(repo, '../shared/corpus'))
export const shots = join(repo, 'artifacts/screenshots')
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1440, height: 900 }

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `pinhole-${name}-`))
}

// binary returns PINHOLE_BIN or builds one into a temp folder (the UI must be
// built first: `make ui`).
export function binary() {
  if (process.env.PINHOLE_BIN && existsSync(process.env.PINHOLE_BIN)) return process.env.PINHOLE_BIN
  const out = join(tempDir('bin'), 'pinhole')
  execFileSync('go', ['build', '-tags', 'sqlite_fts5', '-o', out, '.'], { cwd: repo, stdio: 'inherit' })
  return out
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)) })
    s.on('error', rej)
  })
}

// serve starts `pinhole serve` and waits until it answers (on port, when
// the test must know its address beforehand).
export async function serve({ originals, data, args = [], port }) {
  port = port || await freePort()
  const base = `http://127.0.0.1:${port}`
  const log = []
  const proc = spawn(binary(), ['serve', '--originals', originals, '--data', data, '--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  proc.stdout.on('data', d => log.push(String(d)))
  proc.stderr.on('data', d => log.push(String(d)))
  const deadline = Date.now() + 60000
  for (;;) {
    if (proc.exitCode !== null) throw new Error('pinhole serve exited: ' + log.join(''))
    try { if ((await fetch(base + '/healthz')).ok) break } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('pinhole serve did not start: ' + log.join(''))
    await new Promise(r => setTimeout(r, 150))
  }
  return {
    base, log,
    async stop() {
      if (proc.exitCode !== null) return
      proc.kill('SIGTERM')
      await new Promise(r => { proc.once('exit', r); setTimeout(() => { proc.kill('SIGKILL'); r() }, 10000) })
    },
  }
}

// setupAdmin makes a fresh server's first account (the admin) and returns
// its session cookie, for requests the test makes itself.
export async function setupAdmin(srv, username, password) {
  const r = await fetch(srv.base + '/api/v1/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) })
  if (r.status !== 201) throw new Error(`setup answered ${r.status}: ${await r.text()}`)
  return r.headers.getSetCookie().map(c => c.split(';')[0]).join('; ')
}

// library serves dir/name/originals, filled by fill(folder), makes the
// admin and waits for the first scan to finish (the photo count stays put
// three times in a row and no scan runs). The server's cookie is the
// admin's.
export async function library(dir, name, fill, { username, password, args = [] }) {
  const originals = join(dir, name, 'originals')
  mkdirSync(originals, { recursive: true })
  fill(originals)
  const srv = await serve({ originals, data: join(dir, name, 'data'), args })
  srv.cookie = await setupAdmin(srv, username, password)
  for (let last = -1, same = 0; same < 3;) {
    const st = await (await fetch(srv.base + '/api/v1/status', { headers: { Cookie: srv.cookie } })).json()
    const n = st.counts?.photos ?? 0
    same = n === last && n > 0 && !st.index?.progress?.running ? same + 1 : 0
    last = n
    await new Promise(res => setTimeout(res, 300))
  }
  return srv
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--headless', '--disable-dev-shm-usage'],
  })
}

// recordRequests remembers every URL a context asks for, so a test can fail
// when anything leaves the Pinhole server (CDN fonts, third-party tiles…).
export function recordRequests(context, list) {
  context.on('request', r => list.push(r.url()))
  return list
}
export function foreign(list, base) {
  return list.filter(u => !u.startsWith(base + '/') && u !== base && !u.startsWith('data:') && !u.startsWith('blob:'))
}

export async function shot(page, name) {
  mkdirSync(shots, { recursive: true })
  const vp = page.viewportSize()
  const file = join(shots, `${name}-${vp.width < 600 ? 'phone' : 'desktop'}.png`)
  await page.screenshot({ path: file })
  return file
}

export function cleanup(...dirs) {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}
