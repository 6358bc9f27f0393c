// The map view of the Places screen, its own lazily loaded chunk (Leaflet
// stays out of the first load). Tiles come only from Pinhole's
// /api/v1/tiles proxy; photo clusters from /api/v1/geo, computed and
// de-overlapped on the server per zoom and view.
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import './map.css'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, cover, get, mapStyle, qs } from './api.js'
import { Grid } from './grid.jsx'
import { HeatLayer } from './heat.js'
import { t } from './i18n.js'
import { Icon } from './icons.jsx'
import { photoSource } from './screens.jsx'
import { navigate } from './router.js'

// A cluster of at most this many photos opens its photos instead of
// zooming in: a grid of 20 is quicker to look through than another map.
const SHEET_MAX = 20
// From this zoom on (a cluster is then a town or a part of a city) any
// cluster opens its photos: zooming further rarely splits it usefully.
// With the minimum jump below, the world view (zoom 2) reaches it in two
// clicks, so photos are never more than three clicks away.
const SHEET_ZOOM = 10
const MIN_JUMP = 4
// The offline base map has no streets; from this zoom on a line says how
// to get them.
const HINT_ZOOM = 8
// Web Mercator stops here; the map never shows what is beyond.
const MAX_LAT = 85.0511

// readCluster turns a /geo cluster into what the map draws; bounds come as
// [minLng, minLat, maxLng, maxLat].
function readCluster(c) {
  const b = c.bounds
  return {
    lat: c.lat, lng: c.lng, count: c.count, hash: c.hash, photoId: c.photo_id,
    bounds: Array.isArray(b) && b.length === 4 ? [[b[1], b[0]], [b[3], b[2]]] : null,
  }
}

// worldZoom is the smallest zoom at which the world (256·2^z px tall) is at
// least as tall as the box, so no empty band shows above or below it.
const worldZoom = el => Math.max(1, Math.ceil(Math.log2(Math.max(256, el.clientHeight) / 256)))

// viewBox is the /geo bbox of what the map shows: the whole world when the
// view spans it, else the view wrapped into −180…180 (west > east when it
// crosses the antimeridian).
function viewBox(m) {
  const b = m.getBounds()
  const s = Math.max(-90, b.getSouth()), n = Math.min(90, b.getNorth())
  let w = b.getWest(), e = b.getEast()
  if (e - w >= 360) { w = -180; e = 180 } else {
    const wrap = x => ((((x + 180) % 360) + 360) % 360) - 180
    w = wrap(w); e = wrap(e)
    if (e === -180) e = 180
  }
  return [w, s, e, n].map(v => v.toFixed(5)).join(',')
}

// The map's layer choices, kept across visits.
const HEAT_KEY = 'pinhole.map.heat'
const TRACKS_KEY = 'pinhole.map.tracks'
// GPX tracks are fetched for the view, this many at most at a time.
const TRACKS_MAX = 40
const stored = k => { try { return localStorage.getItem(k) === '1' } catch { return false } }
const store = (k, on) => { try { localStorage.setItem(k, on ? '1' : '0') } catch { /* private mode */ } }

const plural = n => t('common.photos', { n })

// zoomButtons is Leaflet's + and − with their tooltips in the reader's language.
const zoomButtons = () => L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') })

// fillIn puts DOM nodes where a message has {placeholders}: the message's
// own words go in as text, never as markup.
function fillIn(el, msg, parts) {
  for (const s of msg.split(/(\{\w+\})/)) {
    const k = s.match(/^\{(\w+)\}$/)
    el.append(k && parts[k[1]] ? parts[k[1]]() : s)
  }
  return el
}

