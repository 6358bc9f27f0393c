// The photo grid: justified rows grouped by month, laid out from the widths
// and heights the API returns (so nothing reflows when images arrive), and
// virtualised: only rows near the viewport exist in the DOM. Months are loaded
// on demand from their counts, so the scrubber can jump to 2010 without
// loading the fifteen years in between.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { aspect, fitSrcset, thumb } from './api.js'
import { Icon } from './icons.jsx'
import { on, store, useStore } from './store.js'
import { openViewer, useGridList } from './viewer-state.js'

export const selection = store(new Map()) // id → photo

export function toggleSelect(p, on) {
  selection.set(m => {
    const n = new Map(m)
    if (on ?? !n.has(p.id)) n.set(p.id, p); else n.delete(p.id)
    return n
  })
}
export const clearSelection = () => selection.get().size && selection.set(new Map())

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const SHORT = MONTHS.map(m => m.slice(0, 3))
export const monthName = (y, m) => `${MONTHS[m - 1]} ${y}`

// justify breaks photos into rows of one height each, filling width W. A row
// ends where its height comes closest to the target H.
export function justify(photos, W, H, g, startIndex = 0) {
  const rows = []
  let row = [], sum = 0, y = 0
  const emit = (items, h, full) => {
    h = Math.round(full ? h : Math.min(h, H))
    let x = 0
    const cells = items.map((p, i) => {
      const left = Math.round(x)
      x += aspect(p) * h
      const right = full && i === items.length - 1 ? W : Math.round(x)
      x += g
      return { p, x: left, w: right - left }
    })
    rows.push({ y, h, cells, first: startIndex })
    startIndex += items.length
    y += h + g
  }
  for (const p of photos) {
    const a = aspect(p)
    const withH = (W - g * row.length) / (sum + a)
    if (row.length && withH < H) {
      const withoutH = (W - g * (row.length - 1)) / sum
      if (withoutH - H < H - withH) {
        emit(row, withoutH, true)
        row = [p]; sum = a
        continue
      }
      row.push(p); sum += a
      emit(row, withH, true)
      row = []; sum = 0
      continue
    }
    row.push(p); sum += a
  }
  if (row.length) emit(row, H, false)
  return { rows, height: Math.max(0, y - g) }
}

function metrics(width) {
  const phone = width < 600
  return {
    H: phone ? 110 : width > 2400 ? 240 : 180,
    g: phone ? 2 : 4,
    head: phone ? 40 : 44,
    pad: phone ? 8 : 16,
  }
}

