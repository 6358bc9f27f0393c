// The API client: JSON in and out, the CSRF header on every state-changing
// request, and failures turned into toasts carrying the server's own message.
import { locale, t } from './i18n.js'
import { view } from './status.js'
import { store } from './store.js'

export const session = store({ state: 'loading' }) // loading | setup | login | enrol | ready
export const toasts = store([])

let csrf = ''
let thumbToken = ''

// Boot data the server inlined into index.html (web/boot.go): the
// thumbnail size table for everyone and, for a logged-in browser, the
// answers to the app's first requests, so the first screen needs no round
// trip. Those answers serve the first screen only: each is used once, and
// not at all after a few seconds.
const boot = readBoot()
const bootAnswers = new Map(Object.entries(boot.api || {}))
const bootUntil = Date.now() + 10000
function readBoot() {
  const el = typeof document !== 'undefined' && document.getElementById('boot')
  if (!el) return { present: false }
  try { return { ...JSON.parse(el.textContent), present: true } } catch { return { present: false } }
}
function fromBoot(path) {
  const v = bootAnswers.get(path)
  if (v === undefined) return undefined
  bootAnswers.delete(path)
  return Date.now() < bootUntil ? v : undefined
}
// bootState says, without asking the server, whether this page came with a
// session, or else whether it needs setup; null when the page carries no
// boot data (e.g. the Vite dev server).
export function bootState() {
  if (!boot.present) return null
  const s = fromBoot('/session')
  if (s) return { session: s }
  return { setup_required: !!boot.setup_required }
}

export function setSession(s) {
  csrf = s.csrf_token || csrf
  thumbToken = s.thumb_token || thumbToken
  // A role that must use two-factor sign-in, without it: only the set-up.
  session.set({ state: s.totp_setup_required ? 'enrol' : 'ready', user: s.user, expires_at: s.expires_at, uploads: s.uploads, method: s.method })
}
export function setThumbToken(t) { if (t) thumbToken = t }
export const currentThumbToken = () => thumbToken

let toastSeq = 0
export function toast(message, kind = 'info', ms = 4500) {
  const id = ++toastSeq
  toasts.set(l => [...l.slice(-3), { id, message, kind }])
  setTimeout(() => toasts.set(l => l.filter(t => t.id !== id)), ms)
}

export class ApiError extends Error {
  constructor(message, status, body) { super(message); this.status = status; this.body = body }
}