export default function MapView({ query }) {
  const el = useRef(null)
  const [state, setState] = useState('loading') // loading | ok | unavailable | error:…
  const [sheet, setSheet] = useState(null) // { bbox }
  const [info, setInfo] = useState(null) // { online, attribution }
  const [zoom, setZoom] = useState(0)
  const map = useRef(null)
  const hintCtl = useRef(null)
  const [heat, setHeat] = useState(() => stored(HEAT_KEY))
  const heatOn = useRef(heat)
  const layers = useRef(null)
  const [tracks, setTracks] = useState(() => stored(TRACKS_KEY))
  const tracksOn = useRef(tracks)
  const trackCtl = useRef(null)

  useEffect(() => {
    const box = el.current
    const style = mapStyle()
    const m = L.map(box, {
      worldCopyJump: true, zoomControl: false, minZoom: worldZoom(box), maxZoom: 18, zoomSnap: 1,
      // Never past the poles: with minZoom from worldZoom this keeps the
      // base map covering the box top to bottom. Sideways the world repeats.
      maxBounds: [[-MAX_LAT, -1e5], [MAX_LAT, 1e5]], maxBoundsViscosity: 1,
    })
    map.current = m
    zoomButtons().addTo(m)
    m.attributionControl.setPrefix(false)
    // The hint sits in the attribution's corner, stacked above it, so the
    // two never cover each other or the photos' markers in the middle.
    const Hint = L.Control.extend({
      onAdd() {
        const d = L.DomUtil.create('div', 'map-hint')
        d.setAttribute('role', 'note')
        // One line on any screen: phones get the short wording.
        const parts = {
          setting: () => Object.assign(document.createElement('code'), { textContent: 'tiles-url' }),
          settings: () => Object.assign(document.createElement('a'), { href: '/settings', textContent: t('common.settings') }),
        }
        d.append(fillIn(L.DomUtil.create('span', 'long'), t('map.hint_long'), parts), fillIn(L.DomUtil.create('span', 'short'), t('map.hint_short'), parts))
        return d
      },
    })
    hintCtl.current = new Hint({ position: 'bottomright' })
    // Photos show as cluster markers or, with the heatmap chosen, as a
    // heat layer drawn from the same clusters.
    const layer = L.layerGroup()
    const heatLayer = new HeatLayer()
    if (heatOn.current) heatLayer.addTo(m); else layer.addTo(m)
    layers.current = on => {
      if (on) { m.removeLayer(layer); heatLayer.addTo(m) } else { m.removeLayer(heatLayer); layer.addTo(m) }
    }
    let alive = true
    let ctrl = null
    let tiles = null
    let tilesReady = null
    let last = []
    let tileInfo = false

    // The base map goes on first, and markers only once its first view has
    // loaded (or after a few seconds if tiles fail), so photos never float
    // on an empty grey box while the tiles arrive.
    const addTiles = () => {
      tiles = L.tileLayer('/api/v1/tiles/' + style + '/{z}/{x}/{y}', { maxZoom: 18, className: 'tiles' })
      tilesReady = new Promise(res => { tiles.once('load', res); setTimeout(res, 5000) })
      tiles.addTo(m)
    }

    const draw = clusters => {
      heatLayer.setPoints(clusters)
      layer.clearLayers()
      const b = m.getBounds(), west = b.getWest() - 10, east = b.getEast() + 10
      const token = draw.token
      for (const c of clusters) {
        const img = c.hash ? `background-image:url('${cover(c.hash, 'tile_100', token)}')` : ''
        const icon = L.divIcon({ className: 'cl-icon', iconSize: [56, 56], iconAnchor: [28, 28], html: `<div class="cl" style="${img}"><b>${c.count}</b></div>` })
        // The world repeats sideways at low zooms: draw the cluster on each
        // copy in view, not only on the one between −180° and 180°.
        for (let k = -3; k <= 3; k++) {
          const lng = c.lng + 360 * k
          if (lng < west || lng > east) continue
          const mk = L.marker([c.lat, lng], { icon, keyboard: true, zIndexOffset: Math.min(c.count, 1000) * 1000, title: plural(c.count), alt: plural(c.count) })
          mk.on('click', () => open(c, k))
          mk.addTo(layer)
        }
      }
    }

    const fetchClusters = async bbox => {
      ctrl && ctrl.abort()
      ctrl = new AbortController()
      try {
        return await get('/geo' + qs({ bbox, zoom: m.getZoom(), style }), { quiet: true, signal: ctrl.signal, keepToken: false })
      } catch (e) {
        if (e.name === 'AbortError') return null
        if (e instanceof ApiError && [404, 405, 501, 503].includes(e.status)) setState('unavailable')
        else setState('error:' + e.message)
        return null
      }
    }

    const useAnswer = r => {
      if (!tileInfo) {
        tileInfo = true
        if (r.attribution) m.attributionControl.addAttribution(r.attribution)
        setInfo({ online: !!r.online_tiles, attribution: r.attribution || '' })
      }
      setState('ok')
      draw.token = r.thumb_token
      last = (r.clusters || []).map(readCluster)
    }

    // data-busy marks the map while what it shows is catching up with a
    // move (tests wait for it to go).
    const busy = on => { if (on) box.dataset.busy = '1'; else delete box.dataset.busy }
    let loads = 0
    const load = async () => {
      const seq = ++loads
      const r = await fetchClusters(viewBox(m))
      if (!alive || seq !== loads) return // a later move took over
      if (r) {
        useAnswer(r)
        await tilesReady
        if (!alive || seq !== loads) return
        draw(last)
      }
      busy(false)
    }

    const open = (c, k) => {
      const z = m.getZoom()
      const b = c.bounds && L.latLngBounds(c.bounds.map(([la, ln]) => [la, ln + 360 * k]))
      const tiny = !b || b.getNorthEast().distanceTo(b.getSouthWest()) < 200
      if (c.count > SHEET_MAX && z < SHEET_ZOOM && !tiny) {
        // Zoom to the cluster's photos, and at least MIN_JUMP levels: one
        // stray photo far away must not make a click gain almost nothing.
        // The cluster sits at its photos' mean, so when the bounds are
        // too wide to show, centring there keeps most of them in view.
        const fit = m.getBoundsZoom(b.pad(0.15))
        const to = Math.min(16, Math.max(fit, z + MIN_JUMP))
        if (fit >= to) m.fitBounds(b.pad(0.15), { maxZoom: to })
        else m.setView([c.lat, c.lng + 360 * k], to)
        return
      }
      // At least ~100 m around the cluster: photos taken at one spot have
      // zero-size bounds. The box is rounded outwards, so no photo on its
      // edge drops out of the sheet.
      const bb = L.latLng(c.lat, c.lng).toBounds(200)
      if (c.bounds) bb.extend(L.latLngBounds(c.bounds))
      const out = (v, up, lim) => Math.max(-lim, Math.min(lim, (up ? Math.ceil(v * 1e6 + 1e-6) : Math.floor(v * 1e6 - 1e-6)) / 1e6)).toFixed(6)
      setSheetCount(null)
      setSheet({ bbox: [out(bb.getWest(), false, 180), out(bb.getSouth(), false, 90), out(bb.getEast(), true, 180), out(bb.getNorth(), true, 90)].join(',') })
    }

    // GPX tracks: lines only where a track recorded (each segment its own
    // line), fetched once each for the tracks that cross the view.
    const trackLayer = L.layerGroup()
    let trackList = null
    const trackLines = new Map() // id → polyline
    const trackColor = getComputedStyle(box).getPropertyValue('--track').trim() || '#ff8a3d'
    const showTracks = async () => {
      if (!tracksOn.current) return
      box.dataset.tracks = 'loading'
      try {
        if (!trackList) trackList = (await get('/tracks', { quiet: true })).tracks || []
        const v = m.getBounds()
        const inView = trackList.filter(t => !trackLines.has(t.id) && v.intersects([[t.bounds[1], t.bounds[0]], [t.bounds[3], t.bounds[2]]])).slice(0, TRACKS_MAX)
        for (const t of inView) trackLines.set(t.id, null) // asked for: a later move skips it
        for (const t of inView) {
          const r = await get('/tracks/' + t.id, { quiet: true }).catch(() => null)
          if (!r) { trackLines.delete(t.id); continue }
          if (!alive) return
          const when = t.start ? ' · ' + t.start.slice(0, 16) + ' UTC' : ''
          const line = L.polyline(r.lines, { color: trackColor, weight: 4, opacity: 0.9, className: 'track-line', interactive: true })
          line.bindTooltip(t.name + when + (t.start ? ' · click for its photos' : ''), { sticky: true })
          // A click lists the photos taken while the track recorded (UTC
          // times, as the track's; before is exclusive, so one second on).
          if (t.start && t.end) {
            const until = new Date(t.end.replace(' ', 'T') + 'Z').getTime() + 1000
            const before = new Date(until).toISOString().slice(0, 19).replace('T', ' ')
            line.on('click', () => navigate('/search' + qs({ after: t.start, before })))
          }
          trackLines.set(t.id, line)
          line.addTo(trackLayer)
        }
        box.dataset.tracks = String(trackLines.size)
      } catch { delete box.dataset.tracks }
    }
    trackCtl.current = on => {
      if (on) { trackLayer.addTo(m); showTracks() } else { m.removeLayer(trackLayer); delete box.dataset.tracks }
    }
    if (tracksOn.current) { trackLayer.addTo(m); showTracks() }

    let settle = 0
    const follow = () => {
      m.on('movestart zoomstart', () => busy(true))
      m.on('moveend', () => { busy(true); clearTimeout(settle); settle = setTimeout(load, 120); showTracks() })
      load()
    }
    m.on('zoomend', () => setZoom(m.getZoom()))
    // The box changes size with the window and when the photo sheet opens:
    // keep Leaflet's idea of it and the world-filling zoom in step.
    const ro = new ResizeObserver(() => { m.invalidateSize(); m.setMinZoom(worldZoom(box)) })
    ro.observe(box)

    const start = async () => {
      busy(true)
      const lat = +query.lat, lng = +query.lng
      if (query.lat && isFinite(lat) && isFinite(lng)) {
        m.setView([lat, lng], Math.min(18, Math.max(worldZoom(box), +query.z || 12)), { animate: false })
      } else {
        // Ask for every cluster of the world first and open the map on
        // them: tiles then load once, for the view the person will see.
        m.setView([25, 10], worldZoom(box), { animate: false })
        const r = await fetchClusters('-180,-90,180,90')
        if (!alive) return
        if (r) useAnswer(r)
        const pts = last.map(c => [c.lat, c.lng])
        if (pts.length) m.fitBounds(L.latLngBounds(pts).pad(0.3), { maxZoom: 10, animate: false })
      }
      setZoom(m.getZoom())
      addTiles()
      follow()
    }
    start()
    return () => { alive = false; ctrl && ctrl.abort(); ro.disconnect(); clearTimeout(settle); m.remove() }
  }, [])

  const [sheetCount, setSheetCount] = useState(null)
  // The sheet's photos, and their number from the same month counts the
  // grid lays itself out with, so the header and the grid agree.
  const src = useMemo(() => {
    if (!sheet) return null
    const s = photoSource({ bbox: sheet.bbox })
    return { ...s, months: () => s.months().then(ms => { setSheetCount(ms.reduce((n, x) => n + x.count, 0)); return ms }) }
  }, [sheet])
  useEffect(() => {
    if (heatOn.current === heat) return
    heatOn.current = heat
    store(HEAT_KEY, heat)
    layers.current && layers.current(heat)
  }, [heat])
  useEffect(() => {
    if (tracksOn.current === tracks) return
    tracksOn.current = tracks
    store(TRACKS_KEY, tracks)
    trackCtl.current && trackCtl.current(tracks)
  }, [tracks])
  const hint = !!info && !info.online && zoom >= HINT_ZOOM
  useEffect(() => {
    const m = map.current, h = hintCtl.current
    if (!m || !h) return
    // Leaflet stacks a bottom corner's newest control on top: above the
    // attribution.
    if (hint) h.addTo(m); else h.remove()
  }, [hint])
  return (
    <div class={'mapwrap' + (sheet ? ' with-sheet' : '')}>
      <div class="mapbox">
        <div ref={el} class="mapel" aria-label={t('map.map_of_photos')} role="region" data-attribution={info?.attribution || ''} data-zoom={zoom} data-heat={heat ? '1' : undefined} />
        <div class="map-layers" role="group" aria-label={t('map.layers')}>
          <button class={'map-toggle' + (heat ? ' on' : '')} aria-label={t('map.heatmap')} aria-pressed={heat} onClick={() => setHeat(!heat)} title={t('map.heatmap_title')}>
            <Icon name="heat" /><span>{t('map.heatmap')}</span>
          </button>
          <button class={'map-toggle' + (tracks ? ' on' : '')} aria-label={t('map.tracks')} aria-pressed={tracks} onClick={() => setTracks(!tracks)} title={t('map.tracks_title')}>
            <Icon name="route" /><span>{t('map.tracks')}</span>
          </button>
        </div>
      </div>
      {state === 'unavailable' && (
        <div class="empty" style={{ position: 'absolute', inset: 0, zIndex: 600, background: 'var(--bg)' }}>
          <Icon name="map" /><h2>{t('map.unavailable')}</h2>
          <p>{t('map.unavailable_text')}</p>
          <a class="btn" href="/places">{t('map.places_list')}</a>
        </div>
      )}
      {state.startsWith('error:') && <div class="toast error" style={{ position: 'absolute', top: 12, left: 60, zIndex: 600 }}>{state.slice(6)}</div>}
      {sheet && (
        <div class="sheet" role="dialog" aria-label={t('map.photos_here')}>
          <header><b style={{ flex: 1 }}>{sheetCount == null ? t('map.photos_here') : t('map.n_photos_here', { n: sheetCount })}</b><button class="ib" onClick={() => setSheet(null)} aria-label={t('map.close_photos')}><Icon name="close" /></button></header>
          <Grid source={src} scrubber={false} empty={<div class="empty">{t('map.no_photos_here')}</div>} />
        </div>
      )}
    </div>
  )
}

