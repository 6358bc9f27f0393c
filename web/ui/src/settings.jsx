// Settings: library status with live indexing progress, services, people,
// security (sessions, token rotation, password), app passwords for phone
// backup over WebDAV, appearance and credits.
import { Fragment } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, get, session, setSession, setThumbToken, toast } from './api.js'
import { setShowRatings, showRatings } from './grid.jsx'
import { choose, fmtNum, fmtRelative, LANGS, locale, pick, preference, rich, t } from './i18n.js'
import { Icon } from './icons.jsx'
import { canEdit, isAdmin, roleName, ROLES, VIEWER } from './roles.js'
import { view } from './status.js'
import { FormError, progress, setTheme, theme, useFormError, withCode } from './shell.jsx'
import { useStore } from './store.js'
import { YourSpace } from './spaces.jsx'


// SOURCES are the map and place data credited under About: names, the
// same in every language.
const SOURCES = { geonames: 'GeoNames', naturalearth: 'Natural Earth' }

// phaseName is the indexer's phase in words; a phase the server adds later
// shows as the server spells it.
function phaseName(ph) {
  if (!ph || ph === 'running') return t('settings.phase_running')
  if (ph === 'walking') return t('settings.phase_walking')
  if (ph === 'reading') return t('settings.phase_reading')
  return ph
}

export function SettingsPage() {
  const me = session.get().user || {}
  const admin = isAdmin(me.role)
  const [status, setStatus] = useState(null)
  const live = useStore(progress)
  const load = () => get('/status').then(setStatus).catch(() => setStatus({}))
  useEffect(() => { load(); const timer = setInterval(load, 15000); return () => clearInterval(timer) }, [])
  const liveRunning = !!live && !!view(live, 'index.progress').field('running')
  useEffect(() => { if (live && !liveRunning) load() }, [live ? liveRunning : null])
  const st = view(status), ix = st.sub('index'), rr = st.sub('reread')
  const p = live ? view(live, 'index.progress') : ix.sub('progress')
  const c = st.sub('counts')
  const errs = st.items('recent_errors')
  const running = !!p.field('running')
  const [seen, indexed, skipped, failed] = ['seen', 'indexed', 'skipped', 'failed'].map(k => p.field(k))
  const rescan = async () => {
    try { await api('POST', '/index/rescan'); toast(t('settings.rescan_started'), 'ok') } catch { /* toast */ }
  }
  const pct = seen ? Math.min(100, Math.round(((indexed + skipped + failed) / Math.max(1, seen + (p.field('queued') || 0))) * 100)) : 0
  const count = k => { const v = c.field(k); return typeof v === 'number' ? fmtNum(v) : v ?? '—' }
  const facts = [
    lastScan(ix.sub('last_scan')) || t('settings.no_scan_yet'),
    st.field('version') ? t('settings.version', { version: st.field('version') }) : '',
    num(st.field('uptime_s')) !== null ? t('settings.running_for', { span: span(st.field('uptime_s')) }) : '',
  ].filter(Boolean).join(' · ')
  const orig = <span style={{ overflowWrap: 'anywhere' }}>{st.field('originals')}</span>
  const rrWait = rr.field('waiting') === 'scan' ? t('settings.reread_wait_scan') : rr.field('waiting') === 'interactive' ? t('settings.reread_wait_browse') : ''
  return (
    <div class="page settings">
      <div class="page-head"><h1>{t('common.settings')}</h1></div>
      <section aria-labelledby="s-lib">
        <h2 id="s-lib">{t('settings.library')}</h2>
        {!status ? <div class="stats">{[1, 2, 3, 4].map(i => <div class="stat" key={i} style={{ height: 64, animation: 'pulse 1.4s infinite' }} />)}</div> : <>
          <div class="stats">
            <div class="stat"><b>{count('photos')}</b><span>{t('settings.stat_photos')}</span></div>
            <div class="stat"><b>{count('videos')}</b><span>{t('settings.stat_videos')}</span></div>
            <div class="stat"><b>{count('files')}</b><span>{t('settings.stat_files')}</span></div>
            <div class="stat"><b>{count('albums')}</b><span>{t('settings.stat_albums')}</span></div>
            <div class="stat"><b>{count('geotagged')}</b><span>{t('settings.stat_geotagged')}</span></div>
            <div class="stat"><b>{count('missing_files')}</b><span>{t('settings.stat_missing')}</span></div>
          </div>
          <div class="row" style={{ display: 'block' }}>
            <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
              <b style={{ flex: 1 }} data-testid="index-phase">{p.present ? (running ? t('settings.index_phase', { phase: phaseName(p.field('phase')) }) : t('settings.index_idle')) : t('settings.index_unknown')}</b>
              {admin && <button class="btn" onClick={rescan} disabled={running}><Icon name="refresh" size={18} />{t('settings.rescan_now')}</button>}
            </div>
            {running && <><div class="progress" role="progressbar" aria-valuenow={pct} aria-label={t('settings.indexing_progress')}><i style={{ width: pct + '%' }} /></div>
              <div class="small muted">{t('settings.progress_counts', { seen: seen ?? 0, indexed: indexed ?? 0, skipped: skipped ?? 0, failed: failed ?? 0 })}{p.field('current') ? ` · ${p.field('current')}` : ''}</div></>}
            <div class="small muted" style={{ marginTop: 6 }}>
              {facts}
              {admin && st.field('originals') ? <><br />{rich(st.field('demo') ? t('settings.demo_in') : t('settings.photos_from'), { path: orig })}</> : null}
            </div>
            {rr.present && (rr.field('running') || rr.field('pending') > 0) && (
              <div class="small muted" style={{ marginTop: 6 }} data-testid="reread">
                {t('settings.reread', { n: rr.field('pending') || 0 })}
                {rrWait ? ` ${rrWait}` : ''}
                {rr.field('failed') > 0 ? ` · ${t('settings.reread_failed', { n: rr.field('failed') })}` : ''}
              </div>)}
            {ix.field('root_problem') && <p class="err" style={{ margin: '8px 0 0' }}>{ix.field('root_problem')}</p>}
            {st.field('error') && <p class="err" style={{ margin: '8px 0 0' }}>{st.field('error')}</p>}
          </div>
          <Uploads uploads={session.get().uploads} role={me.role} />
          {canEdit(me.role) && <ProblemsLink />}
          {errs.length ? <>
            <h3 style={{ fontSize: 14, margin: '14px 0 6px' }}>{t('settings.recent_problems')}</h3>
            <div class="list">{errs.slice(0, 5).map((e, i) => <div class="row small" key={i}><span class="grow" style={{ overflowWrap: 'anywhere' }}><b>{e.field('path')}</b> — {e.field('error')}</span></div>)}</div>
          </> : null}
        </>}
      </section>
      <Services status={status} admin={admin} reload={load} />
      {admin && <Users me={me} />}
      <Security admin={admin} me={me} />
      <YourSpace me={me} admin={admin} />
      {canEdit(me.role) && <AppPasswords />}
      <section aria-labelledby="s-look">
        <h2 id="s-look">{t('settings.appearance')}</h2>
        <ThemePicker />
        <LanguagePicker />
        <RatingsToggle />
      </section>
      <section aria-labelledby="s-about">
        <h2 id="s-about">{t('settings.about')}</h2>
        <p>{t('settings.about_text', { version: st.field('version') || '' })}</p>
        <p class="small muted">{rich(t('settings.credits'), { geonames: <b>{SOURCES.geonames}</b>, naturalearth: <b>{SOURCES.naturalearth}</b> })}</p>
      </section>
    </div>
  )
}

