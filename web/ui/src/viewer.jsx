// The viewer: one photo full screen on black. Arrow keys and swipes move,
// Esc or a downward swipe closes, wheel, pinch, double-click and +/- zoom,
// `i` opens the info panel (a bottom sheet on phones) where title,
// description, keywords, date, place and stars can be edited; 1–5 set the
// stars and 0 clears them, as in Lightroom (0 first fits a zoomed photo).
//
// Geometry: the photo's box is computed here from its width and height (the
// API gives them after EXIF orientation) and the free area: the frame below
// the top bar, left of the info panel or above the info sheet. The element's
// box is exactly the photo, never a letterbox inside an oversized element,
// so zoom and pan are plain arithmetic on that box. (Sizing it with CSS
// percentages inside grid containers left the height indefinite: the image
// took the window's width and its bottom was cut off.)
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { api, download, get, mapStyle, qs, session, thumb, toast } from './api.js'
import { fmtDate, fmtNum, t } from './i18n.js'
import { Icon } from './icons.jsx'
import { isAdmin, canEdit as mayEdit } from './roles.js'
import { LiveButton, LiveVideo, useLive } from './motion.jsx'
import { match } from './router.js'
import { emit, useStore } from './store.js'
import { TrackSuggestion } from './tracksuggest.jsx'
import { ViewerVideo } from './video.jsx'
import { closeViewer, dropFromViewer, showFetched, stepViewer, viewer } from './viewer-state.js'
import { moveToTrash, restore } from './trash.jsx'

// The fit renditions and their boxes (thumbs/size.go): each fits the
// picture inside W×H and never upscales.
const FITS = [['fit_720', 720, 720], ['fit_1280', 1280, 1024], ['fit_1920', 1920, 1200], ['fit_2560', 2560, 1600], ['fit_4096', 4096, 4096]]
const MAX_ZOOM = 8
const Z1 = { s: 1, x: 0, y: 0 }

// rendition is the index in FITS of the smallest rendition at least `need`
// device pixels wide for a w×h photo, or of the first that already holds
// all of the photo's pixels (a bigger box would send the same picture).
export function rendition(w, h, need) {
  for (let i = 0; i < FITS.length; i++) {
    const [, bw, bh] = FITS[i]
    if (!(w > 0 && h > 0)) {
      if (Math.max(bw, bh) >= need) return i
      continue
    }
    const k = Math.min(1, bw / w, bh / h)
    if (w * k >= need * 0.98 || k === 1) return i
  }
  return FITS.length - 1
}

// fit scales w×h to the largest size inside fw×fh: contained, not shrunk.
const fit = (w, h, fw, fh) => { const k = Math.min(fw / w, fh / h); return [w * k, h * k] }

// dims is the photo's displayed size: the API's, unless the pixels that
// arrived disagree (no size known, or a video's rotation the index missed).
function dims(p, n) {
  const ok = p.width > 0 && p.height > 0
  if (!n) return ok ? [p.width, p.height] : [0, 0]
  // A small rendition's rounding (720×5 for a 4000×28 strip) is agreement.
  const eh = n.w * p.height / p.width
  if (ok && Math.abs(n.h - eh) <= Math.max(1.5, 0.02 * eh)) return [p.width, p.height]
  const a = n.w / n.h
  const big = Math.max(p.width || 0, p.height || 0, n.w, n.h)
  return a >= 1 ? [big, big / a] : [big * a, big]
}

// "Tue, Jul 2, 2019, 1:14 PM" (in the app's language) from the wall-clock
// time the photo was taken; narrow screens leave out the weekday, and the
// time never breaks across lines.
export function fmtTaken(s, narrow) {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)/.exec(s || '')
  if (!m) return ''
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])
  return fmtDate(d, { weekday: narrow ? undefined : 'short', day: 'numeric', month: 'short', year: 'numeric' }) + ', ' +
    fmtDate(d, { hour: 'numeric', minute: '2-digit' }).replace(/\s/g, '\u00a0')
}

