// The photo frame: a share link opened with ?frame=1 (the share dialog's
// "Photo frame link") turns an old tablet or a TV into a frame on the wall.
// It shows the shared album full screen for ever — shuffled unless
// &shuffle=0, a photo every &interval= seconds (30 by default) — and has no
// chrome but a small control that a tap shows. It reads the album again
// every few minutes (&refresh= seconds, 300 by default; new photos come
// first), and rides out server restarts and network drops: the photo on
// screen stays while it tries again, waiting longer each time, and it never
// shows an error page. For a password-protected share the unlocked access
// is kept in localStorage, so the frame reopens by itself after a reboot.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, get, qs } from './api.js'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'
import { enterFullscreen, leaveFullscreen } from './show.jsx'
import { listDeck, loadAll, Player, Stage, useStage, useWakeLock } from './slideshow.jsx'

const clamp = (v, lo, hi, def) => { const n = Number(v); return Number.isFinite(n) && v !== '' && v != null ? Math.min(hi, Math.max(lo, n)) : def }
const MAX_BACKOFF = 60000

// The unlocked access of a password-protected share, kept for the frame.
const accessKey = token => 'pinhole.frame.' + token
const storedAccess = token => { try { return localStorage.getItem(accessKey(token)) || '' } catch { return '' } }
const storeAccess = (token, v) => { try { v ? localStorage.setItem(accessKey(token), v) : localStorage.removeItem(accessKey(token)) } catch { /* private mode */ } }

export default function Frame({ token, query }) {
  const interval = clamp(query.interval, 3, 3600, 30)
  const refresh = clamp(query.refresh, 5, 86400, 300)
  const shuffle = query.shuffle !== '0'
  const [state, setState] = useState('connecting') // connecting | password | gone | run
  const [access, setAccess] = useState(() => storedAccess(token))
  const [pwErr, setPwErr] = useState('')
  const [, bump] = useState(0)
  const [chrome, setChrome] = useState(false)
  const [count, setCount] = useState(-1) // photos in the album, once known
  const stage = useStage()
  const player = useRef(null)
  const idle = useRef(0)
  const base = `/s/${encodeURIComponent(token)}`
  const headers = access && access !== 'cookie' ? { 'X-Share-Access': access } : {}
  useWakeLock(state === 'run')

  // Open the share, then load its photos and play; errors other than "no
  // such link" and "needs the password" are the network or a restart:
  // try again, later and later.
  useEffect(() => {
    let alive = true
    let timer = 0
    let wait = 1000
    const opts = { quiet: true, headers, keepToken: true }
    const page = ({ cursor, limit }) => get(base + '/photos' + qs({ cursor, limit }), opts)
    const retry = f => { clearTimeout(timer); timer = setTimeout(f, wait); wait = Math.min(wait * 2, MAX_BACKOFF) }
    const failed = (e, f) => {
      if (!alive) return
      if (e.status === 401) { storeAccess(token, ''); setState('password'); return }
      if (e.status === 404 || e.status === 403) { setState('gone'); timer = setTimeout(open, 10 * 60000); return }
      retry(f)
    }
    const start = list => {
      setCount(list.length)
      const deck = listDeck(list, { shuffle })
      const pl = new Player({ deck, stage, interval, onChange: () => alive && bump(n => n + 1) })
      player.current = pl
      setState('run')
      pl.step(1)
      // Read the album again every so often: new photos come next, removed
      // ones are dropped; while the server is away, keep trying.
      const again = () => page && loadAll(page).then(l => {
        if (!alive) return
        wait = 1000
        deck.update(l)
        setCount(l.length)
        timer = setTimeout(again, refresh * 1000)
      }, e => failed(e, again))
      timer = setTimeout(again, refresh * 1000)
    }
    const open = () => {
      get(base, opts).then(() => loadAll(page)).then(list => { if (alive) { wait = 1000; start(list) } }, e => failed(e, open))
    }
    open()
    return () => { alive = false; clearTimeout(timer); player.current && player.current.stop(); player.current = null }
  }, [access])

  const wake = () => {
    setChrome(true)
    clearTimeout(idle.current)
    idle.current = setTimeout(() => setChrome(false), 5000)
  }
  useEffect(() => () => clearTimeout(idle.current), [])
  const onTap = e => {
    if (e.target.closest('button')) return
    if (!document.fullscreenElement) enterFullscreen()
    chrome ? setChrome(false) : wake()
  }
  const unlock = async e => {
    e.preventDefault()
    setPwErr('')
    try {
      const r = await api('POST', base + '/unlock', { password: new FormData(e.currentTarget).get('password') }, { quiet: true })
      storeAccess(token, r.access || '')
      setAccess(r.access || 'cookie')
      setState('connecting')
    } catch (err) { setPwErr(err.message) }
  }

  const pl = player.current
  if (state === 'password') return (
    <div class="auth frame-lock">
      <form onSubmit={unlock} aria-label={t('frame.unlock')}>
        <h1 style={{ marginBottom: 8 }}>{t('frame.photo_frame')}</h1>
        <p>{t('frame.protected')}</p>
        <label class="field"><span>{t('frame.password')}</span><input class="input" name="password" type="password" required autofocus /></label>
        {pwErr && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{pwErr}</span></p>}
        <button class="btn primary" style={{ width: '100%' }}>{t('frame.start')}</button>
      </form>
    </div>
  )
  const playing = !pl || pl.playing
  return (
    <div class={'frame-page' + (chrome ? ' chrome' : '')} data-state={state} data-offline={pl && pl.offline ? '1' : '0'} onClick={onTap}
      onPointerMove={e => e.pointerType === 'mouse' && chrome && wake()}>
      <Stage stage={stage} playing={playing} label={t('frame.photo_frame')} />
      {(state !== 'run' || count === 0) && (
        <div class="frame-note" role="status">
          {state === 'gone' ? t('frame.gone')
            : state === 'run' ? t('frame.empty') : t('frame.connecting')}
        </div>
      )}
      {state === 'run' && (
        <div class="frame-ctl" role="toolbar" aria-label={t('frame.photo_frame')} aria-hidden={!chrome}>
          <button class="ib" tabindex={chrome ? 0 : -1} onClick={() => { playing ? pl.pause() : pl.play(); wake() }} aria-label={playing ? t('frame.pause') : t('frame.play')}>
            <Icon name={playing ? 'pause' : 'play'} filled={!playing} /></button>
          <button class="ib" tabindex={chrome ? 0 : -1} onClick={() => { pl && pl.step(1); wake() }} aria-label={t('frame.next')}><Icon name="right" /></button>
          <button class="ib" tabindex={chrome ? 0 : -1} onClick={() => { document.fullscreenElement ? leaveFullscreen() : enterFullscreen(); wake() }} aria-label={t('frame.full_screen')}><Icon name="expand" /></button>
        </div>
      )}
    </div>
  )
}
