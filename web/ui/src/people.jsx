// People: the named faces other programs tagged in the photos' XMP. The
// People screen is a grid of round avatars (the server crops each from the
// person's best photo), a person's page their photos on the timeline grid,
// with rename, merge and hide for those who may edit.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, get, session, toast } from './api.js'
import { Grid } from './grid.jsx'
import { t } from './i18n.js'
import { Icon } from './icons.jsx'
import { canEdit as mayEdit } from './roles.js'
import { photoSource } from './screens.jsx'
import { Dialog, FormError, useFormError } from './shell.jsx'

// avatarURL changes when the face it shows changes, so a browser's cached
// avatar of another face is never reused.
export const avatarURL = p => `/api/v1/people/${p.id}/avatar${p.face ? '?f=' + p.face.id : ''}`

const photos = n => t('common.photos', { n })

export function Avatar({ person, size }) {
  return <img class="avatar" src={avatarURL(person)} alt="" loading="lazy" style={size ? { width: size, height: size } : null} />
}

export function PeoplePage({ hidden }) {
  const [people, setPeople] = useState(null)
  const canEdit = mayEdit(session.get().user?.role)
  useEffect(() => {
    setPeople(null)
    get('/people' + (hidden ? '?hidden=true' : '')).then(r => setPeople(r.people || [])).catch(() => setPeople([]))
  }, [hidden])
  return (
    <div class="page">
      <div class="page-head"><Icon name="user" /><h1 style={{ flex: 1 }}>{hidden ? t('people.hidden_title') : t('people.title')}</h1>
        {hidden
          ? <a class="btn" href="/people">{t('people.all_people')}</a>
          : canEdit && <a class="btn" href="/people?hidden=true">{t('people.hidden_title')}</a>}
      </div>
      {people && !people.length
        ? <div class="empty"><Icon name="user" /><h2>{hidden ? t('people.none_hidden') : t('people.none_yet')}</h2>
          <p>{hidden ? t('people.hidden_help') : t('people.empty_help')}</p></div>
        : <div class="people" aria-busy={!people}>
          {(people || []).map(p => (
            <a key={p.id} class="person" href={`/people/${p.id}`}>
              <Avatar person={p} />
              <b>{p.name}</b>
              <small>{photos(p.count)}</small>
            </a>
          ))}
        </div>}
    </div>
  )
}

export function PersonPage({ id }) {
  const [p, setP] = useState(null)
  const [err, setErr] = useState('')
  const [dialog, setDialog] = useState('')
  const [ver, setVer] = useState(0)
  const canEdit = mayEdit(session.get().user?.role)
  const load = () => get(`/people/${id}`, { quiet: true }).then(setP).catch(e => setErr(e.message))
  useEffect(() => { load() }, [id])
  const src = useMemo(() => ({ ...photoSource({ person: id }), key: `person${id}:${ver}` }), [id, ver])
  const changed = np => { if (np && np.id) setP(np); else load(); setVer(v => v + 1) }
  const hide = async () => {
    const np = await api('PATCH', `/people/${id}`, { hidden: !p.hidden })
    toast(p.hidden ? t('people.shown_again', { name: p.name }) : t('people.hidden_from', { name: p.name }), 'ok')
    changed(np)
  }
  if (err) return <div class="empty"><Icon name="user" /><h2>{t('people.not_found')}</h2><p><a href="/people">{t('people.back')}</a></p></div>
  return (
    <>
      <Grid source={src} header={
        <div class="person-head">
          {p && <Avatar person={p} />}
          <div class="grow">
            <h1>{p ? p.name : '…'}</h1>
            <span class="muted">{p ? photos(p.count) + (p.hidden ? ' · ' + t('people.hidden_mark') : '') : ''}</span>
          </div>
          {p && canEdit && <div class="person-actions">
            <button class="btn" onClick={() => setDialog('rename')}><Icon name="edit" size={18} />{t('common.rename')}</button>
            <button class="btn" onClick={() => setDialog('merge')}><Icon name="user" size={18} />{t('people.merge')}</button>
            <button class="btn" onClick={hide}><Icon name={p.hidden ? 'photo' : 'close'} size={18} />{p.hidden ? t('people.show') : t('people.hide')}</button>
          </div>}
        </div>} />
      {dialog === 'rename' && <Rename person={p} onClose={() => setDialog('')} onDone={changed} />}
      {dialog === 'merge' && <Merge person={p} onClose={() => setDialog('')} onDone={changed} />}
    </>
  )
}

function Rename({ person, onClose, onDone }) {
  const [name, setName] = useState(person.name)
  const [err, setErr] = useFormError()
  const submit = async e => {
    e.preventDefault()
    setErr('')
    try {
      const np = await api('PATCH', `/people/${person.id}`, { name: name.trim() }, { quiet: true })
      toast(t('people.renamed', { name: name.trim() }), 'ok')
      onClose()
      onDone(np)
    } catch (e) { setErr(e.message) }
  }
  return (
    <Dialog title={t('common.rename')} onClose={onClose}>
      <form onSubmit={submit}>
        <label class="field"><span>{t('people.name')}</span><input class="input" name="name" required maxLength={200} value={name} onInput={e => setName(e.currentTarget.value)} /></label>
        <FormError error={err} />
        <div class="actions"><button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button><button class="btn primary" disabled={!name.trim() || name.trim() === person.name}>{t('common.rename')}</button></div>
      </form>
    </Dialog>
  )
}

// Merge picks who else is this person: their faces join this one's.
function Merge({ person, onClose, onDone }) {
  const [others, setOthers] = useState(null)
  const [err, setErr] = useFormError()
  useEffect(() => {
    Promise.all([get('/people'), get('/people?hidden=true')])
      .then(([a, b]) => setOthers([...(a.people || []), ...(b.people || [])].filter(o => o.id !== person.id)))
      .catch(e => setErr(e.message))
  }, [])
  const pick = async o => {
    setErr('')
    try {
      const np = await api('POST', `/people/${person.id}/merge`, { from: o.id }, { quiet: true })
      toast(t('people.merged', { from: o.name, name: person.name }), 'ok')
      onClose()
      onDone(np)
    } catch (e) { setErr(e.message) }
  }
  return (
    <Dialog title={t('people.merge_into', { name: person.name })} onClose={onClose}>
      <p class="muted small" style={{ marginTop: 0 }}>{t('people.merge_help', { name: person.name })}</p>
      <FormError error={err} />
      <div class="list merge-list" role="list">
        {others && !others.length && <p class="muted">{t('people.nobody_else')}</p>}
        {(others || []).map(o => (
          <button key={o.id} class="row" role="listitem" onClick={() => pick(o)}>
            <Avatar person={o} size={40} /><span class="grow">{o.name}</span><span class="muted small">{photos(o.count)}</span>
          </button>
        ))}
      </div>
    </Dialog>
  )
}
