// The app shell: session bootstrap, setup and login, the top bar, the left
// rail (bottom bar on phones), the selection bar, toasts, uploads and the
// keyboard shortcuts.
import { useEffect, useRef, useState } from 'preact/hooks'
import { canEdit, roleName } from './roles.js'
import { view } from './status.js'
import { api, bootState, download, get, session, setSession, toast, toasts, upload } from './api.js'
import { clearSelection, selectableGrids, selection, selectMode, touchUI } from './grid.jsx'
import { Icon } from './icons.jsx'
import { match, navigate, route } from './router.js'
import { ProblemsPage, RecentPage } from './problems.jsx'
import { PeoplePage, PersonPage } from './people.jsx'
import { AlbumPage, AlbumsPage, CalendarPage, FilteredPage, FoldersPage, LibraryPage, MorePage, PlacesPage, SearchPage, SharedPage } from './screens.jsx'
import { SettingsPage, TOTPSetup } from './settings.jsx'
import { DupesPage } from './dupes.jsx'
import { ConfirmForGood, forGood, moveToTrash, restore, TrashPage, trashState } from './trash.jsx'
import { emit, store, useStore } from './store.js'
import { Viewer } from './viewer.jsx'
import { gridNow, viewer } from './viewer-state.js'
import { ShowLayer, startSlideshow } from './show.jsx'
import { rich, t } from './i18n.js'

export const theme = store(localStorage.getItem('pinhole.theme') || 'system')
export function setTheme(v) {
  theme.set(v)
  localStorage.setItem('pinhole.theme', v)
  if (v === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = v
}

// A logged-in browser gets its session inlined into index.html (web/boot.go):
// take it before the first render, so the library draws without a round
// trip. Share pages never use the visitor's own session.
{
  const b = location.pathname.startsWith('/s/') ? null : bootState()
  if (b && b.session) setSession(b.session)
}

async function boot() {
  try {
    setSession(await get('/session', { quiet: true }))
  } catch (e) {
    const st = await get('/status', { quiet: true }).catch(() => ({}))
    session.set({ state: view(st).field('setup_required') ? 'setup' : 'login', error: e.status && e.status !== 401 ? e.message : '' })
  }
}

// Live updates: the server tells us when photos change and how indexing goes.
export const progress = store(null)
let events = null
function listen() {
  if (events || typeof EventSource === 'undefined') return
  events = new EventSource('/api/v1/events')
  let timer = 0
  events.addEventListener('photos', () => { sawPhotosEvent = true; clearTimeout(timer); timer = setTimeout(() => emit('photos-changed'), 300) })
  events.addEventListener('progress', e => { try { progress.set(JSON.parse(e.data)) } catch { /* ignore */ } })
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) { events = null; setTimeout(() => session.get().state === 'ready' && listen(), 10000) }
  }
}

// Until the server has sent a "photos" event (proof that live updates are
// wired), look for newly added photos every few seconds instead.
let sawPhotosEvent = false
let lastAdded = null
function pollForNewPhotos() {
  const check = async () => {
    if (sawPhotosEvent || document.hidden || session.get().state !== 'ready') return
    try {
      const r = await get('/photos?sort=added&limit=1', { quiet: true })
      const top = r.photos && r.photos[0] ? r.photos[0].id + ' ' + r.photos[0].added_at : ''
      if (lastAdded !== null && top !== lastAdded) emit('photos-changed')
      lastAdded = top
    } catch { /* offline for a moment */ }
  }
  check()
  const every = setInterval(check, 5000)
  return () => clearInterval(every)
}

export function App() {
  const s = useStore(session)
  const r = useStore(route)
  useEffect(() => { if (!r.path.startsWith('/s/') && session.get().state === 'loading') boot() }, [])
  useEffect(() => { if (s.state === 'ready') listen() }, [s.state])
  useEffect(() => (s.state === 'ready' ? pollForNewPhotos() : undefined), [s.state])
  const share = match('/s/:token', r.path)
  if (share) return <><SharedPage token={share.token} query={r.query} /><Viewer /><ShowLayer /><Toasts /></>
  if (s.state === 'loading') return <div class="auth" aria-busy="true"><Logo /></div>
  if (s.state === 'setup') return <><Setup /><Toasts /></>
  if (s.state === 'login') return <><Login error={s.error} /><Toasts /></>
  if (s.state === 'enrol') return <><Enrol /><Toasts /></>
  return <Shell route={r} />
}

// FormError is a form's one error: red, with an icon, announced, and
// replaced (not added to) on the next failure — a new key replays its
// entrance so a repeated message still reads as new.
export function FormError({ error }) {
  if (!error) return null
  return <p class="err" role="alert" key={error.seq}><Icon name="alert" size={18} /><span>{error.message}</span></p>
}

