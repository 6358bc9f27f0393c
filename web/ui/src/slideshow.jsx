// The slideshow: any list of photos full screen, one after another with a
// crossfade, the screen kept awake. Its parts are shared with the photo
// frame (frame.jsx):
//
//   decks   which photo comes next: a list in order or shuffled, a whole
//           timeline month by month (or a random month at a time), and a
//           list that can be refreshed (new photos first);
//   Stage   two stacked layers: the next photo loads and decodes in the
//           hidden one, then fades in over the other (CSS opacity), so the
//           screen never shows a half-loaded or blank picture;
//   Player  the timer: shows, waits, shows the next; a photo that cannot be
//           shown is skipped, and while the server cannot be reached the
//           photo on screen stays and the step is tried again later;
//   useWakeLock, fullscreen.
//
// Loaded on demand (show.jsx imports it when a slideshow starts).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { coverSize, thumb, videoURL } from './api.js'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'
import { leaveFullscreen, enterFullscreen } from './show.jsx'

export const INTERVALS = [3, 5, 10, 30] // seconds, the settings offered
export const MAX_LIST = 5000 // photos a list deck loads at most
const MAX_BACKOFF = 60000 // ms between tries while the server is away
const VIDEO_CAP = 10 * 60000 // a video plays at most this long

const withToken = page => (page.photos || []).map(p => (page.thumb_token ? { ...p, _t: page.thumb_token } : p))

function shuffled(a) {
  const b = a.slice()
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[b[i], b[j]] = [b[j], b[i]]
  }
  return b
}

// loadAll reads every page of a flat source ({page({cursor, limit})}), up
// to MAX_LIST photos.
export async function loadAll(page) {
  const out = []
  let cursor = ''
  do {
    const r = await page({ cursor, limit: 500 })
    out.push(...withToken(r))
    cursor = r.next || ''
  } while (cursor && out.length < MAX_LIST)
  return out
}

// withHistory turns draw (the next new photo) into a deck one can step
// back through: prev and then next replay what was shown.
function withHistory(draw) {
  const seen = []
  let pos = -1
  return {
    async next() {
      if (pos < seen.length - 1) return seen[++pos]
      const p = await draw(seen[seen.length - 1])
      if (!p) return null
      seen.push(p)
      if (seen.length > 300) seen.shift()
      pos = seen.length - 1
      return p
    },
    prev() { return pos > 0 ? seen[--pos] : null },
    keep(ids) { // after a refresh: forget photos that are gone
      const left = seen.filter(p => ids.has(p.id))
      seen.splice(0, seen.length, ...left)
      pos = seen.length - 1
    },
  }
}

// listDeck plays a list in its order from startId, or shuffled, round and
// round; update swaps in a fresh copy of the list (the frame's refresh),
// putting photos it did not have first in line.
export function listDeck(list, { shuffle = false, startId } = {}) {
  let items = list.slice()
  let order = []
  let mix = shuffle
  const refill = last => {
    if (!items.length) return
    if (mix) {
      const o = shuffled(items)
      if (o.length > 1 && last && o[0].id === last.id) o.push(o.shift())
      order.push(...o)
    } else {
      let i = 0
      if (last) i = items.findIndex(p => p.id === last.id) + 1
      else if (startId != null) i = Math.max(0, items.findIndex(p => p.id === startId))
      order.push(...items.slice(i), ...items.slice(0, i))
    }
  }
  const h = withHistory(async last => {
    if (!order.length) refill(last)
    return order.shift() || null
  })
  return {
    next: h.next, prev: h.prev,
    get size() { return items.length },
    setShuffle(on) { mix = on; order = [] },
    update(list) {
      const had = new Set(items.map(p => p.id))
      const now = new Map(list.map(p => [p.id, p]))
      const fresh = list.filter(p => !had.has(p.id))
      items = list.slice()
      order = order.filter(p => now.has(p.id)).map(p => now.get(p.id))
      order.unshift(...fresh)
      h.keep(new Set(now.keys()))
      return fresh.length
    },
  }
}

