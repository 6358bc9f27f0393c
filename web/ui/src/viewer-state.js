// Which photo the viewer shows, and its address. Kept apart from the viewer
// component so the grid can open it without importing the viewer.
//
// Addresses: the open photo is the `photo` query parameter of the screen it
// was opened on (`/?photo=12`, `/albums/4?photo=12`, `/search?q=x&photo=12`,
// `/s/TOKEN?photo=12`), so reload and bookmarks reopen it over the same
// screen, and Back closes it. Opening pushes one history entry; stepping
// replaces it, so Back never walks through every photo seen.
import { useEffect } from 'preact/hooks'
import { navigate } from './router.js'
import { store } from './store.js'

// {list, index, source} while open; {pending: id, list: [], index: 0} while
// a photo named by the address is fetched; orphan: true when the list is not
// (yet) the screen's own.
export const viewer = store(null)

const photoParam = () => new URLSearchParams(location.search).get('photo') || ''

function urlWith(id) {
  const q = new URLSearchParams(location.search)
  if (id == null) q.delete('photo')
  else q.set('photo', String(id))
  const s = q.toString()
  return location.pathname + (s ? '?' + s : '') + location.hash
}

export function openViewer(list, index, source) {
  if (index < 0 || !list[index]) return
  viewer.set({ list, index, source })
  const url = urlWith(list[index].id)
  if (history.state && history.state.viewer) history.replaceState(history.state, '', url)
  else history.pushState({ viewer: true }, '', url)
}

// stepViewer moves by d photos and replaces the address.
export function stepViewer(d) {
  const cur = viewer.get()
  if (!cur || cur.pending) return
  const i = cur.index + d
  if (i < 0 || i >= cur.list.length) return
  viewer.set({ ...cur, index: i })
  history.replaceState(history.state, '', urlWith(cur.list[i].id))
}

// closeViewer goes back to the screen under the viewer; with `then`, it
// goes on to that address once the history entry is gone (a link in the
// info panel), so Back from there returns to the screen, not the viewer.
let afterBack = ''
export function closeViewer(then) {
  if (!viewer.get()) return
  viewer.set(null)
  if (history.state && history.state.viewer) {
    afterBack = typeof then === 'string' ? then : ''
    history.back()
  } else {
    // Opened from a bookmark or a reload of a shared address: there is no
    // entry of ours to go back to.
    history.replaceState(history.state, '', urlWith(null))
    if (typeof then === 'string') navigate(then)
  }
}

// dropFromViewer takes photo id out of the open viewer's list (moved to
// the Trash, or out of it): the next photo shows, or the viewer closes
// after the last one.
export function dropFromViewer(id) {
  const v = viewer.get()
  if (!v || v.pending) return
  const list = v.list.filter(p => p.id !== id)
  if (!list.length) return closeViewer()
  const index = Math.min(v.index, list.length - 1)
  viewer.set({ ...v, list, index })
  history.replaceState(history.state, '', urlWith(list[index].id))
}

// The grid under the viewer offers its loaded photos, so a photo opened by
// address gets its neighbours once the screen's list contains it; until
// then (the timeline loads months only as they scroll near) the viewer
// loads the photo's own month itself.
let grid = null
let asked = null // {id, source}: the photo whose month was asked for
function adopt() {
  const v = viewer.get()
  if (!v || !v.orphan || !grid) return
  const id = String(v.pending || v.list[v.index]?.id || '')
  const all = grid.getAll()
  const i = all.findIndex(p => String(p.id) === id)
  if (i >= 0) return viewer.set({ list: all, index: i, source: grid.source })
  const p = v.list[v.index]
  const src = grid.source
  if (!p || !src.months || (asked && asked.id === id && asked.source === src)) return
  asked = { id, source: src }
  monthOf(src, monthKey(p)).then(list => {
    const cur = viewer.get()
    const j = list.findIndex(x => String(x.id) === id)
    if (j < 0 || !cur || !cur.orphan || String(cur.list[cur.index]?.id) !== id) return
    if (cur.source === src && cur.list.length >= list.length) return
    // With the screen's source, stepping to the month's ends loads the next.
    viewer.set({ list, index: j, source: src, orphan: true })
  }).catch(() => { /* the photo still shows on its own */ })
}

