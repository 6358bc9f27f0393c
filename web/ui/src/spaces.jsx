// Settings → Your space: private spaces and partner sharing (docs/security.md,
// "Private spaces"). A user's uploads may start as "Only me"; they share
// their space, read-only, with another account from a date; an admin gives
// folders of the originals to users.
import { useEffect, useState } from 'preact/hooks'
import { api, get, toast } from './api.js'
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
      toast(`Your space is shared with ${partner}`, 'ok')
      setPartner(''); setSince('')
    } catch (e) { setErr(e.message) }
  }
  const revoke = async (other, name, leaving) => {
    const q = leaving ? `Stop seeing ${name}'s space?` : `Stop sharing your space with ${name}?`
    if (!confirm(q)) return
    try { await api('DELETE', `/space/partners/${other}`); load() } catch { load() }
  }
  return (
    <section aria-labelledby="s-space" class="space" data-testid="your-space">
      <h2 id="s-space">Your space</h2>
      <p class="small muted">Photos you upload (in the browser or by WebDAV) are in your space: you, the admins and the people you share it with see them. Photos marked <b>Only me</b> stay yours alone, even from partners. <b>Private</b> (Make private, in a photo's details) is another thing: it hides a photo from viewer accounts only.</p>
      {admin && <p class="small" data-testid="admin-sees-all"><Icon name="lock" size={16} /> As an admin you see everyone's photos, their Only me photos included: those carry an Only me mark.</p>}
      <label class="check"><input type="checkbox" data-testid="uploads-only-me" checked={!!data.uploads_only_me} onChange={e => setDefault(e.currentTarget.checked)} />My new uploads are Only me</label>
      <h3>Partner sharing</h3>
      <div class="list">
        {!mine.length && !withMe.length && <p class="muted small">You share your space with no one, and no one shares theirs with you.</p>}
        {mine.map(p => (
          <div class="row" key={'m' + p.partner_id} data-testid="partner-row">
            <Icon name="share" />
            <span class="grow"><b>{p.partner}</b> sees your photos{p.since ? ` from ${p.since}` : ''}, read-only</span>
            <button class="btn danger" aria-label={`Stop sharing with ${p.partner}`} onClick={() => revoke(p.partner_id, p.partner, false)}>Revoke</button>
          </div>))}
        {withMe.map(p => (
          <div class="row" key={'w' + p.sharer_id} data-testid="shared-with-me">
            <Icon name="user" />
            <span class="grow">You see <b>{p.sharer}</b>'s photos{p.since ? ` from ${p.since}` : ''}</span>
            <button class="btn" aria-label={`Stop seeing ${p.sharer}'s photos`} onClick={() => revoke(p.sharer_id, p.sharer, true)}>Leave</button>
          </div>))}
      </div>
      {canEdit(me.role) && <form class="space-form" onSubmit={share}>
        <select class="input" aria-label="Share your space with" required value={partner} onChange={e => setPartner(e.currentTarget.value)} data-testid="partner-select">
          <option value="">Share with…</option>
          {(data.accounts || []).map(a => <option key={a.id} value={a.username}>{a.username}</option>)}
        </select>
        <input class="input" type="date" aria-label="Share photos taken from (empty: all)" value={since} onInput={e => setSince(e.currentTarget.value)} data-testid="partner-since" />
        <button class="btn primary" data-testid="partner-share">Share</button>
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
  const assign = async e => {
    e.preventDefault()
    setErr('')
    try {
      const r = await api('PUT', '/space/folders', { path, username: user }, { quiet: true })
      toast(`${r.path} now goes to ${r.username} (${r.photos} photos moved)`, 'ok')
      setPath(''); load()
    } catch (e) { setErr(e.message) }
  }
  const remove = async f => {
    try { await api('DELETE', '/space/folders?path=' + encodeURIComponent(f.path)); load() } catch { load() }
  }
  return <>
    <h3>Folders of users</h3>
    <p class="small muted">Photos in a folder given to a user join their space (for example <code>Family/Ana</code> → ana). Other photos are everyone's.</p>
    <div class="list">
      {(list || []).map(f => (
        <div class="row" key={f.path} data-testid="folder-row">
          <Icon name="folder" />
          <span class="grow"><code>{f.path}</code> → <b>{f.username}</b></span>
          <button class="btn" aria-label={`Stop giving ${f.path} to ${f.username}`} onClick={() => remove(f)}>Remove</button>
        </div>))}
    </div>
    <form class="space-form" onSubmit={assign}>
      <input class="input" placeholder="Folder, e.g. Family/Ana" aria-label="Folder inside the photo folder" required value={path} onInput={e => setPath(e.currentTarget.value)} />
      <select class="input" aria-label="User the folder belongs to" required value={user} onChange={e => setUser(e.currentTarget.value)}>
        <option value="">User…</option>
        {names.map(a => <option key={a.username} value={a.username}>{a.username}</option>)}
      </select>
      <button class="btn primary">Give folder</button>
    </form>
    <FormError error={err} />
  </>
}
