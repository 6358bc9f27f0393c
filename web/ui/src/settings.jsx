// Settings: library status with live indexing progress, services, people,
// security (sessions, token rotation, password), app passwords for phone
// backup over WebDAV, appearance and credits.
import { Fragment } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, get, session, setThumbToken, toast } from './api.js'
import { Icon } from './icons.jsx'
import { FormError, progress, setTheme, theme, useFormError, withCode } from './shell.jsx'
import { useStore } from './store.js'

export function SettingsPage() {
  const me = session.get().user || {}
  const admin = me.role === 'admin'
  const [status, setStatus] = useState(null)
  const live = useStore(progress)
  const load = () => get('/status').then(setStatus).catch(() => setStatus({}))
  useEffect(() => { load(); const t = setInterval(load, 15000); return () => clearInterval(t) }, [])
  useEffect(() => { if (live && !live.running) load() }, [live && live.running])
  const p = live || status?.index?.progress
  const c = status?.counts || {}
  const errs = status?.recent_errors || status?.errors || []
  const rescan = async () => {
    try { await api('POST', '/index/rescan'); toast('Rescan started', 'ok') } catch { /* toast */ }
  }
  const pct = p && p.seen ? Math.min(100, Math.round(((p.indexed + p.skipped + p.failed) / Math.max(1, p.seen + (p.queued || 0))) * 100)) : 0
  return (
    <div class="page settings">
      <div class="page-head"><h1>Settings</h1></div>
      <section aria-labelledby="s-lib">
        <h2 id="s-lib">Library</h2>
        {!status ? <div class="stats">{[1, 2, 3, 4].map(i => <div class="stat" key={i} style={{ height: 64, animation: 'pulse 1.4s infinite' }} />)}</div> : <>
          <div class="stats">
            <div class="stat"><b>{c.photos ?? '—'}</b><span>photos</span></div>
            <div class="stat"><b>{c.videos ?? '—'}</b><span>videos</span></div>
            <div class="stat"><b>{c.files ?? '—'}</b><span>files</span></div>
            <div class="stat"><b>{c.albums ?? '—'}</b><span>albums</span></div>
            <div class="stat"><b>{c.geotagged ?? '—'}</b><span>with a place</span></div>
            <div class="stat"><b>{c.missing_files ?? '—'}</b><span>missing files</span></div>
          </div>
          <div class="row" style={{ display: 'block' }}>
            <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
              <b style={{ flex: 1 }} data-testid="index-phase">Index: {p ? (p.running ? `${p.phase || 'running'}…` : 'idle') : 'unknown'}</b>
              {admin && <button class="btn" onClick={rescan} disabled={p && p.running}><Icon name="refresh" size={18} />Rescan now</button>}
            </div>
            {p && p.running && <><div class="progress" role="progressbar" aria-valuenow={pct} aria-label="Indexing progress"><i style={{ width: pct + '%' }} /></div>
              <div class="small muted">{p.seen} seen · {p.indexed} indexed · {p.skipped} unchanged · {p.failed} failed{p.current ? ` · ${p.current}` : ''}</div></>}
            <div class="small muted" style={{ marginTop: 6 }}>
              {lastScan(status.index?.last_scan) || 'No scan finished yet'}
              {status.version ? ` · version ${status.version}` : ''}
              {num(status.uptime_s) !== null ? ` · running for ${span(status.uptime_s)}` : ''}
              {admin && status.originals ? <><br />{status.demo ? 'A generated demo library in ' : 'Photos from '}<span style={{ overflowWrap: 'anywhere' }}>{status.originals}</span></> : null}
            </div>
            {status.index?.root_problem && <p class="err" style={{ margin: '8px 0 0' }}>{status.index.root_problem}</p>}
            {status.error && <p class="err" style={{ margin: '8px 0 0' }}>{status.error}</p>}
          </div>
          <Uploads uploads={session.get().uploads} role={me.role} />
          {me.role !== 'viewer' && <ProblemsLink />}
          {errs.length ? <>
            <h3 style={{ fontSize: 14, margin: '14px 0 6px' }}>Recent problems</h3>
            <div class="list">{errs.slice(0, 5).map((e, i) => <div class="row small" key={i}><span class="grow" style={{ overflowWrap: 'anywhere' }}><b>{e.path}</b> — {e.error || e.message}</span></div>)}</div>
          </> : null}
        </>}
      </section>
      <Services status={status} admin={admin} reload={load} />
      {admin && <Users me={me} />}
      <Security admin={admin} />
      {me.role !== 'viewer' && <AppPasswords />}
      <section aria-labelledby="s-look">
        <h2 id="s-look">Appearance</h2>
        <ThemePicker />
      </section>
      <section aria-labelledby="s-about">
        <h2 id="s-about">About</h2>
        <p>Pinhole {status?.version || ''} — a self-hosted photo library that works offline.</p>
        <p class="small muted">Places: data from <b>GeoNames</b> (geonames.org), licensed under Creative Commons Attribution 4.0 (CC-BY 4.0). Country borders and the offline base map: <b>Natural Earth</b> (naturalearthdata.com), public domain. Map tiles, when an online tile server is configured, carry that server's attribution on the map.</p>
      </section>
    </div>
  )
}