// Uploads says whether this account can upload here, and how to turn
// uploads on when they are off.
function Uploads({ uploads, role }) {
  if (!uploads || !canEdit(role)) return null
  return (
    <div class="row" data-testid="uploads-state" style={{ marginTop: 2 }}>
      <Icon name="upload" />
      <span class="grow">{uploads.enabled
        ? rich(t('settings.uploads_on'), { folder: <b>{uploads.folder}</b> })
        : <><b>{t('settings.uploads_off')}</b> <span class="small">{withCode(uploads.reason)}</span></>}</span>
    </div>
  )
}

// ProblemsLink leads to the list of files that cannot be shown or read.
function ProblemsLink() {
  const [n, setN] = useState(null)
  useEffect(() => { get('/problems?per_kind=1', { quiet: true }).then(r => setN(r.total ?? (r.problems || []).length)).catch(() => {}) }, [])
  return (
    <a class="row" href="/problems" style={{ color: 'var(--fg)', marginTop: 2 }} data-testid="problems-link">
      <Icon name="alert" />
      <span class="grow">{n === null ? t('settings.problems') : n === 0 ? t('settings.no_problems') : t('settings.problems_n', { n })}</span>
      <Icon name="right" size={18} />
    </a>
  )
}

// lastScan says when the last scan finished and what it covered (viewers
// get no file count).
function lastScan(l) {
  const start = l.present && Date.parse(l.field('started'))
  if (!start) return ''
  const secs = (l.field('duration_ns') || 0) / 1e9
  const took = secs < 1 ? t('settings.took_under_second') : secs < 90 ? t('settings.took_seconds', { n: Math.round(secs) }) : t('settings.took_minutes', { n: Math.round(secs / 60) })
  const seen = l.field('seen')
  const when = rel(start + secs * 1000)
  return typeof seen === 'number' ? t('settings.last_scan_files', { when, n: seen, took }) : t('settings.last_scan', { when })
}

// RatingsToggle is "show ratings in the grid": a star badge on rated
// photos (this browser only, as the theme).
function RatingsToggle() {
  const on = useStore(showRatings)
  return <label class="check" style={{ marginTop: 8 }}><input type="checkbox" checked={on} onChange={e => setShowRatings(e.currentTarget.checked)} />{t('settings.show_ratings')}</label>
}

function ThemePicker() {
  const cur = useStore(theme)
  const names = { system: t('settings.theme_system'), dark: t('settings.theme_dark'), light: t('settings.theme_light') }
  return (
    <div class="seg" role="group" aria-label={t('settings.theme')}>
      {['system', 'dark', 'light'].map(v => <button key={v} aria-pressed={cur === v} onClick={() => setTheme(v)}>{names[v]}</button>)}
    </div>
  )
}

// LanguagePicker chooses the app's language (this browser only, as the
// theme): the browser's own, named, or one of the languages Pinhole speaks,
// each in its own name so a reader finds theirs whatever is showing now.
function LanguagePicker() {
  const [pref, setPref] = useState(preference)
  const auto = (LANGS.find(([code]) => code === pick('')) || LANGS[0])[1]
  const change = e => { const v = e.currentTarget.value; setPref(v); choose(v) }
  return (
    <label class="field lang-pick" for="language" style={{ marginTop: 14 }}>
      <span>{t('common.language')}</span>
      <select class="input" id="language" data-testid="language" style={{ maxWidth: 360 }} value={pref} onChange={change}>
        <option value="">{t('common.language_auto', { name: auto })}</option>
        {LANGS.map(([code, name]) => <option key={code} value={code} lang={code}>{name}</option>)}
      </select>
    </label>
  )
}

// ---- Services and caches --------------------------------------------------
// The service parts of the status document in words. Every key the server
// sends is either shown in its block or listed under "Other" (view's
// rest()), so a key the server adds later is never silently dropped. The
// top level's status ("degraded" comes with an error or root problem that
// is shown), setup_required (the shell's) and thumb_sizes (the grid's,
// api.js) say nothing here.

const num = v => (typeof v === 'number' && isFinite(v) ? v : null)

// fmtBytes says a size in KB, MB, GB or TB (the units as the language
// writes them: Ko, Mo in French), one decimal below 10.
function fmtBytes(n) {
  if (num(n) === null) return '—'
  if (n < 1024) return n > 0 ? t('settings.under_1kb') : t('settings.size_kb', { n: 0 })
  const units = ['kb', 'mb', 'gb', 'tb']
  let v = n / 1024, i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return t(`settings.size_${units[i]}`, { n: v < 10 ? Math.round(v * 10) / 10 : Math.round(v) })
}

const pctOf = p => fmtNum(p / 100, { style: 'percent' })
function fmtRate(r) {
  if (num(r) === null) return '—'
  const p = Math.round(r * 100)
  return r > 0 && p === 0 ? t('settings.under_pct', { pct: pctOf(1) }) : pctOf(r < 1 && p === 100 ? 99 : p)
}

// rel says when an ISO time is relative to now: "in 4 minutes", "2 hours ago".
function rel(iso, now = Date.now()) {
  const at = typeof iso === 'number' ? iso : Date.parse(iso)
  if (isNaN(at)) return String(iso)
  const s = (at - now) / 1000, a = Math.abs(s)
  if (a < 5) return s > 0 ? t('settings.in_a_moment') : t('settings.just_now')
  const [n, unit] = a < 60 ? [s, 'second'] : a < 3600 ? [s / 60, 'minute'] : a < 86400 ? [s / 3600, 'hour']
    : a < 86400 * 30 ? [s / 86400, 'day'] : a < 86400 * 365 ? [s / (86400 * 30.4), 'month'] : [s / (86400 * 365), 'year']
  return fmtRelative(Math.round(n), unit)
}

