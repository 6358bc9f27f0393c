// The photo grid: justified rows grouped by month, laid out from the widths
// and heights the API returns (so nothing reflows when images arrive), and
// virtualised: only rows near the viewport exist in the DOM. Months are loaded
// on demand from their counts, so the scrubber can jump to 2010 without
// loading the fifteen years in between.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { aspect, coverSize, thumb, thumbSizes } from './api.js'
import { Icon } from './icons.jsx'
import { on, store, useStore } from './store.js'
import { openViewer, useGridList } from './viewer-state.js'
import { fmtNum, monthName as monthIn, t } from './i18n.js'

export const selection = store(new Map()) // id → photo
// selectMode is selection mode on touch screens, where a tap otherwise
// always opens the photo: a long-press on a cell or the top bar's "Select"
// starts it, "Done" ends it, and while it lasts taps toggle.
export const selectMode = store(false)
// selectableGrids counts the grids on screen that allow selection, so the
// top bar offers "Select" only where there is something to select.
export const selectableGrids = store(0)

export function toggleSelect(p, on) {
  selection.set(m => {
    const n = new Map(m)
    if (on ?? !n.has(p.id)) n.set(p.id, p); else n.delete(p.id)
    return n
  })
}
export const clearSelection = () => {
  if (selectMode.get()) selectMode.set(false)
  if (selection.get().size) selection.set(new Map())
}

// showRatings is the setting "show ratings in the grid" (Settings →
// Appearance): a star badge on rated photos' cells. Off unless chosen.
export const showRatings = store(typeof localStorage !== 'undefined' && localStorage.getItem('pinhole.ratings') === '1')
export function setShowRatings(on) {
  showRatings.set(on)
  localStorage.setItem('pinhole.ratings', on ? '1' : '0')
}

// touchUI is true on screens whose main pointer cannot hover (phones,
// tablets): there no selection tick exists outside selection mode.
export const touchUI = () => typeof matchMedia === 'function' && matchMedia('(hover: none)').matches