// Uploads says whether this account can upload here, and how to turn
// uploads on when they are off.
function Uploads({ uploads, role }) {
  if (!uploads || role === 'viewer') return null
  return (
    <div class="row" data-testid="uploads-state" style={{ marginTop: 2 }}>
      <Icon name="upload" />
      <span class="grow">{uploads.enabled
        ? <>Uploads are on: they go into <b>{uploads.folder}</b> in the photo folder.</>
        : <><b>Uploads are off.</b> <span class="small">{withCode(uploads.reason)}</span></>}</span>
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
      <span class="grow">{n === null ? 'Problems' : n === 0 ? 'No problems: every file could be read and shown' : `${plural(n, 'file')} with problems, and how to fix them`}</span>
      <Icon name="right" size={18} />
    </a>
  )
}

// lastScan says when the last scan finished and what it covered.
function lastScan(l) {
  const start = l && Date.parse(l.started)
  if (!start) return ''
  const secs = (l.duration_ns || 0) / 1e9
  const took = secs < 1 ? 'under a second' : secs < 90 ? `${Math.round(secs)} s` : `${Math.round(secs / 60)} min`
  return `Last scan ${rel(start + secs * 1000)}${typeof l.seen === 'number' ? ` · ${plural(l.seen, 'file')} in ${took}` : ''}`
}

function ThemePicker() {
  const t = useStore(theme)
  return (
    <div class="seg" role="group" aria-label="Theme">
      {[['system', 'System'], ['dark', 'Dark'], ['light', 'Light']].map(([v, l]) => <button key={v} aria-pressed={t === v} onClick={() => setTheme(v)}>{l}</button>)}
    </div>
  )
}

// ---- Services and caches --------------------------------------------------
// The service parts of the status document in words. Every key the server
// sends is either shown in its block or listed under "Other", so a key the
// server adds later is never silently dropped.

// Top-level status keys this page shows somewhere (Library or a block here),
// or that say nothing to a logged-in person (setup_required; status, whose
// "degraded" comes with an error or root problem that is shown).
const KNOWN_TOP = new Set(['status', 'error', 'version', 'uptime_s', 'originals', 'demo', 'counts', 'index', 'watcher',
  'helpers', 'thumbs', 'places', 'maps', 'recent_errors', 'errors', 'setup_required', 'online_paused'])

// reader gives a status object's values by snake_case name (the thumbnail
// stats arrive as Go's CamelCase) and remembers which ones were looked at.
function reader(obj) {
  const m = new Map()
  if (obj && typeof obj === 'object') for (const [k, v] of Object.entries(obj)) m.set(k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), v)
  const used = new Set()
  const get = (...ks) => { for (const k of ks) if (m.has(k)) { used.add(k); return m.get(k) } }
  const rest = () => [...m].filter(([k, v]) => !used.has(k) && v !== null && v !== undefined && v !== '')
  return { get, rest }
}

const num = v => (typeof v === 'number' && isFinite(v) ? v : null)
const plural = (n, one, many = one + 's') => `${n.toLocaleString('en')} ${n === 1 ? one : many}`

function fmtBytes(n) {
  if (num(n) === null) return '—'
  if (n < 1024) return n > 0 ? 'under 1 KB' : '0 KB'
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024, i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return (v < 10 ? String(Math.round(v * 10) / 10) : Math.round(v).toLocaleString('en')) + ' ' + units[i]
}