// span says how long a number of seconds is: "5 minutes", "3 days".
function span(sec) {
  const [n, unit] = sec < 60 ? [sec, 'second'] : sec < 3600 ? [sec / 60, 'minute'] : sec < 86400 ? [sec / 3600, 'hour'] : [sec / 86400, 'day']
  return fmtNum(Math.max(1, Math.floor(n)), { style: 'unit', unit, unitDisplay: 'long' })
}

// plainError turns an upstream error ("geocoder: Get \"http://…\": dial tcp
// …: connect: connection refused") into a sentence about the service.
function plainError(raw, host, noun) {
  const s = String(raw || '')
  const who = (s.match(/"https?:\/\/([^/"?#]+)/) || [])[1] || host || noun
  const code = s.match(/:\s*(\d{3})((?:\s+[A-Za-z][\w'-]*)*)\s*$/)
  if (/connection refused/i.test(s)) return t('settings.err_refused', { who })
  if (/no such host|server misbehaving|lookup \S+ on /i.test(s)) return t('settings.err_no_host', { who })
  if (/deadline exceeded|timeout|timed out/i.test(s)) return t('settings.err_timeout', { who })
  if (/x509|certificate|tls:/i.test(s)) return t('settings.err_tls', { who })
  if (/network is unreachable|no route to host/i.test(s)) return t('settings.err_no_route', { who })
  if (/connection reset|broken pipe|EOF/.test(s)) return t('settings.err_dropped', { who })
  if (code) {
    const n = +code[1], what = (code[1] + code[2]).trim()
    if (n === 429) return t('settings.err_slow_down', { who, what })
    if (n === 401 || n === 403) return t('settings.err_denied', { who, what })
    if (n === 404) return t('settings.err_not_found', { who, what })
    if (n >= 500) return t('settings.err_server', { who, what })
    return t('settings.err_answered', { who, what })
  }
  if (/not an image/i.test(s)) return t('settings.err_not_image', { who })
  if (/larger than/i.test(s)) return t('settings.err_too_large', { who })
  if (/answer/i.test(s)) return t('settings.err_unreadable', { who })
  return s.replace(/^(geocoder|tile upstream):\s*/i, '')
}

// useNow re-renders every second while a countdown is on screen.
function useNow(ticking) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!ticking) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [ticking])
  return ticking ? now : Date.now()
}

const Pill = ({ tone = '', children }) => <span class={'pill ' + tone}>{children}</span>

function Block({ icon, title, pill, children, testid }) {
  return (
    <div class="svc" data-testid={testid}>
      <div class="svc-h"><Icon name={icon} size={20} /><h3>{title}</h3>{pill}</div>
      {children}
    </div>
  )
}

// Usage is "120 MB of 2 GB" over a thin meter, with a count beneath.
function Usage({ used, cap, label, extra }) {
  const u = num(used), c = num(cap)
  const frac = u !== null && c ? Math.min(1, u / c) : null
  return <>
    {u === 0 ? <>{t('settings.empty')}{c ? <span class="muted"> · {t('settings.holds_up_to', { size: fmtBytes(c) })}</span> : null}</>
      : <>{fmtBytes(u)}{c ? <span class="muted"> {t('settings.of_size', { size: fmtBytes(c) })}</span> : null}</>}
    {frac !== null && u > 0 && <div class={'meter' + (frac > 0.9 ? ' full' : '')} role="meter" aria-label={label}
      aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(frac * 100)}><i style={{ width: Math.max(1, frac * 100) + '%' }} /></div>}
    {extra ? <small>{extra}</small> : null}
  </>
}

// upstream reads an online service's health report: down while a retry is
// scheduled; a last error without one is a recovered outage.
function upstream(r) {
  const err = r.field('last_error'), at = r.field('last_error_at'), retry = r.field('next_retry')
  return { err, at, retry, down: !!(err && retry) }
}

// Problem tells of a service's last failure. retry(when) says when Pinhole
// tries again and what stands in meanwhile (when is '' for "on the next
// request").
function Problem({ up, host, noun, retry, now }) {
  if (!up.err) return null
  const what = plainError(up.err, host, noun)
  const due = up.retry ? Date.parse(up.retry) : NaN
  const when = up.at ? rel(up.at, now) : ''
  // Mid-sentence the message starts lower-case, except in German, whose
  // nouns keep their capital.
  const mid = locale() === 'de' ? what : lower(what)
  return (
    <div class={'svc-note' + (up.down ? ' bad' : ' calm')} role={up.down ? 'status' : undefined}>
      {up.down ? <>
        <b>{what}</b>
        <div>{when ? t('settings.last_failed', { when }) + ' ' : ''}{retry(due > now ? rel(due, now) : '')}</div>
      </> : <>
        <b>{t('settings.answering_again')}</b>
        <div>{when ? t('settings.last_problem_when', { when, what: mid }) : t('settings.last_problem', { what: mid })}</div>
      </>}
      <details><summary>{t('settings.technical_details')}</summary><code>{String(up.err)}</code></details>
    </div>
  )
}

function servicePill(online, up, paused) {
  if (!online) return <Pill>{t('settings.pill_offline')}</Pill>
  if (paused) return <Pill tone="warn">{t('settings.pill_paused')}</Pill>
  return up.down ? <Pill tone="bad">{t('settings.pill_unreachable')}</Pill> : <Pill tone="ok">{t('settings.pill_online')}</Pill>
}

// helperInfo: the helper programs Pinhole looks for, what each gives and
// what is missing without it.
function helperInfo() {
  return {
    heif: { name: 'heif-convert', gives: t('settings.heif_gives'), without: t('settings.heif_without'), install: 'apt install libheif-examples' },
    ffmpeg: { name: 'ffmpeg', gives: t('settings.ffmpeg_gives'), without: t('settings.ffmpeg_without'), install: 'apt install ffmpeg' },
  }
}

// watchModes: each watcher mode's pill tone, name and meaning.
function watchModes() {
  return {
    live: ['ok', t('settings.watch_live'), t('settings.watch_live_text')],
    polling: ['warn', t('settings.watch_polling'), t('settings.watch_polling_text')],
    waiting: ['bad', t('settings.watch_waiting'), t('settings.watch_waiting_text')],
    off: ['', t('settings.watch_off'), t('settings.watch_off_text')],
  }
}

// otherValue shows an unknown key's value by the shape of its name and value.
function otherValue(k, v, now) {
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no')
  if (typeof v === 'number') return /bytes/.test(k) ? fmtBytes(v) : /rate|ratio/.test(k) && v <= 1 ? fmtRate(v) : /_s$|seconds/.test(k) ? fmtNum(Math.round(v), { style: 'unit', unit: 'second', unitDisplay: 'long' }) : /_ms$/.test(k) ? fmtNum(v) + ' ms' : fmtNum(v)
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) && !isNaN(Date.parse(v))) return rel(v, now)
  if (Array.isArray(v)) return v.every(x => x === null || typeof x !== 'object') ? v.join(', ') : t('settings.items', { n: v.length })
  return String(v)
}
// addOther lists an unknown key, one row per leaf of a nested object.
function addOther(list, group, k, v, depth = 0) {
  if (v === null || v === undefined || v === '') return
  if (typeof v === 'object' && !Array.isArray(v) && depth < 2) {
    for (const [k2, v2] of Object.entries(v)) addOther(list, (group ? group + ' · ' : '') + sentence(k), k2, v2, depth + 1)
  } else list.push([group, k, typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v])
}
const lower = s => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s)
const capital = s => s.charAt(0).toUpperCase() + s.slice(1)
const sentence = k => capital(k.replace(/_/g, ' ').trim())

