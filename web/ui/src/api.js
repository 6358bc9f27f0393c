// The API client: JSON in and out, the CSRF header on every state-changing
// request, and failures turned into toasts carrying the server's own message.
import { store } from './store.js'

export const session = store({ state: 'loading' }) // loading | setup | login | ready
export const toasts = store([])

let csrf = ''
let thumbToken = ''

export function setSession(s) {
  csrf = s.csrf_token || csrf
  thumbToken = s.thumb_token || thumbToken
  session.set({ state: 'ready', user: s.user, expires_at: s.expires_at, uploads: s.uploads })
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
  const h = { Accept: 'application/json', ...extra }
  if (body !== undefined) h['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf
  return h
}

// api calls /api/v1+path. opts.quiet suppresses the error toast (the caller
// shows the error itself); opts.headers adds request headers.
export async function api(method, path, body, opts = {}) {
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
    const err = new ApiError('Pinhole is not reachable: ' + e.message, 0)
    if (!opts.quiet) toast(err.message, 'error')
    throw err
  }
  if (r.status === 204) return null
  let data = null
  try { data = await r.json() } catch { /* not JSON */ }
  if (!r.ok) {
    const err = new ApiError((data && data.error) || `${r.status} ${r.statusText}`, r.status, data)
    if (r.status === 401 && !opts.quiet && session.get().state === 'ready' && !path.startsWith('/s/')) {
      session.set({ state: 'login', error: 'Your session ended; please log in again.' })
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

// Thumbnail sizes: the fit_* boxes keep the whole picture, which a justified
// grid needs; tile_* are square crops for covers.
export const FIT = [720, 1280, 1920, 2560, 4096]

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

// upload sends one file with XHR so the progress bar can follow it.
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open('POST', '/api/v1/upload')
    if (csrf) x.setRequestHeader('X-CSRF-Token', csrf)
    x.upload.onprogress = e => e.lengthComputable && onProgress(e.loaded / e.total)
    x.onload = () => {
      let data = null
      try { data = JSON.parse(x.responseText) } catch { /* not JSON */ }
      if (x.status >= 200 && x.status < 300) resolve(data)
      else reject(new ApiError((data && (data.files?.[0]?.error || data.error)) || `upload failed (${x.status})`, x.status, data))
    }
    x.onerror = () => reject(new ApiError('upload failed: network error', 0))
    const fd = new FormData()
    fd.append('files', file, file.name)
    x.send(fd)
  })
}
