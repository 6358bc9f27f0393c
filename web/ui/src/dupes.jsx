// Duplicates: groups of near-identical photos (the server's perceptual
// hashes, app/dupes), the suggested keeper marked; "Keep" one and the
// others go to the Trash (restored from there to undo), or "Not
// duplicates" hides the group for good.
import { useEffect, useState } from 'preact/hooks'
import { api, get, qs, thumb, toast } from './api.js'
import { Icon } from './icons.jsx'
import { fmtNum, t } from './i18n.js'
import { emit, on } from './store.js'
import { openViewer } from './viewer-state.js'

const PAGE = 20
const mb = b => (b >= 1e6 ? `${fmtNum(b / 1e6, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB` : `${fmtNum(Math.max(1, Math.round(b / 1e3)))} KB`)

export function DupesPage() {
  const [r, setR] = useState(null)
  const [err, setErr] = useState('')
  const [limit, setLimit] = useState(PAGE)
  const load = () => get('/dupes' + qs({ limit }), { quiet: true }).then(x => { setR(x); setErr('') }).catch(e => setErr(e.message))
  useEffect(() => { load() }, [limit])
  useEffect(() => on('photos-changed', load), [limit])
  const groups = r ? r.groups : null
  return (
    <div class="page dupes">
      <div class="page-head"><Icon name="copy" /><h1 style={{ flex: 1 }}>{t('dupes.title')}</h1>
        {r && r.total > 0 && <span class="muted">{t('dupes.groups', { n: r.total })}</span>}</div>
      {r && r.pending > 0 && <p class="small muted" data-testid="dupes-pending">{t('dupes.pending', { n: r.pending })}</p>}
      {err && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{err}</span></p>}
      {!groups && !err && <div class="list" aria-busy="true">{[1, 2].map(i => <div key={i} class="row skeleton" />)}</div>}
      {groups && !groups.length && <div class="empty"><Icon name="check" /><h2>{t('dupes.none')}</h2><p>{r.pending ? t('dupes.none_so_far_body') : t('dupes.none_body')}</p></div>}
      {groups && groups.map(g => <DupeGroup key={g.photos.map(p => p.id).join(',')} g={g} token={r.thumb_token} onDone={load} />)}
      {r && r.total > (groups || []).length && <button class="btn more" onClick={() => setLimit(l => l + PAGE)}>{t('dupes.show_more')}</button>}
    </div>
  )
}

function DupeGroup({ g, token, onDone }) {
  const [keep, setKeep] = useState(g.keeper)
  const [busy, setBusy] = useState(false)
  const ids = g.photos.map(p => p.id)
  const list = g.photos.map(p => ({ ...p, _t: token }))
  const resolve = async () => {
    setBusy(true)
    try {
      const res = await api('POST', '/dupes/resolve', { photo_ids: ids, keep })
      toast(t('dupes.resolved', { n: res?.trashed ?? ids.length - 1 }), 'ok')
      emit('photos-changed')
    } catch { setBusy(false) } // toast shown
  }
  const dismiss = async () => {
    setBusy(true)
    try {
      await api('POST', '/dupes/dismiss', { photo_ids: ids })
      toast(t('dupes.dismissed'), 'ok')
      onDone()
    } catch { setBusy(false) }
  }
  return (
    <section class="dgroup" aria-label={g.kind === 'burst' ? t('dupes.group_burst', { n: ids.length }) : t('dupes.group_same', { n: ids.length })} data-ids={ids.join(',')}>
      <div class="dtiles">
        {list.map((p, i) => {
          const kept = p.id === keep
          return (
            <figure key={p.id} class={'dtile' + (kept ? ' kept' : '')} data-id={p.id}>
              <button class="dimg" onClick={() => openViewer(list, i)} aria-label={t('dupes.open_photo', { n: i + 1 })}>
                <img src={thumb(p, 'fit_720')} alt="" loading="lazy" draggable={false} />
                {p.id === g.keeper && <span class="suggest">{t('dupes.suggested')}</span>}
              </button>
              <figcaption class="small">
                <span>{p.width}×{p.height} · {mb(p.bytes)}</span>
                <span class="muted">{[p.favorite && t('dupes.tag_favourite'), p.albums > 0 && t('dupes.tag_albums', { n: p.albums }), p.lat != null && t('dupes.tag_place'), p.edited && t('dupes.tag_edited')].filter(Boolean).join(' · ') || '\u00a0'}</span>
              </figcaption>
              <button class={'btn keep' + (kept ? ' primary' : '')} aria-pressed={kept} onClick={() => setKeep(p.id)}>
                {kept ? <><Icon name="check" size={18} />{t('dupes.keeping')}</> : t('dupes.keep_this')}</button>
            </figure>
          )
        })}
      </div>
      <div class="dactions">
        <span class="small muted grow">{g.kind === 'burst' ? t('dupes.kind_burst') : t('dupes.kind_same')}</span>
        <button class="btn" onClick={dismiss} disabled={busy}>{t('dupes.not_dupes')}</button>
        <button class="btn primary" data-testid="dupes-resolve" onClick={resolve} disabled={busy}><Icon name="trash" size={18} />{t('dupes.trash_others', { n: ids.length - 1 })}</button>
      </div>
    </section>
  )
}