// ClearCache empties one disk cache after asking; what it held is made
// again when it is next needed.
function ClearCache({ name, ask, button, reload }) {
  const [busy, setBusy] = useState(false)
  const clear = async () => {
    if (!confirm(ask)) return
    setBusy(true)
    try {
      const r = await api('DELETE', `/caches/${name}`)
      toast(t('settings.cache_cleared', { n: r.removed_files || 0, size: fmtBytes(r.removed_bytes || 0) }), 'ok')
      reload()
    } catch { /* toast shown */ } finally { setBusy(false) }
  }
  return <div class="svc-actions"><button class="btn" onClick={clear} disabled={busy}><Icon name="trash" size={18} />{button}</button></div>
}

function Services({ status, admin, reload }) {
  const st = view(status)
  const pl = st.sub('places'), mp = st.sub('maps')
  const retrying = !!(pl.field('next_retry') || mp.field('next_retry'))
  const now = useNow(retrying)
  if (!status) return null
  const other = []
  const paused = st.field('online_paused') === true
  const dot = (...parts) => parts.filter(Boolean).join(' · ')

  // Places: the offline dataset, optionally an online geocoder in front.
  const plOnline = pl.field('mode') === 'online'
  const plHost = pl.field('service')
  const plUp = upstream(pl)
  const dataset = pl.field('dataset_version')
  const resolved = num(pl.field('resolved')), pending = num(pl.field('pending'))
  const requests = num(pl.field('requests')), cacheHits = num(pl.field('cache_hits')), plRate = num(pl.field('hit_rate'))
  const cells = num(pl.field('cached_cells')), fallbacks = num(pl.field('offline_fallbacks')), plPaused = num(pl.field('paused_lookups'))
  const places = pl.present && (
    <Block icon="pin" title={t('settings.places')} testid="svc-places" pill={servicePill(plOnline, plUp, paused)}>
      <dl>
        <dt>{t('settings.place_names')}</dt>
        <dd>{plOnline ? <>{plHost ? rich(t('settings.geocoder_at'), { host: <b>{plHost}</b> }) : t('settings.geocoder')}<small>{paused ? t('settings.geocoder_paused') : dataset ? t('settings.offline_fills_in_dataset', { dataset }) : t('settings.offline_fills_in')}</small></>
          : <>{t('settings.offline_places')}{dataset ? <small>{t('settings.dataset', { dataset })}</small> : <small>{t('settings.geonames_offline')}</small>}</>}</dd>
        {resolved !== null && <><dt>{t('settings.photos_placed')}</dt><dd>{fmtNum(resolved)}{pending ? <span class="muted"> · {t('settings.n_waiting', { n: pending })}</span> : pending === 0 ? <span class="muted"> · {t('settings.none_waiting')}</span> : null}</dd></>}
        {plOnline && <><dt>{t('settings.lookups')}</dt><dd>{requests || cacheHits ? <>{t('settings.rate_from_cache', { rate: fmtRate(plRate) })}<small>{dot(t('settings.geocoder_requests', { n: requests || 0 }), t('settings.cache_hits', { n: cacheHits || 0 }), cells ? t('settings.areas_cached', { n: cells }) : '')}</small></> : t('settings.none_yet')}</dd></>}
        {plOnline && fallbacks ? <><dt>{t('settings.answered_offline')}</dt><dd>{t('settings.n_lookups', { n: fallbacks })}<small>{t('settings.while_geocoder_down')}</small></dd></> : null}
        {plOnline && plPaused ? <><dt>{t('settings.while_paused')}</dt><dd>{t('settings.lookups_answered_offline', { n: plPaused })}</dd></> : null}
      </dl>
      {plOnline && !paused && <Problem up={plUp} host={plHost} noun={t('settings.the_geocoder')} now={now}
        retry={when => (when ? t('settings.places_retry_at', { when }) : t('settings.places_retry_next'))} />}
    </Block>
  )
  for (const [k, v] of pl.rest()) addOther(other, t('settings.places'), k, v)

  // Map: the offline base map or a caching proxy for a tile server.
  const mpOnline = mp.field('mode') === 'online'
  const mpHost = mp.field('service')
  const mpUp = upstream(mp)
  const hits = num(mp.field('hits')) || 0, misses = num(mp.field('misses')) || 0, mpRate = num(mp.field('hit_rate'))
  const upReq = num(mp.field('upstream_requests')) || 0, upErr = num(mp.field('upstream_errors')) || 0
  const stale = num(mp.field('stale_served')) || 0, drawn = num(mp.field('rendered')) || 0, mpPaused = num(mp.field('paused_served')) || 0
  const tileFiles = num(mp.field('cache_files'))
  const map = mp.present && (
    <Block icon="map" title={t('settings.map')} testid="svc-map" pill={servicePill(mpOnline, mpUp, paused)}>
      <dl>
        <dt>{t('settings.base_map')}</dt>
        <dd>{mpOnline ? <>{mpHost ? rich(t('settings.tile_server_at'), { host: <b>{mpHost}</b> }) : t('settings.tile_server_online')}<small>{paused ? t('settings.tiles_paused') : t('settings.builtin_fills_in')}</small></>
          : <>{t('settings.offline_map')}<small>{t('settings.naturalearth_offline')}</small></>}</dd>
        <dt>{t('settings.tile_cache')}</dt>
        <dd><Usage used={mp.field('cache_bytes')} cap={mp.field('cache_cap_bytes')} label={t('settings.tile_cache_used')} extra={tileFiles ? t('settings.n_tiles', { n: tileFiles }) : null} /></dd>
        <dt>{t('settings.from_cache')}</dt>
        <dd>{hits + misses ? <>{fmtRate(mpRate ?? hits / (hits + misses))}<small>{dot(t('settings.hits_in', { hits: t('settings.n_hits', { n: hits }), total: t('settings.n_lookups', { n: hits + misses }) }), drawn ? t('settings.tiles_drawn', { n: drawn }) : '')}</small></> : t('settings.no_tiles_yet')}</dd>
        {mpOnline && <><dt>{t('settings.tile_server')}</dt><dd>{t('settings.n_requests', { n: upReq })}{upErr ? <span class="muted"> · {t('settings.n_failures', { n: upErr })}</span> : null}{stale ? <small>{t('settings.stale_tiles', { n: stale })}</small> : null}{mpPaused ? <small>{t('settings.paused_tiles', { n: mpPaused })}</small> : null}</dd></>}
      </dl>
      {mpOnline && !paused && <Problem up={mpUp} host={mpHost} noun={t('settings.the_tile_server')} now={now}
        retry={when => (when ? t('settings.tiles_retry_at', { when }) : t('settings.tiles_retry_next'))} />}
      {admin && tileFiles > 0 && <ClearCache name="tiles" ask={t('settings.clear_tiles_ask')} button={t('settings.clear_tiles')} reload={reload} />}
    </Block>
  )
  for (const [k, v] of mp.rest()) addOther(other, t('settings.map'), k, v)

  // Thumbnails cache.
  const th = st.sub('thumbs')
  const tHits = num(th.field('hits')) || 0, tMiss = num(th.field('misses')) || 0
  const renders = num(th.field('renders')), evictions = num(th.field('evictions')), files = num(th.field('files'))
  const writable = th.field('writable')
  // Files the renderer would not preview: the Problems screen lists them.
  const rf = st.sub('thumbnails')
  const refused = num(rf.field('refused_count')) || (rf.field('refused') || []).length
  const thumbs = th.present && (
    <Block icon="image" title={t('settings.thumbnails')} testid="svc-thumbs" pill={writable === false ? <Pill tone="warn">{t('settings.not_saving')}</Pill> : null}>
      <dl>
        <dt>{t('settings.cache')}</dt>
        <dd><Usage used={th.field('bytes')} cap={th.field('max_bytes')} label={t('settings.thumb_cache_used')} extra={files ? t('settings.n_files', { n: files }) : null} /></dd>
        <dt>{t('settings.from_cache')}</dt>
        <dd>{tHits + tMiss ? <>{fmtRate(tHits / (tHits + tMiss))}<small>{t('settings.hits_in', { hits: t('settings.n_hits', { n: tHits }), total: t('settings.n_requests', { n: tHits + tMiss }) })}</small></> : t('settings.none_asked')}</dd>
        {renders ? <><dt>{t('settings.made')}</dt><dd>{t('settings.n_thumbnails', { n: renders })}<small>{evictions ? t('settings.since_start_evicted', { n: evictions }) : t('settings.since_start')}</small></dd></> : null}
        {refused > 0 && <><dt>{t('settings.not_previewed')}</dt><dd>{t('settings.n_files', { n: refused })} <a href="/problems">{t('settings.see_problems')}</a></dd></>}
      </dl>
      {writable === false && <div class="svc-note">{t('settings.thumbs_not_saving')}</div>}
      {admin && files > 0 && <ClearCache name="thumbs" ask={t('settings.clear_thumbs_ask')} button={t('settings.clear_thumbs')} reload={reload} />}
    </Block>
  )
  for (const [k, v] of th.rest()) addOther(other, t('settings.thumbnails'), k, v)

  // Helper programs for formats Pinhole cannot decode itself: admins get
  // their paths, others whether they were found.
  const hp = st.sub('helpers')
  const known = helperInfo()
  const helpers = hp.present ? Object.keys(known).map(k => [k, hp.field(k)]) : []
  const found = helpers.filter(([, v]) => v).length
  const tools = helpers.length > 0 && (
    <Block icon="settings" title={t('settings.helper_tools')} testid="svc-helpers" pill={<Pill tone={found === helpers.length ? 'ok' : 'warn'}>{t('settings.found_of', { found, total: helpers.length })}</Pill>}>
      <dl>{helpers.map(([k, v]) => {
        const h = known[k] || { name: k }
        const path = typeof v === 'string' ? v : ''
        const name = path ? path.split('/').pop() : h.name
        return <Fragment key={k}>
          <dt>{name}</dt>
          <dd>{v ? <><span class="yes">{t('settings.found')}</span>{h.gives ? ` · ${h.gives}` : ''}{path ? <small>{path}</small> : null}</>
            : <><span class="no">{t('settings.not_found')}</span>{h.without ? ` · ${h.without}` : ''}{admin && h.install ? <small>{rich(t('settings.install_with'), { command: <code>{h.install}</code> })}</small> : null}</>}</dd>
</Fragment>
      })}</dl>
    </Block>
  )

  // Watcher: live inotify, polling, or waiting for the originals.
  const wr = st.sub('watcher')
  const mode = wr.field('mode'), reason = wr.field('reason'), watches = num(wr.field('watches')), wpending = num(wr.field('pending'))
  const [wtone, wlabel, wtext] = watchModes()[mode] || ['', mode ? sentence(String(mode)) : t('settings.watch_unknown'), '']
  const watcher = wr.present && (
    <Block icon="refresh" title={t('settings.watching')} testid="svc-watcher" pill={<Pill tone={wtone}>{wlabel}</Pill>}>
      <dl>
        <dt>{t('settings.changes')}</dt><dd>{wtext || '—'}</dd>
        {mode === 'live' && watches ? <><dt>{t('settings.watching_dt')}</dt><dd>{t('settings.n_folders', { n: watches })}</dd></> : null}
        {wpending ? <><dt>{t('settings.queued')}</dt><dd>{t('settings.changes_queued', { n: wpending })}</dd></> : null}
      </dl>
      {reason && <div class={'svc-note' + (mode === 'waiting' ? ' bad' : '')}>{capital(String(reason))}</div>}
    </Block>
  )
  for (const [k, v] of wr.rest()) addOther(other, t('settings.watcher'), k, v)
  for (const [k, v] of st.rest()) addOther(other, '', k, v)

  const code = s => <code>{s}</code>
  return (
    <section aria-labelledby="s-svc">
      <h2 id="s-svc">{t('settings.services')}</h2>
      {admin && (plOnline || mpOnline) && <PauseOnline paused={paused} reload={reload} />}
      <div class="svc-grid">
        {places}{map}{thumbs}{tools}{watcher}
        {other.length > 0 && <Block icon="info" title={t('settings.other')} testid="svc-other">
          <dl class="small">{other.map(([g, k, v]) => <Fragment key={g + k}><dt>{g ? `${g} · ` : ''}{sentence(k)}</dt><dd>{otherValue(k, v, now)}</dd></Fragment>)}</dl>
        </Block>}
      </div>
      {admin && <p class="small muted">{rich(t('settings.services_config'), { geocoder: code('geocoder-url'), tiles: code('tiles-url'), thumbcache: code('thumb-cache-mb'), tilecache: code('tile-cache-mb') })}{(plOnline || mpOnline) ? ' ' + t('settings.services_switch') : ''}</p>}
    </section>
  )
}