// useSize follows an element's size (the free area changes with the
// window, the info panel and the phone's rotation).
function useSize(ref) {
  const [size, setSize] = useState([0, 0])
  useLayoutEffect(() => {
    const el = ref.current
    const read = () => {
      const r = el.getBoundingClientRect()
      setSize(s => (s[0] === r.width && s[1] === r.height ? s : [r.width, r.height]))
    }
    read()
    const ro = new ResizeObserver(read)
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return size
}

export function Viewer() {
  const v = useStore(viewer)
  if (!v) return null
  if (v.pending) return <Pending key={v.pending} id={v.pending} />
  return <ViewerOpen v={v} />
}

// Pending fetches the photo an address names (a reload, a bookmark, Forward)
// when the screen's list does not have it (yet).
function Pending({ id }) {
  const [hidden, setHidden] = useState(false)
  useEffect(() => {
    let alive = true
    const share = match('/s/:token', location.pathname)
    const base = share ? `/s/${encodeURIComponent(share.token)}` : ''
    const load = path => get(base + path, { quiet: true, keepToken: !!share })
    load(`/photos/${encodeURIComponent(id)}`).then(d => {
      if (!alive) return
      const p = share && d.thumb_token ? { ...d.photo, _t: d.thumb_token } : d.photo
      showFetched(id, p, share ? { shared: true, downloads: d.downloads !== false, detail: pid => load(`/photos/${pid}`) } : null)
    }).catch(e => {
      if (!alive) return
      // A share behind a password asks for it first; once unlocked, its
      // grid hands the photo over (viewer-state.js, useGridList).
      if (share && e.status === 401) return setHidden(true)
      toast(e.status === 404 ? t('viewer.not_here') : e.message, 'error')
      closeViewer()
    })
    return () => { alive = false }
  }, [id])
  if (hidden) return null
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-busy="true" aria-label={t('viewer.opening')}>
      <div class="stage">
        <div class="vtop"><button class="ib" onClick={() => closeViewer()} aria-label={t('viewer.close_esc')} title={t('viewer.close_esc')}><Icon name="left" /></button></div>
        <div class="frame" />
      </div>
    </div>
  )
}

function ViewerOpen({ v }) {
  const p = v.list[v.index]
  const [info, setInfo] = useState(() => localStorage.getItem('pinhole.info') === '1' && innerWidth > 719)
  const [detail, setDetail] = useState(null)
  const [fav, setFav] = useState(p ? !!p.favorite : false)
  const [nat, setNat] = useState(null) // {id, w, h}: the pixels that arrived
  const [z, setZ] = useState(Z1)
  const zr = useRef(Z1)
  const put = nz => { zr.current = nz; setZ(nz) }
  const frame = useRef(null)
  const [fw, fh] = useSize(frame)
  const sound = useRef(false) // unmuted once by the user: later videos keep sound
  const shared = !!v.source?.shared
  // A share can withhold originals; its source then says downloads: false.
  const canDownload = !shared || v.source.downloads !== false
  const role = session.get().user?.role
  const canEdit = !shared && mayEdit(role)
  // Shares without downloads serve at most fit_1920: asking for more sends the same image.
  const maxFit = canDownload ? FITS.length - 1 : 2
  const toggleInfo = () => setInfo(x => { localStorage.setItem('pinhole.info', x ? '0' : '1'); return !x })

  const [stars, setStars] = useState(p ? p.rating || 0 : 0)
  useEffect(() => { put(Z1); setFav(!!p?.favorite); setStars(p?.rating || 0) }, [p?.id])
  useEffect(() => { put(Z1) }, [fw, fh])

  const video = p?.media_type === 'video'
  const live = useLive(video ? null : p) // a live photo's motion (motion.jsx)
  const [pw, ph] = p ? dims(p, nat && nat.id === p.id ? nat : null) : [0, 0]
  const [dw, dh] = fw > 0 && pw > 0 ? fit(pw, ph, fw, fh) : [fw, fh]
  const dpr = devicePixelRatio || 1

  // Preload the neighbours at the size this screen shows them.
  useEffect(() => {
    if (!fw) return
    for (const d of [1, -1, 2]) {
      const n = v.list[v.index + d]
      if (!n || n.media_type === 'video') continue
      const [w] = n.width > 0 && n.height > 0 ? fit(n.width, n.height, fw, fh) : [fw]
      const im = new Image()
      im.src = still(n, FITS[Math.min(maxFit, rendition(n.width, n.height, w * dpr))][0])
    }
  }, [v.index, v.list, fw, fh])

  // Details (files, keywords, albums) for the info panel, and for the top
  // bar's file name when the photo has neither place nor title.
  const place = p ? [p.city, p.country].filter(Boolean).join(', ') : ''
  const needDetail = !!p && (info || (!place && !p.title))
  const cur = p && detail && (detail.photo?.id === p.id || detail.for === p.id) ? detail : null
  useEffect(() => {
    if (!needDetail || cur) return
    let alive = true
    const id = p.id
    const load = shared ? v.source.detail(id) : api('GET', `/photos/${id}`, undefined, { quiet: true })
    load.then(d => alive && setDetail(d)).catch(e => alive && setDetail({ error: e.message, for: id }))
    return () => { alive = false }
  }, [needDetail, p?.id])

  const toggleFav = async () => {
    if (!canEdit) return
    const want = !fav
    setFav(want); p.favorite = want // optimistic
    try {
      await api('PATCH', `/photos/${p.id}`, { favorite: want })
      toast(want ? t('viewer.fav_added') : t('viewer.fav_removed'), 'ok', 1800)
      emit('photo-updated', p)
    } catch { setFav(!want); p.favorite = !want }
  }
  // Move to Trash takes the whole photo (every file of it) out of every
  // view; in the Trash the same place restores it. Either way the viewer
  // goes on to the next photo.
  const trashOrRestore = async () => {
    if (!canEdit) return
    const id = p.id
    if (await (p.trashed_at ? restore([id]) : moveToTrash([id]))) dropFromViewer(id)
  }
  // rate sets the stars at once and tells the server; a failure puts the
  // old ones back (the toast says why).
  const rate = async n => {
    if (!canEdit || !p) return
    const was = p.rating || 0
    if (n === was) return
    setStars(n); p.rating = n
    try {
      await api('PATCH', `/photos/${p.id}`, { rating: n })
      toast(n ? t('viewer.rated', { n }) : t('viewer.stars_cleared'), 'ok', 1500)
      setDetail(d => (d && d.photo?.id === p.id ? { ...d, photo: { ...d.photo, rating: n } } : d))
      emit('photo-updated', p)
    } catch { setStars(was); p.rating = was }
  }
  const setFlag = async (flag, on) => {
    try {
      await api('PATCH', `/photos/${p.id}`, { [flag]: on })
      p[flag] = on
      const archive = flag === 'archived'
      toast(on ? (archive ? t('viewer.to_archive') : t('viewer.to_private')) : (archive ? t('viewer.from_archive') : t('viewer.from_private')), 'ok', 2000)
      emit('photos-changed')
      setDetail(d => d && { ...d, photo: { ...d.photo, [flag]: on } })
    } catch { /* toast shown */ }
  }

  // Zoom: s scales the photo's box about its centre, (x, y) moves it. Pan
  // is clamped so the photo never leaves the frame: where it is larger than
  // the frame it covers it, where it is smaller it stays inside it.
  const clampZ = (s, x, y) => {
    if (s <= 1.001) return Z1
    const mx = Math.abs(dw * s - fw) / 2, my = Math.abs(dh * s - fh) / 2
    return { s, x: Math.min(mx, Math.max(-mx, x)), y: Math.min(my, Math.max(-my, y)) }
  }
  // zoomAt keeps the point under (cx, cy) (from the frame's centre) still.
  const zoomAt = (s, cx, cy, from = zr.current) => {
    if (video) return Z1
    s = Math.min(MAX_ZOOM, Math.max(1, s))
    const k = s / from.s
    return clampZ(s, cx - (cx - from.x) * k, cy - (cy - from.y) * k)
  }
  const toggleZoom = c => put(zr.current.s > 1 ? Z1 : zoomAt(2.5, c.x, c.y, Z1))

  useEffect(() => {
    const onKey = e => {
      if (e.target.closest && e.target.closest('input, textarea, select')) { if (e.key === 'Escape') e.target.blur(); return }
      if (e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'ArrowRight') stepViewer(1)
      else if (e.key === 'ArrowLeft') stepViewer(-1)
      else if (e.key === 'Escape') closeViewer()
      else if (e.key === 'i') toggleInfo()
      else if (e.key === 'f') toggleFav()
      else if (e.key === 'Delete' && canEdit && !p.trashed_at) trashOrRestore()
      else if (e.key === '+' || e.key === '=') put(zoomAt(zr.current.s * 1.5, 0, 0))
      else if (e.key === '-') put(zoomAt(zr.current.s / 1.5, 0, 0))
      else if (e.key === '0' && (zr.current.s > 1 || !canEdit)) put(Z1)
      else if (/^[0-5]$/.test(e.key) && canEdit) rate(+e.key)
      else return
      e.preventDefault()
      e.stopPropagation()
    }
    addEventListener('keydown', onKey, true)
    return () => removeEventListener('keydown', onKey, true)
  })

  // Gestures, in coordinates from the frame's centre.
  const ptrs = useRef(new Map())
  const g = useRef(null)
  const lastTap = useRef({ t: 0, x: 0, y: 0, type: '' })
  const at = e => { const r = frame.current.getBoundingClientRect(); return { x: e.clientX - r.left - r.width / 2, y: e.clientY - r.top - r.height / 2 } }
  const two = () => { const [a, b] = [...ptrs.current.values()]; return { d: Math.hypot(a.x - b.x, a.y - b.y), m: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } } }
  const onWheel = e => {
    e.preventDefault()
    const c = at(e)
    // Trackpad pinches arrive as small ctrl+wheel steps.
    put(zoomAt(zr.current.s * Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0025)), c.x, c.y))
  }
  const onDown = e => {
    lastTap.current.type = e.pointerType
    if (e.target.closest('button, a')) return
    // The bottom of a video holds its controls: leave those to the video.
    if (e.target.tagName === 'VIDEO' && e.clientY > e.target.getBoundingClientRect().bottom - 64) return
    ptrs.current.set(e.pointerId, at(e))
    if (ptrs.current.size === 2 && !video) {
      const p2 = two()
      g.current = { pinch: p2.d, mid: p2.m, z: zr.current }
    } else if (ptrs.current.size === 1) {
      g.current = { x: e.clientX, y: e.clientY, z: zr.current, dx: 0, dy: 0, moved: false }
    }
  }
  const onMove = e => {
    const gs = g.current
    if (!ptrs.current.has(e.pointerId) || !gs) return
    ptrs.current.set(e.pointerId, at(e))
    if (gs.pinch) {
      if (ptrs.current.size < 2) return
      const p2 = two()
      const nz = zoomAt(gs.z.s * p2.d / gs.pinch, gs.mid.x, gs.mid.y, gs.z)
      put(clampZ(nz.s, nz.x + p2.m.x - gs.mid.x, nz.y + p2.m.y - gs.mid.y))
      return
    }
    const dx = e.clientX - gs.x, dy = e.clientY - gs.y
    if (!gs.moved) {
      if (Math.hypot(dx, dy) < 8) return
      gs.moved = true
      try { frame.current.setPointerCapture(e.pointerId) } catch { /* pointer already gone */ }
    }
    gs.dx = dx; gs.dy = dy
    if (gs.z.s > 1) put(clampZ(gs.z.s, gs.z.x + dx, gs.z.y + dy))
    else put({ s: 1, x: dx, y: Math.abs(dy) > Math.abs(dx) ? Math.max(0, dy) : 0 })
  }
  const onUp = e => {
    if (!ptrs.current.delete(e.pointerId)) return
    const gs = g.current
    if (!gs || ptrs.current.size) return
    g.current = null
    if (!gs.pinch && !gs.moved) {
      // A double tap zooms in or back out on touch screens (mice have dblclick).
      const lt = lastTap.current, now = Date.now(), c = at(e)
      if (e.pointerType !== 'mouse' && e.type === 'pointerup') {
        if (now - lt.t < 320 && Math.hypot(c.x - lt.x, c.y - lt.y) < 30) { lt.t = 0; toggleZoom(c) } else Object.assign(lt, { t: now, x: c.x, y: c.y })
      }
      return
    }
    if (gs.pinch || gs.z.s > 1) return setZ(z => ({ ...z })) // transitions back on
    if (gs.dy > 110 && gs.dy > Math.abs(gs.dx)) return closeViewer()
    if (gs.dx < -60) stepViewer(1)
    else if (gs.dx > 60) stepViewer(-1)
    put(Z1)
  }
  const onDbl = e => { if (lastTap.current.type === 'mouse' && !e.target.closest('button, a, video')) toggleZoom(at(e)) }

  if (!p) return null
  const fileName = cur?.files?.find(f => f.primary)?.name || cur?.files?.[0]?.name || ''
  const when = fmtTaken(p.taken_local || p.taken_at, fw > 0 && fw < 600)
  const lines = [when, place || p.title || fileName].filter(Boolean)
  const label = p.title || fileName || (video ? t('viewer.a_video') : t('viewer.a_photo'))
  const onNatural = (w, h) => w > 0 && h > 0 && setNat(n => (n && n.id === p.id && n.w >= w ? n : { id: p.id, w, h }))
  const box = { left: (fw - dw) / 2 + 'px', top: (fh - dh) / 2 + 'px', width: dw + 'px', height: dh + 'px' }
  return (
    <div class={'viewer' + (info ? ' with-info' : '')} data-id={p.id} role="dialog" aria-modal="true" aria-label={t('viewer.position', { i: v.index + 1, n: v.list.length })}>
      <div class="stage">
        <div class="vtop">
          <button class="ib" onClick={() => closeViewer()} aria-label={t('viewer.close_esc')} title={t('viewer.close_esc')}><Icon name="left" /></button>
          <div class="vtitle" title={lines.join(' · ')}>{lines.map((l, i) => (i ? <span key={i}>{l}</span> : <b key={i}>{l}</b>))}</div>
          {stars > 0 && <span class="vstars" role="img" aria-label={t('viewer.stars', { n: stars })} title={t('viewer.stars_change', { n: stars })}><Icon name="star" filled size={16} />{stars}</span>}
          <LiveButton live={live} />
          {canEdit && <button class={'ib' + (fav ? ' on' : '')} onClick={toggleFav} aria-pressed={fav} aria-label={fav ? t('viewer.unfavourite') : t('viewer.favourite')} title={t('viewer.favourite')}><Icon name="heart" filled={fav} /></button>}
          {canEdit && <button class="ib" onClick={trashOrRestore} data-testid="viewer-trash"
            aria-label={p.trashed_at ? t('viewer.restore_trash') : t('viewer.to_trash')} title={p.trashed_at ? t('viewer.restore') : t('viewer.to_trash')}><Icon name={p.trashed_at ? 'refresh' : 'trash'} /></button>}
          {canDownload && <a class="ib dl" href={download(p)} download aria-label={t('viewer.download_original')} title={t('viewer.download_original')}><Icon name="download" /></a>}
          <button class={'ib' + (info ? ' on' : '')} onClick={toggleInfo} aria-pressed={info} aria-label={t('viewer.info_key')} title={t('viewer.info_key')}><Icon name="info" /></button>
        </div>
        <div class="frame" ref={frame} onWheel={onWheel} onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp} onDblClick={onDbl}>
          {fw > 0 && (
            <div class="media" style={{ ...box, transform: `translate(${z.x}px, ${z.y}px) scale(${z.s})`, transition: g.current ? 'none' : 'transform .15s ease-out' }}
              onPointerDown={live.press} onContextMenu={e => live.moving && e.preventDefault()}>
              {!video && <LiveVideo live={live} />}
              {video
                ? <ViewerVideo key={p.id} p={p} poster={thumb(p, 'fit_1280')} label={label} muted={!sound.current} canDownload={canDownload}
                  onNatural={onNatural} onVolume={on => { sound.current = on }} />
                : <Layers key={p.id} p={p} want={Math.min(maxFit, rendition(pw, ph, dw * z.s * dpr))} alt={label} onNatural={onNatural} />}
            </div>
          )}
          {v.index > 0 && <button class="ib nav-btn l" onClick={() => stepViewer(-1)} aria-label={t('viewer.previous')}><Icon name="left" /></button>}
          {v.index < v.list.length - 1 && <button class="ib nav-btn r" onClick={() => stepViewer(1)} aria-label={t('viewer.next')}><Icon name="right" /></button>}
        </div>
      </div>
      {info && <InfoPanel p={p} stars={stars} onRate={rate} detail={cur} setDetail={setDetail} canEdit={canEdit} shared={shared} canDownload={canDownload} onFlag={setFlag} onClose={() => setInfo(false)} />}
    </div>
  )
}

