// Two library views that answer "what happened to my files": Recently added
// (newest additions first, where an upload can be found whatever date it
// was taken) and Problems (every file that cannot be shown or read, in
// words, with what to do about it).
import { useEffect, useMemo, useState } from 'preact/hooks'
import { cover, get, qs } from './api.js'
import { Grid } from './grid.jsx'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'
import { on } from './store.js'

export function RecentPage() {
  const src = useMemo(() => ({
    key: 'recent',
    page: ({ cursor }) => get('/photos' + qs({ sort: 'added', cursor, limit: 200 })),
  }), [])
  return <Grid source={src} scrubber={false}
    header={<div class="page-head" style={{ margin: 0 }}><Icon name="clock" /><h1>{t('problems.recent')}</h1><span class="muted small">{t('problems.recent_sub')}</span></div>}
    empty={<div class="empty"><Icon name="clock" /><h2>{t('problems.recent_empty_title')}</h2><p>{t('problems.recent_empty')}</p></div>} />
}

// What each kind of problem is called as a group, worst first.
const KINDS = [
  ['damaged', 'broken', () => t('problems.kind_damaged')],
  ['incomplete', 'broken', () => t('problems.kind_incomplete')],
  ['unreadable', 'lock', () => t('problems.kind_unreadable')],
  ['unsupported', 'image', () => t('problems.kind_unsupported')],
  ['no_preview', 'image', () => t('problems.kind_no_preview')],
  ['too_large', 'alert', () => t('problems.kind_too_large')],
  ['needs_heif', 'image', () => t('problems.kind_needs_heif')],
  ['needs_ffmpeg', 'video', () => t('problems.kind_needs_ffmpeg')],
  ['metadata', 'info', () => t('problems.kind_metadata')],
]
const folderOf = p => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')

export function ProblemsPage() {
  const [r, setR] = useState(null)
  const [err, setErr] = useState('')
  const load = () => get('/problems', { quiet: true }).then(x => { setR(x); setErr('') }).catch(e => setErr(e.message))
  useEffect(() => { load(); return on('photos-changed', load) }, [])
  const list = r ? r.problems || [] : null
  const total = r ? r.total ?? list.length : 0
  const groups = list ? KINDS.map(([kind, icon, title]) => ({ kind, icon, title: title(), items: list.filter(p => p.kind === kind) })).filter(g => g.items.length) : []
  const other = list ? list.filter(p => !KINDS.some(([k]) => k === p.kind)) : []
  if (other.length) groups.push({ kind: 'other', icon: 'alert', title: t('problems.kind_other'), items: other })
  return (
    <div class="page problems">
      <div class="page-head"><Icon name="alert" /><h1 style={{ flex: 1 }}>{t('problems.title')}</h1>
        {total > 0 && <span class="muted">{t('problems.files', { n: total })}</span>}</div>
      {err && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{err}</span></p>}
      {!list && !err && <div class="list" aria-busy="true">{[1, 2, 3].map(i => <div key={i} class="row skeleton" />)}</div>}
      {list && !list.length && <div class="empty"><Icon name="check" /><h2>{t('problems.none_title')}</h2><p>{t('problems.none')}</p></div>}
      {groups.map(g => {
        // One fix for the group when every file shares it (a missing
        // helper); otherwise each file says its own.
        const fixes = [...new Set(g.items.map(p => p.fix).filter(Boolean))]
        return (
          <section key={g.kind} class="pgroup" data-kind={g.kind} aria-label={g.title}>
            <h2><Icon name={g.icon} size={20} />{g.title} <span class="muted">{r.counts?.[g.kind] ?? g.items.length}</span></h2>
            {fixes.length === 1 && <p class="fix"><b>{t('problems.fix')}</b> {fixes[0]}</p>}
            <ul class="list">
              {g.items.map(p => (
                <li key={p.path} class="row prob" data-path={p.path}>
                  <div class="pthumb">{p.hash && p.preview ? <img src={cover(p.hash, 'tile_100', r.thumb_token)} alt="" loading="lazy" /> : <Icon name={g.icon} />}</div>
                  <div class="grow">
                    <a class="path" href={'/folders' + qs({ path: folderOf(p.path) })}>{p.path}</a>
                    <div class="small">{p.detail}</div>
                    {fixes.length !== 1 && p.fix && <div class="small fix"><b>{t('problems.fix')}</b> {p.fix}</div>}
                  </div>
                </li>
              ))}
            </ul>
            {(r.counts?.[g.kind] ?? 0) > g.items.length && <p class="small muted">{t('problems.and_more', { n: r.counts[g.kind] - g.items.length })}</p>}
          </section>
        )
      })}
    </div>
  )
}