// PauseOnline is the privacy kill-switch: while on, the server sends
// nothing to the geocoder or the tile server. It acts at once and stays
// on across restarts.
function PauseOnline({ paused, reload }) {
  const [on, setOn] = useState(paused)
  const [busy, setBusy] = useState(false)
  useEffect(() => { if (!busy) setOn(paused) }, [paused])
  const flip = async e => {
    const want = e.currentTarget.checked
    setOn(want)
    setBusy(true)
    try {
      await api('PUT', '/settings/online', { paused: want })
      toast(want ? t('settings.online_paused') : t('settings.online_resumed'), 'ok')
      await reload()
    } catch { setOn(!want) /* the error was toasted */ } finally { setBusy(false) }
  }
  return (
    <div class={'pause-online' + (on ? ' on' : '')} data-testid="pause-online">
      <label class="check"><input type="checkbox" checked={on} disabled={busy} onChange={flip} aria-describedby="pause-online-help" />{t('settings.pause_online')}</label>
      <p id="pause-online-help">{t('settings.pause_online_help')}</p>
    </div>
  )
}

function Users({ me }) {
  const [users, setUsers] = useState(null)
  const [name, setName] = useState('')
  const [pw, setPw] = useState('')
  const [role, setRole] = useState(VIEWER)
  const [err, setErr] = useFormError()
  const load = () => get('/users').then(r => setUsers(r.users || [])).catch(() => setUsers([]))
  useEffect(() => { load() }, [])
  const add = async e => {
    e.preventDefault()
    setErr('')
    try { await api('POST', '/users', { username: name, password: pw, role }, { quiet: true }); toast(t('settings.user_added', { name }), 'ok'); setName(''); setPw(''); load() } catch (e) { setErr(e.message) }
  }
  const patch = async (u, body) => { try { await api('PATCH', `/users/${u.id}`, body); toast(t('settings.saved'), 'ok'); load() } catch { load() } }
  const del = async u => { if (!confirm(t('settings.remove_user_ask', { name: u.username }))) return; try { await api('DELETE', `/users/${u.id}`); load() } catch { /* toast */ } }
  const resetTOTP = async u => {
    if (!confirm(t('settings.reset_totp_ask', { name: u.username }))) return
    try { await api('DELETE', `/users/${u.id}/totp`); toast(t('settings.reset_totp_done', { name: u.username }), 'ok'); load() } catch { /* toast */ }
  }
  return (
    <section aria-labelledby="s-users">
      <h2 id="s-users">{t('settings.people')}</h2>
      <div class="list">
        {!users && <p class="muted">{t('common.loading')}</p>}
        {users && users.map(u => (
          <div class="row" key={u.id}>
            <Icon name="user" />
            <span class="grow">{u.username}{u.id === me.id ? <span class="muted"> {t('settings.you')}</span> : null}
              {u.totp ? <span class="pill ok" title={t('settings.pill_2fa_title')}>{t('settings.pill_2fa')}</span> : null}
              {u.oidc ? <span class="pill" title={t('settings.pill_provider_title')}>{t('settings.pill_provider')}</span> : null}</span>
            {u.totp && <button class="btn" onClick={() => resetTOTP(u)} aria-label={t('settings.reset_totp_of', { name: u.username })}>{t('settings.reset_2fa')}</button>}
            <select class="input" style={{ width: 'auto', minHeight: 40 }} value={u.role} aria-label={t('settings.role_of', { name: u.username })} onChange={e => patch(u, { role: e.currentTarget.value })}>
              {ROLES.map(r => <option key={r} value={r}>{roleName(r)}</option>)}
            </select>
            <button class="ib" aria-label={t('settings.remove_user', { name: u.username })} onClick={() => del(u)} disabled={u.id === me.id}><Icon name="trash" /></button>
          </div>
        ))}
      </div>
      <form onSubmit={add} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 10 }}>
        <input class="input" style={{ flex: '1 1 140px', width: 'auto' }} placeholder={t('settings.user_name')} aria-label={t('settings.new_user_name')} value={name} onInput={e => setName(e.currentTarget.value)} required />
        <input class="input" style={{ flex: '1 1 140px', width: 'auto' }} type="password" placeholder={t('settings.password')} aria-label={t('settings.new_user_password')} minLength={8} value={pw} onInput={e => setPw(e.currentTarget.value)} required autocomplete="new-password" />
        <select class="input" style={{ width: 'auto' }} value={role} onChange={e => setRole(e.currentTarget.value)} aria-label={t('settings.new_user_role')}>{[...ROLES].reverse().map(r => <option key={r} value={r}>{roleName(r)}</option>)}</select>
        <button class="btn primary">{t('settings.add_person')}</button>
      </form>
      <div style={{ marginTop: 10 }}><FormError error={err} /></div>
      <p class="small muted">{t('settings.roles_help')}</p>
    </section>
  )
}

