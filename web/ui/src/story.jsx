// A memory's story: its photos one at a time, full screen and whole (fitted
// as the viewer fits them, never cropped), five seconds each with a
// progress bar per photo; videos play muted to their end. Tap the right of
// the screen (or →) for the next, the left third (or ←) for the previous;
// press and hold (or space) to pause; swipe sideways for the next or
// previous memory; Esc or a downward swipe closes. After its last photo the
// next memory plays. Loaded on demand (show.jsx).
import { useEffect, useRef, useState } from 'preact/hooks'
import { coverSize, thumb, videoURL } from './api.js'
import { Icon } from './icons.jsx'
import { fmtDate, t } from './i18n.js'
import { when } from './memories.jsx'
import { startSlideshow } from './show.jsx'
import { fitBox, useSize, useSwipe } from './slideshow.jsx'

export const PHOTO_MS = 5000

const dpr = () => (typeof devicePixelRatio === 'number' ? devicePixelRatio : 1)
const url = (p, W, H) => {
  const [dw, dh] = fitBox(p.width, p.height, W, H)
  return thumb(p, coverSize(p, dw, dh, dpr()) || 'fit_1280') + '?ph=0'
}

export default function Story({ memories, index, onClose }) {
  const [pos, setPos] = useState({ m: index, i: 0 })
  const posRef = useRef(pos)
  posRef.current = pos
  const m = memories[pos.m]
  const p = m.photos[pos.i]
  const [paused, setPaused] = useState(false)
  const [held, setHeld] = useState(false)
  const [ready, setReady] = useState(false) // the photo on screen has loaded
  const [nat, setNat] = useState(null)
  const stage = useRef(null)
  const [W, H] = useSize(stage)
  const bars = useRef(null)
  const vref = useRef(null)
  const elapsed = useRef(0)
  const running = !paused && !held && ready
  const runRef = useRef(running)
  runRef.current = running
  const video = p.media_type === 'video'

  const go = (mi, i) => { elapsed.current = 0; setReady(false); setNat(null); setPos({ m: mi, i }) }
  const next = () => {
    const { m: mi, i } = posRef.current
    if (i < memories[mi].photos.length - 1) go(mi, i + 1)
    else if (mi < memories.length - 1) go(mi + 1, 0)
    else onClose()
  }
  const prev = () => {
    const { m: mi, i } = posRef.current
    if (i > 0) go(mi, i - 1)
    else if (mi > 0) go(mi - 1, memories[mi - 1].photos.length - 1)
    else { elapsed.current = 0; if (vref.current) vref.current.currentTime = 0 }
  }
  const nextMemory = () => { const { m: mi } = posRef.current; if (mi < memories.length - 1) go(mi + 1, 0); else onClose() }
  const prevMemory = () => { const { m: mi } = posRef.current; go(Math.max(0, mi - 1), 0) }

  // The clock: photos run PHOTO_MS while running; a video's bar follows
  // its playback. A hidden tab stops the frames, and so the story.
  useEffect(() => {
    let raf = 0
    let last = performance.now()
    const tick = now => {
      const dt = Math.min(now - last, 250)
      last = now
      let frac = 0
      const v = vref.current
      if (video) frac = v && v.duration ? v.currentTime / v.duration : 0
      else {
        if (runRef.current) elapsed.current += dt
        frac = elapsed.current / PHOTO_MS
      }
      const fill = bars.current && bars.current.children[posRef.current.i]
      if (fill) fill.firstChild.style.width = Math.min(100, frac * 100) + '%'
      if (!video && frac >= 1) return next()
      raf = requestAnimationFrame(tick)
    }
    raf = requestAnimationFrame(tick)
    return () => cancelAnimationFrame(raf)
  }, [pos.m, pos.i])

  useEffect(() => {
    const v = vref.current
    if (!v) return
    if (paused || held) v.pause()
    else v.play().catch(() => {})
  }, [paused, held, ready, pos.m, pos.i])

  // The next photo loads while this one shows.
  useEffect(() => {
    if (!W) return
    const { m: mi, i } = pos
    const n = memories[mi].photos[i + 1] || (memories[mi + 1] && memories[mi + 1].photos[0])
    if (n && n.media_type !== 'video') { const im = new Image(); im.src = url(n, W, H) }
  }, [pos.m, pos.i, W > 0])

  useEffect(() => {
    const onKey = e => {
      if (e.key === 'Tab') return
      e.stopPropagation()
      if (e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'ArrowRight') next()
      else if (e.key === 'ArrowLeft') prev()
      else if (e.key === ' ' || e.key === 'k') setPaused(x => !x)
      else if (e.key === 'Escape') onClose()
      else return
      e.preventDefault()
    }
    addEventListener('keydown', onKey, true)
    return () => removeEventListener('keydown', onKey, true)
  }, [])

  const gesture = useSwipe({
    left: nextMemory, right: prevMemory, down: onClose, hold: setHeld,
    tap: e => { const r = stage.current.getBoundingClientRect(); if (e.clientX - r.left < r.width / 3) prev(); else next() },
  })

  const [dw, dh] = fitBox(nat ? nat[0] : p.width, nat ? nat[1] : p.height, W, H)
  const box = { left: (W - dw) / 2 + 'px', top: (H - dh) / 2 + 'px', width: dw + 'px', height: dh + 'px' }
  const alt = p.title || (p.taken_local || '').slice(0, 10) || t('story.photo')
  const taken = (() => {
    const x = /^(\d{4})-(\d\d)-(\d\d)/.exec(p.taken_local || p.taken_at || '')
    return x ? fmtDate(new Date(+x[1], +x[2] - 1, +x[3]), { day: 'numeric', month: 'long', year: 'numeric' }) : ''
  })()
  const stop = e => e.stopPropagation()
  return (
    <div class={'story' + (held ? ' held' : '')} role="dialog" aria-modal="true" aria-label={t('story.label', { title: m.title, i: pos.i + 1, n: m.photos.length })}
      data-memory={m.id} data-photo={p.id} data-paused={paused || held ? '1' : '0'}>
      <div class="story-stage" ref={stage} {...gesture}>
        {W > 0 && (video
          ? <video key={p.id} ref={vref} class="story-media" style={box} src={videoURL(p)} muted playsinline autoplay preload="auto" aria-label={alt}
            onLoadedMetadata={e => { const v = e.currentTarget; if (v.videoWidth) setNat([v.videoWidth, v.videoHeight]) }}
            onPlaying={() => setReady(true)} onEnded={next} onError={next} />
          : <img key={p.id} class="story-media" style={box} src={url(p, W, H)} alt={alt} draggable={false}
            onLoad={e => {
              const img = e.currentTarget
              const done = () => { if (posRef.current.m === pos.m && posRef.current.i === pos.i) { setNat([img.naturalWidth, img.naturalHeight]); setReady(true) } }
              img.decode ? img.decode().then(done, done) : done()
            }}
            onError={() => setTimeout(next, 800)} />)}
      </div>
      <div class="story-top" onPointerDown={stop} onPointerUp={stop}>
        <div class="story-bars" aria-hidden="true" ref={bars}>
          {m.photos.map((x, i) => (
            <span key={x.id} class="story-bar"><i style={{ width: i < pos.i ? '100%' : i > pos.i ? '0%' : undefined }} /></span>
          ))}
        </div>
        <div class="story-head">
          <div class="story-title"><b>{m.title}</b><span>{taken || when(m, 'long')}</span></div>
          <button class="ib" onClick={() => setPaused(x => !x)} aria-pressed={paused} aria-label={paused ? t('story.play') : t('story.pause')}>
            <Icon name={paused ? 'play' : 'pause'} filled={paused} /></button>
          <button class="ib" onClick={() => { onClose(); startSlideshow({ title: m.title, photos: m.photos }) }} aria-label={t('story.as_slideshow')} title={t('story.slideshow')}>
            <Icon name="slideshow" /></button>
          <button class="ib" onClick={onClose} aria-label={t('story.close')} title={t('story.close')}><Icon name="close" /></button>
        </div>
      </div>
    </div>
  )
}