// sourceDeck loads a flat source whole (up to MAX_LIST) on first use; a
// failed load is tried again on the next step.
function sourceDeck(page, opts) {
  let deck = null
  let loading = null
  let mix = !!opts.shuffle
  const ensure = async () => {
    if (deck) return deck
    loading = loading || loadAll(page)
    try { deck = listDeck(await loading, { ...opts, shuffle: mix }) } finally { loading = null }
    return deck
  }
  return {
    next: async () => (await ensure()).next(),
    prev: () => (deck ? deck.prev() : null),
    setShuffle(on) { mix = on; deck && deck.setShuffle(on) },
  }
}

// monthDeck plays a timeline source ({months(), page({year, month, cursor,
// limit})}) without loading it whole: in order it walks the months newest
// first, a page at a time; shuffled it draws a month at random (weighted by
// its count) and a photo of it not yet shown.
function monthDeck(source, opts) {
  let months = null
  const cache = new Map() // month key → {photos, next, done}
  let mix = !!opts.shuffle
  let mi = 0, i = 0 // in order: the month and the photo in it
  const seen = new Set()
  const spent = new Set() // months whose every loaded photo was shown
  const key = m => `${m.year}-${m.month}`
  const loadMonths = async () => {
    if (!months) months = (await source.months()).filter(m => m.count > 0)
    return months
  }
  const more = async m => {
    const c = cache.get(key(m)) || { photos: [], next: '', done: false }
    if (!c.done) {
      const r = await source.page({ year: m.year, month: m.month, cursor: c.next, limit: 500 })
      c.photos.push(...withToken(r))
      c.next = r.next || ''
      c.done = !c.next
      cache.set(key(m), c)
    }
    return c
  }
  const inOrder = async () => {
    const ms = await loadMonths()
    for (let guard = 0; guard < ms.length + 2; guard++) {
      const m = ms[mi % ms.length]
      let c = cache.get(key(m))
      if (!c || (i >= c.photos.length && !c.done)) c = await more(m)
      if (i < c.photos.length) return c.photos[i++]
      mi = (mi + 1) % ms.length
      i = 0
    }
    return null
  }
  const atRandom = async () => {
    const ms = await loadMonths()
    for (let guard = 0; guard < 50; guard++) {
      let left = ms.filter(m => !spent.has(key(m)))
      if (!left.length) { spent.clear(); seen.clear(); left = ms }
      let r = Math.random() * left.reduce((n, m) => n + m.count, 0)
      const m = left.find(x => (r -= x.count) < 0) || left[left.length - 1]
      let c = cache.get(key(m)) || await more(m)
      let fresh = c.photos.filter(p => !seen.has(p.id))
      if (!fresh.length && !c.done) { c = await more(m); fresh = c.photos.filter(p => !seen.has(p.id)) }
      if (!fresh.length) { spent.add(key(m)); continue }
      const p = fresh[Math.floor(Math.random() * fresh.length)]
      seen.add(p.id)
      return p
    }
    return null
  }
  const h = withHistory(() => (mix ? atRandom() : inOrder()))
  return { next: h.next, prev: h.prev, setShuffle(on) { mix = on } }
}

// deckFor makes the deck of a slideshow's spec: {photos} (a selection, a
// memory) or {source} (the screen's grid source).
export function deckFor(spec, shuffle) {
  const opts = { shuffle, startId: spec.startId }
  if (spec.photos) return listDeck(spec.photos, opts)
  if (spec.source.months) return monthDeck(spec.source, opts)
  return sourceDeck(spec.source.page, opts)
}

// reachable asks the server whether it answers at all: a photo that fails
// to load while it does is skipped; while it does not, it is tried again.
export async function reachable() {
  try {
    const r = await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout ? AbortSignal.timeout(5000) : undefined })
    return r.ok
  } catch { return false }
}

