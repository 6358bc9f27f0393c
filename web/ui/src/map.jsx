// The map screen, its own lazily loaded chunk (Leaflet stays out of the first
// load). Tiles come only from Pinhole's /api/v1/tiles proxy; photo clusters
// from /api/v1/geo, computed on the server per zoom and view.
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import './map.css'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, cover, get, mapStyle, qs } from './api.js'
import { Grid } from './grid.jsx'
import { Icon } from './icons.jsx'
import { photoSource } from './screens.jsx'

// Read a cluster whatever the exact field names the server settles on.
// readCluster turns a /geo cluster into what the map draws; bounds come as
// [minLng, minLat, maxLng, maxLat].
function readCluster(c) {
  const b = c.bounds
  return {
    lat: c.lat, lng: c.lng, count: c.count, hash: c.hash, photoId: c.photo_id,
    bounds: Array.isArray(b) && b.length === 4 ? [[b[1], b[0]], [b[3], b[2]]] : null,
  }
}


export default function MapPage({ query }) {
  const el = useRef(null)
  const map = useRef(null)
  const [state, setState] = useState('loading') // loading | ok | unavailable
  const [sheet, setSheet] = useState(null) // bbox string
  const [attr, setAttr] = useState('')

  useEffect(() => {
    const lat = +query.lat, lng = +query.lng
    const m = L.map(el.current, { worldCopyJump: true, zoomControl: true, minZoom: 1, maxZoom: 18, attributionControl: true })
    map.current = m
    m.attributionControl.setPrefix(false)
    if (isFinite(lat) && isFinite(lng) && query.lat) m.setView([lat, lng], +query.z || 12)
    else m.setView([25, 10], 2)
    let tiles = null
    const layer = L.layerGroup().addTo(m)
    let ctrl = null
    let fitted = !!query.lat
    const load = async () => {
      ctrl && ctrl.abort()
      ctrl = new AbortController()
      const b = m.getBounds()
      const bbox = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())].map(v => v.toFixed(5)).join(',')
      let r
      try {
        r = await get('/geo' + qs({ bbox, zoom: m.getZoom(), style: mapStyle() }), { quiet: true, signal: ctrl.signal, keepToken: false })
      } catch (e) {
        if (e.name === 'AbortError') return
        if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501 || e.status === 503)) setState('unavailable')
        else setState('error:' + e.message)
        return
      }
      setState('ok')
      if (!tiles) {
        // Tiles always come from this server (it proxies and caches any
        // upstream), so the browser never talks to a third party.
        const url = r.tile_url && r.tile_url.startsWith('/') ? r.tile_url : '/api/v1/tiles/' + mapStyle() + '/{z}/{x}/{y}'
        tiles = L.tileLayer(url, { maxZoom: 18, attribution: r.attribution || 'Natural Earth', className: 'tiles' }).addTo(m)
        setAttr(r.attribution || '')
      }
      const clusters = (r.clusters || []).map(readCluster)
      layer.clearLayers()
      const token = r.thumb_token
      const all = []
      for (const c of clusters) {
        const img = c.hash ? `background-image:url('${cover(c.hash, 'tile_100', token)}')` : ''
        const icon = L.divIcon({ className: '', iconSize: [56, 56], iconAnchor: [28, 28], html: `<div class="cl" style="${img}"><b>${c.count}</b></div>` })
        // Bigger clusters sit on top where markers overlap.
        const mk = L.marker([c.lat, c.lng], { icon, keyboard: true, zIndexOffset: Math.min(c.count, 1000) * 1000, title: `${c.count} photo${c.count === 1 ? '' : 's'}`, alt: `${c.count} photos` })
        mk.on('click', () => open(c))
        mk.addTo(layer)
        all.push([c.lat, c.lng])
      }
      if (!fitted && all.length) { fitted = true; m.fitBounds(L.latLngBounds(all).pad(0.3), { maxZoom: 10 }) }
    }
    const open = c => {
      const z = m.getZoom()
      const b = c.bounds && L.latLngBounds(c.bounds)
      const tiny = !b || b.getNorthEast().distanceTo(b.getSouthWest()) < 200
      if (c.count > 1 && z < 16 && !tiny) { m.fitBounds(b.pad(0.2), { maxZoom: Math.min(18, z + 4) }); return }
      // At least ~100 m around the cluster: photos taken at one spot have
      // zero-size bounds, which rounding would turn into an empty search.
      const bb = L.latLng(c.lat, c.lng).toBounds(200)
      if (b) bb.extend(b)
      setSheet([bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map(v => v.toFixed(6)).join(','))
    }
    let t = 0
    m.on('moveend', () => { clearTimeout(t); t = setTimeout(load, 120) })
    load()
    return () => { ctrl && ctrl.abort(); m.remove() }
  }, [])

  const src = useMemo(() => (sheet ? photoSource({ bbox: sheet }) : null), [sheet])
  return (
    <div class="mapwrap">
      <div ref={el} style={{ position: 'absolute', inset: 0 }} aria-label="Map of photos" role="region" data-attribution={attr} />
      {state === 'unavailable' && (
        <div class="empty" style={{ position: 'absolute', inset: 0, zIndex: 600, background: 'var(--bg)' }}>
          <Icon name="map" /><h2>Map data not available yet</h2>
          <p>This Pinhole does not serve map clusters yet. Browse places as a list meanwhile.</p>
          <a class="btn" href="/places">Places list</a>
        </div>
      )}
      {state.startsWith('error:') && <div class="toast error" style={{ position: 'absolute', top: 12, left: 60, zIndex: 600 }}>{state.slice(6)}</div>}
      {sheet && (
        <div class="sheet" role="dialog" aria-label="Photos here">
          <header><b style={{ flex: 1 }}>Photos here</b><button class="ib" onClick={() => setSheet(null)} aria-label="Close photos"><Icon name="close" /></button></header>
          <Grid source={src} scrubber={false} empty={<div class="empty">No photos here.</div>} />
        </div>
      )}
    </div>
  )
}