function headers(method, body, extra) {
  // The server words its errors in the app's language.
  const h = { Accept: 'application/json', 'Accept-Language': locale(), ...extra }
  if (body !== undefined) h['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf
  return h
}

// api calls /api/v1+path. opts.quiet suppresses the error toast (the caller
// shows the error itself); opts.headers adds request headers.
export async function api(method, path, body, opts = {}) {
  if (method === 'GET') {
    const b = fromBoot(path)
    if (b !== undefined) {
      if (b && b.thumb_token && !opts.keepToken) thumbToken = b.thumb_token
      return b
    }
  }
  let r
  try {
    r = await fetch('/api/v1' + path, {
      method,
      headers: headers(method, body, opts.headers),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if (e.name === 'AbortError') throw e
    const err = new ApiError(t('common.unreachable', { reason: e.message }), 0)
    if (!opts.quiet) toast(err.message, 'error')
    throw err
  }
  if (r.status === 204) return null
  let data = null
  try { data = await r.json() } catch { /* not JSON */ }
  if (!r.ok) {
    const err = new ApiError((data && data.error) || `${r.status} ${r.statusText}`, r.status, data)
    if (r.status === 401 && !opts.quiet && session.get().state === 'ready' && !path.startsWith('/s/')) {
      session.set({ state: 'login', error: t('common.session_ended') })
    } else if (!opts.quiet) toast(err.message, 'error')
    throw err
  }
  if (data && data.thumb_token && !opts.keepToken) thumbToken = data.thumb_token
  return data
}

export const get = (path, opts) => api('GET', path, undefined, opts)

// qs builds a query string from an object, leaving out empty values.
export function qs(o) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(o || {})) if (v !== undefined && v !== null && v !== '') p.set(k, v)
  const s = p.toString()
  return s ? '?' + s : ''
}

// Thumbnail sizes come from the server's table (thumbs.Sizes, as
// thumb_sizes in the boot data or /api/v1/status): the fit_* boxes keep the
// whole picture, which a justified grid needs; tile_* are square crops for
// covers. FIT holds the fit boxes' widths, smallest first (the viewer picks
// from it); it is filled in place when the table arrives.
export const thumbSizes = store([]) // [{name, width, height, crop}], smallest first
export const FIT = []
export function setThumbSizes(list) {
  if (!Array.isArray(list) || !list.length) return
  FIT.splice(0, FIT.length, ...list.filter(s => !s.crop).map(s => s.width))
  thumbSizes.set(list)
}
if (boot.thumb_sizes) setThumbSizes(boot.thumb_sizes)
else if (typeof fetch === 'function') {
  fetch('/api/v1/status', { credentials: 'same-origin' }).then(r => r.json()).then(s => setThumbSizes(view(s).field('thumb_sizes'))).catch(() => {})
}

// outputSize is the size of size s rendered from a w×h original, as the
// server computes it (thumbs/size.go): crops are exact, fit boxes keep the
// aspect ratio and never upscale.
export function outputSize(s, w, h) {
  if (s.crop) return [s.width, s.height]
  if (w <= s.width && h <= s.height) return [w, h]
  if (w * s.height >= h * s.width) return [s.width, Math.max(1, Math.floor((h * s.width + Math.floor(w / 2)) / w))]
  return [Math.max(1, Math.floor((w * s.height + Math.floor(h / 2)) / h)), s.height]
}

// coverSize names the smallest fit rendition of p whose both sides cover a
// w×h CSS-pixel box at dpr device pixels per CSS pixel. When none does (a
// small original, a huge box) it names the smallest one that is as large as
// any can be. '' while the size table is unknown.
export function coverSize(p, w, h, dpr = 1) {
  const needW = Math.round(w * dpr), needH = Math.round(h * dpr)
  let pw = p.width, ph = p.height
  // Unknown dimensions: assume a large original of the box's shape.
  if (!(pw > 0 && ph > 0)) { pw = Math.max(1, Math.round(w * 100)); ph = Math.max(1, Math.round(h * 100)) }
  let best = '', bestPx = -1
  for (const s of thumbSizes.get()) {
    if (s.crop) continue
    const [ow, oh] = outputSize(s, pw, ph)
    if (ow >= needW && oh >= needH) return s.name
    if (ow * oh > bestPx) { best = s.name; bestPx = ow * oh }
  }
  return best
}

export function thumb(p, size) {
  return `/api/v1/t/${p.hash}/${p._t || thumbToken}/${size}`
}
export function cover(hash, size = 'tile_500', token) {
  return hash ? `/api/v1/t/${hash}/${token || thumbToken}/${size}` : ''
}

// srcset lists the fit sizes with the pixel width each really has for this
// photo's aspect ratio, so the browser picks the smallest sharp one.
export function fitSrcset(p, maxBox = 2560) {
  const a = aspect(p)
  return FIT.filter(b => b <= maxBox).map(b => `${thumb(p, 'fit_' + b)} ${Math.round(a >= 1 ? b : b * a)}w`).join(', ')
}

export function aspect(p) {
  const a = p.width > 0 && p.height > 0 ? p.width / p.height : 1.5
  return Math.min(4, Math.max(0.25, a))
}

// mapStyle follows the app's theme: an explicit choice, else the system's.
export function mapStyle() {
  const t = document.documentElement.dataset.theme
  if (t === 'dark' || t === 'light') return t
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'
}

export const download = (p, file) => `/api/v1/dl/${file ? file.hash : p.hash}?t=${encodeURIComponent(p._t || thumbToken)}`
export const videoURL = p => `/api/v1/video/${p.hash}?t=${encodeURIComponent(p._t || thumbToken)}`
// motionURL plays a live photo's motion: the MP4 inside a motion photo's
// own file, or the video stacked with the picture (an Apple Live Photo).
export const motionURL = p => `/api/v1/${p.motion.embedded ? 'motion' : 'video'}/${p.motion.hash}?t=${encodeURIComponent(p._t || thumbToken)}`

// upload sends one file with XHR so the progress bar can follow it.
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open('POST', '/api/v1/upload')
    x.setRequestHeader('Accept-Language', locale())
    if (csrf) x.setRequestHeader('X-CSRF-Token', csrf)
    x.upload.onprogress = e => e.lengthComputable && onProgress(e.loaded / e.total)
    x.onload = () => {
      let data = null
      try { data = JSON.parse(x.responseText) } catch { /* not JSON */ }
      if (x.status >= 200 && x.status < 300) resolve(data)
      else reject(new ApiError((data && (data.files?.[0]?.error || data.error)) || t('common.upload_failed_status', { status: x.status }), x.status, data))
    }
    x.onerror = () => reject(new ApiError(t('common.upload_failed_network'), 0))
    const fd = new FormData()
    fd.append('files', file, file.name)
    x.send(fd)
  })
}
