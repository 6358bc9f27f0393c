// Two library views that answer "what happened to my files": Recently added
// (newest additions first, where an upload can be found whatever date it
// was taken) and Problems (every file that cannot be shown or read, in
// words, with what to do about it).
import { useEffect, useMemo, useState } from 'preact/hooks'
import { cover, get, qs } from './api.js'
import { Grid } from './grid.jsx'
import { Icon } from './icons.jsx'
import { on } from './store.js'

export function RecentPage() {
  const src = useMemo(() => ({
    key: 'recent',
    page: ({ cursor }) => get('/photos' + qs({ sort: 'added', cursor, limit: 200 })),
  }), [])
  return <Grid source={src} scrubber={false}
    header={<div class="page-head" style={{ margin: 0 }}><Icon name="clock" /><h1>Recently added</h1><span class="muted small">newest first, whenever they were taken</span></div>}
    empty={<div class="empty"><Icon name="clock" /><h2>Nothing added yet</h2><p>Photos appear here as they are uploaded or copied into the photo folder, newest first.</p></div>} />
}

// What each kind of problem is called as a group, worst first.
const KINDS = [
  ['damaged', 'broken', 'Damaged files'],
  ['incomplete', 'broken', 'Cut-off files'],
  ['unreadable', 'lock', 'Files Pinhole may not read'],
  ['unsupported', 'image', 'Formats Pinhole cannot show'],
  ['no_preview', 'image', 'Files without a preview'],
  ['too_large', 'alert', 'Too large to preview'],
  ['needs_heif', 'image', 'HEIC and AVIF photos'],
  ['needs_ffmpeg', 'video', 'Video previews'],
  ['metadata', 'info', 'Details that could not be read'],
]

const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`
const folderOf = p => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')

export function ProblemsPage() {
  const [r, setR] = useState(null)
  const [err, setErr] = useState('')
  const load = () => get('/problems', { quiet: true }).then(x => { setR(x); setErr('') }).catch(e => setErr(e.message))
  useEffect(() => { load(); return on('photos-changed', load) }, [])
  const list = r ? r.problems || [] : null
  const total = r ? r.total ?? list.length : 0
  const groups = list ? KINDS.map(([kind, icon, title]) => ({ kind, icon, title, items: list.filter(p => p.kind === kind) })).filter(g => g.items.length) : []
  const other = list ? list.filter(p => !KINDS.some(([k]) => k === p.kind)) : []
  if (other.length) groups.push({ kind: 'other', icon: 'alert', title: 'Other problems', items: other })
  return (
    <div class="page problems">
      <div class="page-head"><Icon name="alert" /><h1 style={{ flex: 1 }}>Problems</h1>
        {total > 0 && <span class="muted">{plural(total, 'file')}</span>}</div>
      {err && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{err}</span></p>}
      {!list && !err && <div class="list" aria-busy="true">{[1, 2, 3].map(i => <div key={i} class="row skeleton" />)}</div>}
      {list && !list.length && <div class="empty"><Icon name="check" /><h2>No problems</h2><p>Every file in the library could be read and shown.</p></div>}
      {groups.map(g => {
        // One fix for the group when every file shares it (a missing
        // helper); otherwise each file says its own.
        const fixes = [...new Set(g.items.map(p => p.fix).filter(Boolean))]
        return (
          <section key={g.kind} class="pgroup" data-kind={g.kind} aria-label={g.title}>
            <h2><Icon name={g.icon} size={20} />{g.title} <span class="muted">{r.counts?.[g.kind] ?? g.items.length}</span></h2>
            {fixes.length === 1 && <p class="fix"><b>Fix:</b> {fixes[0]}</p>}
            <ul class="list">
              {g.items.map(p => (
                <li key={p.path} class="row prob" data-path={p.path}>
                  <div class="pthumb">{p.hash && p.preview ? <img src={cover(p.hash, 'tile_100', r.thumb_token)} alt="" loading="lazy" /> : <Icon name={g.icon} />}</div>
                  <div class="grow">
                    <a class="path" href={'/folders' + qs({ path: folderOf(p.path) })}>{p.path}</a>
                    <div class="small">{p.detail}</div>
                    {fixes.length !== 1 && p.fix && <div class="small fix"><b>Fix:</b> {p.fix}</div>}
                  </div>
                </li>
              ))}
            </ul>
            {(r.counts?.[g.kind] ?? 0) > g.items.length && <p class="small muted">and {plural(r.counts[g.kind] - g.items.length, 'more file')} like these.</p>}
          </section>
        )
      })}
    </div>
  )
}
