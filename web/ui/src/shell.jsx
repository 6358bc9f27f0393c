// The app shell: session bootstrap, setup and login, the top bar, the left
// rail (bottom bar on phones), the selection bar, toasts, uploads and the
// keyboard shortcuts.
import { useEffect, useRef, useState } from 'preact/hooks'
import { canEdit } from './roles.js'
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

export const theme = store(localStorage.getItem('pinhole.theme') || 'system')
export function setTheme(t) {
  theme.set(t)
  localStorage.setItem('pinhole.theme', t)
  if (t === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = t
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
  const t = setInterval(check, 5000)
  return () => clearInterval(t)
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
    if (f.get('password') !== f.get('password2')) return setErr('The two passwords differ.')
    setBusy(true); setErr('')
    try {
      setSession(await api('POST', '/setup', { username: f.get('username'), password: f.get('password') }, { quiet: true }))
      navigate('/', { replace: true })
    } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label="Create the admin account">
        <Logo />
        <h1 style={{ marginBottom: 6 }}>Welcome</h1>
        <p>Create the administrator account. You can add people later in Settings.</p>
        <label class="field"><span>User name</span><input class="input" name="username" autocomplete="username" required autofocus /></label>
        <label class="field"><span>Password (at least 8 characters)</span><input class="input" name="password" type="password" minLength={8} autocomplete="new-password" required /></label>
        <label class="field"><span>Repeat password</span><input class="input" name="password2" type="password" minLength={8} autocomplete="new-password" required /></label>
        <FormError error={err} />
        <button class="btn primary" style={{ width: '100%' }} disabled={busy}>Create account</button>
      </form>
    </div>
  )
}

// SIGNIN_ERRORS are the sentences for the reasons a sign-in with the
// provider comes back refused (/?signin_error=…, web/oidc.go): fixed text,
// never words from the address.
const SIGNIN_ERRORS = {
  state: 'That sign-in took too long, was used already or was started in another browser. Please try again.',
  provider: 'The sign-in service did not complete the sign-in. Please try again.',
  token: 'The sign-in service’s answer could not be verified, so you were not signed in.',
  no_role: 'Your account at the sign-in service is not allowed to use Pinhole. Ask the person who runs it to add you.',
  name_taken: 'An account with your name already exists here and cannot be joined to yours automatically. Ask the person who runs Pinhole.',
  bad_name: 'The sign-in service gave no user name Pinhole can use. Ask the person who runs Pinhole.',
  denied: 'The sign-in was cancelled at the sign-in service.',
  unavailable: 'The sign-in service cannot be reached right now. Please try again in a moment.',
  internal: 'Something went wrong on the server while signing you in. Please try again.',
}