// still is a photo's rendition URL for the viewer: ?ph=0 makes a refusal
// fail the image (and say why) instead of showing a placeholder picture.
const still = (p, size) => thumb(p, size) + '?ph=0'

// Layers stacks the renditions asked for so far, smallest first: each stays
// invisible until it is loaded and decoded, and then covers the ones below,
// which are dropped. The picture on screen is never swapped for a blank one:
// zooming in keeps the current image until the sharper one is ready.
function Layers({ p, want, alt, onNatural }) {
  const [asked, setAsked] = useState(() => [...new Set([0, want])])
  const [ready, setReady] = useState(-1) // the largest decoded layer
  const [failed, setFailed] = useState(() => new Set())
  const [why, setWhy] = useState('')
  const top = asked[asked.length - 1]
  useEffect(() => {
    if (want <= top) return
    // Wait for a wheel or pinch to settle, so one zoom asks for one size.
    const timer = setTimeout(() => setAsked(a => (a.includes(want) ? a : [...a, want].sort((x, y) => x - y))), 150)
    return () => clearTimeout(timer)
  }, [want, top])
  const loaded = (i, img) => {
    img.decode().catch(() => {}).then(() => {
      onNatural(img.naturalWidth, img.naturalHeight)
      setReady(r => Math.max(r, i))
    })
  }
  const pr = p.problem && !p.problem.preview ? p.problem : null
  if (pr || asked.every(i => failed.has(i))) {
    return (
      <div class="vfail" role="img" aria-label={alt}>
        <Icon name={pr && (pr.kind === 'damaged' || pr.kind === 'incomplete') ? 'broken' : 'alert'} />
        <b>{pr ? pr.reason : t('viewer.no_preview')}</b>
        <span>{pr ? pr.detail : why || t('viewer.cannot_show')}{' '}{t('viewer.open_elsewhere')}</span>
        {pr?.fix && <span class="small">{pr.fix}</span>}
      </div>
    )
  }
  // A failed rendition asks the server why (?ph=0 answers a refusal with
  // its reason instead of a placeholder picture).
  const fail = async (i, url) => {
    try { const r = (await (await fetch(url)).json()).error; if (r) setWhy(r[0].toUpperCase() + r.slice(1) + '.') } catch { /* say nothing more */ }
    setFailed(f => new Set(f).add(i))
  }
  return asked.filter(i => i >= ready).map(i => (
    <img key={i} class={i === ready ? 'full' : 'next'} src={still(p, FITS[i][0])} alt={i === ready ? alt : ''} draggable={false}
      onLoad={e => loaded(i, e.currentTarget)} onError={e => fail(i, e.currentTarget.src)} />
  ))
}

