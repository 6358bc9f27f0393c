// The viewer: one photo full screen on black. Arrow keys and swipes move,
// Esc or a downward swipe closes, wheel and pinch zoom, `i` opens the info
// panel where title, description, keywords, date and place can be edited.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, download, FIT, fitSrcset, get, mapStyle, qs, thumb, toast, videoURL } from './api.js'
import { Icon } from './icons.jsx'
import { emit, useStore } from './store.js'
import { closeViewer, viewer } from './viewer-state.js'
import { session } from './api.js'

// boxFor picks the fit size that covers the screen at its pixel density.
function boxFor() {
  const px = Math.max(innerWidth, innerHeight) * (devicePixelRatio || 1)
  return FIT.find(b => b >= px) || 4096
}

export function Viewer() {
  const v = useStore(viewer)
  if (!v) return null
  return <ViewerOpen v={v} />
}

function ViewerOpen({ v }) {
  const p = v.list[v.index]
  const [info, setInfo] = useState(() => localStorage.getItem('pinhole.info') === '1' && innerWidth > 719)
  const [detail, setDetail] = useState(null)
  const [fav, setFav] = useState(p ? !!p.favorite : false)
  const [z, setZ] = useState({ s: 1, x: 0, y: 0 })
  const stage = useRef(null)
  const shared = !!v.source?.shared
  // A share can withhold originals; its source then says downloads: false.
  const canDownload = !shared || v.source.downloads !== false
  const role = session.get().user?.role
  const canEdit = !shared && role && role !== 'viewer'

  // go reads the store, not this render's v: a second key press can arrive
  // before the re-render has re-bound the key handler, and must still move.
  const go = d => {
    const cur = viewer.get()
    if (!cur) return
    const i = cur.index + d
    if (i < 0 || i >= cur.list.length) return
    viewer.set({ ...cur, index: i })
  }
  useEffect(() => { setZ({ s: 1, x: 0, y: 0 }); setFav(!!p?.favorite) }, [p?.id])

  // Preload the neighbours at the size this screen needs.
  useEffect(() => {
    const box = boxFor()
    for (const d of [1, -1, 2]) {
      const n = v.list[v.index + d]
      if (n && n.media_type !== 'video') { const im = new Image(); im.src = thumb(n, 'fit_' + box) }
    }
  }, [v.index])

  useEffect(() => {
    if (!info || !p) return
    let alive = true
    setDetail(null)
    const load = shared ? v.source.detail(p.id) : api('GET', `/photos/${p.id}`, undefined, { quiet: true })
    load.then(d => alive && setDetail(d)).catch(e => alive && setDetail({ error: e.message }))
    return () => { alive = false }
  }, [info, p?.id])

  const toggleFav = async () => {
    if (!canEdit) return
    const want = !fav
    setFav(want); p.favorite = want // optimistic
    try {
      await api('PATCH', `/photos/${p.id}`, { favorite: want })
      toast(want ? 'Added to favourites' : 'Removed from favourites', 'ok', 1800)
      emit('photo-updated', p)
    } catch { setFav(!want); p.favorite = !want }
  }
  const setFlag = async (flag, on) => {
    try {
      await api('PATCH', `/photos/${p.id}`, { [flag]: on })
      p[flag] = on
      toast(on ? `Moved to ${flag === 'archived' ? 'archive' : 'private'}` : `Removed from ${flag === 'archived' ? 'archive' : 'private'}`, 'ok', 2000)
      emit('photos-changed')
      setDetail(d => d && { ...d, photo: { ...d.photo, [flag]: on } })
    } catch { /* toast shown */ }
  }

  useEffect(() => {
    const onKey = e => {
      if (e.target.closest && e.target.closest('input, textarea, select')) { if (e.key === 'Escape') e.target.blur(); return }
      if (e.key === 'ArrowRight') go(1)
      else if (e.key === 'ArrowLeft') go(-1)
      else if (e.key === 'Escape') closeViewer()
      else if (e.key === 'i') { setInfo(x => { localStorage.setItem('pinhole.info', x ? '0' : '1'); return !x }) }
      else if (e.key === 'f') toggleFav()
      else if (e.key === '+' || e.key === '=') setZ(z => ({ ...z, s: Math.min(8, z.s * 1.5) }))
      else if (e.key === '-') setZ(z => (z.s / 1.5 <= 1 ? { s: 1, x: 0, y: 0 } : { ...z, s: z.s / 1.5 }))
      else return
      e.preventDefault()
      e.stopPropagation()
    }
    addEventListener('keydown', onKey, true)
    return () => removeEventListener('keydown', onKey, true)
  })

  // Zoom and gestures.
  const ptrs = useRef(new Map())
  const g = useRef(null)
  const onWheel = e => {
    e.preventDefault()
    const r = stage.current.getBoundingClientRect()
    const cx = e.clientX - r.left - r.width / 2, cy = e.clientY - r.top - r.height / 2
    setZ(z => {
      const s = Math.min(8, Math.max(1, z.s * Math.exp(-e.deltaY * 0.0025)))
      if (s === 1) return { s: 1, x: 0, y: 0 }
      return { s, x: cx - (cx - z.x) * s / z.s, y: cy - (cy - z.y) * s / z.s }
    })
  }
  const onDown = e => {
    if (e.target.closest('button, a, video')) return
    ptrs.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    stage.current.setPointerCapture(e.pointerId)
    const pts = [...ptrs.current.values()]
    if (pts.length === 2) g.current = { pinch: Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y), z: { ...z } }
    else g.current = { x: e.clientX, y: e.clientY, z: { ...z }, dx: 0, dy: 0 }
  }
  const onMove = e => {
    if (!ptrs.current.has(e.pointerId) || !g.current) return
    ptrs.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    const pts = [...ptrs.current.values()]
    if (pts.length === 2 && g.current.pinch) {
      const d = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y)
      const s = Math.min(8, Math.max(1, g.current.z.s * d / g.current.pinch))
      setZ(s === 1 ? { s: 1, x: 0, y: 0 } : { ...g.current.z, s })
      return
    }
    const dx = e.clientX - g.current.x, dy = e.clientY - g.current.y
    g.current.dx = dx; g.current.dy = dy
    if (g.current.z.s > 1) setZ({ ...g.current.z, x: g.current.z.x + dx, y: g.current.z.y + dy })
    else setZ({ s: 1, x: dx, y: Math.max(0, dy) * (Math.abs(dy) > Math.abs(dx) ? 1 : 0) })
  }
  const onUp = e => {
    ptrs.current.delete(e.pointerId)
    const gs = g.current
    if (!gs || ptrs.current.size) return
    g.current = null
    if (gs.z.s > 1 || gs.pinch) return
    if (gs.dy > 110 && gs.dy > Math.abs(gs.dx)) return closeViewer()
    if (gs.dx < -60) go(1)
    else if (gs.dx > 60) go(-1)
    setZ({ s: 1, x: 0, y: 0 })
  }

  if (!p) return null
  const box = boxFor()
  const video = p.media_type === 'video'
  const title = p.title || detail?.files?.find(f => f.primary)?.name || ''
  return (
    <div class="viewer" data-id={p.id} role="dialog" aria-modal="true" aria-label={`Photo ${v.index + 1} of ${v.list.length}`}>
      <div class="stage" ref={stage} onWheel={onWheel} onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp}
        onDblClick={() => setZ(z => (z.s > 1 ? { s: 1, x: 0, y: 0 } : { s: 2.5, x: 0, y: 0 }))}>
        <div class="vtop">
          <button class="ib" onClick={closeViewer} aria-label="Close (Esc)" title="Close (Esc)"><Icon name="left" /></button>
          <span class="spacer small" style={{ opacity: .8 }}>{title}</span>
          {canEdit && <button class={'ib' + (fav ? ' on' : '')} onClick={toggleFav} aria-pressed={fav} aria-label={fav ? 'Unfavourite (f)' : 'Favourite (f)'} title="Favourite (f)"><Icon name="heart" filled={fav} /></button>}
          {canDownload && <a class="ib" href={download(p)} download aria-label="Download original" title="Download original"><Icon name="download" /></a>}
          {<button class={'ib' + (info ? ' on' : '')} onClick={() => setInfo(x => { localStorage.setItem('pinhole.info', x ? '0' : '1'); return !x })} aria-pressed={info} aria-label="Info (i)" title="Info (i)"><Icon name="info" /></button>}
        </div>
        {v.index > 0 && <button class="ib nav-btn l" onClick={() => go(-1)} aria-label="Previous photo"><Icon name="left" /></button>}
        {v.index < v.list.length - 1 && <button class="ib nav-btn r" onClick={() => go(1)} aria-label="Next photo"><Icon name="right" /></button>}
        <div class="zoom" style={{ transform: `translate(${z.x}px, ${z.y}px) scale(${z.s})`, transition: g.current ? 'none' : 'transform .15s ease-out' }}>
          {video
            ? <video key={p.id} src={videoURL(p)} poster={thumb(p, 'fit_1280')} controls autoplay playsinline aria-label={title || 'video'} />
            : <FullImage key={p.id} p={p} box={box} alt={title || 'photo'} />}
        </div>
      </div>
      {info && <InfoPanel p={p} detail={detail} setDetail={setDetail} canEdit={canEdit} shared={shared} canDownload={canDownload} onFlag={setFlag} onClose={() => setInfo(false)} />}
    </div>
  )
}