function Security({ admin, me }) {
  const [sessions, setSessions] = useState(null)
  const load = () => get('/sessions').then(r => setSessions(r.sessions || [])).catch(() => setSessions([]))
  useEffect(() => { load() }, [])
  const end = async s => { try { await api('DELETE', `/sessions/${s.id}`); load() } catch { /* toast */ } }
  const rotate = async () => {
    if (!confirm(t('settings.rotate_ask'))) return
    try { const r = await api('POST', '/tokens/rotate'); setThumbToken(r.thumb_token); toast(t('settings.rotated'), 'ok') } catch { /* toast */ }
  }
  const [pwErr, setPwErr] = useFormError()
  const changePw = async e => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    setPwErr('')
    try { await api('PUT', '/session/password', { old_password: f.get('old'), new_password: f.get('new') }, { quiet: true }); toast(t('settings.password_changed'), 'ok'); form.reset(); load() } catch (e) { setPwErr(e.message) }
  }
  return (
    <section aria-labelledby="s-sec">
      <h2 id="s-sec">{t('settings.security')}</h2>
      <h3 style={{ fontSize: 14, margin: '0 0 8px' }}>{t('settings.sessions')}</h3>
      <div class="list">
        {!sessions && <p class="muted">{t('common.loading')}</p>}
        {sessions && sessions.map(s => (
          <div class="row small" key={s.id}>
            <span class="grow">{s.username ? <b>{s.username} · </b> : null}{(s.user_agent || t('settings.unknown_browser')).slice(0, 60)}<br /><span class="muted">{[s.ip, t('settings.last_seen', { when: s.last_seen }), s.method === 'oidc' ? t('settings.via_oidc') : '', s.current ? t('settings.this_browser') : ''].filter(Boolean).join(' · ')}</span></span>
            {!s.current && <button class="btn" onClick={() => end(s)}>{t('settings.log_out')}</button>}
          </div>
        ))}
      </div>
      {me.has_password !== false && <form onSubmit={changePw} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 14 }}>
        <input class="input" style={{ flex: '1 1 160px', width: 'auto' }} name="old" type="password" placeholder={t('settings.current_password')} aria-label={t('settings.current_password')} autocomplete="current-password" required />
        <input class="input" style={{ flex: '1 1 160px', width: 'auto' }} name="new" type="password" placeholder={t('settings.new_password')} aria-label={t('settings.new_password')} minLength={8} autocomplete="new-password" required />
        <button class="btn">{t('settings.change_password')}</button>
      </form>}
      <div style={{ marginTop: 10 }} data-testid="password-error"><FormError error={pwErr} /></div>
      <TwoFactor me={me} />
      {admin && <TwoFactorRule me={me} />}
      {admin && <div class="row" style={{ marginTop: 14 }}>
        <span class="grow">{t('settings.preview_token')}<br /><span class="small muted">{t('settings.preview_token_help')}</span></span>
        <button class="btn danger" onClick={rotate}>{t('settings.rotate_token')}</button>
      </div>}
    </section>
  )
}