// useFormError holds that error: set(message) shows it, set('') clears it.
export function useFormError() {
  const [err, setErr] = useState(null)
  const seq = useRef(0)
  return [err, message => setErr(message ? { message, seq: ++seq.current } : null)]
}

// withCode sets command-line options and config names in a sentence as
// code, so "--read-only=false" is never broken across lines.
export const withCode = text => String(text || '').split(/(--[\w-]+(?:=\w+)?|ReadWritePaths|read-only = false)/).map((part, i) => (i % 2 ? <code key={i} class="nw">{part}</code> : part))

// Logo is the product's name and mark, on every page including phones.
export const Logo = () => <div class="logo"><i /><span>Pinhole</span></div>

function Setup() {
  const [err, setErr] = useFormError()
  const [busy, setBusy] = useState(false)
  const submit = async e => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    if (f.get('password') !== f.get('password2')) return setErr(t('shell.passwords_differ'))
    setBusy(true); setErr('')
    try {
      setSession(await api('POST', '/setup', { username: f.get('username'), password: f.get('password') }, { quiet: true }))
      navigate('/', { replace: true })
    } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label={t('shell.setup_form')}>
        <Logo />
        <h1 style={{ marginBottom: 6 }}>{t('shell.welcome')}</h1>
        <p>{t('shell.setup_intro')}</p>
        <label class="field"><span>{t('shell.username')}</span><input class="input" name="username" autocomplete="username" required autofocus /></label>
        <label class="field"><span>{t('shell.password_min')}</span><input class="input" name="password" type="password" minLength={8} autocomplete="new-password" required /></label>
        <label class="field"><span>{t('shell.password_repeat')}</span><input class="input" name="password2" type="password" minLength={8} autocomplete="new-password" required /></label>
        <FormError error={err} />
        <button class="btn primary" style={{ width: '100%' }} disabled={busy}>{t('shell.create_account')}</button>
      </form>
    </div>
  )
}

// signinErrors are the sentences for the reasons a sign-in with the
// provider comes back refused (/?signin_error=…, web/oidc.go): fixed text,
// never words from the address.
const signinErrors = () => ({
  state: t('shell.signin_state'),
  provider: t('shell.signin_provider'),
  token: t('shell.signin_token'),
  no_role: t('shell.signin_no_role'),
  name_taken: t('shell.signin_name_taken'),
  bad_name: t('shell.signin_bad_name'),
  denied: t('shell.signin_denied'),
  unavailable: t('shell.signin_unavailable'),
  internal: t('shell.signin_internal'),
})

// signinError takes the reason the provider's sign-in was refused from the
// address (and removes it, so a reload does not show it again).
function signinError() {
  const q = new URLSearchParams(location.search)
  const k = q.get('signin_error')
  if (k === null) return ''
  q.delete('signin_error')
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''))
  const all = signinErrors()
  return Object.prototype.hasOwnProperty.call(all, k) ? all[k] : all.internal
}

function Login({ error }) {
  const [err, setErr] = useFormError()
  const [how, setHow] = useState(null) // the status's sign_in: { passwords, provider }
  const [pending, setPending] = useState(null) // a password's second step
  useEffect(() => {
    const e = signinError() || error
    if (e) setErr(e)
    get('/status', { quiet: true }).then(st => {
      const si = view(st).sub('sign_in'), pr = si.sub('provider')
      setHow(si.present ? { passwords: si.field('passwords') !== false, provider: pr.present ? { name: pr.field('name'), start: pr.field('start') } : null } : { passwords: true })
    }).catch(() => setHow({ passwords: true }))
  }, [error])
  const [busy, setBusy] = useState(false)
  const submit = async e => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    setBusy(true); setErr('')
    try {
      const r = await api('POST', '/session', { username: f.get('username'), password: f.get('password') }, { quiet: true })
      if (r.totp_required) setPending(r.pending_token)
      else setSession(r)
    } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }
  if (pending) return <SecondStep pending={pending} onBack={() => setPending(null)} />
  // Until the server says how people sign in here (a moment), the card
  // stays empty rather than offer a password form that may be off.
  const provider = how && how.provider
  const passwords = how && how.passwords
  const form = <>
    <label class="field"><span>{t('shell.username')}</span><input class="input" name="username" autocomplete="username" required autofocus={passwords && !provider} /></label>
    <label class="field"><span>{t('shell.password')}</span><input class="input" name="password" type="password" autocomplete="current-password" required /></label>
    {passwords && <FormError error={err} />}
    <button class="btn primary" style={{ width: '100%' }} disabled={busy}>{t('shell.log_in')}</button>
  </>
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label={t('shell.log_in')}>
        <Logo />
        <h1 style={{ marginBottom: 18 }}>{t('shell.log_in')}</h1>
        {provider && <a class="btn primary provider" href={provider.start} data-testid="oidc-signin"><Icon name="user" size={20} />{t('shell.sign_in_with', { name: provider.name })}</a>}
        {provider && passwords && <div class="or" role="separator"><span>{t('shell.or_password')}</span></div>}
        {!passwords && <FormError error={err} />}
        {!how ? <div style={{ minHeight: 196 }} aria-busy="true" /> : passwords ? form : <details class="breakglass"><summary>{t('shell.breakglass')}</summary>
          <p class="small">{provider ? t('shell.passwords_off_named', { name: provider.name }) : t('shell.passwords_off')}</p>
          {form}
        </details>}
      </form>
    </div>
  )
}

