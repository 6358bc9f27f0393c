// Settings: library status with live indexing progress, services, people,
// security (sessions, token rotation, password), appearance and credits.
import { useEffect, useState } from 'preact/hooks'
import { api, get, session, setThumbToken, toast } from './api.js'
import { Icon } from './icons.jsx'
import { progress, setTheme, theme } from './shell.jsx'
import { useStore } from './store.js'

const fmtBytes = n => (n == null ? '—' : n >= 1e9 ? (n / 1e9).toFixed(1) + ' GB' : n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.round(n / 1e3) + ' KB')

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
              Watcher: <b>{status.watcher?.mode || 'unknown'}</b>{status.watcher?.reason ? ` (${status.watcher.reason})` : ''}
              {status.index?.last_scan?.finished_at ? ` · last scan ${status.index.last_scan.finished_at}` : ''}
              {status.version ? ` · version ${status.version}` : ''}
            </div>
            {status.index?.root_problem && <p class="err" style={{ margin: '8px 0 0' }}>{status.index.root_problem}</p>}
          </div>
          {status.errors?.length ? <>
            <h3 style={{ fontSize: 14, margin: '14px 0 6px' }}>Recent problems</h3>
            <div class="list">{status.errors.slice(0, 20).map((e, i) => <div class="row small" key={i}><span class="grow" style={{ overflowWrap: 'anywhere' }}><b>{e.path}</b> — {e.error || e.message}</span></div>)}</div>
          </> : null}
        </>}
      </section>
      <Services status={status} admin={admin} />
      {admin && <Users me={me} />}
      <Security admin={admin} />
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

function ThemePicker() {
  const t = useStore(theme)
  return (
    <div class="seg" role="group" aria-label="Theme">
      {[['system', 'System'], ['dark', 'Dark'], ['light', 'Light']].map(([v, l]) => <button key={v} aria-pressed={t === v} onClick={() => setTheme(v)}>{l}</button>)}
    </div>
  )
}

// Services shows what the status reports about maps, places and caches; the
// switches appear once the API offers them.
function Services({ status, admin }) {
  if (!status) return null
  const svc = status.services || status.places || status.maps || status.thumbs
  const rows = []
  const add = (k, v) => v !== undefined && v !== null && v !== '' && rows.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
  if (status.places) for (const [k, v] of Object.entries(status.places)) add('Places · ' + k.replace(/_/g, ' '), v)
  if (status.maps) for (const [k, v] of Object.entries(status.maps)) add('Map tiles · ' + k.replace(/_/g, ' '), /bytes/i.test(k) ? fmtBytes(v) : v)
  if (status.thumbs) for (const [k, v] of Object.entries(status.thumbs)) add('Thumbnails · ' + k.replace(/_/g, ' '), /bytes/i.test(k) ? fmtBytes(v) : v)
  if (status.helpers) for (const [k, v] of Object.entries(status.helpers)) add('Helper · ' + k, v || 'not found')
  return (
    <section aria-labelledby="s-svc">
      <h2 id="s-svc">Services and caches</h2>
      {!svc && <p class="muted small">Online tiles and the online geocoder are off: Pinhole uses its built-in offline places and base map.</p>}
      <div class="list">{rows.map(([k, v]) => <div class="row small" key={k}><span class="grow muted">{k}</span><span style={{ overflowWrap: 'anywhere' }}>{v}</span></div>)}</div>
      {admin && status.services && <p class="small muted">Change upstream URLs in the configuration file or with PINHOLE_* variables.</p>}
    </section>
  )
}

function Users({ me }) {
  const [users, setUsers] = useState(null)
  const [name, setName] = useState('')
  const [pw, setPw] = useState('')
  const [role, setRole] = useState('viewer')
  const load = () => get('/users').then(r => setUsers(r.users || [])).catch(() => setUsers([]))
  useEffect(() => { load() }, [])
  const add = async e => {
    e.preventDefault()
    try { await api('POST', '/users', { username: name, password: pw, role }); toast(`Added ${name}`, 'ok'); setName(''); setPw(''); load() } catch { /* toast */ }
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
  const changePw = async e => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    try { await api('PUT', '/session/password', { old_password: f.get('old'), new_password: f.get('new') }); toast('Password changed; other sessions were logged out', 'ok'); e.currentTarget.reset(); load() } catch { /* toast */ }
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
      {admin && <div class="row" style={{ marginTop: 14 }}>
        <span class="grow">Preview token<br /><span class="small muted">Thumbnail and download links carry it; rotate it if a link leaked.</span></span>
        <button class="btn danger" onClick={rotate}>Rotate token</button>
      </div>}
    </section>
  )
}