// ---- Two-factor sign-in -----------------------------------------------------

// groups4 writes a secret in groups of four, as authenticator apps show it.
const groups4 = s => String(s || '').replace(/(.{4})(?=.)/g, '$1 ')

// TOTPSetup walks through turning two-factor sign-in on: the QR code (drawn
// by the server) and the key as text, a first code to confirm, then the
// recovery codes, shown this once. Settings and the sign-in gate use it.
export function TOTPSetup({ onDone }) {
  const [en, setEn] = useState(null)
  const [codes, setCodes] = useState(null)
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  const [err, setErr] = useFormError()
  const begin = async () => {
    setBusy(true); setErr('')
    try { setEn(await api('POST', '/account/totp', undefined, { quiet: true })) } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }
  const confirm = async e => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    setBusy(true); setErr('')
    try { setCodes((await api('PUT', '/account/totp', { code: f.get('code') }, { quiet: true })).recovery_codes) } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }
  const text = () => (codes || []).join('\n') + '\n'
  const copy = async () => { try { await navigator.clipboard.writeText(text()); toast(t('settings.codes_copied'), 'ok') } catch { toast(t('settings.codes_copy_refused'), 'error') } }
  const save = () => {
    const a = document.createElement('a')
    const who = session.get().user?.username || t('settings.your_account')
    a.href = URL.createObjectURL(new Blob([t('settings.codes_file', { name: who }) + '\n\n' + text()], { type: 'text/plain' }))
    a.download = 'pinhole-recovery-codes.txt'
    document.body.append(a); a.click(); a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 1000)
  }
  if (codes) return (
    <div class="totp" data-testid="recovery-codes">
      <h3>{t('settings.save_codes')}</h3>
      <p class="small">{t('settings.save_codes_text')}</p>
      <ol class="codes">{codes.map(c => <li key={c}><code>{c}</code></li>)}</ol>
      <div class="totp-actions">
        <button type="button" class="btn" onClick={copy}><Icon name="copy" size={18} />{t('settings.copy')}</button>
        <button type="button" class="btn" onClick={save}><Icon name="download" size={18} />{t('common.download')}</button>
      </div>
      <label class="check"><input type="checkbox" checked={saved} onChange={e => setSaved(e.currentTarget.checked)} />{t('settings.codes_saved')}</label>
      <button type="button" class="btn primary" style={{ width: '100%' }} disabled={!saved} onClick={onDone}>{t('common.done')}</button>
    </div>
  )
  if (!en) return (
    <div class="totp">
      <FormError error={err} />
      <button type="button" class="btn primary" onClick={begin} disabled={busy}><Icon name="lock" size={18} />{t('settings.totp_set_up')}</button>
    </div>
  )
  return (
    <form class="totp" onSubmit={confirm} aria-label={t('settings.totp_confirm')}>
      <p class="small">{t('settings.totp_step1')}</p>
      <img class="qr" src={en.qr} width={240} height={240} alt={t('settings.totp_qr_alt')} />
      <p class="small">{t('settings.totp_cannot_scan')}<br /><code class="secret" data-testid="totp-secret">{groups4(en.secret)}</code>
        {' '}<a href={en.uri}>{t('settings.totp_open_app')}</a></p>
      <label class="field"><span>{t('settings.totp_step2')}</span>
        <input class="input code" name="code" inputmode="numeric" autocomplete="one-time-code" maxLength={8} required /></label>
      <FormError error={err} />
      <button class="btn primary" style={{ width: '100%' }} disabled={busy}>{t('settings.turn_on')}</button>
    </form>
  )
}

// TwoFactor is the person's own two-factor sign-in: on (turn off with a code
// or the password) or off (set it up).
function TwoFactor({ me }) {
  const [st, setSt] = useState(null)
  const [err, setErr] = useFormError()
  const load = () => get('/account/totp', { quiet: true }).then(setSt).catch(() => setSt({}))
  useEffect(() => { load() }, [])
  const off = async e => {
    e.preventDefault()
    const form = e.currentTarget
    const v = String(new FormData(form).get('proof') || '').trim()
    // A code is 6 digits or a recovery code; anything else is the password
    // (passwords have at least 8 characters).
    const isCode = /^\d{6}$/.test(v.replace(/\s/g, '')) || /^[a-z2-7]{4}(-?[a-z2-7]{4}){3}$/i.test(v.replace(/\s/g, ''))
    setErr('')
    try {
      await api('DELETE', '/account/totp', isCode ? { code: v } : { password: v }, { quiet: true })
      toast(t('settings.totp_off_done'), 'ok'); form.reset(); load()
    } catch (e) { setErr(e.message) }
  }
  const left = st?.recovery_codes_left
  return (
    <div class="twofactor" data-testid="two-factor">
      <h3>{t('settings.two_factor')}</h3>
      {!st ? <p class="muted small">{t('common.loading')}</p> : st.enabled ? <>
        <p class="small"><span class="pill ok">{t('settings.pill_on')}</span> {[t('settings.totp_on_text'), t('settings.codes_left', { n: left }), left < 3 ? t('settings.codes_renew') : ''].filter(Boolean).join(' ')}</p>
        <form onSubmit={off} style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <input class="input" style={{ flex: '1 1 220px', width: 'auto' }} name="proof" type="password" autocomplete="off" placeholder={me.has_password === false ? t('settings.proof_code') : t('settings.proof_code_or_password')} aria-label={t('settings.proof_code_or_password')} required />
          <button class="btn danger">{t('settings.turn_off')}</button>
        </form>
        <div style={{ marginTop: 8 }}><FormError error={err} /></div>
      </> : <>
        <p class="small">{st.required ? <b>{t('settings.totp_required')} </b> : null}{t('settings.totp_pitch')}{session.get().method === 'oidc' ? ' ' + t('settings.totp_oidc_note') : ''}</p>
        <TOTPSetup onDone={load} />
      </>}
    </div>
  )
}