// signinError takes the reason the provider's sign-in was refused from the
// address (and removes it, so a reload does not show it again).
function signinError() {
  const q = new URLSearchParams(location.search)
  const k = q.get('signin_error')
  if (k === null) return ''
  q.delete('signin_error')
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''))
  return SIGNIN_ERRORS[k] || SIGNIN_ERRORS.internal
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
    <label class="field"><span>User name</span><input class="input" name="username" autocomplete="username" required autofocus={passwords && !provider} /></label>
    <label class="field"><span>Password</span><input class="input" name="password" type="password" autocomplete="current-password" required /></label>
    {passwords && <FormError error={err} />}
    <button class="btn primary" style={{ width: '100%' }} disabled={busy}>Log in</button>
  </>
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label="Log in">
        <Logo />
        <h1 style={{ marginBottom: 18 }}>Log in</h1>
        {provider && <a class="btn primary provider" href={provider.start} data-testid="oidc-signin"><Icon name="user" size={20} />Sign in with {provider.name}</a>}
        {provider && passwords && <div class="or" role="separator"><span>or with a Pinhole password</span></div>}
        {!passwords && <FormError error={err} />}
        {!how ? <div style={{ minHeight: 196 }} aria-busy="true" /> : passwords ? form : <details class="breakglass"><summary>Administrator’s emergency sign-in</summary>
          <p class="small">Passwords are off on this server: sign in with {provider ? provider.name : 'the sign-in service'}. Only the emergency administrator account can use a password here.</p>
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
      if (/password again/.test(e.message)) setTimeout(onBack, 2500)
    } finally { setBusy(false) }
  }
  return (
    <div class="auth">
      <form onSubmit={submit} aria-label="Two-factor code">
        <Logo />
        <h1 style={{ marginBottom: 6 }}>Enter your code</h1>
        <p>Open your authenticator app and enter the 6-digit code for Pinhole. Lost your phone? Enter one of your recovery codes instead.</p>
        <label class="field"><span>Code</span><input class="input code" name="code" inputmode="numeric" autocomplete="one-time-code" autocapitalize="off" spellcheck={false} maxLength={24} required autofocus /></label>
        <FormError error={err} />
        <button class="btn primary" style={{ width: '100%' }} disabled={busy}>Continue</button>
        <button type="button" class="btn" style={{ width: '100%', marginTop: 8 }} onClick={onBack}>Back</button>
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
        <h1 id="enrol-h" style={{ marginBottom: 6 }}>Two-factor sign‑in needed</h1>
        <p>{s.user?.username ? <b>{s.user.username}</b> : 'Your account'}: this server asks every {s.user?.role || 'account'} to sign in with a code from an authenticator app as well as the password. Set it up to continue.</p>
        <TOTPSetup onDone={async () => setSession(await get('/session'))} />
        <button type="button" class="btn" style={{ width: '100%', marginTop: 12 }} onClick={logout}><Icon name="logout" size={20} />Log out</button>
      </section>
    </div>
  )
}

const NAV = [
  ['/', 'photo', 'Library'],
  ['/albums', 'album', 'Albums'],
  ['/map', 'map', 'Places'],
  ['/folders', 'folder', 'Folders'],
  ['/favorites', 'heart', 'Favourites'],
]
export const MORE = [
  ['/recent', 'clock', 'Recently added'],
  ['/people', 'user', 'People'],
  ['/calendar', 'calendar', 'Calendar'],
  ['/archive', 'archive', 'Archive'],
  ['/private', 'lock', 'Private'],
  ['/missing', 'missing', 'Missing'],
  ['/dupes', 'copy', 'Duplicates', 'edit'], // a fourth element: only for those who edit
  ['/trash', 'trash', 'Trash', 'edit'],
  ['/settings', 'settings', 'Settings'],
]
// moreFor is MORE as this role sees it (viewers have no Trash).
export const moreFor = role => MORE.filter(m => !m[3] || canEdit(role))
// The one Places entry (/map) stands for both of its views (/map, /places).
const current = (href, path) => (href === '/' ? path === '/' : path === href || path.startsWith(href + '/') || (href === '/map' && path === '/places'))

function screenFor(r) {
  const p = r.path, q = r.query
  let m
  if (p === '/') return <LibraryPage />
  if (p === '/search') return <SearchPage query={q} />
  if (p === '/favorites') return <FilteredPage key="fav" title="Favourites" icon="heart" filters={{ favorite: 'true' }} empty="Tap the heart on a photo to keep it here." />
  if (p === '/archive') return <FilteredPage key="arc" title="Archive" icon="archive" filters={{ archived: 'true' }} empty="Archived photos are hidden from the library but kept. Nothing is archived." />
  if (p === '/private') return <FilteredPage key="prv" title="Private" icon="lock" filters={{ private: 'true' }} empty="Private photos are hidden from viewers and shares. None yet." />
  if (p === '/missing') return <FilteredPage key="mis" title="Missing files" icon="missing" filters={{ missing: 'true' }} empty="Every photo's file is where it was. Photos whose files disappear are kept here with everything you did to them." />
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
  return <div class="empty"><Icon name="missing" /><h2>Page not found</h2><p><a href="/">Back to the library</a></p></div>
}