// Stepping towards the end of what is loaded loads the next month (or the
// previous one), so the arrows go through the whole timeline, not only the
// rows the grid happened to load.
const monthKey = p => (p.taken_at || '').slice(0, 7)
const monthsOf = new WeakMap() // source → Promise of its months, newest first
function months(src) {
  if (!monthsOf.has(src)) monthsOf.set(src, src.months().then(ms => ms.filter(m => m.count > 0).map(m => ({ ...m, key: `${m.year}-${String(m.month).padStart(2, '0')}` }))))
  return monthsOf.get(src)
}
async function monthOf(src, key) {
  const [y, m] = key.split('-').map(Number)
  const out = []
  let cursor = ''
  for (let n = 0; n < 50; n++) {
    const page = await src.page({ year: y, month: m, cursor })
    for (const x of page.photos || []) out.push(page.thumb_token ? { ...x, _t: page.thumb_token } : x)
    cursor = page.next || ''
    if (!cursor) break
  }
  return out
}
const busy = new Set() // "source-dir" while a month loads
async function extend(v, dir) {
  const src = v.source
  const edge = dir > 0 ? v.list[v.list.length - 1] : v.list[0]
  const ms = await months(src)
  const k = ms.findIndex(m => m.key === monthKey(edge))
  const next = ms[k + dir]
  if (k < 0 || !next) return
  // The edge month may be cut short (the grid's first page): load it whole too.
  const have = v.list.filter(p => monthKey(p) === ms[k].key).length
  const [whole, more] = await Promise.all([have < ms[k].count ? monthOf(src, ms[k].key) : null, monthOf(src, next.key)])
  const cur = viewer.get()
  if (!cur || cur.source !== src || !more.length) return
  const rest = whole ? cur.list.filter(p => monthKey(p) !== ms[k].key) : cur.list
  const add = whole ? (dir > 0 ? [...whole, ...more] : [...more, ...whole]) : more
  const seen = new Set(rest.map(p => p.id))
  const fresh = add.filter(p => !seen.has(p.id))
  const list = dir > 0 ? [...rest, ...fresh] : [...fresh, ...rest]
  const id = cur.list[cur.index]?.id
  viewer.set({ ...cur, list, index: Math.max(0, list.findIndex(p => p.id === id)) })
}
viewer.sub(v => {
  if (!v || v.pending || !v.source || !v.source.months || !v.list.length) return
  for (const dir of [1, -1]) {
    const near = dir > 0 ? v.index >= v.list.length - 3 : v.index <= 2
    const key = v.source.key + (dir > 0 ? '+' : '-')
    if (!near || busy.has(key)) continue
    busy.add(key)
    extend(v, dir).catch(() => { /* stepping stops at what is loaded */ }).finally(() => busy.delete(key))
  }
})

// gridNow is the grid on screen ({source, getAll}) or null: what the top
// bar's Slideshow plays (show.jsx).
export const gridNow = () => grid

export function useGridList(source, getAll) {
  useEffect(() => { grid = { source, getAll }; adopt() })
  useEffect(() => () => { if (grid && grid.source === source) grid = null }, [source])
}

// showFetched shows the photo an address named, fetched on its own.
export function showFetched(id, photo, source) {
  const cur = viewer.get()
  if (!cur || cur.pending !== id) return
  viewer.set({ list: [photo], index: 0, source, orphan: true })
  adopt()
}

// fromAddress opens (or follows) the photo the address names.
function fromAddress() {
  const id = photoParam()
  const v = viewer.get()
  if (!id) {
    if (v) viewer.set(null)
    return
  }
  if (v && !v.pending) {
    if (String(v.list[v.index]?.id) === id) return
    const i = v.list.findIndex(p => String(p.id) === id)
    if (i >= 0) return viewer.set({ ...v, index: i })
  }
  viewer.set({ pending: id, list: [], index: 0, source: null, orphan: true })
  adopt()
}

addEventListener('popstate', () => {
  if (afterBack && !photoParam()) {
    const to = afterBack
    afterBack = ''
    viewer.set(null)
    navigate(to)
    return
  }
  fromAddress()
})
if (photoParam()) fromAddress()