// TwoFactorRule lets an admin require two-factor sign-in for roles.
function TwoFactorRule({ me }) {
  const [roles, setRoles] = useState(null)
  useEffect(() => { get('/settings/totp', { quiet: true }).then(r => setRoles(r.required_roles || [])).catch(() => setRoles([])) }, [])
  const flip = async (role, on) => {
    const next = on ? [...roles, role] : roles.filter(r => r !== role)
    if (on && role === me.role && !me.totp && session.get().method !== 'oidc' &&
      !confirm(t('settings.require_self_ask'))) return
    try {
      setRoles((await api('PUT', '/settings/totp', { required_roles: next })).required_roles)
      toast(t('settings.saved'), 'ok')
      if (role === me.role) setSession(await get('/session'))
    } catch { /* toast */ }
  }
  return (
    <div class="twofactor" data-testid="two-factor-rule">
      <h3>{t('settings.require_two_factor')}</h3>
      <p class="small muted">{t('settings.require_two_factor_help')}</p>
      <div class="roles">
        {[...ROLES].map(r => <label class="check" key={r}><input type="checkbox" disabled={!roles} checked={!!roles && roles.includes(r)} onChange={e => flip(r, e.currentTarget.checked)} />{t(`settings.roles_${r}`)}</label>)}
      </div>
    </div>
  )
}

// ---- App passwords ---------------------------------------------------------
// Phone backup apps and rclone sign in to WebDAV with an app password: one
// per device, shown once with everything the app asks for, listed with its
// last use, revoked alone.

// copyText puts text on the clipboard. The Clipboard API needs HTTPS (or
// localhost); a home server is mostly plain http, where only the old
// copy command works.
async function copyText(text) {
  if (window.isSecureContext && navigator.clipboard) return navigator.clipboard.writeText(text)
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.style.cssText = 'position:fixed;top:0;left:0;opacity:0'
  document.body.append(ta)
  ta.select()
  const ok = document.execCommand('copy')
  ta.remove()
  if (!ok) throw new Error('copy refused')
}

// serverTime reads the API's "YYYY-MM-DD HH:MM:SS" (UTC).
const serverTime = s => (s ? Date.parse(s.replace(' ', 'T') + 'Z') : NaN)

function AppPasswords() {
  const [data, setData] = useState(null)
  const [name, setName] = useState('')
  const [made, setMade] = useState(null) // the answer of the last create: its password is shown this once
  const [err, setErr] = useFormError()
  const load = () => get('/app-passwords').then(setData).catch(() => setData({ app_passwords: [] }))
  useEffect(() => { load() }, [])
  const url = location.origin + (data?.dav?.path || '/dav/')
  const create = async e => {
    e.preventDefault()
    setErr('')
    try { setMade(await api('POST', '/app-passwords', { name }, { quiet: true })); setName(''); load() } catch (e) { setErr(e.message) }
  }
  const revoke = async p => {
    if (!confirm(t('settings.revoke_ask', { name: p.name }))) return
    try {
      await api('DELETE', `/app-passwords/${p.id}`)
      if (made?.app_password?.id === p.id) setMade(null)
      toast(t('settings.revoked', { name: p.name }), 'ok')
      load()
    } catch { load() }
  }
  const copy = async (text, done) => {
    try { await copyText(text); toast(done, 'ok') } catch { toast(t('settings.copy_failed'), 'error') }
  }
  const list = data?.app_passwords || []
  return (
    <section aria-labelledby="s-apppw" class="apppw" data-testid="app-passwords">
      <h2 id="s-apppw">{t('settings.app_passwords')}</h2>
      <p class="small muted">{t('settings.app_passwords_help')}</p>
      {data?.dav && !data.dav.enabled && <p class="err"><Icon name="alert" size={18} /><span>{t('settings.dav_off')} {withCode(data.dav.reason)}</span></p>}
      {data?.dav?.enabled && !made && <p class="small">{rich(t('settings.dav_where'), { url: <code>{url}</code>, user: <code>{data.username}</code>, folder: <code>{data.dav.folder}</code> })}</p>}
      {made && <div class="apppw-new" role="status" data-testid="new-app-password">
        <b>{t('settings.app_password_for', { name: made.app_password.name })}</b>
        <p class="small">{t('settings.copy_now')}</p>
        <div class="apppw-secret">
          <code data-testid="app-password-value">{made.password}</code>
          <button class="btn primary" onClick={() => copy(made.password, t('settings.password_copied'))}><Icon name="copy" size={18} />{t('settings.copy')}</button>
        </div>
        <dl>
          <dt>{t('settings.server')}</dt><dd><code>{url}</code><button class="ib" aria-label={t('settings.copy_server')} onClick={() => copy(url, t('settings.address_copied'))}><Icon name="copy" size={18} /></button></dd>
          <dt>{t('settings.user')}</dt><dd><code>{made.username}</code></dd>
          {made.dav?.folder && <><dt>{t('settings.files_go_to')}</dt><dd>{rich(t('settings.in_photo_folder'), { folder: <code>{made.dav.folder}</code> })}</dd></>}
        </dl>
        <button class="btn" onClick={() => setMade(null)}>{t('common.done')}</button>
      </div>}
      <div class="list">
        {!data && <p class="muted">{t('common.loading')}</p>}
        {data && !list.length && <p class="muted small">{t('settings.no_app_passwords')}</p>}
        {list.map(p => (
          <div class="row" key={p.id} data-testid="app-password">
            <Icon name="lock" />
            <span class="grow"><b>{p.name}</b><br /><span class="small muted">{p.last_used_at ? (p.last_used_ip ? t('settings.last_used_from', { when: rel(serverTime(p.last_used_at)), ip: p.last_used_ip }) : t('settings.last_used', { when: rel(serverTime(p.last_used_at)) })) : t('settings.never_used')} · {t('settings.made_when', { when: rel(serverTime(p.created_at)) })}</span></span>
            <button class="btn danger" aria-label={t('settings.revoke_name', { name: p.name })} onClick={() => revoke(p)}>{t('settings.revoke')}</button>
          </div>
        ))}
      </div>
      <form onSubmit={create} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 10 }}>
        <input class="input" style={{ flex: '1 1 200px', width: 'auto' }} placeholder={t('settings.device_placeholder')} aria-label={t('settings.new_app_password_name')} maxLength={64} required value={name} onInput={e => setName(e.currentTarget.value)} />
        <button class="btn primary">{t('settings.create_app_password')}</button>
      </form>
      <div style={{ marginTop: 10 }}><FormError error={err} /></div>
    </section>
  )
}