// fit scales w×h to the largest size inside W×H.
export function fitBox(w, h, W, H) {
  if (!(w > 0 && h > 0)) return [W, H]
  const k = Math.min(W / w, H / h)
  return [w * k, h * k]
}

export function useSize(ref) {
  const [size, setSize] = useState([0, 0])
  useLayoutEffect(() => {
    const el = ref.current
    const read = () => { const r = el.getBoundingClientRect(); setSize(s => (s[0] === r.width && s[1] === r.height ? s : [r.width, r.height])) }
    read()
    const ro = new ResizeObserver(read)
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return size
}

// useStage is the handle a Player drives a Stage with.
export function useStage() {
  const r = useRef(null)
  if (!r.current) r.current = { show: async () => 'offline', onEnded: null }
  return r.current
}

// Stage shows photos whole (contained in its box, never cropped) with a
// crossfade: stage.show(p) puts p in the hidden layer and answers 'ok' once
// its picture is decoded and fading in, 'bad' when it cannot be shown,
// 'offline' when the server is away, 'superseded' when another show came
// first. The rendition is the smallest that covers the photo's box at the
// screen's pixel density.
export function Stage({ stage, playing = true, label }) {
  const el = useRef(null)
  const [W, H] = useSize(el)
  const [layers, setLayers] = useState([null, null]) // {p, seq}
  const [front, setFront] = useState(-1)
  const frontRef = useRef(-1)
  const waits = useRef(new Map()) // seq → resolve
  const seq = useRef(0)
  stage.show = p => new Promise(resolve => {
    for (const r of waits.current.values()) r('superseded')
    waits.current.clear()
    const s = ++seq.current
    const back = frontRef.current === 0 ? 1 : 0
    waits.current.set(s, resolve)
    setLayers(ls => { const n = ls.slice(); n[back] = { p, seq: s }; return n })
  })
  const settle = (s, result) => {
    const r = waits.current.get(s)
    if (!r) return false
    waits.current.delete(s)
    r(result)
    return true
  }
  const ready = (i, s) => {
    if (!waits.current.has(s)) return
    frontRef.current = i
    setFront(i)
    settle(s, 'ok')
  }
  const failed = async s => {
    if (!waits.current.has(s)) return
    settle(s, (await reachable()) ? 'bad' : 'offline')
  }
  useEffect(() => () => { for (const r of waits.current.values()) r('superseded') }, [])
  return (
    <div class="ss-stage" ref={el} aria-label={label} role="img">
      {W > 0 && layers.map((l, i) => l && (
        <Layer key={i} l={l} on={front === i} W={W} H={H} playing={playing}
          onReady={() => ready(i, l.seq)} onFail={() => failed(l.seq)} onEnded={() => front === i && stage.onEnded && stage.onEnded(l.p)} />
      ))}
    </div>
  )
}

function Layer({ l, on, W, H, playing, onReady, onFail, onEnded }) {
  const { p } = l
  const [nat, setNat] = useState(null)
  const video = p.media_type === 'video'
  const vref = useRef(null)
  const [dw, dh] = fitBox(nat ? nat[0] : p.width, nat ? nat[1] : p.height, W, H)
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1
  // Chosen once per show: a resize keeps the picture it has.
  const [size] = useState(() => coverSize(p, dw, dh, dpr))
  useEffect(() => {
    const v = vref.current
    if (!v) return
    if (on && playing) v.play().catch(() => {})
    else v.pause()
  }, [on, playing])
  const box = { left: (W - dw) / 2 + 'px', top: (H - dh) / 2 + 'px', width: dw + 'px', height: dh + 'px' }
  const alt = p.title || (p.taken_local || '').slice(0, 10) || t('slideshow.photo_alt')
  return (
    <div class={'ss-layer' + (on ? ' front' : '')} data-id={p.id}>
      {video
        ? <video key={l.seq} ref={vref} class="ss-media" style={box} src={videoURL(p)} muted playsinline preload="auto" aria-label={alt}
          onLoadedData={e => { const v = e.currentTarget; if (!v.videoWidth) return onFail(); setNat([v.videoWidth, v.videoHeight]); onReady() }}
          onError={onFail} onEnded={onEnded} />
        : <img key={l.seq} class="ss-media" style={box} src={thumb(p, size || 'fit_1280') + '?ph=0'} alt={alt} draggable={false} data-size={size}
          onLoad={e => {
            const img = e.currentTarget
            const done = () => { setNat([img.naturalWidth, img.naturalHeight]); onReady() }
            img.decode ? img.decode().then(done, () => (img.naturalWidth ? done() : onFail())) : done()
          }}
          onError={onFail} />}
    </div>
  )
}

// Player drives a stage from a deck: show a photo, wait the interval (a
// video: until it ends), show the next. Steps run one at a time. A photo
// that cannot be shown is skipped; when the server is away the photo on
// screen stays and the step is tried again, waiting twice as long each
// time up to a minute, so a frame rides out a restart or a network drop.
export class Player {
  constructor({ deck, stage, interval, onChange }) {
    Object.assign(this, { deck, stage, interval, onChange })
    this.playing = true
    this.timer = 0
    this.busy = false
    this.queued = 0
    this.backoff = 1000
    this.retry = null
    this.current = null
    this.remaining = null
    this.bad = 0
    this.offline = false
    this.dead = false
    stage.onEnded = p => { if (p === this.current && this.playing) this.step(1) }
  }
  stop() { this.dead = true; clearTimeout(this.timer) }
  delay(p) { return p && p.media_type === 'video' ? VIDEO_CAP : this.interval * 1000 }
  schedule(ms) {
    clearTimeout(this.timer)
    this.remaining = ms
    this.due = Date.now() + ms
    if (this.playing) this.timer = setTimeout(() => this.step(1), ms)
  }
  later(dir) {
    this.offline = true
    this.onChange && this.onChange(this)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.step(dir), this.backoff)
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF)
  }
  pause() {
    if (!this.playing) return
    this.playing = false
    if (!this.retry) { clearTimeout(this.timer); this.remaining = Math.max(0, this.due - Date.now()) }
    this.onChange && this.onChange(this)
  }
  play() {
    if (this.playing) return
    this.playing = true
    if (!this.retry && !this.busy) this.schedule(this.remaining ?? this.delay(this.current))
    this.onChange && this.onChange(this)
  }
  setInterval(s) {
    this.interval = s
    if (this.current && this.current.media_type !== 'video' && !this.busy && !this.retry) this.schedule(s * 1000)
  }
  async step(dir) {
    if (this.dead) return
    if (this.busy) { this.queued = dir; return }
    clearTimeout(this.timer)
    this.busy = true
    let again = 0
    try {
      let p = this.retry
      if (!p) p = dir < 0 ? this.deck.prev() : await this.deck.next()
      this.retry = null
      if (!p) {
        if (dir > 0) this.later(dir) // nothing to show (yet): look again later
        else if (this.current) this.schedule(this.remaining ?? this.delay(this.current))
        return
      }
      const r = await this.stage.show(p)
      if (this.dead || r === 'superseded') return
      if (r === 'ok') {
        this.current = p
        this.backoff = 1000
        this.bad = 0
        this.offline = false
        this.onChange && this.onChange(this)
        this.schedule(this.delay(p))
      } else if (r === 'bad' && ++this.bad < 50) {
        again = dir // skip it
      } else {
        this.retry = p
        this.later(dir)
      }
    } catch {
      this.later(dir) // the deck could not load its list: the server is away
    } finally {
      this.busy = false
    }
    if (again) return this.step(again)
    if (this.queued) { const d = this.queued; this.queued = 0; this.step(d) }
  }
}