// SecondStep asks for the code from the authenticator app (or a recovery
// code) after a right password.
function SecondStep({ pending, onBack }) {
  const [err, setErr] = useFormError()
  const [busy, setBusy] = useState(false)
  const submit = async e => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    setBusy(true); setErr('')
    try {
      setSession(await api('POST', '/session/totp', { pending_token: pending, code: f.get('code') }, { quiet: true }))
    } catch (e) {
      setErr(e.message)
      if (e.body?.code === 'sign_in_expired') setTimeout(onBack, 2500)
    } finally { setBusy(false) }
  }
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label={t('shell.totp_form')}>
        <Logo />
        <h1 style={{ marginBottom: 6 }}>{t('shell.enter_code')}</h1>
        <p>{t('shell.totp_intro')}</p>
        <label class="field"><span>{t('shell.code')}</span><input class="input code" name="code" inputmode="numeric" autocomplete="one-time-code" autocapitalize="off" spellcheck={false} maxLength={24} required autofocus /></label>
        <FormError error={err} />
        <button class="btn primary" style={{ width: '100%' }} disabled={busy}>{t('shell.continue')}</button>
        <button type="button" class="btn" style={{ width: '100%', marginTop: 8 }} onClick={onBack}>{t('common.back')}</button>
      </form>
    </div>
  )
}

// Enrol is all a session may do when its role must use two-factor sign-in
// and the user has not set it up: set it up, or log out.
function Enrol() {
  const s = session.get()
  const logout = async () => {
    try { await api('DELETE', '/session') } catch { /* toast shown */ }
    session.set({ state: 'login' })
  }
  return (
    <div class="auth">
      <section class="enrol" aria-labelledby="enrol-h">
        <Logo />
        <h1 id="enrol-h" style={{ marginBottom: 6 }}>{t('shell.enrol_title')}</h1>
        <p>{rich(s.user?.role ? t('shell.enrol_text_role', { role: roleName(s.user.role) }) : t('shell.enrol_text'), { who: s.user?.username ? <b>{s.user.username}</b> : t('shell.your_account') })}</p>
        <TOTPSetup onDone={async () => setSession(await get('/session'))} />
        <button type="button" class="btn" style={{ width: '100%', marginTop: 12 }} onClick={logout}><Icon name="logout" size={20} />{t('shell.log_out')}</button>
      </section>
    </div>
  )
}

// nav and more are the screens of the rail, as [href, icon, label]; functions
// so the labels are in the language of the moment.
const nav = () => [
  ['/', 'photo', t('shell.nav_library')],
  ['/albums', 'album', t('shell.nav_albums')],
  ['/map', 'map', t('shell.nav_places')],
  ['/folders', 'folder', t('shell.nav_folders')],
  ['/favorites', 'heart', t('shell.nav_favourites')],
]
export const more = () => [
  ['/recent', 'clock', t('shell.nav_recent')],
  ['/people', 'user', t('shell.nav_people')],
  ['/calendar', 'calendar', t('shell.nav_calendar')],
  ['/archive', 'archive', t('shell.nav_archive')],
  ['/private', 'lock', t('shell.nav_private')],
  ['/missing', 'missing', t('shell.nav_missing')],
  ['/dupes', 'copy', t('shell.nav_dupes'), 'edit'], // a fourth element: only for those who edit
  ['/trash', 'trash', t('shell.nav_trash'), 'edit'],
  ['/settings', 'settings', t('common.settings')],
]
// moreFor is more() as this role sees it (viewers have no Trash).
export const moreFor = role => more().filter(m => !m[3] || canEdit(role))
// The one Places entry (/map) stands for both of its views (/map, /places).
const current = (href, path) => (href === '/' ? path === '/' : path === href || path.startsWith(href + '/') || (href === '/map' && path === '/places'))

