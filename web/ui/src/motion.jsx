// Live photos in the viewer: an Apple Live Photo's MOV, or the MP4 inside a
// Google or Samsung motion photo, plays over the still while it is asked
// for, as in Google Photos: hovering the LIVE control with a mouse, a long
// press on the photo (touch or mouse), or a tap/click/Enter on the control
// to play it once. It plays muted (hovering is no gesture a browser lets
// start sound) and fades back to the still when released or at its end.
// Nothing is fetched until the first play (preload="none").
import { useEffect, useRef, useState } from 'preact/hooks'
import { motionURL } from './api.js'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'

const HOLD_MS = 300 // a press this long is a long press
const SLOP = 10 // px a press may wander and stay one

// useLive holds one photo's motion state: `on` while it is asked to play
// (hold), `playing` once frames show. press(e) is the photo's pointerdown.
export function useLive(p) {
  const [on, setOn] = useState(false)
  const [playing, setPlaying] = useState(false)
  const [failed, setFailed] = useState(false)
  const video = useRef(null)
  const hold = useRef(null) // the long press in progress
  const id = p?.id
  useEffect(() => {
    setOn(false); setPlaying(false); setFailed(false)
    return () => endHold()
  }, [id])
  useEffect(() => {
    const v = video.current
    if (!v) return
    if (on) {
      try { v.currentTime = 0 } catch { /* no metadata yet: starts at 0 anyway */ }
      v.play().catch(() => {})
    } else {
      v.pause()
      setPlaying(false)
    }
  }, [on])
  const endHold = () => {
    const h = hold.current
    if (!h) return
    clearTimeout(h.timer)
    removeEventListener('pointermove', h.move, true)
    removeEventListener('pointerup', h.up, true)
    removeEventListener('pointercancel', h.up, true)
    hold.current = null
  }
  const press = e => {
    if (!p?.motion || failed || e.button > 0 || e.target.closest?.('button, a')) return
    endHold()
    const h = { x: e.clientX, y: e.clientY, pid: e.pointerId, started: false }
    h.timer = setTimeout(() => { h.started = true; setOn(true) }, HOLD_MS)
    h.move = ev => {
      if (ev.pointerId !== h.pid || h.started) return
      if (Math.hypot(ev.clientX - h.x, ev.clientY - h.y) > SLOP) endHold() // a swipe or a pan, not a hold
    }
    h.up = ev => {
      if (ev.pointerId !== h.pid) return
      if (h.started) setOn(false)
      endHold()
    }
    addEventListener('pointermove', h.move, true)
    addEventListener('pointerup', h.up, true)
    addEventListener('pointercancel', h.up, true)
    hold.current = h
  }
  return { p, on, setOn, playing, setPlaying, failed, setFailed, video, press, moving: !!p?.motion }
}

// LiveVideo lies over the still, inside the photo's box (it zooms with it);
// it shows only while it plays. Pointer events go through to the photo. It
// comes first in the box and is lifted above the still by CSS, so the
// still's top layer stays the box's last child.
export function LiveVideo({ live }) {
  const { p } = live
  if (!p?.motion) return null
  return (
    <video class={'live' + (live.playing && live.on ? ' shown' : '')} key={p.id} src={motionURL(p)} muted playsinline
      preload="none" disablepictureinpicture aria-hidden="true" data-state={live.playing && live.on ? 'playing' : 'idle'}
      ref={live.video}
      onPlaying={() => live.setPlaying(true)}
      onEnded={() => live.setOn(false)}
      onError={() => { live.setFailed(true); live.setOn(false) }} />
  )
}

// LiveButton is the LIVE control of the viewer's top bar: hover plays with
// a mouse, a click or Enter plays it once, a long press holds it.
export function LiveButton({ live }) {
  if (!live.moving) return null
  const mouse = e => e.pointerType === 'mouse'
  const label = live.failed ? t('motion.cannot_play') : t('motion.how_to_play')
  return (
    <button class={'ib livebtn' + (live.on ? ' on' : '')} aria-pressed={live.on} aria-label={label} title={label} disabled={live.failed}
      onPointerEnter={e => mouse(e) && live.setOn(true)} onPointerLeave={e => mouse(e) && live.setOn(false)}
      onClick={e => { if (e.detail === 0 || !matchMedia('(hover: hover)').matches) live.setOn(x => !x) }}>
      <Icon name="live" size={22} /><span>{t('motion.badge')}</span>
    </button>
  )
}