// slideshowOf plays the screen's whole list (the grid's source, not only
// what it has loaded), named after the screen.
function slideshowOf(r) {
  const g = gridNow()
  if (!g) return
  const named = [...NAV, ...MORE].find(([href]) => href === r.path)
  startSlideshow({ title: named ? named[2] : r.path === '/search' ? 'Search' : '', source: g.source })
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
          <a class="logo" href="/" aria-label="Pinhole library"><i /><span>Pinhole</span></a>
          {searchOpen ? (
            <form class="searchbox" role="search" onSubmit={e => { e.preventDefault(); navigate('/search' + (q ? '?q=' + encodeURIComponent(q) : '')); searchRef.current.blur() }}>
              <Icon name="search" size={20} />
              <input ref={searchRef} type="search" placeholder={narrow ? 'Search' : 'Search photos, places, cameras…'} aria-label="Search (/)" value={q}
                onInput={e => setQ(e.currentTarget.value)} onBlur={() => { if (!q) setSearching(false) }} />
            </form>
          ) : <><span class="spacer" /><button class="ib" onClick={openSearch} aria-label="Search (/)" title="Search (/)"><Icon name="search" /></button></>}
          {narrow && searchOpen ? null : <>
          {grids > 0 && touchUI() && <button class="ib" onClick={() => selectMode.set(true)} aria-label="Select photos" title="Select"><Icon name="check" /></button>}
          {uploadsOn && <>
            <input ref={fileRef} type="file" multiple accept="image/*,video/*,.cr2,.cr3,.nef,.arw,.dng,.raf,.orf,.rw2,.heic" hidden onChange={e => { uploader.add([...e.currentTarget.files]); e.currentTarget.value = '' }} />
            <button class="ib" onClick={() => fileRef.current.click()} aria-label="Upload photos (u)" title="Upload (u)"><Icon name="upload" /></button>
          </>}
          {grids > 0 && <button class="ib" onClick={() => slideshowOf(r)} aria-label="Slideshow" title="Slideshow"><Icon name="slideshow" /></button>}
          {canWrite && !uploadsOn && <div style={{ position: 'relative' }}>
            <button class="ib off" aria-disabled="true" aria-expanded={upOff} aria-label="Upload photos (off)" title={s.uploads?.reason}
              onClick={() => setUpOff(o => !o)}><Icon name="upload" /></button>
            {upOff && <div class="menu upoff" role="dialog" aria-label="Uploads are off">
              <b>Uploads are off</b>
              <p data-testid="uploads-off">{withCode(s.uploads?.reason)}</p>
            </div>}
          </div>}
          </>}
          <div style={{ position: 'relative' }}>
            <button class="ib" onClick={() => setMenu(m => !m)} aria-label="Account menu" aria-expanded={menu} aria-haspopup="menu"><Icon name="user" /></button>
            {menu && (
              <div class="menu" role="menu" onClick={() => setMenu(false)}>
                <div class="who">Signed in as <b>{s.user?.username}</b> · {s.user?.role}</div>
                <a role="menuitem" href="/settings"><Icon name="settings" size={20} />Settings</a>
                <button role="menuitem" onClick={() => setHelp(true)}><Icon name="keyboard" size={20} />Keyboard shortcuts</button>
                <button role="menuitem" onClick={() => setTheme(theme.get() === 'dark' || (theme.get() === 'system' && !matchMedia('(prefers-color-scheme: light)').matches) ? 'light' : 'dark')}><Icon name="sun" size={20} />Switch theme</button>
                <button role="menuitem" onClick={logout}><Icon name="logout" size={20} />Log out</button>
              </div>
            )}
          </div>
        </header>
      )}
      <nav class="rail" aria-label="Main">
        {NAV.map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
        <hr />
        {moreFor(s.user?.role).map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
      </nav>
      <main class="main" id="main">{screenFor(r)}</main>
      <nav class="nav" aria-label="Main">
        {NAV.slice(0, 4).map(([href, icon, label]) => <a key={href} href={href} aria-current={current(href, r.path) ? 'page' : undefined}><Icon name={icon} />{label}</a>)}
        <a href="/more" aria-current={r.path === '/more' || MORE.some(([h]) => current(h, r.path)) || r.path === '/favorites' ? 'page' : undefined}><Icon name="more" />More</a>
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
  const batch = async (flags, msg) => {
    try {
      const r = await api('POST', '/photos/batch', { photo_ids: ids, ...flags })
      for (const p of sel.values()) Object.assign(p, flags)
      toast(`${msg} ${r?.updated ?? ids.length} photo${ids.length === 1 ? '' : 's'}`, 'ok')
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
    { icon: 'refresh', label: 'Restore', run: async () => { if (await restore(ids)) clearSelection() } },
    { icon: 'trash', label: forGood(tst), run: () => setForever(true) },
  ] : [
    { icon: 'plus', label: 'Add to album', run: () => setAlbums(true) },
    { icon: 'heart', label: 'Favourite', run: () => batch({ favorite: true }, 'Favourited') },
    album && {
      icon: 'trash', label: 'Remove from album',
      run: async () => { try { const r = await api('DELETE', `/albums/${album[1]}/photos`, { photo_ids: ids }); toast(`Removed ${r?.removed ?? ids.length} from the album`, 'ok'); clearSelection(); emit('photos-changed'); emit('album-changed') } catch { /* toast */ } },
    },
    { icon: 'download', label: 'Download', run: dl },
    { icon: 'edit', label: 'Edit', run: () => import('./batch.jsx').then(m => setEdit(() => m.default)).catch(e => toast('Could not open the editor: ' + e.message, 'error')) },
    album && {
      icon: 'image', label: 'Use as album cover', disabled: ids.length !== 1,
      run: async () => { try { await api('PATCH', `/albums/${album[1]}`, { cover_photo_id: ids[0] }); toast('Album cover set', 'ok'); clearSelection(); emit('album-changed') } catch { /* toast */ } },
    },
    { icon: 'archive', label: 'Archive', run: () => batch({ archived: true }, 'Archived') },
    // Photos of one's own space only (src/spaces.jsx): partners stop seeing them.
    [...sel.values()].every(p => p.owner_user) && {
      icon: 'lock', label: 'Only me',
      run: async () => { try { const r = await api('PUT', '/photos/only-me', { photo_ids: ids, only_me: true }); for (const p of sel.values()) p.only_me = true; toast(`${r?.updated ?? ids.length} now Only me`, 'ok'); clearSelection(); emit('photos-changed') } catch { /* toast */ } },
    },
    { icon: 'slideshow', label: 'Slideshow', run: () => startSlideshow({ title: `${ids.length} selected`, photos: newestFirst([...sel.values()]) }) },
    { icon: 'lock', label: 'Make private', run: () => batch({ private: true }, 'Made private') },
    mayTrash && { icon: 'trash', label: 'Move to Trash', run: toTrash },
  ].filter(Boolean)
  const shown = narrow ? actions.slice(0, 3) : actions
  const folded = narrow ? actions.slice(3) : []
  return (
    <div class="selbar" role="toolbar" aria-label="Selection">
      <button class="ib" onClick={clearSelection} aria-label="Done" title="Done (Esc)"><Icon name="check" /></button>
      <b>{none ? 'Select photos' : `${sel.size} selected`}</b>
      <span class="spacer" />
      {shown.map(a => <button key={a.label} class="ib" onClick={a.run} aria-label={a.label} title={a.label} disabled={none || a.disabled}><Icon name={a.icon} /></button>)}
      {folded.length > 0 && <button class="ib" onClick={() => setMore(m => !m)} aria-label="More actions" aria-haspopup="menu" aria-expanded={more}><Icon name="more" /></button>}
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
      toast(`Added ${r?.added ?? ids.length} to ${name}`, 'ok')
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
    <Dialog title="Add to album" onClose={onClose}>
      <form onSubmit={create} style={{ display: 'flex', gap: 8, marginBottom: 14 }}>
        <input class="input" placeholder="New album title" aria-label="New album title" value={title} onInput={e => setTitle(e.currentTarget.value)} />
        <button class="btn primary" disabled={!title.trim()}>Create</button>
      </form>
      <FormError error={err} />
      <div class="list">
        {!list && <p class="muted">Loading albums…</p>}
        {list && list.map(a => <button key={a.id} class="row" style={{ border: 0, cursor: 'pointer', textAlign: 'left' }} onClick={() => add(a.id, a.title)}><Icon name="album" /><span class="grow">{a.title}</span><span class="muted">{a.count}</span></button>)}
      </div>
    </Dialog>
  )
}

export function Dialog({ title, onClose, children, actions }) {
  const ref = useRef(null)
  useEffect(() => {
    const prev = document.activeElement
    const first = ref.current.querySelector('input, select, textarea, button:not([aria-label=Close])')
    first && first.focus()
    const onKey = e => { if (e.key === 'Escape') { e.stopPropagation(); onClose() } }
    addEventListener('keydown', onKey, true)
    return () => { removeEventListener('keydown', onKey, true); prev && prev.focus && prev.focus() }
  }, [])
  return (
    <div class="scrim" onClick={e => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <div style={{ display: 'flex', alignItems: 'center' }}><h2 style={{ flex: 1, margin: 0 }}>{title}</h2><button class="ib" onClick={onClose} aria-label="Close"><Icon name="close" /></button></div>
        <div style={{ marginTop: 12 }}>{children}</div>
        {actions && <div class="actions">{actions}</div>}
      </div>
    </div>
  )
}

function Shortcuts({ onClose }) {
  const keys = [
    ['/', 'Focus search'], ['?', 'This list'], ['u', 'Upload'], ['g then l / a / m', 'Library, albums, map'],
    ['Enter', 'Open the focused photo'], ['Shift + click', 'Select a range'], ['Esc', 'Close, clear selection'],
    ['← →', 'Previous / next photo'], ['i', 'Info panel'], ['f', 'Favourite'], ['+ −', 'Zoom'], ['1 – 5, 0', 'Stars, no stars'],
    ['Space', 'Pause a slideshow or memory'],
  ]
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <div class="kbd">{keys.map(([k, d]) => <><span key={k}><kbd>{k}</kbd></span><span>{d}</span></>)}</div>
    </Dialog>
  )
}

function Toasts() {
  const list = useStore(toasts)
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map(t => <div key={t.id} class={'toast ' + t.kind}>{t.message}</div>)}
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
    if (saved) { toast(`Uploaded ${saved} file${saved === 1 ? '' : 's'}`, 'ok'); emit('photos-changed') }
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
      else toast(reason || 'Uploads are off on this server.', 'error', 9000)
    }
    addEventListener('dragenter', enter); addEventListener('dragleave', leave); addEventListener('dragover', overH); addEventListener('drop', drop)
    return () => { removeEventListener('dragenter', enter); removeEventListener('dragleave', leave); removeEventListener('dragover', overH); removeEventListener('drop', drop) }
  }, [])
  const done = items.filter(i => !['queued', 'uploading'].includes(i.status)).length
  const added = items.filter(i => i.status === 'saved').length
  const label = { queued: 'Waiting', uploading: 'Uploading', saved: 'Added', duplicate: 'Already in library', rejected: 'Refused', error: 'Failed' }
  const panel = <>
    {over && (enabled
      ? <div class="dropzone">Drop photos to upload them</div>
      : <div class="dropzone off"><div><b>Uploads are off</b><p>{withCode(reason)}</p></div></div>)}
    {items.length > 0 && (
      <section class="uploads" aria-label="Uploads">
        <header><b style={{ flex: 1 }}>{done < items.length ? `Uploading ${done + 1} of ${items.length}` : `Uploads finished (${items.length})`}</b>
          {added > 0 && <a class="btn show" href="/recent" title="Show the uploaded photos in Recently added">Show</a>}
          <button class="ib" aria-label="Close uploads" onClick={() => { if (done === items.length) setItems([]) }} disabled={done < items.length}><Icon name="close" /></button></header>
        <ul>{items.map(i => (
          <li key={i.id} data-status={i.status}>
            <div class="nm"><span>{i.name}</span><span class={'st-' + i.status}>{label[i.status] || i.status}</span></div>
            {(i.status === 'uploading' || i.status === 'queued') && <div class="bar" role="progressbar" aria-valuenow={Math.round(i.progress * 100)} aria-label={`Uploading ${i.name}`}><i style={{ width: `${i.progress * 100}%` }} /></div>}
            {i.message && i.status !== 'saved' && <div class="small muted">{i.message}</div>}
          </li>
        ))}</ul>
      </section>
    )}
  </>
  return { add, panel }
}