function screenFor(r) {
  const p = r.path, q = r.query
  let m
  if (p === '/') return <LibraryPage />
  if (p === '/search') return <SearchPage query={q} />
  if (p === '/favorites') return <FilteredPage key="fav" title={t('shell.nav_favourites')} icon="heart" filters={{ favorite: 'true' }} empty={t('shell.favourites_empty')} />
  if (p === '/archive') return <FilteredPage key="arc" title={t('shell.nav_archive')} icon="archive" filters={{ archived: 'true' }} empty={t('shell.archive_empty')} />
  if (p === '/private') return <FilteredPage key="prv" title={t('shell.nav_private')} icon="lock" filters={{ private: 'true' }} empty={t('shell.private_empty')} />
  if (p === '/missing') return <FilteredPage key="mis" title={t('shell.missing_title')} icon="missing" filters={{ missing: 'true' }} empty={t('shell.missing_empty')} />
  if (p === '/albums') return <AlbumsPage />
  if ((m = match('/albums/:id', p))) return <AlbumPage key={m.id} id={m.id} />
  if (p === '/folders') return <FoldersPage path={q.path || ''} />
  if (p === '/places') return <PlacesPage query={q} view={q.view === 'map' ? 'map' : 'list'} />
  if (p === '/calendar') return <CalendarPage />
  if (p === '/people') return <PeoplePage key={q.hidden ? 'h' : 'v'} hidden={q.hidden === 'true'} />
  if ((m = match('/people/:id', p))) return <PersonPage key={m.id} id={m.id} />
  if (p === '/settings') return <SettingsPage />
  if (p === '/recent') return <RecentPage />
  if (p === '/problems') return <ProblemsPage />
  if (p === '/trash') return <TrashPage />
  if (p === '/dupes') return <DupesPage />
  if (p === '/more') return <MorePage />
  if (p === '/map') return <PlacesPage query={q} view="map" />
  return <div class="empty"><Icon name="missing" /><h2>{t('shell.not_found')}</h2><p><a href="/">{t('shell.back_to_library')}</a></p></div>
}

// slideshowOf plays the screen's whole list (the grid's source, not only
// what it has loaded), named after the screen.
function slideshowOf(r) {
  const g = gridNow()
  if (!g) return
  const named = [...nav(), ...more()].find(([href]) => href === r.path)
  startSlideshow({ title: named ? named[2] : r.path === '/search' ? t('common.search') : '', source: g.source })
}
const newestFirst = list => list.slice().sort((a, b) => (a.taken_at < b.taken_at ? 1 : a.taken_at > b.taken_at ? -1 : b.id - a.id))

// useMedia follows a CSS media query.
function useMedia(query) {
  const mq = typeof matchMedia === 'function' ? matchMedia(query) : null
  const [on, setOn] = useState(() => !!mq?.matches)
  useEffect(() => {
    if (!mq) return
    const f = () => setOn(mq.matches)
    f()
    mq.addEventListener('change', f)
    return () => mq.removeEventListener('change', f)
  }, [query])
  return on
}

