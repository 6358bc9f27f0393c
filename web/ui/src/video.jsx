// A video in the viewer. One the API calls playable is the original in a
// plain <video src> (seeking by Range requests). Any other is converted by
// the server (app/transcode) into H.264/AAC: the status route is polled
// (which queues the conversion, and puts it first: this viewer waits for
// it) while "Preparing video… NN%" shows; once the conversion has begun
// writing, its growing fragmented MP4 is fed to MediaSource, so it plays
// while it is written and everything that has arrived can be seeked in
// (a plain src on a stream of unknown length cannot seek in Chromium).
// Where MediaSource is missing the viewer waits for the conversion to end
// and plays the cached file. A converted video that is already cached is
// a plain src too.
import { useEffect, useRef, useState } from 'preact/hooks'
import { videoURL } from './api.js'
import { fmtNum, t } from './i18n.js'

const canStream = () => typeof MediaSource !== 'undefined' && typeof ReadableStream !== 'undefined'

// startAt is the progress at which playback can start without catching up
// with the conversion: at speed s (× real time) the converted part must be
// at least 1 − s of the video.
const startAt = speed => (speed > 0 && speed < 1 ? Math.min(0.95, 1 - speed + 0.05) : 0)

export function ViewerVideo({ p, poster, label, muted, canDownload, onNatural, onVolume }) {
  const direct = p.playable === true
  // ask: first status pending; wait: converting, nothing to play yet;
  // stream: MediaSource fed by the live conversion; file: a plain src
  // (the original, or the cached conversion); failed.
  const [phase, setPhase] = useState(direct ? 'file' : 'ask')
  const [st, setSt] = useState(null)
  const stRef = useRef(null)
  stRef.current = st
  const [err, setErr] = useState('')
  const [noPicture, setNoPicture] = useState(false)
  const [stalled, setStalled] = useState(false)
  const [started, setStarted] = useState(false) // the stream was set playing
  const el = useRef(null)
  const noMSE = useRef(!canStream())
  const url = videoURL(p)

  // Ask how the conversion goes until there is something to play.
  useEffect(() => {
    if (direct) return
    let alive = true
    let timer
    const tick = async () => {
      let s = null
      try {
        const r = await fetch(url.replace('?', '/status?') + '&start=1', { headers: { Accept: 'application/json' } })
        s = await r.json()
        if (!r.ok) s = { state: 'failed', error: s.error || t('video.server_answered', { status: String(r.status) }) }
      } catch { /* a network hiccup: ask again */ }
      if (!alive) return
      if (s) {
        setSt(s)
        if (s.state === 'direct' || s.state === 'done' || s.state === 'unavailable') {
          setPhase(ph => (ph === 'stream' ? ph : 'file'))
          return
        }
        if (s.state === 'failed') {
          setErr(s.error || t('video.conversion_failed'))
          setPhase(ph => (ph === 'stream' ? ph : 'failed'))
          return
        }
        if (s.state === 'running' && s.ready && !noMSE.current) setPhase(ph => (ph === 'ask' || ph === 'wait' ? 'stream' : ph))
        else setPhase(ph => (ph === 'ask' ? 'wait' : ph))
      }
      timer = setTimeout(tick, 1000)
    }
    tick()
    return () => { alive = false; clearTimeout(timer) }
  }, [p.id])

  // Feed the growing conversion to MediaSource.
  useEffect(() => {
    if (phase !== 'stream') return
    const v = el.current
    const ms = new MediaSource()
    const ac = new AbortController()
    let dead = false
    const giveUp = e => {
      if (dead) return
      // This browser's MediaSource refused it: wait for the cached file.
      noMSE.current = true
      console.warn('video stream:', e)
      setPhase('wait')
    }
    const feed = async () => {
      const r = await fetch(url, { signal: ac.signal })
      if (!r.ok) {
        const b = await r.json().catch(() => ({}))
        setErr(b.error || t('video.server_answered', { status: String(r.status) }))
        setPhase('failed')
        return
      }
      const type = r.headers.get('Content-Type') || ''
      if (!MediaSource.isTypeSupported(type)) throw new Error('unsupported ' + type)
      const sb = ms.addSourceBuffer(type)
      // The whole length from the start, so the timeline is the video's
      // and not only what has arrived (MPEG-TS metadata has none: the
      // server's probe does).
      const dur = p.duration > 0 ? p.duration : stRef.current?.duration
      if (dur > 0) ms.duration = dur
      const idle = () => new Promise(res => (sb.updating ? sb.addEventListener('updateend', res, { once: true }) : res()))
      const rd = r.body.getReader()
      for (;;) {
        const { done, value } = await rd.read()
        if (dead) return
        if (done) break
        for (;;) {
          await idle()
          try { sb.appendBuffer(value); break } catch (e) {
            if (e.name !== 'QuotaExceededError') throw e
            // The buffer is full: drop what was played long ago, or wait
            // for playback to use some of it.
            const behind = v.currentTime - 10
            if (behind > 1 && sb.buffered.length && sb.buffered.start(0) < behind) sb.remove(0, behind)
            else await new Promise(res => setTimeout(res, 1000))
            if (dead) return
          }
        }
      }
      await idle()
      if (ms.readyState === 'open') ms.endOfStream()
      setSt(s => ({ ...(s || {}), state: 'done', progress: 1 }))
    }
    ms.addEventListener('sourceopen', () => { feed().catch(giveUp) }, { once: true })
    v.src = URL.createObjectURL(ms)
    return () => {
      dead = true
      ac.abort()
      URL.revokeObjectURL(v.src)
      v.removeAttribute('src')
    }
  }, [phase])

  // Start the stream once enough is converted not to catch up with it.
  const progress = st?.progress || 0
  const enough = st?.state === 'done' || progress >= startAt(st?.speed || 0)
  const tryStart = () => {
    const v = el.current
    if (phase !== 'stream' || started || !enough || !v || v.readyState < 2) return
    setStarted(true)
    v.play().catch(() => { /* autoplay with sound refused: the controls start it */ })
  }
  useEffect(tryStart, [phase, enough, started])

  const pct = Math.floor(Math.min(1, progress) * 100)
  const preparing = phase === 'wait' || (phase === 'stream' && st?.state !== 'done' && (!started || stalled))
  const waitingOther = phase === 'wait' && st?.state === 'queued' && st.queue > 0
  return (
    <>
      <video class="full" ref={el} src={phase === 'file' ? url : undefined} poster={poster} controls
        autoplay={phase === 'file'} muted={muted} playsinline aria-label={label}
        onLoadedMetadata={e => { const vid = e.currentTarget; onNatural(vid.videoWidth, vid.videoHeight); if (phase === 'file') setNoPicture(!vid.videoWidth) }}
        onCanPlay={tryStart}
        onWaiting={() => setStalled(true)}
        onPlaying={() => { setStalled(false); setStarted(true) }}
        onError={() => { if (phase === 'file') setNoPicture(true) }}
        onVolumeChange={e => onVolume(!e.currentTarget.muted)} />
      {preparing && (
        <p class="vprep" role="status" aria-live="polite">
          {t('video.preparing', { pct: fmtNum(pct / 100, { style: 'percent' }) })}
          <span class="vbar"><i style={{ width: pct + '%' }} /></span>
          {waitingOther && <small>{t('video.after_other')}</small>}
        </p>
      )}
      {phase === 'failed' && <p class="vnote" role="status">{canDownload ? t('video.cant_play_download', { reason: err }) : t('video.cant_play', { reason: err })}</p>}
      {phase === 'file' && noPicture && <p class="vnote" role="status">{canDownload ? t('video.browser_cant_download') : t('video.browser_cant')}</p>}
    </>
  )
}