// Grid shows photos from source:
//   source.key     identity; a new key starts over
//   source.months  async () => [{year, month, count}]  (grouped timeline), or absent
//   source.page    async ({year, month, cursor}) => {photos, next, thumb_token}
//   source.count   for flat sources, the number of photos if known
export function Grid({ source, empty, selectable = true, scrubber = true, onLoaded, header }) {
  const scroller = useRef(null)
  const headRef = useRef(null)
  const hoff = () => (headRef.current ? headRef.current.offsetHeight : 0)
  const S = useRef(null)
  const [, force] = useState(0)
  const sel = useStore(selection)
  const [width, setWidth] = useState(0)
  const rerender = () => force(n => n + 1)
  // A photo opened by its address gets this screen's photos as neighbours.
  useGridList(source, () => (S.current ? allPhotos(S.current) : []))

  // (Re)start on a new source.
  useEffect(() => {
    const st = { sections: [], total: 0, ready: false, error: '', loading: 0, queue: new Set(), key: source.key, anchor: null }
    S.current = st
    if (scroller.current) scroller.current.scrollTop = 0
    let alive = true
    const init = async () => {
      try {
        if (source.months) {
          // Ask for the newest page alongside the month counts, so the first
          // photos need one round trip, not two.
          const first = source.page({ limit: 120 }).catch(() => null)
          const months = await source.months()
          const page = await first
          if (!alive) return
          st.sections = months.filter(m => m.count > 0).map(m => newSection(m.year, m.month, m.count))
          const s = st.sections[0]
          if (s && page && page.photos) {
            const prefix = `${s.year}-${String(s.month).padStart(2, '0')}`
            s.photos = page.photos.filter(p => (p.taken_at || '').startsWith(prefix)).map(p => (page.thumb_token ? { ...p, _t: page.thumb_token } : p))
            if (s.photos.length >= s.count) s.done = true
            else if (s.photos.length) s.stale = true // shown now, replaced by the full month
          }
        } else {
          st.sections = [newSection(0, 0, source.count ?? 0)]
        }
      } catch (e) {
        st.error = e.message
      }
      st.ready = true
      relayout(st)
      rerender()
      ensureLoaded()
    }
    init()
    const offChange = on('photos-changed', async () => {
      if (!alive || S.current !== st) return
      if (!source.months) { // flat lists start over
        st.sections = [newSection(0, 0, source.count ?? 0)]
      } else {
        let months
        try { months = await source.months() } catch { return }
        const old = new Map(st.sections.map(s => [s.id, s]))
        st.sections = months.filter(m => m.count > 0).map(m => {
          const o = old.get(`${m.year}-${m.month}`)
          if (o && o.count === m.count) return o
          const n = newSection(m.year, m.month, m.count)
          if (o) { n.photos = o.photos; n.stale = true } // keep showing until reloaded
          return n
        })
      }
      relayout(st)
      rerender()
      ensureLoaded()
    })
    return () => { alive = false; offChange() }
  }, [source.key])

  // Width: lay out again on resize.
  useLayoutEffect(() => {
    const el = scroller.current
    const ro = new ResizeObserver(() => {
      const cs = getComputedStyle(el)
      const w = Math.floor(el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight))
      setWidth(w)
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const st = S.current
  if (st && st.width !== width && width > 0) {
    st.width = width
    for (const s of st.sections) s.layoutW = 0
    relayout(st)
    setTimeout(ensureLoaded, 0) // the first width may arrive after the sections
  }

  function newSection(year, month, count) {
    return { id: `${year}-${month}`, year, month, count, photos: [], next: '', done: false, loading: false, top: 0, height: 0, rows: null, layoutW: 0 }
  }

  function layoutSection(st, s) {
    const W = st.width
    if (!W) return
    const m = metrics(W)
    const head = s.year ? m.head : 0
    let h = head
    if (s.photos.length) {
      const j = justify(s.photos, W, m.H, m.g)
      s.rows = j.rows
      h += j.height
      const rest = s.done ? 0 : Math.max(0, s.count - s.photos.length)
      if (rest) h += m.g + estimate(rest, W, m)
      else if (!s.done && !s.year) h += m.g + m.H // flat list: one skeleton row while more load
    } else {
      s.rows = null
      h += s.done ? 0 : estimate(s.count || (s.year ? 1 : 24), W, m)
    }
    s.head = head
    s.height = h + (s.done && !s.photos.length ? 0 : m.pad)
    s.layoutW = W
  }

  function estimate(n, W, m) {
    const perRow = Math.max(1, Math.round((W + m.g) / (1.45 * m.H + m.g)))
    const rows = Math.ceil(n / perRow)
    return rows * (m.H + m.g) - m.g
  }

  // relayout recomputes section positions and keeps what the user looks at
  // still while sections above change height.
  function relayout(st) {
    if (!st.width) return
    const el = scroller.current
    const scrollTop = el ? el.scrollTop - hoff() : 0
    let anchor = null, off = 0
    if (scrollTop > 0) {
      anchor = st.sections.find(s => s.top + s.height > scrollTop)
      if (anchor) off = scrollTop - anchor.top
    }
    let y = 0
    for (const s of st.sections) {
      if (s.layoutW !== st.width || s.dirty) { layoutSection(st, s); s.dirty = false }
      s.top = y
      y += s.height
    }
    st.total = y
    if (anchor && el) {
      const want = Math.round(anchor.top + Math.min(off, anchor.height)) + hoff()
      if (Math.abs(want - el.scrollTop) > 1) { st.pendingScroll = want }
    }
  }

  useLayoutEffect(() => {
    const st = S.current
    if (st && st.pendingScroll != null && scroller.current) {
      scroller.current.scrollTop = st.pendingScroll
      st.pendingScroll = null
    }
  })

  async function load(st, s) {
    s.loading = true
    st.loading++
    try {
      const page = await source.page({ year: s.year, month: s.month, cursor: s.next })
      if (S.current !== st) return
      const photos = (page.photos || []).map(p => (page.thumb_token ? { ...p, _t: page.thumb_token } : p))
      s.photos = s.stale ? photos : s.photos.concat(photos)
      s.stale = false
      s.next = page.next || ''
      s.done = !s.next
      if (!s.year && s.done) s.count = s.photos.length
      s.dirty = true
      relayout(st)
      onLoaded && onLoaded(allPhotos(st))
    } catch (e) {
      s.done = true // don't hammer a failing endpoint; the toast said why
      s.error = e.message
      s.dirty = true
      relayout(st)
    } finally {
      s.loading = false
      st.loading--
      if (S.current === st) { rerender(); setTimeout(ensureLoaded, 0) }
    }
  }

  let throttle = useRef(0)
  function ensureLoaded() {
    const st = S.current, el = scroller.current
    if (!st || !st.ready || !el || !st.width) return
    const top = el.scrollTop - hoff(), vh = el.clientHeight
    const lo = top - vh * 0.5, hi = top + vh * 1.5
    for (const s of st.sections) {
      if (st.loading >= 3) break
      if (s.top + s.height < lo || s.top > hi) continue
      if ((s.stale || !s.done) && !s.loading) {
        // Flat lists load their next page only when its end comes near.
        if (!s.year && s.photos.length && s.top + s.height - (vh * 1.5) > hi) continue
        load(st, s)
      }
    }
  }

  function onScroll() {
    if (S.current?.raf) return
    S.current.raf = requestAnimationFrame(() => {
      S.current.raf = 0
      rerender()
      clearTimeout(throttle.current)
      throttle.current = setTimeout(ensureLoaded, 90)
    })
  }

  function allPhotos(st) {
    const out = []
    for (const s of st.sections) for (const p of s.photos) out.push(p)
    return out
  }

  // Selection with shift-click ranges and long-press on touch.
  const lastClicked = useRef(null)
  const press = useRef({ timer: 0, fired: false, x: 0, y: 0 })
  function onCellClick(e, p) {
    if (press.current.fired) { press.current.fired = false; e.preventDefault(); return }
    const selecting = selection.get().size > 0
    const onCheck = e.target.closest('.chk')
    if (selectable && e.shiftKey && lastClicked.current != null) {
      const all = allPhotos(S.current)
      const a = all.findIndex(x => x.id === lastClicked.current), b = all.findIndex(x => x.id === p.id)
      if (a >= 0 && b >= 0) {
        const [i, j] = a < b ? [a, b] : [b, a]
        selection.set(m => { const n = new Map(m); for (const x of all.slice(i, j + 1)) n.set(x.id, x); return n })
        lastClicked.current = p.id
        return
      }
    }
    if (selectable && (selecting || onCheck)) {
      toggleSelect(p)
      lastClicked.current = p.id
      return
    }
    lastClicked.current = p.id
    const all = allPhotos(S.current)
    openViewer(all, all.findIndex(x => x.id === p.id), source)
  }
  function onPointerDown(e, p) {
    if (!selectable || e.pointerType !== 'touch') return
    const pr = press.current
    pr.x = e.clientX; pr.y = e.clientY; pr.fired = false
    clearTimeout(pr.timer)
    pr.timer = setTimeout(() => { pr.fired = true; toggleSelect(p, true); lastClicked.current = p.id; navigator.vibrate && navigator.vibrate(20) }, 450)
  }
  function onPointerMove(e) {
    const pr = press.current
    if (pr.timer && Math.hypot(e.clientX - pr.x, e.clientY - pr.y) > 10) { clearTimeout(pr.timer); pr.timer = 0 }
  }
  const cancelPress = () => { clearTimeout(press.current.timer); press.current.timer = 0 }

  // Render.
  const el = scroller.current
  const top = el ? el.scrollTop - hoff() : 0
  const vh = el ? el.clientHeight : 800
  const lo = top - vh * 0.75, hi = top + vh * 1.75
  const ready = st && st.ready
  const isEmpty = ready && (st.error || st.sections.every(s => s.done && !s.photos.length))
  const m = metrics(width || 1000)
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1

  return (
    <div class={'grid-wrap' + (sel.size ? ' selecting' : '')}>
      <div class="grid-scroll" ref={scroller} onScroll={onScroll} aria-busy={!ready}>
        {header && <div ref={headRef} class="grid-head">{header}</div>}
        {isEmpty ? (st.error ? <div class="empty"><Icon name="missing" /><h2>Could not load photos</h2><p>{st.error}</p></div> : empty) : (
          <div class="grid-inner" role="grid" aria-label="Photos" style={{ height: ready ? st.total : 2000 }}>
            {!ready && <div class="skel" style={{ top: 44, height: 1600, '--rowh': m.H + m.g + 'px' }} />}
            {ready && st.sections.map(s => {
              if (s.top + s.height < lo || s.top > hi) return null
              return (
                <section class="sec" key={s.id} style={{ top: s.top, height: s.height }} aria-label={s.year ? monthName(s.year, s.month) : undefined}>
                  {s.year ? <h2 class="sec-h">{monthName(s.year, s.month)} <span class="muted">{s.count}</span></h2> : null}
                  {s.rows && s.rows.map(r => {
                    if (s.top + s.head + r.y + r.h < lo || s.top + s.head + r.y > hi) return null
                    return r.cells.map(c => (
                      <Cell key={c.p.id} p={c.p} x={c.x} y={s.head + r.y} w={c.w} h={r.h} dpr={dpr}
                        sel={sel.has(c.p.id)} onClick={onCellClick} onPointerDown={onPointerDown}
                        onPointerMove={onPointerMove} onPointerUp={cancelPress} selectable={selectable} />
                    ))
                  })}
                  {!s.done && (!s.rows || !s.year || s.photos.length < s.count) && (
                    <div class="skel" style={{
                      top: s.head + (s.rows ? s.rows[s.rows.length - 1].y + s.rows[s.rows.length - 1].h + m.g : 0),
                      bottom: m.pad, '--rowh': m.H + m.g + 'px',
                    }} />
                  )}
                </section>
              )
            })}
          </div>
        )}
      </div>
      {scrubber && ready && !isEmpty && st.sections.length > 1 && st.sections[0].year
        ? <Scrubber st={st} scroller={scroller} hoff={hoff} onJump={() => { rerender(); setTimeout(ensureLoaded, 0) }} /> : null}
    </div>
  )
}

function Cell({ p, x, y, w, h, dpr, sel, onClick, onPointerDown, onPointerMove, onPointerUp, selectable }) {
  const video = p.media_type === 'video' || p.media_type === 'live'
  const alt = p.title || (p.taken_local || p.taken_at || '').slice(0, 10) || 'photo'
  // A hash-derived tone (0–9, mixed into the theme's placeholder colour by
  // the stylesheet) so the loading grid is not one flat block in either theme.
  const tone = p.hash ? parseInt(p.hash.slice(0, 2), 16) % 10 : 4
  // A photo whose file cannot be shown gets a tile saying why instead of a
  // thumbnail the server could only draw as a placeholder.
  const pr = p.problem
  const tile = pr && !pr.preview
  const why = pr ? `${pr.reason}: ${pr.detail}` : undefined
  return (
    <div class={'cell' + (sel ? ' sel' : '') + (tile ? ' ptile' : '')} role="gridcell" tabindex={0} data-id={p.id}
      aria-label={pr ? `${alt}, ${pr.reason}` : alt} aria-selected={sel} title={why}
      style={{ left: x, top: y, width: w, height: h, '--tone': tone }}
      onClick={e => onClick(e, p)} onKeyDown={e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onClick(e, p) } }}
      onPointerDown={e => onPointerDown(e, p)} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}
      onContextMenu={e => e.pointerType === 'touch' && e.preventDefault()}>
      {tile
        ? <div class="why"><Icon name={pr.kind === 'damaged' || pr.kind === 'incomplete' ? 'broken' : 'alert'} size={w < 90 ? 20 : 26} />{w >= 64 && <span>{pr.reason}</span>}</div>
        : <img src={thumb(p, 'fit_720')} srcset={fitSrcset(p, 1280)} sizes={`${Math.ceil(w)}px`} alt={alt}
          loading="lazy" decoding="async" draggable={false}
          onLoad={e => e.currentTarget.classList.add('ld')} />}
      {pr && !tile && pr.kind !== 'metadata' && <span class="pbadge" aria-hidden="true"><Icon name="alert" size={16} /></span>}
      {video && <span class="badge">{p.duration ? fmtDuration(p.duration) : ''}<Icon name="play" filled size={16} /></span>}
      {p.favorite && <span class="fav"><Icon name="heart" filled size={16} /></span>}
      {selectable && <button class="chk" tabindex={-1} aria-label={sel ? 'Deselect' : 'Select'}><span><Icon name="check" size={14} /></span></button>}
    </div>
  )
}