function Shell({ route: r }) {
  const sel = useStore(selection)
  const mode = useStore(selectMode)
  const grids = useStore(selectableGrids)
  const v = useStore(viewer)
  const [help, setHelp] = useState(false)
  const [menu, setMenu] = useState(false)
  const [q, setQ] = useState(r.query.q || '')
  const searchRef = useRef(null)
  // On phones the search field folds into a button beside Select, Upload
  // and the account menu (a field squeezed between them is too small to
  // use); a tap, or being on the search screen, unfolds it.
  const narrow = useMedia('(max-width: 599px)')
  const [searching, setSearching] = useState(false)
  const searchOpen = !narrow || searching || r.path === '/search'
  const openSearch = () => { setSearching(true); setTimeout(() => searchRef.current && searchRef.current.focus(), 0) }
  const fileRef = useRef(null)
  const s = session.get()
  const canWrite = !!s.user && canEdit(s.user.role)
  // Uploads are offered only when the server says they can work (not on
  // read-only originals); otherwise the button stays, visibly off, and
  // says how to turn them on.
  const uploadsOn = canWrite && (!s.uploads || s.uploads.enabled)
  const [upOff, setUpOff] = useState(false)
  const uploader = useUploads(uploadsOn, s.uploads?.reason)

  useEffect(() => { clearSelection(); setMenu(false); setUpOff(false); setSearching(false) }, [r.path])
  useEffect(() => { if (r.path === '/search') setQ(r.query.q || '') }, [r.query.q])

  useEffect(() => {
    const onKey = e => {
      if (viewer.get()) return
      const typing = e.target.closest && e.target.closest('input, textarea, select, [contenteditable]')
      if (e.key === 'Escape') {
        if (help) setHelp(false)
        else if (menu) setMenu(false)
        else if (upOff) setUpOff(false)
        else if (typing) e.target.blur()
        else clearSelection()
        return
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === '/') { e.preventDefault(); searchRef.current ? searchRef.current.focus() : openSearch() }
      else if (e.key === '?') setHelp(true)
      else if (e.key === 'u' && canWrite) uploadsOn ? fileRef.current?.click() : setUpOff(true)
      else if (e.key === 'g') { const h = { l: '/', a: '/albums', m: '/map' }; const once = ev => { removeEventListener('keydown', once); h[ev.key] && navigate(h[ev.key]) }; addEventListener('keydown', once) }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  })

  const logout = async () => {
    try { await api('DELETE', '/session') } catch { /* toast shown */ }
    session.set({ state: 'login' })
    navigate('/', { replace: true })
  }

  return (
    <div class="app">
      {sel.size || mode ? <SelectionBar sel={sel} /> : (
        <header class="top">
          <a class="logo" href="/" aria-label={t('shell.home')}><i /><span>Pinhole</span></a>
          {searchOpen ? (
            <form class="searchbox" role="search" onSubmit={e => { e.preventDefault(); navigate('/search' + (q ? '?q=' + encodeURIComponent(q) : '')); searchRef.current.blur() }}>
              <Icon name="search" size={20} />
              <input ref={searchRef} type="search" placeholder={narrow ? t('common.search') : t('shell.search_placeholder')} aria-label={t('shell.search_key')} value={q}
                onInput={e => setQ(e.currentTarget.value)} onBlur={() => { if (!q) setSearching(false) }} />
            </form>
          ) : <><span class="spacer" /><button class="ib" onClick={openSearch} aria-label={t('shell.search_key')} title={t('shell.search_key')}><Icon name="search" /></button></>}
          {narrow && searchOpen ? null : <>
          {grids > 0 && touchUI() && <button class="ib" onClick={() => selectMode.set(true)} aria-label={t('shell.select_photos')} title={t('common.select')}><Icon name="check" /></button>}
          {uploadsOn && <>
            <input ref={fileRef} type="file" multiple accept="image/*,video/*,.cr2,.cr3,.nef,.arw,.dng,.raf,.orf,.rw2,.heic" hidden onChange={e => { uploader.add([...e.currentTarget.files]); e.currentTarget.value = '' }} />
            <button class="ib" onClick={() => fileRef.current.click()} aria-label={t('shell.upload_key')} title={t('shell.upload_title')}><Icon name="upload" /></button>
          </>}
          {grids > 0 && <button class="ib" onClick={() => slideshowOf(r)} aria-label={t('shell.slideshow')} title={t('shell.slideshow')}><Icon name="slideshow" /></button>}
          {canWrite && !uploadsOn && <div style={{ position: 'relative' }}>
            <button class="ib off" aria-disabled="true" aria-expanded={upOff} aria-label={t('shell.upload_off_label')} title={s.uploads?.reason}
              onClick={() => setUpOff(o => !o)}><Icon name="upload" /></button>
            {upOff && <div class="menu upoff" role="dialog" aria-label={t('shell.uploads_off')}>
              <b>{t('shell.uploads_off')}</b>
              <p data-testid="uploads-off">{withCode(s.uploads?.reason)}</p>
            </div>}
          </div>}
          </>}
          <div style={{ position: 'relative' }}>
            <button class="ib" onClick={() => setMenu(m => !m)} aria-label={t('shell.account_menu')} aria-expanded={menu} aria-haspopup="menu"><Icon name="user" /></button>
            {menu && (
              <div class="menu" role="menu" onClick={() => setMenu(false)}>
                <div class="who">{rich(t('shell.signed_in_as', { role: roleName(s.user?.role) }), { user: <b>{s.user?.username}</b> })}</div>
                <a role="menuitem" href="/settings"><Icon name="settings" size={20} />{t('common.settings')}</a>
                <button role="menuitem" onClick={() => setHelp(true)}><Icon name="keyboard" size={20} />{t('shell.shortcuts')}</button>
                <button role="menuitem" onClick={() => setTheme(theme.get() === 'dark' || (theme.get() === 'system' && !matchMedia('(prefers-color-scheme: light)').matches) ? 'light' : 'dark')}><Icon name="sun" size={20} />{t('shell.switch_theme')}</button>
                <button role="menuitem" onClick={logout}><Icon name="logout" size={20} />{t('shell.log_out')}</button>
              </div>
            )}
          </div>
        </header>
      )}
      <nav class="rail" aria-label={t('shell.nav_main')}>
        {nav().map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
        <hr />
        {moreFor(s.user?.role).map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
      </nav>
      <main class="main" id="main">{screenFor(r)}</main>
      <nav class="nav" aria-label={t('shell.nav_main')}>
        {nav().slice(0, 4).map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
        <a href="/more" aria-current={r.path === '/more' || more().some(([h]) => current(h, r.path)) || r.path === '/favorites' ? 'page' : undefined}><Icon name="more" />{t('common.more')}</a>
      </nav>
      {v && <Viewer />}
      <ShowLayer />
      {uploader.panel}
      {help && <Shortcuts onClose={() => setHelp(false)} />}
      <Toasts />
    </div>
  )
}

// SelectionBar offers what can be done with the selected photos. On a wide
// screen every action is an icon; on a phone the most used ones stay icons
// and the rest fold into a "More actions" menu, so all fit from 360 px.
function SelectionBar({ sel }) {
  const [albums, setAlbums] = useState(false)
  const [forever, setForever] = useState(false)
  const tst = useStore(trashState)
  const mayTrash = canEdit(session.get().user?.role)
  const [more, setMore] = useState(false)
  const [Edit, setEdit] = useState(null) // the batch editor, loaded on first use (batch.jsx)
  const narrow = useNarrow()
  const ids = [...sel.keys()]
  const none = ids.length === 0
  useEffect(() => {
    if (!more) return
    const onKey = e => { if (e.key === 'Escape') { e.stopPropagation(); setMore(false) } }
    addEventListener('keydown', onKey, true)
    return () => removeEventListener('keydown', onKey, true)
  }, [more])
  const batch = async (flags, said) => {
    try {
      const r = await api('POST', '/photos/batch', { photo_ids: ids, ...flags })
      for (const p of sel.values()) Object.assign(p, flags)
      toast(said(r?.updated ?? ids.length), 'ok')
      clearSelection()
      emit('photos-changed')
    } catch { /* toast shown */ }
  }
  const dl = () => {
    let i = 0
    for (const p of sel.values()) {
      setTimeout(() => { const a = document.createElement('a'); a.href = download(p); a.download = ''; document.body.append(a); a.click(); a.remove() }, i++ * 400)
    }
  }
  const album = route.get().path.match(/^\/albums\/(\d+)$/)
  // The Trash screen's selection is restored or emptied; elsewhere it can
  // be moved to the Trash (trash.jsx), last, with the rarer actions.
  const inTrash = route.get().path === '/trash'
  const toTrash = async () => { if (await moveToTrash(ids)) clearSelection() }
  const actions = inTrash ? [
    { icon: 'refresh', label: t('shell.restore'), run: async () => { if (await restore(ids)) clearSelection() } },
    { icon: 'trash', label: forGood(tst), run: () => setForever(true) },
  ] : [
    { icon: 'plus', label: t('shell.add_to_album'), run: () => setAlbums(true) },
    { icon: 'heart', label: t('shell.favourite'), run: () => batch({ favorite: true }, n => t('shell.favourited', { n })) },
    album && {
      icon: 'trash', label: t('shell.remove_from_album'),
      run: async () => { try { const r = await api('DELETE', `/albums/${album[1]}/photos`, { photo_ids: ids }); toast(t('shell.removed_from_album', { n: r?.removed ?? ids.length }), 'ok'); clearSelection(); emit('photos-changed'); emit('album-changed') } catch { /* toast */ } },
    },
    { icon: 'download', label: t('common.download'), run: dl },
    { icon: 'edit', label: t('common.edit'), run: () => import('./batch.jsx').then(m => setEdit(() => m.default)).catch(e => toast(t('shell.editor_failed', { reason: e.message }), 'error')) },
    album && {
      icon: 'image', label: t('shell.use_as_cover'), disabled: ids.length !== 1,
      run: async () => { try { await api('PATCH', `/albums/${album[1]}`, { cover_photo_id: ids[0] }); toast(t('shell.cover_set'), 'ok'); clearSelection(); emit('album-changed') } catch { /* toast */ } },
    },
    { icon: 'archive', label: t('shell.archive'), run: () => batch({ archived: true }, n => t('shell.archived', { n })) },
    // Photos of one's own space only (src/spaces.jsx): partners stop seeing them.
    [...sel.values()].every(p => p.owner_user) && {
      icon: 'lock', label: t('shell.only_me'),
      run: async () => { try { const r = await api('PUT', '/photos/only-me', { photo_ids: ids, only_me: true }); for (const p of sel.values()) p.only_me = true; toast(t('shell.now_only_me', { n: r?.updated ?? ids.length }), 'ok'); clearSelection(); emit('photos-changed') } catch { /* toast */ } },
    },
    { icon: 'slideshow', label: t('shell.slideshow'), run: () => startSlideshow({ title: t('common.selected', { n: ids.length }), photos: newestFirst([...sel.values()]) }) },
    { icon: 'lock', label: t('shell.make_private'), run: () => batch({ private: true }, n => t('shell.made_private', { n })) },
    mayTrash && { icon: 'trash', label: t('shell.move_to_trash'), run: toTrash },
  ].filter(Boolean)
  const shown = narrow ? actions.slice(0, 3) : actions
  const folded = narrow ? actions.slice(3) : []
  return (
    <div class="selbar" role="toolbar" aria-label={t('shell.selection')}>
      <button class="ib" onClick={clearSelection} aria-label={t('common.done')} title={t('shell.done_esc')}><Icon name="check" /></button>
      <b>{none ? t('shell.select_photos') : t('common.selected', { n: sel.size })}</b>
      <span class="spacer" />
      {shown.map(a => <button key={a.label} class="ib" onClick={a.run} aria-label={a.label} title={a.label} disabled={none || a.disabled}><Icon name={a.icon} /></button>)}
      {folded.length > 0 && <button class="ib" onClick={() => setMore(m => !m)} aria-label={t('shell.more_actions')} aria-haspopup="menu" aria-expanded={more}><Icon name="more" /></button>}
      {more && folded.length > 0 && (
        <div class="menu" role="menu" onClick={() => setMore(false)}>
          {folded.map(a => <button key={a.label} role="menuitem" onClick={a.run} disabled={none || a.disabled}><Icon name={a.icon} size={20} />{a.label}</button>)}
        </div>
      )}
      {albums && <AddToAlbum ids={ids} onClose={() => setAlbums(false)} />}
      {forever && <ConfirmForGood ids={ids} onClose={() => setForever(false)} />}
      {Edit && <Edit photos={[...sel.values()]} onClose={() => setEdit(null)} />}
    </div>
  )
}

// useNarrow follows whether the window is phone-sized (the layout's own
// breakpoint).
function useNarrow() {
  const q = typeof matchMedia === 'function' ? matchMedia('(max-width: 719px)') : null
  const [narrow, setNarrow] = useState(() => !!q && q.matches)
  useEffect(() => {
    if (!q) return
    const f = () => setNarrow(q.matches)
    q.addEventListener('change', f)
    return () => q.removeEventListener('change', f)
  }, [])
  return narrow
}

export function AddToAlbum({ ids, onClose }) {
  const [list, setList] = useState(null)
  const [title, setTitle] = useState('')
  const [err, setErr] = useFormError()
  useEffect(() => { get('/albums').then(r => setList(r.albums || [])).catch(() => setList([])) }, [])
  const add = async (id, name) => {
    setErr('')
    try {
      const r = await api('POST', `/albums/${id}/photos`, { photo_ids: ids }, { quiet: true })
      toast(t('shell.added_to_album', { n: r?.added ?? ids.length, name }), 'ok')
      clearSelection(); onClose(); emit('album-changed')
    } catch (e) { setErr(e.message) }
  }
  const create = async e => {
    e.preventDefault()
    if (!title.trim()) return
    setErr('')
    try { const a = await api('POST', '/albums', { title: title.trim() }, { quiet: true }); await add(a.id ?? a.album?.id, title.trim()) } catch (e) { setErr(e.message) }
  }
  return (
    <Dialog title={t('shell.add_to_album')} onClose={onClose}>
      <form onSubmit={create} style={{ display: 'flex', gap: 8, marginBottom: 14 }}>
        <input class="input" placeholder={t('shell.new_album_title')} aria-label={t('shell.new_album_title')} value={title} onInput={e => setTitle(e.currentTarget.value)} />
        <button class="btn primary" disabled={!title.trim()}>{t('common.create')}</button>
      </form>
      <FormError error={err} />
      <div class="list">
        {!list && <p class="muted">{t('shell.loading_albums')}</p>}
        {list && list.map(a => <button key={a.id} class="row" style={{ border: 0, cursor: 'pointer', textAlign: 'left' }} onClick={() => add(a.id, a.title)}><Icon name="album" /><span class="grow">{a.title}</span><span class="muted">{a.count}</span></button>)}
      </div>
    </Dialog>
  )
}

export function Dialog({ title, onClose, children, actions }) {
  const ref = useRef(null)
  useEffect(() => {
    const prev = document.activeElement
    const first = ref.current.querySelector('input, select, textarea, button:not([data-close])')
    first && first.focus()
    const onKey = e => { if (e.key === 'Escape') { e.stopPropagation(); onClose() } }
    addEventListener('keydown', onKey, true)
    return () => { removeEventListener('keydown', onKey, true); prev && prev.focus && prev.focus() }
  }, [])
  return (
    <div class="scrim" onClick={e => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <div style={{ display: 'flex', alignItems: 'center' }}><h2 style={{ flex: 1, margin: 0 }}>{title}</h2><button class="ib" onClick={onClose} aria-label={t('common.close')} data-close><Icon name="close" /></button></div>
        <div style={{ marginTop: 12 }}>{children}</div>
        {actions && <div class="actions">{actions}</div>}
      </div>
    </div>
  )
}

function Shortcuts({ onClose }) {
  const keys = [
    ['/', t('shell.key_search')], ['?', t('shell.key_help')], ['u', t('shell.key_upload')], [t('shell.key_go_keys'), t('shell.key_go')],
    [t('shell.key_enter'), t('shell.key_open')], [t('shell.key_shift_click'), t('shell.key_range')], ['Esc', t('shell.key_esc')],
    ['← →', t('shell.key_prev_next')], ['i', t('shell.key_info')], ['f', t('shell.favourite')], ['+ −', t('shell.key_zoom')], ['1 – 5, 0', t('shell.key_stars')],
    [t('shell.key_space'), t('shell.key_pause')],
  ]
  return (
    <Dialog title={t('shell.shortcuts')} onClose={onClose}>
      <div class="kbd">{keys.map(([k, d]) => <><span key={k}><kbd>{k}</kbd></span><span>{d}</span></>)}</div>
    </Dialog>
  )
}

function Toasts() {
  const list = useStore(toasts)
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map(m => <div key={m.id} class={'toast ' + m.kind}>{m.message}</div>)}
    </div>
  )
}

// useUploads runs uploads one file at a time (a Pi has little bandwidth to
// spare) and handles drag and drop onto the window. When uploads are off,
// a drop says why instead of sending files the server would refuse.
function useUploads(enabled, reason) {
  const [items, setItems] = useState([])
  const [over, setOver] = useState(false)
  const on = useRef(enabled)
  on.current = enabled
  const queue = useRef([])
  const busy = useRef(false)
  const update = (id, patch) => setItems(l => l.map(x => (x.id === id ? { ...x, ...patch } : x)))
  const pump = async () => {
    if (busy.current) return
    busy.current = true
    let saved = 0
    while (queue.current.length) {
      const it = queue.current.shift()
      update(it.id, { status: 'uploading' })
      try {
        const r = await upload(it.file, f => update(it.id, { progress: f }))
        const res = (r && r.files && r.files[0]) || { status: 'saved' }
        update(it.id, { progress: 1, status: res.status, message: res.error || res.path || '' })
        if (res.status === 'saved') saved++
      } catch (e) {
        const res = e.body?.files?.[0]
        update(it.id, { status: res?.status || 'error', message: e.message })
      }
    }
    busy.current = false
    if (saved) { toast(t('shell.uploaded', { n: saved }), 'ok'); emit('photos-changed') }
  }
  let seq = useRef(0)
  const add = files => {
    const its = files.map(file => ({ id: ++seq.current, file, name: file.name, progress: 0, status: 'queued' }))
    queue.current.push(...its)
    setItems(l => [...l, ...its])
    pump()
  }
  useEffect(() => {
    let depth = 0
    const hasFiles = e => e.dataTransfer && [...e.dataTransfer.types].includes('Files')
    const enter = e => { if (!hasFiles(e)) return; depth++; setOver(true); e.preventDefault() }
    const leave = e => { if (!hasFiles(e)) return; if (--depth <= 0) { depth = 0; setOver(false) } }
    const overH = e => { if (hasFiles(e)) e.preventDefault() }
    const drop = e => {
      if (!hasFiles(e)) return
      e.preventDefault(); depth = 0; setOver(false)
      if (on.current) add([...e.dataTransfer.files])
      else toast(reason || t('shell.uploads_off_server'), 'error', 9000)
    }
    addEventListener('dragenter', enter); addEventListener('dragleave', leave); addEventListener('dragover', overH); addEventListener('drop', drop)
    return () => { removeEventListener('dragenter', enter); removeEventListener('dragleave', leave); removeEventListener('dragover', overH); removeEventListener('drop', drop) }
  }, [])
  const done = items.filter(i => !['queued', 'uploading'].includes(i.status)).length
  const added = items.filter(i => i.status === 'saved').length
  const label = { queued: t('shell.up_queued'), uploading: t('shell.up_uploading'), saved: t('shell.up_saved'), duplicate: t('shell.up_duplicate'), rejected: t('shell.up_rejected'), error: t('shell.up_error') }
  const panel = <>
    {over && (enabled
      ? <div class="dropzone">{t('shell.drop_here')}</div>
      : <div class="dropzone off"><div><b>{t('shell.uploads_off')}</b><p>{withCode(reason)}</p></div></div>)}
    {items.length > 0 && (
      <section class="uploads" aria-label={t('shell.uploads')}>
        <header><b style={{ flex: 1 }}>{done < items.length ? t('shell.uploading_of', { i: done + 1, n: items.length }) : t('shell.uploads_finished', { n: items.length })}</b>
          {added > 0 && <a class="btn show" href="/recent" title={t('shell.show_uploaded')}>{t('shell.show')}</a>}
          <button class="ib" aria-label={t('shell.close_uploads')} onClick={() => { if (done === items.length) setItems([]) }} disabled={done < items.length}><Icon name="close" /></button></header>
        <ul>{items.map(i => (
          <li key={i.id} data-status={i.status}>
            <div class="nm"><span>{i.name}</span><span class={'st-' + i.status}>{label[i.status] || i.status}</span></div>
            {(i.status === 'uploading' || i.status === 'queued') && <div class="bar" role="progressbar" aria-valuenow={Math.round(i.progress * 100)} aria-label={t('shell.uploading_name', { name: i.name })}><i style={{ width: `${i.progress * 100}%` }} /></div>}
            {i.message && i.status !== 'saved' && <div class="small muted">{i.message}</div>}
          </li>
        ))}</ul>
      </section>
    )}
  </>
  return { add, panel }
}