// useWakeLock keeps the screen on while `on`, with the Wake Lock API: the
// browser drops the lock when the page is hidden, so it is asked for again
// whenever the page becomes visible.
export function useWakeLock(on) {
  useEffect(() => {
    if (!on || typeof navigator === 'undefined' || !navigator.wakeLock) return
    let lock = null
    let alive = true
    const ask = async () => {
      if (!alive || document.visibilityState !== 'visible' || (lock && !lock.released)) return
      try {
        const l = await navigator.wakeLock.request('screen')
        if (!alive) { l.release().catch(() => {}); return }
        lock = l
      } catch { /* refused (battery saver, not visible): the screen may sleep */ }
    }
    ask()
    document.addEventListener('visibilitychange', ask)
    return () => {
      alive = false
      document.removeEventListener('visibilitychange', ask)
      if (lock && !lock.released) lock.release().catch(() => {})
    }
  }, [on])
}

const SETTINGS = 'pinhole.slideshow'
function loadSettings() {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS) || '{}')
    return { interval: INTERVALS.includes(s.interval) ? s.interval : 5, shuffle: !!s.shuffle }
  } catch { return { interval: 5, shuffle: false } }
}

// Slideshow is the full-screen show started from a screen, a selection or
// a memory: space pauses, arrows step, Esc closes; swipes step and a
// downward swipe closes; the controls hide after a few still seconds.
export default function Slideshow({ spec, onClose }) {
  const [settings, setSettings] = useState(loadSettings)
  const stage = useStage()
  const player = useRef(null)
  const [, bump] = useState(0)
  const [chrome, setChrome] = useState(true)
  const idle = useRef(0)
  useWakeLock(true)
  const save = s => { setSettings(s); try { localStorage.setItem(SETTINGS, JSON.stringify(s)) } catch { /* private mode */ } }

  useEffect(() => {
    const deck = deckFor(spec, settings.shuffle)
    const pl = new Player({ deck, stage, interval: settings.interval, onChange: () => bump(n => n + 1) })
    player.current = pl
    pl.step(1)
    return () => pl.stop()
  }, [])
  const pl = player.current
  const close = () => { leaveFullscreen(); onClose() }
  const wake = () => {
    setChrome(true)
    clearTimeout(idle.current)
    idle.current = setTimeout(() => setChrome(false), 3000)
  }
  useEffect(() => { wake(); return () => clearTimeout(idle.current) }, [])
  // Leaving full screen (the browser's own Esc) ends the show it began.
  useEffect(() => {
    const f = () => { if (!document.fullscreenElement && spec.fullscreen) close() }
    document.addEventListener('fullscreenchange', f)
    return () => document.removeEventListener('fullscreenchange', f)
  }, [])
  const toggle = () => { if (!pl) return; pl.playing ? pl.pause() : pl.play(); wake() }
  useEffect(() => {
    const onKey = e => {
      if (e.key === 'Tab') return
      // The screens under the show get no keys while it plays.
      e.stopPropagation()
      if (e.ctrlKey || e.metaKey || e.altKey || (e.target.closest && e.target.closest('select'))) return
      if (e.key === ' ' || e.key === 'k') toggle()
      else if (e.key === 'ArrowRight') { pl && pl.step(1); wake() }
      else if (e.key === 'ArrowLeft') { pl && pl.step(-1); wake() }
      else if (e.key === 'Escape') close()
      else return
      e.preventDefault()
    }
    addEventListener('keydown', onKey, true)
    return () => removeEventListener('keydown', onKey, true)
  })
  const gesture = useSwipe({
    left: () => pl && pl.step(1), right: () => pl && pl.step(-1), down: close,
    tap: () => (chrome ? setChrome(false) : wake()),
  })
  const setInterval_ = s => { save({ ...settings, interval: s }); pl && pl.setInterval(s) }
  const setShuffle = on => { save({ ...settings, shuffle: on }); pl && pl.deck.setShuffle(on) }
  const playing = !pl || pl.playing
  return (
    <div class={'slideshow' + (chrome ? ' chrome' : '')} role="dialog" aria-modal="true" aria-label={spec.title ? t('slideshow.label_titled', { title: spec.title }) : t('slideshow.slideshow')}
      {...gesture} onPointerMove={e => { if (e.pointerType === 'mouse') wake(); gesture.onPointerMove(e) }}>
      <Stage stage={stage} playing={playing} label={pl && pl.current ? (pl.current.title || t('slideshow.photo')) : t('slideshow.loading')} />
      <div class="ss-bar" onPointerDown={e => e.stopPropagation()} onPointerUp={e => e.stopPropagation()}>
        <button class="ib" onClick={close} aria-label={t('slideshow.close_label')} title={t('slideshow.close_title')}><Icon name="close" /></button>
        <span class="ss-title hide-phone">{pl && pl.offline ? t('slideshow.title_reconnecting', { title: spec.title || t('slideshow.slideshow') }) : spec.title || t('slideshow.slideshow')}</span>
        <span class="spacer" />
        <button class="ib" onClick={() => { pl && pl.step(-1); wake() }} aria-label={t('slideshow.previous')}><Icon name="left" /></button>
        <button class="ib" onClick={toggle} aria-label={playing ? t('slideshow.pause') : t('slideshow.play')} aria-pressed={!playing}><Icon name={playing ? 'pause' : 'play'} filled={!playing} /></button>
        <button class="ib" onClick={() => { pl && pl.step(1); wake() }} aria-label={t('slideshow.next')}><Icon name="right" /></button>
        <select class="ss-int" value={settings.interval} onChange={e => setInterval_(+e.currentTarget.value)} aria-label={t('slideshow.interval')}>
          {INTERVALS.map(s => <option key={s} value={s}>{t('slideshow.seconds', { s })}</option>)}
        </select>
        <button class={'ib' + (settings.shuffle ? ' on' : '')} onClick={() => setShuffle(!settings.shuffle)} aria-pressed={settings.shuffle} aria-label={t('slideshow.shuffle')} title={t('slideshow.shuffle')}><Icon name="shuffle" /></button>
        {document.fullscreenEnabled && <button class="ib" onClick={() => (document.fullscreenElement ? leaveFullscreen() : enterFullscreen())} aria-label={t('slideshow.full_screen')} title={t('slideshow.full_screen')}><Icon name="expand" /></button>}
      </div>
      {!playing && <div class="ss-paused" aria-hidden="true"><Icon name="pause" size={28} /></div>}
    </div>
  )
}

