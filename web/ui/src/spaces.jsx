// Settings → Your space: private spaces and partner sharing (docs/security.md,
// "Private spaces"). A user's uploads may start as "Only me"; they share
// their space, read-only, with another account from a date; an admin gives
// folders of the originals to users.
import { useEffect, useState } from 'preact/hooks'
import { api, get, toast } from './api.js'
import { rich, t } from './i18n.js'
import { Icon } from './icons.jsx'
import { canEdit } from './roles.js'
import { FormError, useFormError } from './shell.jsx'


export function YourSpace({ me, admin }) {
  const [data, setData] = useState(null)
  const [partner, setPartner] = useState('')
  const [since, setSince] = useState('')
  const [err, setErr] = useFormError()
  const load = () => get('/space').then(setData).catch(() => setData({ partners: [], accounts: [] }))
  useEffect(() => { load() }, [])
  if (!data) return null
  const mine = (data.partners || []).filter(p => p.sharer_id === data.user_id)
  const withMe = (data.partners || []).filter(p => p.partner_id === data.user_id)
  const setDefault = async on => {
    try { setData(await api('PUT', '/space', { uploads_only_me: on })) } catch { load() }
  }
  const share = async e => {
    e.preventDefault()
    setErr('')
    try {
      setData(await api('POST', '/space/partners', { partner, since }, { quiet: true }))
      toast(t('spaces.shared_with', { name: partner }), 'ok')
      setPartner(''); setSince('')
    } catch (e) { setErr(e.message) }
  }
  const revoke = async (other, name, leaving) => {
    const q = leaving ? t('spaces.ask_leave', { name }) : t('spaces.ask_revoke', { name })
    if (!confirm(q)) return
    try { await api('DELETE', `/space/partners/${other}`); load() } catch { load() }
  }
  return (
    <section aria-labelledby="s-space" class="space" data-testid="your-space">
      <h2 id="s-space">{t('spaces.title')}</h2>
      <p class="small muted">{rich(t('spaces.intro'), { only_me: <b>{t('spaces.only_me')}</b>, private: <b>{t('spaces.private')}</b> })}</p>
      {admin && <p class="small" data-testid="admin-sees-all"><Icon name="lock" size={16} /> {t('spaces.admin_sees_all')}</p>}
      <label class="check"><input type="checkbox" data-testid="uploads-only-me" checked={!!data.uploads_only_me} onChange={e => setDefault(e.currentTarget.checked)} />{t('spaces.uploads_only_me')}</label>
      <h3>{t('spaces.partner_sharing')}</h3>
      <div class="list">
        {!mine.length && !withMe.length && <p class="muted small">{t('spaces.no_partners')}</p>}
        {mine.map(p => (
          <div class="row" key={'m' + p.partner_id} data-testid="partner-row">
            <Icon name="share" />
            <span class="grow">{rich(p.since ? t('spaces.partner_sees_since') : t('spaces.partner_sees'), { name: <b>{p.partner}</b>, date: p.since })}</span>
            <button class="btn danger" aria-label={t('spaces.stop_sharing_with', { name: p.partner })} onClick={() => revoke(p.partner_id, p.partner, false)}>{t('spaces.revoke')}</button>
          </div>))}
        {withMe.map(p => (
          <div class="row" key={'w' + p.sharer_id} data-testid="shared-with-me">
            <Icon name="user" />
            <span class="grow">{rich(p.since ? t('spaces.you_see_since') : t('spaces.you_see'), { name: <b>{p.sharer}</b>, date: p.since })}</span>
            <button class="btn" aria-label={t('spaces.stop_seeing', { name: p.sharer })} onClick={() => revoke(p.sharer_id, p.sharer, true)}>{t('spaces.leave')}</button>
          </div>))}
      </div>
      {canEdit(me.role) && <form class="space-form" onSubmit={share}>
        <select class="input" aria-label={t('spaces.share_with_label')} required value={partner} onChange={e => setPartner(e.currentTarget.value)} data-testid="partner-select">
          <option value="">{t('spaces.share_with')}</option>
          {(data.accounts || []).map(a => <option key={a.id} value={a.username}>{a.username}</option>)}
        </select>
        <label class="space-since"><span>{t('spaces.since_label')}</span>
          <input class="input" type="date" value={since} onInput={e => setSince(e.currentTarget.value)} data-testid="partner-since" /></label>
        <button class="btn primary" data-testid="partner-share">{t('common.share')}</button>
      </form>}
      <FormError error={err} />
      {admin && <FolderAssignments accounts={data.accounts || []} me={me} />}
    </section>
  )
}

// FolderAssignments lets an admin give folders of the originals to users.
function FolderAssignments({ accounts, me }) {
  const [list, setList] = useState(null)
  const [path, setPath] = useState('')
  const [user, setUser] = useState('')
  const [err, setErr] = useFormError()
  const load = () => get('/space/folders').then(d => setList(d.folders || [])).catch(() => setList([]))
  useEffect(() => { load() }, [])
  const names = [{ id: 0, username: me.username }, ...accounts]
  const example = t('spaces.example_folder') // "Family/Ana": its user is "ana"
  const assign = async e => {
    e.preventDefault()
    setErr('')
    try {
      const r = await api('PUT', '/space/folders', { path, username: user }, { quiet: true })
      toast(t('spaces.folder_given', { path: r.path, name: r.username, n: r.photos }), 'ok')
      setPath(''); load()
    } catch (e) { setErr(e.message) }
  }
  const remove = async f => {
    try { await api('DELETE', '/space/folders?path=' + encodeURIComponent(f.path)); load() } catch { load() }
  }
  return <>
    <h3>{t('spaces.folders_title')}</h3>
    <p class="small muted">{rich(t('spaces.folders_help'), { example: <><code>{example}</code> → {example.split('/').pop().toLowerCase()}</> })}</p>
    <div class="list">
      {(list || []).map(f => (
        <div class="row" key={f.path} data-testid="folder-row">
          <Icon name="folder" />
          <span class="grow"><code>{f.path}</code> → <b>{f.username}</b></span>
          <button class="btn" aria-label={t('spaces.stop_giving', { path: f.path, name: f.username })} onClick={() => remove(f)}>{t('common.remove')}</button>
        </div>))}
    </div>
    <form class="space-form" onSubmit={assign}>
      <input class="input" placeholder={t('spaces.folder_placeholder')} aria-label={t('spaces.folder_label')} required value={path} onInput={e => setPath(e.currentTarget.value)} />
      <select class="input" aria-label={t('spaces.user_label')} required value={user} onChange={e => setUser(e.currentTarget.value)}>
        <option value="">{t('spaces.user_option')}</option>
        {names.map(a => <option key={a.username} value={a.username}>{a.username}</option>)}
      </select>
      <button class="btn primary">{t('spaces.give_folder')}</button>
    </form>
    <FormError error={err} />
  </>
}