// FullImage shows the grid's cached fit_720 at once, then the sharp size.
function FullImage({ p, box, alt }) {
  const [sharp, setSharp] = useState(false)
  return (
    <>
      {!sharp && <img src={thumb(p, 'fit_720')} alt="" style={{ position: 'absolute', width: '100%', height: '100%', objectFit: 'contain', filter: 'blur(2px)' }} draggable={false} />}
      <img class="full" src={thumb(p, 'fit_' + box)} alt={alt} draggable={false} onLoad={() => setSharp(true)} style={{ opacity: sharp ? 1 : 0, width: '100%', height: '100%', objectFit: 'contain' }} />
    </>
  )
}

const fmtBytes = n => (n >= 1e9 ? (n / 1e9).toFixed(1) + ' GB' : n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.round(n / 1e3) + ' KB')
const fmtExp = t => (!t ? '' : t >= 1 ? `${t}s` : `1/${Math.round(1 / t)}`)

function InfoPanel({ p, detail, setDetail, canEdit, shared, canDownload, onFlag, onClose }) {
  const d = detail && !detail.error ? detail : null
  const ph = d ? d.photo : p
  const save = async body => {
    try {
      const r = await api('PATCH', `/photos/${p.id}`, body)
      Object.assign(p, r.photo || body)
      setDetail(r)
      toast('Saved', 'ok', 1500)
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
    <aside class="info" aria-label="Photo info">
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <h2 style={{ flex: 1 }}>Info</h2>
        <button class="ib" onClick={onClose} aria-label="Close info"><Icon name="close" /></button>
      </div>
      {detail?.error && <p class="err">{detail.error}</p>}
      <div style={{ margin: '12px 0 6px', fontSize: 17, fontWeight: 600 }}>{field('title', ph.title, { label: 'Title', placeholder: 'Add a title' })}</div>
      <div>{field('description', ph.description, { label: 'Description', placeholder: 'Add a description', multiline: true })}</div>
      <h3>Details</h3>
      <dl>
        <dt><Icon name="calendar" size={20} /></dt>
        <dd>{field('taken_local', when, { label: 'Date taken (YYYY-MM-DD HH:MM:SS)', placeholder: 'Date', parse: v => ({ taken_local: v.trim(), taken_offset: ph.taken_offset ?? null }) })}
          {canEdit && <ZoneSelect offset={ph.taken_offset} onChange={off => save({ taken_local: when, taken_offset: off })} />}
          <div class="small muted">{TAKEN_FROM[ph.taken_source] || (ph.taken_source ? `from ${ph.taken_source}` : '')}{!canEdit && ph.taken_offset != null ? ` · ${fmtOffset(ph.taken_offset)}` : ''}</div></dd>
        {(camera || expo) && <><dt><Icon name="photo" size={20} /></dt><dd>{camera}<div class="small muted">{ph.lens}</div><div class="small muted">{expo}</div></dd></>}
        <dt><Icon name="image" size={20} /></dt>
        <dd>{ph.width} × {ph.height}{ph.width ? ` · ${(ph.width * ph.height / 1e6).toFixed(1)} MP` : ''}</dd>
        <dt><Icon name="pin" size={20} /></dt>
        <dd>{place || <span class="muted">No place</span>}
          {!shared && field('location', ph.lat != null ? `${(+ph.lat).toFixed(5)}, ${(+ph.lng).toFixed(5)}` : '', {
            label: 'Location as latitude, longitude', placeholder: 'Add a location (lat, lng)',
            parse: v => {
              if (!v.trim()) return { lat: null, lng: null }
              const [a, b] = v.split(',').map(Number)
              return { lat: a, lng: b }
            },
          })}
          {ph.lat != null && <MiniMap lat={+ph.lat} lng={+ph.lng} />}
          {ph.lat != null && <div class="small"><a href={`/map?lat=${ph.lat}&lng=${ph.lng}&z=13`} onClick={() => closeViewer()}>Show on map</a>{PLACE_FROM[ph.place_source] ? <span class="muted"> · {PLACE_FROM[ph.place_source]}</span> : null}</div>}
        </dd>
      </dl>
      {(canEdit || d?.keywords?.length > 0) && <>
        <h3>Keywords</h3>
        {field('keywords', (d?.keywords || []).join(', '), { label: 'Keywords, separated by commas', placeholder: 'Add keywords', parse: v => ({ keywords: v.split(',').map(s => s.trim()).filter(Boolean) }) })}
      </>}
      {d?.albums?.length ? <><h3>Albums</h3>{d.albums.map(a => <div key={a.id}><a href={`/albums/${a.id}`} onClick={() => closeViewer()}>{a.title}</a></div>)}</> : null}
      <h3>Files</h3>
      {!d && !detail?.error && <p class="muted small">Loading…</p>}
      {d?.files?.map(f => (
        <div key={f.id} style={{ marginBottom: 10 }}>
          <div style={{ overflowWrap: 'anywhere' }}>{f.path || f.name}{f.missing && <span class="err"> (missing)</span>}</div>
          <div class="small muted">{fmtBytes(f.size)} · {f.mime}{f.primary ? ' · primary' : ''}{canDownload && <> · <a href={download(p, f)} download>Download</a></>}</div>
        </div>
      ))}
      {canEdit && <>
        <h3>Visibility</h3>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <button class="btn" onClick={() => onFlag('archived', !ph.archived)}><Icon name="archive" size={18} />{ph.archived ? 'Unarchive' : 'Archive'}</button>
          <button class="btn" onClick={() => onFlag('private', !ph.private)}><Icon name="lock" size={18} />{ph.private ? 'Make public' : 'Make private'}</button>
        </div>
      </>}
    </aside>
  )
}

// Where the date taken came from, in words.
const TAKEN_FROM = {
  exif: 'from EXIF', xmp: 'from XMP', iptc: 'from IPTC', maker: "from the camera's own record", video: 'from the video header',
  file_name: 'from the file name', folder_name: "from the folder's name", file_time: "from the file's modified time", manual: 'set by hand',
}
const PLACE_FROM = { offline: 'offline places', online: 'online geocoder' }

// fmtOffset writes minutes east of UTC as "UTC+05:30".
const fmtOffset = m => `UTC${m < 0 ? '−' : '+'}${String(Math.floor(Math.abs(m) / 60)).padStart(2, '0')}:${String(Math.abs(m) % 60).padStart(2, '0')}`
// Every zone offset in use on Earth: whole hours from −12 to +14 and the
// half- and three-quarter-hour zones.
const OFFSETS = [...Array.from({ length: 27 }, (_, i) => (i - 12) * 60), -570, -330, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825].sort((a, b) => a - b)

// ZoneSelect sets the time zone the date taken was recorded in; the wall
// clock time stays, the instant moves.
function ZoneSelect({ offset, onChange }) {
  const has = offset != null
  const list = has && !OFFSETS.includes(offset) ? [...OFFSETS, offset].sort((a, b) => a - b) : OFFSETS
  return (
    <select class="edit zone" aria-label="Time zone of the date taken" title="Time zone of the date taken" value={has ? String(offset) : ''}
      onChange={e => { const v = e.currentTarget.value; onChange(v === '' ? null : +v) }}>
      <option value="">Time zone unknown</option>
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
  const [t, setT] = useState(null)
  useEffect(() => { let alive = true; tiles().then(x => alive && setT(x)); return () => { alive = false } }, [])
  const z = t ? t.z : 0
  const n = 2 ** z
  const wx = (lng + 180) / 360 * 256 * n
  const sin = Math.min(Math.max(Math.sin(lat * Math.PI / 180), -0.9999), 0.9999)
  const wy = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * 256 * n
  const imgs = []
  if (t) {
    // Enough tiles to fill 400 × 180 around the point.
    for (let ty = Math.floor((wy - 90) / 256); ty <= Math.floor((wy + 90) / 256); ty++) {
      if (ty < 0 || ty >= n) continue
      for (let tx = Math.floor((wx - 200) / 256); tx <= Math.floor((wx + 200) / 256); tx++) {
        const x = ((tx % n) + n) % n
        imgs.push(<img key={tx + ',' + ty} alt="" draggable={false} src={t.url.replace('{z}', z).replace('{x}', x).replace('{y}', ty)}
          style={{ left: `calc(50% + ${Math.round(tx * 256 - wx)}px)`, top: `calc(50% + ${Math.round(ty * 256 - wy)}px)` }} />)
      }
    }
  }
  return (
    <a class="minimap" href={`/map?lat=${lat}&lng=${lng}&z=13`} onClick={() => closeViewer()} aria-label="Show on map" title="Show on map">
      {imgs}<i class="pin" />
    </a>
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