export function fmtDuration(s) {
  s = Math.round(s)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

// Scrubber: year ticks placed where each year starts in the scroll height;
// dragging shows the month under the finger and jumps straight there.
function Scrubber({ st, scroller, hoff, onJump }) {
  const ref = useRef(null)
  const [drag, setDrag] = useState(null) // {y, label}
  const [h, setH] = useState(0)
  useLayoutEffect(() => {
    const ro = new ResizeObserver(() => setH(ref.current.clientHeight))
    ro.observe(ref.current)
    return () => ro.disconnect()
  }, [])
  const el = scroller.current
  const max = Math.max(1, st.total - (el ? el.clientHeight : 0))
  const years = []
  let lastY = -100
  for (const s of st.sections) {
    if (years.length && years[years.length - 1].year === s.year) continue
    const y = (s.top / st.total) * h
    years.push({ year: s.year, y, s, show: y - lastY >= 18 })
    if (y - lastY >= 18) lastY = y
  }
  const sectionAt = frac => {
    const y = frac * st.total
    return st.sections.find(s => s.top + s.height > y) || st.sections[st.sections.length - 1]
  }
  const jumpTo = s => { el.scrollTop = Math.min(s.top + hoff(), max); onJump() }
  const frac = y => Math.min(1, Math.max(0, y / h))
  const move = e => {
    const r = ref.current.getBoundingClientRect()
    const f = frac(e.clientY - r.top)
    const s = sectionAt(f)
    el.scrollTop = f * max
    setDrag({ y: e.clientY - r.top, label: `${SHORT[s.month - 1]} ${s.year}` })
    onJump()
  }
  const pos = el ? (el.scrollTop / max) * h : 0
  return (
    <div class="scrubber" ref={ref} aria-label="Timeline scrubber"
      onPointerDown={e => { if (e.target.closest('.yr')) return; ref.current.setPointerCapture(e.pointerId); move(e) }}
      onPointerMove={e => drag && move(e)}
      onPointerUp={() => setDrag(null)} onPointerCancel={() => setDrag(null)}>
      {years.map(y => y.show
        ? <button class="yr" key={y.year} style={{ top: Math.max(8, y.y) }} aria-label={`Jump to ${y.year}`} onClick={() => jumpTo(y.s)}>{y.year}</button>
        : <i class="dot" key={y.year} style={{ top: y.y }} />)}
      <div class="thumb" style={{ top: Math.min(h - 3, pos) }} />
      {drag && <div class="bubble" style={{ top: drag.y }}>{drag.label}</div>}
    </div>
  )
}