// PickPoint is a small map to click a spot on (the batch editor's "Map"):
// Pinhole's own tiles, a pin where one clicked, the position handed to
// onPick. It opens on the point already chosen, else on the world.
export function PickPoint({ point, onPick }) {
  const el = useRef(null)
  const pick = useRef(onPick)
  pick.current = onPick
  useEffect(() => {
    const box = el.current
    const m = L.map(box, { worldCopyJump: true, zoomControl: false, minZoom: 1, maxZoom: 18, zoomSnap: 1, maxBounds: [[-MAX_LAT, -1e5], [MAX_LAT, 1e5]], maxBoundsViscosity: 1 })
    zoomButtons().addTo(m)
    m.attributionControl.setPrefix(false)
    L.tileLayer('/api/v1/tiles/' + mapStyle() + '/{z}/{x}/{y}', { maxZoom: 18, className: 'tiles' }).addTo(m)
    get('/geo' + qs({ bbox: '0,0,0.01,0.01', zoom: 2, style: mapStyle() }), { quiet: true, keepToken: false })
      .then(r => r.attribution && m.attributionControl.addAttribution(r.attribution)).catch(() => {})
    const icon = L.divIcon({ className: 'pick-pin', iconSize: [22, 22], iconAnchor: [11, 11] })
    let pin = null
    const put = (lat, lng) => { if (pin) pin.setLatLng([lat, lng]); else pin = L.marker([lat, lng], { icon, keyboard: false }).addTo(m) }
    if (point) { m.setView([point.lat, point.lng], 10, { animate: false }); put(point.lat, point.lng) } else m.setView([25, 10], worldZoom(box), { animate: false })
    m.on('click', e => {
      const ll = e.latlng.wrap()
      put(e.latlng.lat, e.latlng.lng)
      pick.current({ lat: +ll.lat.toFixed(6), lng: +ll.lng.toFixed(6) })
    })
    const ro = new ResizeObserver(() => m.invalidateSize())
    ro.observe(box)
    return () => { ro.disconnect(); m.remove() }
  }, [])
  return <div ref={el} class="mpick-box" role="application" aria-label={t('map.pick_label')} />
}
