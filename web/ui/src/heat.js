// A heatmap layer for Leaflet, small enough to own instead of adding a
// plugin: one canvas the size of the map, redrawn after each move from the
// same per-cell clusters (lat, lng, count) the markers are drawn from.
// Each cluster adds a soft blob whose strength grows with the log of its
// count, so a home town with thousands of photos does not drown a trip
// of twenty; the summed darkness is then coloured through a ramp.
import L from 'leaflet'

// The blob's radius in CSS pixels: wider than the clusters' spacing (the
// 56 px marker), so neighbouring cells melt into one area.
const RADIUS = 44

let ramp = null
// palette is 256 RGBA colours from cool to hot, made once.
function palette() {
  if (ramp) return ramp
  const c = document.createElement('canvas')
  c.width = 256; c.height = 1
  const g = c.getContext('2d')
  const lg = g.createLinearGradient(0, 0, 256, 0)
  lg.addColorStop(0, '#2c7bb6'); lg.addColorStop(0.35, '#00c4d4'); lg.addColorStop(0.55, '#a6e22e')
  lg.addColorStop(0.75, '#fdd835'); lg.addColorStop(1, '#e53935')
  g.fillStyle = lg
  g.fillRect(0, 0, 256, 1)
  ramp = g.getImageData(0, 0, 256, 1).data
  return ramp
}

export const HeatLayer = L.Layer.extend({
  initialize(points) { this._pts = points || [] },

  setPoints(points) {
    this._pts = points || []
    if (this._map) this._redraw()
  },

  onAdd(map) {
    // leaflet-zoom-hide: hidden while a zoom animates, redrawn at its end.
    const c = (this._canvas = L.DomUtil.create('canvas', 'heat-layer leaflet-zoom-hide'))
    c.setAttribute('aria-hidden', 'true')
    map.getPanes().overlayPane.appendChild(c)
    map.on('moveend zoomend resize viewreset', this._redraw, this)
    this._redraw()
  },

  onRemove(map) {
    map.off('moveend zoomend resize viewreset', this._redraw, this)
    L.DomUtil.remove(this._canvas)
    this._canvas = null
  },

  _redraw() {
    const map = this._map, c = this._canvas
    if (!map || !c) return
    const size = map.getSize(), dpr = window.devicePixelRatio || 1
    // The canvas sits at the view's top left inside the moving map pane,
    // so it pans with the map until the next redraw.
    L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]))
    c.style.width = size.x + 'px'; c.style.height = size.y + 'px'
    c.width = Math.max(1, Math.round(size.x * dpr)); c.height = Math.max(1, Math.round(size.y * dpr))
    const g = c.getContext('2d', { willReadFrequently: true })
    g.clearRect(0, 0, c.width, c.height)
    const pts = this._pts
    if (!pts.length) return
    const b = map.getBounds(), west = b.getWest() - 30, east = b.getEast() + 30
    const max = Math.log1p(pts.reduce((m, p) => Math.max(m, p.count), 1))
    const r = RADIUS * dpr
    for (const p of pts) {
      const a = 0.25 + 0.75 * Math.log1p(p.count) / max
      // The world repeats sideways at low zooms: a blob on each copy.
      for (let k = -3; k <= 3; k++) {
        const lng = p.lng + 360 * k
        if (lng < west || lng > east) continue
        const pt = map.latLngToContainerPoint([p.lat, lng])
        const x = pt.x * dpr, y = pt.y * dpr
        if (x < -r || y < -r || x > c.width + r || y > c.height + r) continue
        const gr = g.createRadialGradient(x, y, 0, x, y, r)
        gr.addColorStop(0, `rgba(0,0,0,${a})`)
        gr.addColorStop(1, 'rgba(0,0,0,0)')
        g.fillStyle = gr
        g.fillRect(x - r, y - r, 2 * r, 2 * r)
      }
    }
    // Colour by the summed darkness; the faint edges stay see-through.
    const img = g.getImageData(0, 0, c.width, c.height), d = img.data, pal = palette()
    for (let i = 3; i < d.length; i += 4) {
      const v = d[i]
      if (!v) continue
      const j = v * 4
      d[i - 3] = pal[j]; d[i - 2] = pal[j + 1]; d[i - 1] = pal[j + 2]
      d[i] = Math.min(220, v * 3)
    }
    g.putImageData(img, 0, 0)
  },
})
