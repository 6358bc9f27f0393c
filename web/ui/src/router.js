// History-API routing: the Go server answers every non-API path with
// index.html, so deep links and reloads work.
import { store } from './store.js'

// The `photo` parameter belongs to the viewer (viewer-state.js): opening,
// stepping or closing it must not look like a new screen to the pages.
function parse() {
  const q = new URLSearchParams(location.search)
  q.delete('photo')
  return { path: location.pathname, query: Object.fromEntries(q) }
}
export const route = store(parse())

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return
  history[replace ? 'replaceState' : 'pushState'](null, '', to)
  route.set(parse())
}

addEventListener('popstate', () => {
  const r = parse()
  const cur = route.get()
  if (r.path !== cur.path || JSON.stringify(r.query) !== JSON.stringify(cur.query)) route.set(r)
})

// Same-origin links navigate inside the app instead of reloading the page.
document.addEventListener('click', e => {
  const a = e.target.closest && e.target.closest('a[href]')
  if (!a || a.target || a.hasAttribute('download') || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const u = new URL(a.href)
  if (u.origin !== location.origin || u.pathname.startsWith('/api/')) return
  e.preventDefault()
  navigate(u.pathname + u.search)
})

// match returns the named parameters when pattern (e.g. "/albums/:id") fits path.
export function match(pattern, path) {
  const p = pattern.split('/'), s = path.split('/')
  if (p.length !== s.length) return null
  const out = {}
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i])
    else if (p[i] !== s[i]) return null
  }
  return out
}