function fmtRate(r) {
  if (num(r) === null) return '—'
  const p = Math.round(r * 100)
  return r > 0 && p === 0 ? 'under 1%' : r < 1 && p === 100 ? '99%' : p + '%'
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
// rel says when an ISO time is relative to now: "in 4 minutes", "2 hours ago".
function rel(iso, now = Date.now()) {
  const t = typeof iso === 'number' ? iso : Date.parse(iso)
  if (isNaN(t)) return String(iso)
  const s = (t - now) / 1000, a = Math.abs(s)
  if (a < 5) return s > 0 ? 'in a moment' : 'just now'
  const [n, unit] = a < 60 ? [s, 'second'] : a < 3600 ? [s / 60, 'minute'] : a < 86400 ? [s / 3600, 'hour']
    : a < 86400 * 30 ? [s / 86400, 'day'] : a < 86400 * 365 ? [s / (86400 * 30.4), 'month'] : [s / (86400 * 365), 'year']
  return rtf.format(Math.round(n), unit)
}

// span says how long a number of seconds is: "5 minutes", "3 days".
function span(sec) {
  const [n, unit] = sec < 60 ? [sec, 'second'] : sec < 3600 ? [sec / 60, 'minute'] : sec < 86400 ? [sec / 3600, 'hour'] : [sec / 86400, 'day']
  return plural(Math.max(1, Math.floor(n)), unit)
}

// plainError turns an upstream error ("geocoder: Get \"http://…\": dial tcp
// …: connect: connection refused") into a sentence about the service.
function plainError(raw, host, noun) {
  const s = String(raw || '')
  const who = (s.match(/"https?:\/\/([^/"?#]+)/) || [])[1] || host || noun
  const code = s.match(/:\s*(\d{3})((?:\s+[A-Za-z][\w'-]*)*)\s*$/)
  if (/connection refused/i.test(s)) return `${who} refused the connection`
  if (/no such host|server misbehaving|lookup \S+ on /i.test(s)) return `${who} could not be found: the name does not resolve`
  if (/deadline exceeded|timeout|timed out/i.test(s)) return `${who} did not answer in time`
  if (/x509|certificate|tls:/i.test(s)) return `The secure connection to ${who} failed (certificate problem)`
  if (/network is unreachable|no route to host/i.test(s)) return `No network route to ${who}`
  if (/connection reset|broken pipe|EOF/.test(s)) return `${who} dropped the connection`
  if (code) {
    const n = +code[1], what = (code[1] + code[2]).trim()
    if (n === 429) return `${who} asked Pinhole to slow down (${what})`
    if (n === 401 || n === 403) return `${who} refused access (${what})`
    if (n === 404) return `${who} does not know the address asked for (${what}): check the URL`
    if (n >= 500) return `${who} had an error of its own (${what})`
    return `${who} answered ${what}`
  }
  if (/not an image/i.test(s)) return `${who} sent something that is not an image`
  if (/larger than/i.test(s)) return `${who} sent a tile that is too large`
  if (/answer/i.test(s)) return `${who} sent an answer Pinhole could not read`
  return s.replace(/^(geocoder|tile upstream):\s*/i, '')
}

// useNow re-renders every second while a countdown is on screen.
function useNow(ticking) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!ticking) return
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
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
    {u === 0 ? <>Empty{c ? <span class="muted"> · holds up to {fmtBytes(c)}</span> : null}</>
      : <>{fmtBytes(u)}{c ? <span class="muted"> of {fmtBytes(c)}</span> : null}</>}
    {frac !== null && u > 0 && <div class={'meter' + (frac > 0.9 ? ' full' : '')} role="meter" aria-label={label}
      aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(frac * 100)}><i style={{ width: Math.max(1, frac * 100) + '%' }} /></div>}
    {extra ? <small>{extra}</small> : null}
  </>
}

// upstream reads an online service's health report: down while a retry is
// scheduled; a last error without one is a recovered outage.
function upstream(r) {
  const err = r.get('last_error'), at = r.get('last_error_at'), retry = r.get('next_retry')
  return { err, at, retry, down: !!(err && retry) }
}

function Problem({ up, host, noun, next, fallback, now }) {
  if (!up.err) return null
  const what = plainError(up.err, host, noun)
  const due = up.retry ? Date.parse(up.retry) : NaN
  const when = up.at ? rel(up.at, now) : ''
  return (
    <div class={'svc-note' + (up.down ? ' bad' : ' calm')} role={up.down ? 'status' : undefined}>
      {up.down ? <>
        <b>{what}</b>
        <div>{when ? `Last failed ${when}. ` : ''}Pinhole tries again {due > now ? rel(due, now) : `with the next ${next}`}; {fallback} meanwhile.</div>
      </> : <>
        <b>Answering again</b>
        <div>The last problem{when ? `, ${when}` : ''}: {lower(what)}.</div>
      </>}
      <details><summary>Technical details</summary><code>{String(up.err)}</code></details>
    </div>
  )
}

function servicePill(online, up, paused) {
  if (!online) return <Pill>Offline</Pill>
  if (paused) return <Pill tone="warn">Paused</Pill>
  return up.down ? <Pill tone="bad">Unreachable</Pill> : <Pill tone="ok">Online</Pill>
}

const HELPERS = {
  heif: { name: 'heif-convert', gives: 'Previews of HEIC and AVIF photos', without: 'HEIC and AVIF photos without a built-in preview show a placeholder', install: 'apt install libheif-examples' },
  ffmpeg: { name: 'ffmpeg', gives: 'Preview frames for videos', without: 'Videos show a placeholder instead of a frame', install: 'apt install ffmpeg' },
}

const WATCH = {
  live: ['ok', 'Live', 'New and changed photos appear within seconds.'],
  polling: ['warn', 'Polling', 'Changes are found by rescanning every few minutes.'],
  waiting: ['bad', 'Waiting', 'The originals folder is not there; Pinhole waits for it to come back.'],
  off: ['', 'Off', 'Changes are not being followed.'],
}

// otherValue shows an unknown key's value by the shape of its name and value.
function otherValue(k, v, now) {
  if (typeof v === 'boolean') return v ? 'Yes' : 'No'
  if (typeof v === 'number') return /bytes/.test(k) ? fmtBytes(v) : /rate|ratio/.test(k) && v <= 1 ? fmtRate(v) : /_s$|seconds/.test(k) ? plural(Math.round(v), 'second') : /_ms$/.test(k) ? v.toLocaleString('en') + ' ms' : v.toLocaleString('en')
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) && !isNaN(Date.parse(v))) return rel(v, now)
  if (Array.isArray(v)) return v.every(x => x === null || typeof x !== 'object') ? v.join(', ') : plural(v.length, 'item')
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
function ClearCache({ name, what, reload }) {
  const [busy, setBusy] = useState(false)
  const clear = async () => {
    if (!confirm(`Remove all cached ${what}? They are made again when needed, which takes a moment on first view.`)) return
    setBusy(true)
    try {
      const r = await api('DELETE', `/caches/${name}`)
      toast(`Removed ${plural(r.removed_files || 0, 'file')} (${fmtBytes(r.removed_bytes || 0)})`, 'ok')
      reload()
    } catch { /* toast shown */ } finally { setBusy(false) }
  }
  return <div class="svc-actions"><button class="btn" onClick={clear} disabled={busy}><Icon name="trash" size={18} />Clear cached {what}</button></div>
}

function Services({ status, admin, reload }) {
  const retrying = !!(status?.places?.next_retry || status?.maps?.next_retry)
  const now = useNow(retrying)
  if (!status) return null
  const other = []
  const paused = status.online_paused === true

  // Places: the offline dataset, optionally an online geocoder in front.
  const pl = reader(status.places)
  const plOnline = pl.get('mode') === 'online'
  const plHost = pl.get('service', 'host')
  const plUp = upstream(pl)
  const dataset = pl.get('dataset_version', 'dataset', 'version')
  const resolved = num(pl.get('resolved')), pending = num(pl.get('pending'))
  const requests = num(pl.get('requests')), cacheHits = num(pl.get('cache_hits')), plRate = num(pl.get('hit_rate'))
  const cells = num(pl.get('cached_cells')), fallbacks = num(pl.get('offline_fallbacks')), plPaused = num(pl.get('paused_lookups'))
  const places = status.places && (
    <Block icon="pin" title="Places" testid="svc-places" pill={servicePill(plOnline, plUp, paused)}>
      <dl>
        <dt>Place names</dt>
        <dd>{plOnline ? <>Online geocoder{plHost ? <> at <b>{plHost}</b></> : null}<small>{paused ? 'Paused: built-in offline places meanwhile, looked up online again on resuming' : `Built-in offline places${dataset ? ` (${dataset})` : ''} fill in when it cannot answer`}</small></>
          : <>Built-in offline places{dataset ? <small>Dataset {dataset}</small> : <small>GeoNames, no internet needed</small>}</>}</dd>
        {resolved !== null && <><dt>Photos placed</dt><dd>{resolved.toLocaleString('en')}{pending ? <span class="muted"> · {pending.toLocaleString('en')} waiting</span> : pending === 0 ? <span class="muted"> · none waiting</span> : null}</dd></>}
        {plOnline && <><dt>Lookups</dt><dd>{requests || cacheHits ? <>{fmtRate(plRate)} answered from the cache<small>{plural(requests || 0, 'request')} to the geocoder · {plural(cacheHits || 0, 'cache hit')}{cells ? ` · ${plural(cells, 'area')} cached` : ''}</small></> : 'None yet'}</dd></>}
        {plOnline && fallbacks ? <><dt>Answered offline</dt><dd>{plural(fallbacks, 'lookup')}<small>while the geocoder could not answer</small></dd></> : null}
        {plOnline && plPaused ? <><dt>While paused</dt><dd>{plural(plPaused, 'lookup')} answered offline</dd></> : null}
      </dl>
      {plOnline && !paused && <Problem up={plUp} host={plHost} noun="The geocoder" next="lookup" fallback="offline place names are used" now={now} />}
    </Block>
  )
  if (status.places) for (const [k, v] of pl.rest()) addOther(other, 'Places', k, v)

  // Map: the offline base map or a caching proxy for a tile server.
  const mp = reader(status.maps)
  const mpOnline = mp.get('mode') === 'online'
  const mpHost = mp.get('service', 'host')
  const mpUp = upstream(mp)
  const hits = num(mp.get('hits')) || 0, misses = num(mp.get('misses')) || 0, mpRate = num(mp.get('hit_rate'))
  const upReq = num(mp.get('upstream_requests')) || 0, upErr = num(mp.get('upstream_errors')) || 0
  const stale = num(mp.get('stale_served')) || 0, drawn = num(mp.get('rendered')) || 0, mpPaused = num(mp.get('paused_served')) || 0
  const tileFiles = num(mp.get('cache_files'))
  const map = status.maps && (
    <Block icon="map" title="Map" testid="svc-map" pill={servicePill(mpOnline, mpUp, paused)}>
      <dl>
        <dt>Base map</dt>
        <dd>{mpOnline ? <>Online tile server{mpHost ? <> at <b>{mpHost}</b></> : null}<small>{paused ? 'Paused: the map shows cached tiles, else the built-in map' : 'The built-in map fills in when it cannot answer'}</small></>
          : <>Built-in offline map<small>Natural Earth, no internet needed</small></>}</dd>
        <dt>Tile cache</dt>
        <dd><Usage used={mp.get('cache_bytes')} cap={mp.get('cache_cap_bytes')} label="Tile cache used" extra={tileFiles ? plural(tileFiles, 'tile') : null} /></dd>
        <dt>From the cache</dt>
        <dd>{hits + misses ? <>{fmtRate(mpRate ?? hits / (hits + misses))}<small>{plural(hits, 'hit')} in {plural(hits + misses, 'lookup')}{drawn ? ` · ${plural(drawn, 'tile')} drawn from the built-in map` : ''}</small></> : 'No tiles shown yet'}</dd>
        {mpOnline && <><dt>Tile server</dt><dd>{plural(upReq, 'request')}{upErr ? <span class="muted"> · {plural(upErr, 'failure')}</span> : null}{stale ? <small>{plural(stale, 'older tile')} shown while it was unreachable</small> : null}{mpPaused ? <small>{plural(mpPaused, 'tile')} shown from the cache or the built-in map while paused</small> : null}</dd></>}
      </dl>
      {mpOnline && !paused && <Problem up={mpUp} host={mpHost} noun="The tile server" next="tile" fallback="cached tiles and the built-in map are shown" now={now} />}
      {admin && tileFiles > 0 && <ClearCache name="tiles" what="map tiles" reload={reload} />}
    </Block>
  )
  if (status.maps) for (const [k, v] of mp.rest()) addOther(other, 'Map', k, v)

  // Thumbnails cache.
  const th = reader(status.thumbs)
  const tHits = num(th.get('hits')) || 0, tMiss = num(th.get('misses')) || 0
  const renders = num(th.get('renders')), evictions = num(th.get('evictions')), files = num(th.get('files'))
  const writable = th.get('writable')
  const thumbs = status.thumbs && (
    <Block icon="image" title="Thumbnails" testid="svc-thumbs" pill={writable === false ? <Pill tone="warn">Not saving</Pill> : null}>
      <dl>
        <dt>Cache</dt>
        <dd><Usage used={th.get('bytes', 'cache_bytes')} cap={th.get('max_bytes', 'cache_cap_bytes')} label="Thumbnail cache used" extra={files ? plural(files, 'file') : null} /></dd>
        <dt>From the cache</dt>
        <dd>{tHits + tMiss ? <>{fmtRate(tHits / (tHits + tMiss))}<small>{plural(tHits, 'hit')} in {plural(tHits + tMiss, 'request')}</small></> : 'None asked for yet'}</dd>
        {renders ? <><dt>Made</dt><dd>{plural(renders, 'thumbnail')}<small>since the server started{evictions ? ` · ${plural(evictions, 'old one')} removed to stay under the cap` : ''}</small></dd></> : null}
      </dl>
      {writable === false && <div class="svc-note">The cache is full or read-only: thumbnails are still made, but again on every view.</div>}
      {admin && files > 0 && <ClearCache name="thumbs" what="thumbnails" reload={reload} />}
    </Block>
  )
  if (status.thumbs) for (const [k, v] of th.rest()) addOther(other, 'Thumbnails', k, v)

  // Helper programs for formats Pinhole cannot decode itself.
  const helpers = status.helpers && typeof status.helpers === 'object' ? Object.entries(status.helpers) : []
  const found = helpers.filter(([, v]) => v).length
  const tools = helpers.length > 0 && (
    <Block icon="settings" title="Helper tools" testid="svc-helpers" pill={<Pill tone={found === helpers.length ? 'ok' : 'warn'}>{found} of {helpers.length} found</Pill>}>
      <dl>{helpers.map(([k, v]) => {
        const h = HELPERS[k] || { name: k }
        const path = typeof v === 'string' ? v : ''
        const name = path ? path.split('/').pop() : h.name
        return <Fragment key={k}>
          <dt>{name}</dt>
          <dd>{v ? <><span class="yes">Found</span>{h.gives ? ` · ${h.gives}` : ''}{path ? <small>{path}</small> : null}</>
            : <><span class="no">Not found</span>{h.without ? ` · ${h.without}` : ''}{admin && h.install ? <small>Install with <code>{h.install}</code></small> : null}</>}</dd>
</Fragment>
      })}</dl>
    </Block>
  )

  // Watcher: live inotify, polling, or waiting for the originals.
  const wr = reader(status.watcher || status.index?.watcher)
  const mode = wr.get('mode'), reason = wr.get('reason'), watches = num(wr.get('watches')), wpending = num(wr.get('pending'))
  const [wtone, wlabel, wtext] = WATCH[mode] || ['', mode ? sentence(String(mode)) : 'Unknown', '']
  const watcher = (status.watcher || status.index?.watcher) && (
    <Block icon="refresh" title="Watching for changes" testid="svc-watcher" pill={<Pill tone={wtone}>{wlabel}</Pill>}>
      <dl>
        <dt>Changes</dt><dd>{wtext || '—'}</dd>
        {mode === 'live' && watches ? <><dt>Watching</dt><dd>{plural(watches, 'folder')}</dd></> : null}
        {wpending ? <><dt>Queued</dt><dd>{plural(wpending, 'change')} about to be indexed</dd></> : null}
      </dl>
      {reason && <div class={'svc-note' + (mode === 'waiting' ? ' bad' : '')}>{capital(String(reason))}</div>}
    </Block>
  )
  if (status.watcher || status.index?.watcher) for (const [k, v] of wr.rest()) addOther(other, 'Watcher', k, v)

  for (const [k, v] of Object.entries(status)) if (!KNOWN_TOP.has(k) && v !== null && v !== undefined && v !== '') addOther(other, '', k, v)

  return (
    <section aria-labelledby="s-svc">
      <h2 id="s-svc">Services and caches</h2>
      {admin && (plOnline || mpOnline) && <PauseOnline paused={paused} reload={reload} />}
      <div class="svc-grid">
        {places}{map}{thumbs}{tools}{watcher}
        {other.length > 0 && <Block icon="info" title="Other" testid="svc-other">
          <dl class="small">{other.map(([g, k, v]) => <Fragment key={g + k}><dt>{g ? `${g} · ` : ''}{sentence(k)}</dt><dd>{otherValue(k, v, now)}</dd></Fragment>)}</dl>
        </Block>}
      </div>
      {admin && <p class="small muted">Turn the online geocoder and tile server on or off with <code>geocoder-url</code> and <code>tiles-url</code>, and size the caches with <code>thumb-cache-mb</code> and <code>tile-cache-mb</code>, in the configuration file or as PINHOLE_* variables; restart Pinhole to apply.{(plOnline || mpOnline) ? ' The switch above pauses both at once, without a restart.' : ''}</p>}
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
      toast(want ? 'Online services paused' : 'Online services resumed', 'ok')
      await reload()
    } catch { setOn(!want) /* the error was toasted */ } finally { setBusy(false) }
  }
  return (
    <div class={'pause-online' + (on ? ' on' : '')} data-testid="pause-online">
      <label class="check"><input type="checkbox" checked={on} disabled={busy} onChange={flip} aria-describedby="pause-online-help" />Pause online services</label>
      <p id="pause-online-help">Nothing leaves this server: places come from the offline dataset and the map from cached or offline tiles.</p>
    </div>
  )
}

function Users({ me }) {
  const [users, setUsers] = useState(null)
  const [name, setName] = useState('')
  const [pw, setPw] = useState('')
  const [role, setRole] = useState('viewer')
  const [err, setErr] = useFormError()
  const load = () => get('/users').then(r => setUsers(r.users || [])).catch(() => setUsers([]))
  useEffect(() => { load() }, [])
  const add = async e => {
    e.preventDefault()
    setErr('')
    try { await api('POST', '/users', { username: name, password: pw, role }, { quiet: true }); toast(`Added ${name}`, 'ok'); setName(''); setPw(''); load() } catch (e) { setErr(e.message) }
  }
  const patch = async (u, body) => { try { await api('PATCH', `/users/${u.id}`, body); toast('Saved', 'ok'); load() } catch { load() } }
  const del = async u => { if (!confirm(`Remove ${u.username}?`)) return; try { await api('DELETE', `/users/${u.id}`); load() } catch { /* toast */ } }
  return (
    <section aria-labelledby="s-users">
      <h2 id="s-users">People</h2>
      <div class="list">
        {!users && <p class="muted">Loading…</p>}
        {users && users.map(u => (
          <div class="row" key={u.id}>
            <Icon name="user" />
            <span class="grow">{u.username}{u.id === me.id ? <span class="muted"> (you)</span> : null}</span>
            <select class="input" style={{ width: 'auto', minHeight: 40 }} value={u.role} aria-label={`Role of ${u.username}`} onChange={e => patch(u, { role: e.currentTarget.value })}>
              <option value="admin">admin</option><option value="user">user</option><option value="viewer">viewer</option>
            </select>
            <button class="ib" aria-label={`Remove ${u.username}`} onClick={() => del(u)} disabled={u.id === me.id}><Icon name="trash" /></button>
          </div>
        ))}
      </div>
      <form onSubmit={add} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 10 }}>
        <input class="input" style={{ flex: '1 1 140px', width: 'auto' }} placeholder="User name" aria-label="New user name" value={name} onInput={e => setName(e.currentTarget.value)} required />
        <input class="input" style={{ flex: '1 1 140px', width: 'auto' }} type="password" placeholder="Password" aria-label="New user password" minLength={8} value={pw} onInput={e => setPw(e.currentTarget.value)} required autocomplete="new-password" />
        <select class="input" style={{ width: 'auto' }} value={role} onChange={e => setRole(e.currentTarget.value)} aria-label="New user role"><option value="viewer">viewer</option><option value="user">user</option><option value="admin">admin</option></select>
        <button class="btn primary">Add person</button>
      </form>
      <div style={{ marginTop: 10 }}><FormError error={err} /></div>
      <p class="small muted">Viewers browse but never see private photos; users also edit, upload and share; admins manage people and the library.</p>
    </section>
  )
}