// leave follows a link out of the viewer: the viewer's history entry goes
// first, so Back from the new screen returns to the one under the viewer.
function leave(e) {
  if (e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return
  e.preventDefault()
  closeViewer(e.currentTarget.getAttribute('href'))
}

const dec1 = x => fmtNum(x, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const fmtBytes = n => (n >= 1e9 ? dec1(n / 1e9) + ' GB' : n >= 1e6 ? dec1(n / 1e6) + ' MB' : fmtNum(Math.round(n / 1e3)) + ' KB')
const fmtExp = x => (!x ? '' : x >= 1 ? `${fmtNum(x)}s` : `1/${Math.round(1 / x)}`)

function InfoPanel({ p, stars, onRate, detail, setDetail, canEdit, shared, canDownload, onFlag, onClose }) {
  const d = detail && !detail.error ? detail : null
  const ph = d ? d.photo : p
  const save = async body => {
    try {
      const r = await api('PATCH', `/photos/${p.id}`, body)
      Object.assign(p, r.photo || body)
      setDetail(r)
      toast(t('viewer.saved'), 'ok', 1500)
      emit('photo-updated', p)
    } catch { /* toast shown */ }
  }
  const field = (name, value, opts = {}) => canEdit ? (
    <EditField key={p.id + name} label={opts.label} value={value ?? ''} multiline={opts.multiline} placeholder={opts.placeholder}
      onSave={val => save(opts.parse ? opts.parse(val) : { [name]: val })} />
  ) : (value ? <span>{value}</span> : null)
  const when = (ph.taken_local || ph.taken_at || '')
  const camera = [ph.make, ph.model].filter(Boolean).join(' ')
  const expo = [ph.f_number && `ƒ/${ph.f_number}`, fmtExp(ph.exposure_time), ph.focal_length && `${ph.focal_length} mm`, ph.iso && `ISO ${ph.iso}`].filter(Boolean).join('  ·  ')
  const place = [ph.city, ph.state, ph.country].filter(Boolean).join(', ')
  return (
    <aside class="info" aria-label={t('viewer.photo_info')}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <h2 style={{ flex: 1 }}>{t('viewer.info')}</h2>
        <button class="ib" onClick={onClose} aria-label={t('viewer.close_info')}><Icon name="close" /></button>
      </div>
      {detail?.error && <p class="err">{detail.error}</p>}
      <div style={{ margin: '12px 0 6px', fontSize: 17, fontWeight: 600 }}>{field('title', ph.title, { label: t('viewer.title'), placeholder: t('viewer.add_title') })}</div>
      <div>{field('description', ph.description, { label: t('viewer.description'), placeholder: t('viewer.add_description'), multiline: true })}</div>
      <h3>{t('viewer.details')}</h3>
      <dl>
        <dt><Icon name="calendar" size={20} /></dt>
        <dd>{field('taken_local', when, { label: t('viewer.date_label'), placeholder: t('viewer.date'), parse: v => ({ taken_local: v.trim(), taken_offset: ph.taken_offset ?? null }) })}
          {canEdit && <ZoneSelect offset={ph.taken_offset} onChange={off => save({ taken_local: when, taken_offset: off })} />}
          <div class="small muted">{takenFrom(ph.taken_source)}{!canEdit && ph.taken_offset != null ? ` · ${fmtOffset(ph.taken_offset)}` : ''}</div></dd>
        {(camera || expo) && <><dt><Icon name="photo" size={20} /></dt><dd>{camera}<div class="small muted">{ph.lens}</div><div class="small muted">{expo}</div></dd></>}
        {(canEdit || stars > 0) && <><dt><Icon name="star" size={20} /></dt>
          <dd>{canEdit ? <Stars value={stars} onChange={onRate} /> : <span aria-label={t('viewer.stars', { n: stars })}>{'★'.repeat(stars)}</span>}</dd></>}
        <dt><Icon name="image" size={20} /></dt>
        <dd>{ph.width} × {ph.height}{ph.width ? ` · ${t('viewer.megapixels', { mp: dec1(ph.width * ph.height / 1e6) })}` : ''}</dd>
        <dt><Icon name="pin" size={20} /></dt>
        <dd>{place || <span class="muted">{t('viewer.no_place')}</span>}
          {!shared && field('location', ph.lat != null ? `${(+ph.lat).toFixed(5)}, ${(+ph.lng).toFixed(5)}` : '', {
            label: t('viewer.location_label'), placeholder: t('viewer.add_location'),
            parse: v => {
              if (!v.trim()) return { lat: null, lng: null }
              const [a, b] = v.split(',').map(Number)
              return { lat: a, lng: b }
            },
          })}
          {/* The map is Pinhole's own, for its users: a share visitor (given
              the position when the owner included locations) gets it as
              numbers, without a map that needs a login. */}
          {ph.lat != null && !shared && <MiniMap lat={+ph.lat} lng={+ph.lng} />}
          {ph.lat != null && !shared && <div class="small"><a href={`/map?lat=${ph.lat}&lng=${ph.lng}&z=13`} onClick={leave}>{t('viewer.show_on_map')}</a>{placeFrom(ph.place_source) ? <span class="muted"> · {placeFrom(ph.place_source)}</span> : null}</div>}
          {ph.lat != null && shared && <div class="small muted">{(+ph.lat).toFixed(5)}, {(+ph.lng).toFixed(5)}</div>}
          {ph.lat == null && !shared && <TrackSuggestion p={p} canEdit={canEdit} onPlaced={setDetail} />}
        </dd>
      </dl>
      {d?.people?.length ? <><h3>{t('viewer.people')}</h3><div class="photo-people">{d.people.map(f => <a key={f.id} class="chip" href={`/people/${f.person_id}`} onClick={leave}><Icon name="user" size={16} />{f.name}</a>)}</div></> : null}
      {(canEdit || d?.keywords?.length > 0) && <>
        <h3>{t('viewer.keywords')}</h3>
        {field('keywords', (d?.keywords || []).join(', '), { label: t('viewer.keywords_label'), placeholder: t('viewer.add_keywords'), parse: v => ({ keywords: v.split(',').map(s => s.trim()).filter(Boolean) }) })}
      </>}
      {d?.albums?.length ? <><h3>{t('viewer.albums')}</h3>{d.albums.map(a => <div key={a.id}><a href={`/albums/${a.id}`} onClick={leave}>{a.title}</a></div>)}</> : null}
      <h3>{t('viewer.files')}</h3>
      {!d && !detail?.error && <p class="muted small">{t('common.loading')}</p>}
      {d?.files?.map(f => (
        <div key={f.id} style={{ marginBottom: 10 }}>
          <div style={{ overflowWrap: 'anywhere' }}>{f.path || f.name}{f.missing && <span class="err">{' '}{t('viewer.missing')}</span>}</div>
          <div class="small muted">{fmtBytes(f.size)} · {f.mime}{f.primary ? ` · ${t('viewer.primary')}` : ''}{canDownload && <> · <a href={download(p, f)} download>{t('common.download')}</a></>}</div>
        </div>
      ))}
      {canEdit && <>
        <h3>{t('viewer.visibility')}</h3>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <button class="btn" onClick={() => onFlag('archived', !ph.archived)}><Icon name="archive" size={18} />{ph.archived ? t('viewer.unarchive') : t('viewer.archive')}</button>
          <button class="btn" onClick={() => onFlag('private', !ph.private)}><Icon name="lock" size={18} />{ph.private ? t('viewer.make_public') : t('viewer.make_private')}</button>
        </div>
        <OnlyMe p={p} ph={ph} setDetail={setDetail} />
      </>}
    </aside>
  )
}

// OnlyMe toggles a photo of the caller's space between their partners'
// and them alone (src/spaces.jsx); "private" above only hides it from
// viewer accounts. An admin sees, and may change, anyone's.
function OnlyMe({ p, ph, setDetail }) {
  const me = session.get().user || {}
  if (!ph.owner_user || (ph.owner_user !== me.id && !isAdmin(me.role))) return null
  const set = async on => {
    try {
      const r = await api('PUT', `/photos/${p.id}/only-me`, { only_me: on })
      p.only_me = on
      setDetail(r)
      toast(on ? t('viewer.only_me_on') : t('viewer.only_me_off'), 'ok', 2000)
      emit('photo-updated', p)
    } catch { /* toast shown */ }
  }
  return <>
    <label class="check" data-testid="only-me"><input type="checkbox" checked={!!ph.only_me} onChange={e => set(e.currentTarget.checked)} />{ph.owner_user !== me.id ? t('viewer.only_me_other') : t('viewer.only_me')}</label>
    <p class="small muted" style={{ margin: 0 }}>{t('viewer.only_me_help')}</p>
  </>
}

// takenFrom says where the date taken came from, in words.
function takenFrom(src) {
  switch (src) {
    case 'exif': return t('viewer.from_exif')
    case 'xmp': return t('viewer.from_xmp')
    case 'iptc': return t('viewer.from_iptc')
    case 'maker': return t('viewer.from_maker')
    case 'video': return t('viewer.from_video')
    case 'file_name': return t('viewer.from_file_name')
    case 'folder_name': return t('viewer.from_folder_name')
    case 'file_time': return t('viewer.from_file_time')
    case 'manual': return t('viewer.set_by_hand')
    default: return src ? t('viewer.from_other', { source: src }) : ''
  }
}

// placeFrom names where the place names came from.
function placeFrom(src) {
  if (src === 'offline') return t('viewer.place_offline')
  if (src === 'online') return t('viewer.place_online')
  return ''
}

// fmtOffset writes minutes east of UTC as "UTC+05:30".
export const fmtOffset = m => `UTC${m < 0 ? '−' : '+'}${String(Math.floor(Math.abs(m) / 60)).padStart(2, '0')}:${String(Math.abs(m) % 60).padStart(2, '0')}`
// Every zone offset in use on Earth: whole hours from −12 to +14 and the
// half- and three-quarter-hour zones.
export const OFFSETS = [...Array.from({ length: 27 }, (_, i) => (i - 12) * 60), -570, -330, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825].sort((a, b) => a - b)

// ZoneSelect sets the time zone the date taken was recorded in; the wall
// clock time stays, the instant moves.
function ZoneSelect({ offset, onChange }) {
  const has = offset != null
  const list = has && !OFFSETS.includes(offset) ? [...OFFSETS, offset].sort((a, b) => a - b) : OFFSETS
  return (
    <select class="edit zone" aria-label={t('viewer.zone')} title={t('viewer.zone')} value={has ? String(offset) : ''}
      onChange={e => { const v = e.currentTarget.value; onChange(v === '' ? null : +v) }}>
      <option value="">{t('viewer.zone_unknown')}</option>
      {list.map(m => <option key={m} value={String(m)}>{fmtOffset(m)}</option>)}
    </select>
  )
}

// The mini map: the photo's spot on Pinhole's own tiles (online tiles when
// the owner configured them, else the offline base map at country scale).
// What the map service offers is asked once per page load.
let tileInfo = null
function tiles() {
  const style = mapStyle()
  if (!tileInfo || tileInfo.style !== style) {
    tileInfo = { style, p: get('/geo' + qs({ bbox: '0,0,0.01,0.01', zoom: 2, style }), { quiet: true, keepToken: false }).then(r => ({
      url: r.tile_url && r.tile_url.startsWith('/') ? r.tile_url : `/api/v1/tiles/${style}/{z}/{x}/{y}`,
      z: r.online_tiles ? 13 : Math.min(6, r.max_native_zoom || 6),
    })).catch(() => null) }
  }
  return tileInfo.p
}

function MiniMap({ lat, lng }) {
  const [tl, setTl] = useState(null) // the tile service: URL template and zoom
  useEffect(() => { let alive = true; tiles().then(x => alive && setTl(x)); return () => { alive = false } }, [])
  const z = tl ? tl.z : 0
  const n = 2 ** z
  const wx = (lng + 180) / 360 * 256 * n
  const sin = Math.min(Math.max(Math.sin(lat * Math.PI / 180), -0.9999), 0.9999)
  const wy = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * 256 * n
  const imgs = []
  if (tl) {
    // Enough tiles to fill 400 × 180 around the point.
    for (let ty = Math.floor((wy - 90) / 256); ty <= Math.floor((wy + 90) / 256); ty++) {
      if (ty < 0 || ty >= n) continue
      for (let tx = Math.floor((wx - 200) / 256); tx <= Math.floor((wx + 200) / 256); tx++) {
        const x = ((tx % n) + n) % n
        imgs.push(<img key={tx + ',' + ty} alt="" draggable={false} src={tl.url.replace('{z}', z).replace('{x}', x).replace('{y}', ty)}
          style={{ left: `calc(50% + ${Math.round(tx * 256 - wx)}px)`, top: `calc(50% + ${Math.round(ty * 256 - wy)}px)` }} />)
      }
    }
  }
  return (
    <a class="minimap" href={`/map?lat=${lat}&lng=${lng}&z=13`} onClick={leave} aria-label={t('viewer.show_on_map')} title={t('viewer.show_on_map')}>
      {imgs}<i class="pin" />
    </a>
  )
}

// Stars sets 0–5 stars; with keep, a "Keep" choice leaves them as they
// are (value null: the batch edit's). Choosing the set star again clears
// the stars.
export function Stars({ value, onChange, keep }) {
  return (
    <div class="stars" role="radiogroup" aria-label={t('viewer.rating')}>
      {keep && <button type="button" role="radio" class="word" aria-checked={value === null} onClick={() => onChange(null)}>{t('viewer.keep')}</button>}
      {[1, 2, 3, 4, 5].map(n => (
        <button type="button" key={n} role="radio" aria-checked={value === n} aria-label={t('viewer.stars', { n })} title={t('viewer.stars_key', { n, key: String(n) })}
          class={value >= n ? 'on' : ''} onClick={() => onChange(value === n ? 0 : n)}><Icon name="star" filled={value >= n} /></button>
      ))}
      {keep && <button type="button" role="radio" class="word" aria-checked={value === 0} onClick={() => onChange(0)}>{t('viewer.none')}</button>}
    </div>
  )
}

function EditField({ label, value, multiline, placeholder, onSave }) {
  const [v, setV] = useState(value)
  useEffect(() => setV(value), [value])
  const commit = () => { if (v !== value) onSave(v) }
  const props = {
    class: 'edit', value: v, placeholder, 'aria-label': label, title: label,
    onInput: e => setV(e.currentTarget.value), onBlur: commit,
    onKeyDown: e => {
      if (e.key === 'Enter' && !(multiline && e.shiftKey)) { e.preventDefault(); e.currentTarget.blur() }
      if (e.key === 'Escape') { setV(value); setTimeout(() => e.target.blur()) }
    },
  }
  return multiline ? <textarea rows={2} {...props} /> : <input {...props} />
}
