// The Trash: photos moved there from the viewer or a selection, newest
// first, each with the days left before it goes for good; restore or
// empty. With read-only originals emptying removes photos from the
// library and leaves their files, and the screen says how to allow
// deleting (the server's words, web/trash.go).
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, get, qs, toast } from './api.js'
import { clearSelection, Grid } from './grid.jsx'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'
import { Dialog, withCode } from './shell.jsx'
import { emit, on, store, useStore } from './store.js'

// trashState is the server's last word on the Trash (GET /trash's
// "trash"): what emptying does, the days kept, the server's clock.
export const trashState = store(null)

const DAY = 86400000
const parseTime = s => Date.parse(s.replace(' ', 'T') + 'Z')

// daysLeft is how many days photo p has before the Trash empties it by
// itself (by the server's clock), or null when it never does.
export function daysLeft(p, st) {
  if (!st || !st.trash_days || !p.trashed_at) return null
  const end = parseTime(p.trashed_at) + st.trash_days * DAY
  return Math.max(0, Math.ceil((end - parseTime(st.now)) / DAY))
}

const leftText = n => (n === 0 ? t('trash.deleted_today') : t('trash.days_left', { n }))

// What the "for good" action is called: deleting files, or removing
// photos from the library when the originals are read-only.
export const forGood = st => (st && !st.deletes_files ? t('trash.remove_from_library') : t('trash.delete_for_good'))

// moveToTrash trashes photos (every file of each: RAW, JPEG, sidecars,
// live video) and says so; it resolves to the number moved, 0 on failure.
export async function moveToTrash(ids) {
  try {
    const r = await api('POST', '/trash', { photo_ids: ids })
    const n = r?.trashed ?? ids.length
    toast(t('trash.moved', { n }), 'ok')
    emit('photos-changed')
    return n
  } catch { return 0 } // toast shown
}

export async function restore(ids) {
  try {
    const r = await api('POST', '/trash/restore', ids ? { photo_ids: ids } : { all: true })
    toast(t('trash.restored', { n: r?.restored ?? (ids || []).length }), 'ok')
    emit('photos-changed'); emit('trash-changed')
    return true
  } catch { return false }
}

export async function empty(ids) {
  try {
    const r = await api('POST', '/trash/empty', ids ? { photo_ids: ids } : { all: true })
    toast(r?.removed ? t('trash.removed', { n: r.removed }) : t('trash.deleting', { n: r?.deleting ?? 0 }), 'ok')
    emit('photos-changed'); emit('trash-changed')
    return true
  } catch { return false }
}

// ConfirmForGood asks before emptying: nothing can bring the photos back.
// ids null: the whole Trash.
export function ConfirmForGood({ ids, onClose }) {
  const st = useStore(trashState)
  const files = !st || st.deletes_files
  const all = !ids
  const go = async () => { if (await empty(ids)) { clearSelection(); onClose(true) } }
  const n = all ? 0 : ids.length
  const title = all ? (files ? t('trash.ask_empty') : t('trash.ask_remove_all')) : (files ? t('trash.ask_delete_for_good') : t('trash.ask_remove_from_library'))
  return (
    <Dialog title={title} onClose={() => onClose(false)}
      actions={<><button class="btn" onClick={() => onClose(false)}>{t('common.cancel')}</button>
        <button class="btn danger" data-testid="confirm-empty" onClick={go}>{all ? (files ? t('trash.empty_trash') : t('trash.remove_all')) : forGood(st)}</button></>}>
      <p>{files
        ? (all ? t('trash.deletes_all') : t('trash.deletes_n', { n }))
        : (all ? t('trash.removes_all') : t('trash.removes_n', { n }))}</p>
    </Dialog>
  )
}

export function TrashPage() {
  const st = useStore(trashState)
  const [gen, setGen] = useState(0)
  const [confirm, setConfirm] = useState(false)
  useEffect(() => on('trash-changed', () => setGen(g => g + 1)), [])
  const src = useMemo(() => ({
    key: 'trash ' + gen,
    page: ({ cursor }) => get('/trash' + qs({ cursor, limit: 200 })).then(r => {
      trashState.set(r.trash)
      for (const p of r.photos || []) {
        const n = daysLeft(p, r.trash)
        if (n !== null) p._note = leftText(n)
      }
      return r
    }),
  }), [gen])
  const n = st ? st.photos : 0
  const files = !st || st.deletes_files
  const header = (
    <div class="trash-head">
      <div class="page-head" style={{ margin: 0 }}><Icon name="trash" /><h1 style={{ flex: 1 }}>{t('trash.title')}</h1>
        {n > 0 && <>
          <button class="btn" onClick={() => restore(null)}><Icon name="refresh" size={20} />{t('trash.restore_all')}</button>
          <button class="btn danger" onClick={() => setConfirm(true)}><Icon name="trash" size={20} />{files ? t('trash.empty_trash') : t('trash.remove_all')}</button>
        </>}
      </div>
      {st && <p class="small muted" data-testid="trash-rule">
        {n > 0 ? t('common.photos', { n }) + ' · ' : ''}
        {st.trash_days ? (files ? t('trash.rule_deleted', { n: st.trash_days }) : t('trash.rule_removed', { n: st.trash_days })) : t('trash.rule_kept')}
        {st.deleting > 0 ? ' ' + t('trash.deleting_files', { n: st.deleting }) : ''}</p>}
      {st && st.read_only && <p class="note" data-testid="trash-readonly"><Icon name="info" size={18} /><span>{withCode(st.read_only)}</span></p>}
      {st && st.problem && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{st.problem}</span></p>}
    </div>
  )
  return <>
    <Grid source={src} scrubber={false} header={header}
      empty={<div class="empty"><Icon name="trash" /><h2>{t('trash.empty_title')}</h2><p>{st && st.trash_days ? t('trash.empty_wait', { n: st.trash_days }) : t('trash.empty_wait_always')}</p></div>} />
    {confirm && <ConfirmForGood ids={null} onClose={() => setConfirm(false)} />}
  </>
}