function Security({ admin }) {
  const [sessions, setSessions] = useState(null)
  const load = () => get('/sessions').then(r => setSessions(r.sessions || [])).catch(() => setSessions([]))
  useEffect(() => { load() }, [])
  const end = async s => { try { await api('DELETE', `/sessions/${s.id}`); load() } catch { /* toast */ } }
  const rotate = async () => {
    if (!confirm('Every existing thumbnail and download link stops working. Share links keep theirs. Continue?')) return
    try { const r = await api('POST', '/tokens/rotate'); setThumbToken(r.thumb_token); toast('Preview token rotated', 'ok') } catch { /* toast */ }
  }
  const [pwErr, setPwErr] = useFormError()
  const changePw = async e => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    setPwErr('')
    try { await api('PUT', '/session/password', { old_password: f.get('old'), new_password: f.get('new') }, { quiet: true }); toast('Password changed; other sessions were logged out', 'ok'); form.reset(); load() } catch (e) { setPwErr(e.message) }
  }
  return (
    <section aria-labelledby="s-sec">
      <h2 id="s-sec">Security</h2>
      <h3 style={{ fontSize: 14, margin: '0 0 8px' }}>Sessions</h3>
      <div class="list">
        {!sessions && <p class="muted">Loading…</p>}
        {sessions && sessions.map(s => (
          <div class="row small" key={s.id}>
            <span class="grow">{s.username ? <b>{s.username} · </b> : null}{(s.user_agent || 'unknown browser').slice(0, 60)}<br /><span class="muted">{s.ip} · last seen {s.last_seen}{s.current ? ' · this browser' : ''}</span></span>
            {!s.current && <button class="btn" onClick={() => end(s)}>Log out</button>}
          </div>
        ))}
      </div>
      <form onSubmit={changePw} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 14 }}>
        <input class="input" style={{ flex: '1 1 160px', width: 'auto' }} name="old" type="password" placeholder="Current password" aria-label="Current password" autocomplete="current-password" required />
        <input class="input" style={{ flex: '1 1 160px', width: 'auto' }} name="new" type="password" placeholder="New password" aria-label="New password" minLength={8} autocomplete="new-password" required />
        <button class="btn">Change password</button>
      </form>
      <div style={{ marginTop: 10 }} data-testid="password-error"><FormError error={pwErr} /></div>
      {admin && <div class="row" style={{ marginTop: 14 }}>
        <span class="grow">Preview token<br /><span class="small muted">Thumbnail and download links carry it; rotate it if a link leaked.</span></span>
        <button class="btn danger" onClick={rotate}>Rotate token</button>
      </div>}
    </section>
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
  const t = document.createElement('textarea')
  t.value = text
  t.setAttribute('readonly', '')
  t.style.cssText = 'position:fixed;top:0;left:0;opacity:0'
  document.body.append(t)
  t.select()
  const ok = document.execCommand('copy')
  t.remove()
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
    if (!confirm(`Revoke the app password “${p.name}”? The device using it can no longer back up.`)) return
    try {
      await api('DELETE', `/app-passwords/${p.id}`)
      if (made?.app_password?.id === p.id) setMade(null)
      toast(`Revoked “${p.name}”`, 'ok')
      load()
    } catch { load() }
  }
  const copy = async (text, what) => {
    try { await copyText(text); toast(`${what} copied`, 'ok') } catch { toast('Could not copy: select the text and copy it', 'error') }
  }
  const list = data?.app_passwords || []
  return (
    <section aria-labelledby="s-apppw" class="apppw" data-testid="app-passwords">
      <h2 id="s-apppw">App passwords</h2>
      <p class="small muted">Phone backup apps (PhotoSync, FolderSync) and rclone upload over WebDAV with an app password instead of yours: make one for each device, so each can be revoked alone.</p>
      {data?.dav && !data.dav.enabled && <p class="err"><Icon name="alert" size={18} /><span>WebDAV is off. {withCode(data.dav.reason)}</span></p>}
      {data?.dav?.enabled && !made && <p class="small">Server <code>{url}</code> · user <code>{data.username}</code> · files go to <code>{data.dav.folder}</code></p>}
      {made && <div class="apppw-new" role="status" data-testid="new-app-password">
        <b>App password for “{made.app_password.name}”</b>
        <p class="small">Copy it into the app now: it is not shown again.</p>
        <div class="apppw-secret">
          <code data-testid="app-password-value">{made.password}</code>
          <button class="btn primary" onClick={() => copy(made.password, 'Password')}><Icon name="copy" size={18} />Copy</button>
        </div>
        <dl>
          <dt>Server</dt><dd><code>{url}</code><button class="ib" aria-label="Copy the server address" onClick={() => copy(url, 'Address')}><Icon name="copy" size={18} /></button></dd>
          <dt>User</dt><dd><code>{made.username}</code></dd>
          {made.dav?.folder && <><dt>Files go to</dt><dd><code>{made.dav.folder}</code> in the photo folder</dd></>}
        </dl>
        <button class="btn" onClick={() => setMade(null)}>Done</button>
      </div>}
      <div class="list">
        {!data && <p class="muted">Loading…</p>}
        {data && !list.length && <p class="muted small">No app passwords yet.</p>}
        {list.map(p => (
          <div class="row" key={p.id} data-testid="app-password">
            <Icon name="lock" />
            <span class="grow"><b>{p.name}</b><br /><span class="small muted">{p.last_used_at ? `Last used ${rel(serverTime(p.last_used_at))}${p.last_used_ip ? ` from ${p.last_used_ip}` : ''}` : 'Never used'} · made {rel(serverTime(p.created_at))}</span></span>
            <button class="btn danger" aria-label={`Revoke ${p.name}`} onClick={() => revoke(p)}>Revoke</button>
          </div>
        ))}
      </div>
      <form onSubmit={create} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 10 }}>
        <input class="input" style={{ flex: '1 1 200px', width: 'auto' }} placeholder="Device, e.g. Ana’s iPhone" aria-label="Name of the new app password" maxLength={64} required value={name} onInput={e => setName(e.currentTarget.value)} />
        <button class="btn primary">Create app password</button>
      </form>
      <div style={{ marginTop: 10 }}><FormError error={err} /></div>
    </section>
  )
}