// useSwipe tells taps from swipes on one pointer: left, right and down
// swipes and a tap (a press without movement).
export function useSwipe({ left, right, down, tap, hold }) {
  const g = useRef(null)
  return {
    onPointerDown: e => {
      if (e.button) return
      g.current = { x: e.clientX, y: e.clientY, t: Date.now(), id: e.pointerId }
      if (hold) g.current.timer = setTimeout(() => { if (g.current) { g.current.held = true; hold(true) } }, 250)
    },
    onPointerUp: e => {
      const s = g.current
      g.current = null
      if (!s || s.id !== e.pointerId) return
      clearTimeout(s.timer)
      if (s.held) return hold(false)
      const dx = e.clientX - s.x, dy = e.clientY - s.y
      if (dy > 110 && dy > Math.abs(dx)) down && down()
      else if (dx < -60 && Math.abs(dx) > Math.abs(dy)) left && left()
      else if (dx > 60 && Math.abs(dx) > Math.abs(dy)) right && right()
      else if (Math.hypot(dx, dy) < 12) tap && tap(e)
    },
    onPointerCancel: () => { const s = g.current; g.current = null; if (s) { clearTimeout(s.timer); if (s.held) hold(false) } },
    onPointerMove: e => {
      const s = g.current
      if (s && !s.held && Math.hypot(e.clientX - s.x, e.clientY - s.y) > 12) clearTimeout(s.timer)
    },
  }
}