// monthName is "March 2024" in the reader's language (month 1–12).
export const monthName = (y, m) => monthIn(y, m)

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
  const mode = useStore(selectMode)
  const stars = useStore(showRatings)
  useStore(thumbSizes) // cells choose their rendition from the table
  useEffect(() => {
    if (!selectable) return
    selectableGrids.set(n => n + 1)
    return () => selectableGrids.set(n => n - 1)
  }, [selectable])
  const [width, setWidth] = useState(0)
  const rerender = () => force(n => n + 1)
  // A photo opened by its address gets this screen's photos as neighbours.
  useGridList(source, () => (S.current ? allPhotos(S.current) : []))

  // (Re)start on a new source. A layout effect, so that answers already at
  // hand (the boot data inlined into index.html) are laid out before the
  // first paint and the first thumbnails are asked for at once.
  useLayoutEffect(() => {
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
          // The newest page may span several small months: fill each in
          // turn, so the first screen needs no further request.
          const photos = page && page.photos ? page.photos.map(p => (page.thumb_token ? { ...p, _t: page.thumb_token } : p)) : []
          for (const s of st.sections) {
            const prefix = `${s.year}-${String(s.month).padStart(2, '0')}`
            s.photos = photos.filter(p => (p.taken_at || '').startsWith(prefix))
            if (s.photos.length >= s.count) s.done = true
            else {
              if (s.photos.length) s.stale = true // shown now, replaced by the full month
              break
            }
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
    // ev.reload (a batch edit) reloads every month, not only those whose
    // counts changed: photos may have moved within a month or changed.
    const offChange = on('photos-changed', async ev => {
      if (!alive || S.current !== st) return
      if (!source.months) { // flat lists start over
        st.sections = [newSection(0, 0, source.count ?? 0)]
      } else {
        let months
        try { months = await source.months() } catch { return }
        const old = new Map(st.sections.map(s => [s.id, s]))
        st.sections = months.filter(m => m.count > 0).map(m => {
          const o = old.get(`${m.year}-${m.month}`)
          if (o && o.count === m.count && !ev?.reload) return o
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
    const measure = () => {
      const cs = getComputedStyle(el)
      setWidth(Math.floor(el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)))
    }
    measure() // now, not a frame later
    const ro = new ResizeObserver(measure)
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
    const anchorH = anchor ? anchor.height : 0
    let y = 0
    for (const s of st.sections) {
      if (s.layoutW !== st.width || s.dirty) { layoutSection(st, s); s.dirty = false }
      s.top = y
      y += s.height
    }
    st.total = y
    if (anchor && el) {
      // A month that turned out shorter than its estimate (a scrubber jump
      // landed deep in it) stays in view instead of scrolling off the top.
      if (anchor.height < anchorH && off >= anchor.height) off = Math.max(0, anchor.height - el.clientHeight / 3)
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

  // Selection: on desktops the hover tick and shift-click ranges; on touch
  // screens a tap always opens the photo unless selection mode is on (a
  // long-press starts it).
  const lastClicked = useRef(null)
  const press = useRef({ timer: 0, fired: false, x: 0, y: 0, type: '' })
  function onCellClick(e, p) {
    if (press.current.fired) { press.current.fired = false; e.preventDefault(); return }
    const selecting = selection.get().size > 0 || selectMode.get()
    const viaTouch = (e.pointerType || press.current.type) === 'touch'
    const onCheck = !viaTouch && e.target.closest('.chk')
    if (selectable && !viaTouch && e.shiftKey && lastClicked.current != null) {
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
    const pr = press.current
    pr.type = e.pointerType
    if (!selectable || e.pointerType !== 'touch') return
    pr.x = e.clientX; pr.y = e.clientY; pr.fired = false
    clearTimeout(pr.timer)
    pr.timer = setTimeout(() => {
      pr.fired = true; pr.timer = 0
      selectMode.set(true)
      toggleSelect(p, true)
      lastClicked.current = p.id
      navigator.vibrate && navigator.vibrate(20)
    }, 450)
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
  const selecting = sel.size > 0 || mode
  // Ticks: on hover for mice; on touch screens only in selection mode.
  const ticks = selectable && (selecting || !touchUI())

  return (
    <div class={'grid-wrap' + (selecting ? ' selecting' : '')}>
      <div class="grid-scroll" ref={scroller} onScroll={onScroll} aria-busy={!ready}>
        {header && <div ref={headRef} class="grid-head">{header}</div>}
        {isEmpty ? (st.error ? <div class="empty"><Icon name="missing" /><h2>{t('grid.load_failed')}</h2><p>{st.error}</p></div> : empty) : (
          <div class="grid-inner" role="grid" aria-label={t('grid.photos')} style={{ height: ready ? st.total : 2000 }}>
            {!ready && <div class="skel" style={{ top: 44, height: 1600, '--rowh': m.H + m.g + 'px' }} />}
            {ready && st.sections.map(s => {
              if (s.top + s.height < lo || s.top > hi) return null
              return (
                <section class="sec" key={s.id} style={{ top: s.top, height: s.height }} aria-label={s.year ? monthName(s.year, s.month) : undefined}>
                  {s.year ? <h2 class="sec-h">{monthName(s.year, s.month)} <span class="muted">{fmtNum(s.count)}</span></h2> : null}
                  {s.rows && s.rows.map(r => {
                    if (s.top + s.head + r.y + r.h < lo || s.top + s.head + r.y > hi) return null
                    // Cells on screen now load first, at high priority.
                    const onScreen = s.top + s.head + r.y < top + vh && s.top + s.head + r.y + r.h > top
                    return r.cells.map(c => (
                      <Cell key={c.p.id} p={c.p} x={c.x} y={s.head + r.y} w={c.w} h={r.h} dpr={dpr} eager={onScreen}
                        sel={sel.has(c.p.id)} onClick={onCellClick} onPointerDown={onPointerDown}
                        onPointerMove={onPointerMove} onPointerUp={cancelPress} tick={ticks} stars={stars} />
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

function Cell({ p, x, y, w, h, dpr, eager, sel, onClick, onPointerDown, onPointerMove, onPointerUp, tick, stars }) {
  // A live photo that can play its motion gets the live badge; one whose
  // video is missing is a still.
  const video = p.media_type === 'video'
  const alt = p.title || (p.taken_local || p.taken_at || '').slice(0, 10) || t('grid.photo')
  // A hash-derived tone (0–9) so the placeholder grid is not one flat
  // block; styles.css turns it into a grey of the theme.
  const tone = p.hash ? parseInt(p.hash.slice(0, 2), 16) % 10 : 4
  // A photo whose file cannot be shown gets a tile saying why instead of a
  // thumbnail the server could only draw as a placeholder.
  const pr = p.problem
  const tile = pr && !pr.preview
  const why = pr ? `${pr.reason}: ${pr.detail}` : undefined
  // The smallest rendition that covers the cell at this screen's density,
  // chosen here rather than by a srcset guess (see api.js coverSize).
  const size = tile ? '' : coverSize(p, w, h, dpr)
  // The grid asks for no placeholder picture (?ph=0): when the server
  // cannot make a thumbnail the image fails, and the cell asks why and
  // becomes a tile. The photo object remembers it, so a cell scrolled away
  // and back stays a tile.
  const [, bump] = useState(0)
  const failed = async e => {
    const url = e.currentTarget.src
    let reason = ''
    try { reason = (await (await fetch(url)).json()).error || '' } catch { /* offline: say nothing more */ }
    p.problem = { kind: 'no_preview', reason: t('grid.no_preview'), detail: reason ? reason[0].toUpperCase() + reason.slice(1) + '.' : t('grid.cannot_show'), preview: false }
    bump(n => n + 1)
  }
  return (
    <div class={'cell' + (sel ? ' sel' : '') + (tile ? ' ptile' : '')} role="gridcell" tabindex={0} data-id={p.id}
      aria-label={(p.motion ? t('grid.live_alt', { alt }) : alt) + (pr ? `, ${pr.reason}` : '')} aria-selected={sel} title={why}
      style={{ left: x, top: y, width: w, height: h, '--tone': tone }}
      onClick={e => onClick(e, p)} onKeyDown={e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onClick(e, p) } }}
      onPointerDown={e => onPointerDown(e, p)} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}
      onContextMenu={e => e.pointerType === 'touch' && e.preventDefault()}>
      {tile
        ? <div class="why"><Icon name={pr.kind === 'damaged' || pr.kind === 'incomplete' ? 'broken' : 'alert'} size={w < 90 ? 20 : 26} />{w >= 64 && <span>{pr.reason}</span>}</div>
        : size && <img src={thumb(p, size) + '?ph=0'} alt={alt} data-size={size}
          loading={eager ? 'eager' : 'lazy'} fetchpriority={eager ? 'high' : 'auto'} decoding="async" draggable={false}
          onLoad={e => e.currentTarget.classList.add('ld')} onError={failed} />}
      {pr && !tile && pr.kind !== 'metadata' && <span class="pbadge" aria-hidden="true"><Icon name="alert" size={16} /></span>}
      {video && <span class="badge">{p.duration ? fmtDuration(p.duration) : ''}<Icon name="play" filled size={16} /></span>}
      {p.motion && !video && <span class="badge live" title={t('grid.live_photo')}><Icon name="live" size={18} /></span>}
      {p._note && <span class="note">{p._note}</span>}
      {p.favorite && <span class="fav"><Icon name="heart" filled size={16} /></span>}
      {stars && p.rating > 0 && <span class="rate" title={t('grid.stars', { n: p.rating })}><Icon name="star" filled size={14} />{p.rating}</span>}
      {p.only_me && <span class={'onlyme-badge' + (stars && p.rating > 0 ? ' up' : '')} title={t('grid.only_me')} data-testid="only-me-badge"><Icon name="lock" size={12} />{t('grid.only_me')}</span>}
      {tick && <button class="chk" tabindex={-1} aria-label={sel ? t('grid.deselect') : t('common.select')}><span><Icon name="check" size={14} /></span></button>}
    </div>
  )
}

export function fmtDuration(s) {
  s = Math.round(s)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

// Scrubber: the date scrubber on the grid's right edge. Positions on it are
// scroll positions: a year's label sits where dragging reaches that year's
// first month. Dragging anywhere on it (a year label included) scrubs, with
// a bubble naming the month under the pointer; a click on a label jumps to
// that year, a click elsewhere to that point. Labels that would crowd the
// one above are left out (never shown as bare dots): hovering shows the
// month and year in the bubble. On phones the strip gives way to a handle
// that appears while the grid scrolls and can be dragged with a finger.
const LABEL_GAP = 20 // px between year label centres; labels are ~15 px tall

function Scrubber({ st, scroller, hoff, onJump }) {
  const ref = useRef(null)
  const [h, setH] = useState(0)
  const [tip, setTip] = useState(null) // {y, s}: the bubble
  const [active, setActive] = useState(false) // phones: the handle shows
  const drag = useRef(null) // {id, y0, moved, year, grab}
  const idle = useRef(0)
  useLayoutEffect(() => {
    const ro = new ResizeObserver(() => setH(ref.current.clientHeight))
    ro.observe(ref.current)
    return () => ro.disconnect()
  }, [])
  useEffect(() => {
    const el = scroller.current
    const onScroll = () => {
      setActive(true)
      clearTimeout(idle.current)
      idle.current = setTimeout(() => { if (!drag.current) setActive(false) }, 1500)
    }
    el.addEventListener('scroll', onScroll, { passive: true })
    return () => { el.removeEventListener('scroll', onScroll); clearTimeout(idle.current) }
  }, [])
  const el = scroller.current
  const max = Math.max(1, st.total - (el ? el.clientHeight : 0))
  const yOf = top => (Math.min(top, max) / max) * h
  const sectionAt = y => st.sections.find(s => s.top + s.height > y) || st.sections[st.sections.length - 1]

  // One label per year at its first month, thinned so none touches another.
  const years = []
  let lastY = -Infinity
  const seen = new Set()
  for (const s of st.sections) {
    if (seen.has(s.year)) continue
    seen.add(s.year)
    const y = Math.min(Math.max(yOf(s.top), 9), h - 9)
    if (y - lastY < LABEL_GAP) continue
    years.push({ year: s.year, y, s })
    lastY = y
  }

  const jumpTo = s => { el.scrollTop = Math.min(s.top, max) + hoff(); onJump() }
  const at = clientY => {
    const r = ref.current.getBoundingClientRect()
    const y = Math.min(h, Math.max(0, clientY - r.top))
    return { y, s: sectionAt((y / h) * max + 1) }
  }
  const scrub = clientY => {
    const p = at(clientY)
    el.scrollTop = (p.y / h) * max + hoff()
    setTip(p)
    onJump()
  }
  const down = e => {
    if (e.button) return
    const handle = e.target.closest('.handle')
    e.preventDefault()
    ;(handle || ref.current).setPointerCapture(e.pointerId)
    const lbl = e.target.closest('.yr')
    // On the handle, keep the finger where it took hold.
    const grab = handle ? e.clientY - handle.getBoundingClientRect().top - handle.offsetHeight / 2 : 0
    drag.current = { id: e.pointerId, y0: e.clientY, moved: false, year: lbl ? +lbl.dataset.year : 0, grab }
    setActive(true)
    if (handle) setTip(at(e.clientY - grab))
  }
  const move = e => {
    const d = drag.current
    if (!d) {
      if (e.pointerType === 'mouse') setTip(at(e.clientY)) // hover names the month
      return
    }
    if (!d.moved && Math.abs(e.clientY - d.y0) < 4) return
    d.moved = true
    scrub(e.clientY - d.grab)
  }
  const up = e => {
    const d = drag.current
    if (!d) return
    drag.current = null
    if (!d.moved && e.type === 'pointerup') {
      const y = years.find(x => x.year === d.year)
      if (y) jumpTo(y.s)
      else if (!d.grab) scrub(e.clientY)
    }
    if (e.pointerType !== 'mouse') setTip(null)
    clearTimeout(idle.current)
    idle.current = setTimeout(() => { if (!drag.current) setActive(false) }, 1500)
  }
  const pos = Math.min(Math.max(el ? yOf(el.scrollTop - hoff()) : 0, 9), h - 9)
  return (
    <div class={'scrubber' + (active ? ' active' : '') + (tip && drag.current ? ' dragging' : '')} ref={ref} aria-label={t('grid.scrubber')}
      onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up}
      onPointerLeave={e => { if (!drag.current && e.pointerType === 'mouse') setTip(null) }}>
      {years.map(y => (
        <button class="yr" key={y.year} data-year={y.year} style={{ top: y.y }} aria-label={t('grid.jump_to', { year: String(y.year) })}
          onClick={e => { if (e.detail === 0) jumpTo(y.s) /* keyboard; pointers are handled above */ }}>{y.year}</button>
      ))}
      <div class="pos" style={{ top: pos }} />
      <div class="handle" style={{ top: Math.min(Math.max(pos, 24), h - 24) }} aria-hidden="true"><Icon name="up" size={14} /><Icon name="down" size={14} /></div>
      {tip && <div class="bubble" style={{ top: tip.y }} data-year={tip.s.year} data-month={tip.s.month}>{monthIn(tip.s.year, tip.s.month, 'short')}</div>}
    </div>
  )
}
