// The library's screens: timeline, search, filtered lists, albums, folders,
// places, calendar and the page a share-link visitor sees.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, cover, get, qs, session, thumb, toast } from './api.js'
import { Grid } from './grid.jsx'
import { canEdit as mayEdit } from './roles.js'
import { Icon } from './icons.jsx'
import { countryName, fmtDate, fmtNum, locale, monthShort, t } from './i18n.js'
import { navigate } from './router.js'
import { Dialog, FormError, Logo, moreFor, useFormError } from './shell.jsx'
import { on } from './store.js'
import { MemoriesStrip, useMemories } from './memories.jsx'
import { startSlideshow } from './show.jsx'

// photoSource lists photos matching filters, month by month.
export function photoSource(filters) {
  const q = qs(filters)
  return {
    key: 'photos' + q,
    months: () => get('/photos/months' + q).then(r => r.months || []),
    page: ({ year, month, cursor, limit }) => get('/photos' + qs({ ...filters, year, month, cursor, limit: limit || 500 })),
  }
}

function Empty({ icon = 'photo', title, children }) {
  return <div class="empty"><Icon name={icon} /><h2>{title}</h2><p>{children}</p></div>
}

export function LibraryPage() {
  const src = useMemo(() => photoSource({}), [])
  const up = session.get().uploads
  // Memories are the grid's header: the strip scrolls with the photos and
  // the grid lays its months out below it, untouched.
  const memories = useMemories()
  return <Grid source={src} header={memories && memories.length ? <MemoriesStrip memories={memories} /> : null} empty={
    <Empty title={t('screens.library_empty_title')}>{!up || up.enabled ? t('screens.library_empty_upload') : t('screens.library_empty')}</Empty>} />
}

export function FilteredPage({ title, icon, filters, empty }) {
  const src = useMemo(() => photoSource(filters), [JSON.stringify(filters)])
  // German writes its nouns with a capital, so the screen's name stays as it is.
  const what = locale() === 'de' ? title : title.toLocaleLowerCase(locale())
  return <Grid source={src} header={<div class="page-head" style={{ margin: 0 }}><Icon name={icon} /><h1>{title}</h1></div>}
    empty={<Empty icon={icon} title={t('screens.nothing_in', { what })}>{empty}</Empty>} />
}

// The search screen lives in search.jsx.
export { SearchPage } from './search.jsx'

export function MorePage() {
  return (
    <div class="page">
      <div class="list" style={{ maxWidth: 520 }}>
        {[['/favorites', 'heart', t('screens.favourites')], ...moreFor(session.get().user?.role)].map(([href, icon, label]) => <a key={href} class="row" href={href} style={{ color: 'var(--fg)' }}><Icon name={icon} /><span class="grow">{label}</span><Icon name="right" size={18} /></a>)}
      </div>
    </div>
  )
}

function Cards({ items, skeleton = 6 }) {
  if (!items) return <div class="cards" aria-busy="true">{Array.from({ length: skeleton }, (_, i) => <div key={i} class="card skeleton"><div class="cv" /><b /></div>)}</div>
  return (
    <div class="cards">
      {items.map(it => (
        <a key={it.href} class="card" href={it.href}>
          <div class="cv">{it.cover ? <img src={it.cover} alt="" loading="lazy" /> : <Icon name={it.icon || 'photo'} size={40} />}</div>
          <b>{it.title}</b>
          <small>{it.sub}</small>
        </a>
      ))}
    </div>
  )
}

export function AlbumsPage() {
  const [albums, setAlbums] = useState(null)
  const [create, setCreate] = useState(false)
  const [order, setOrder] = useState(false)
  const canEdit = mayEdit(session.get().user?.role)
  const load = () => get('/albums').then(r => setAlbums(r.albums || [])).catch(() => setAlbums([]))
  useEffect(() => { load(); return on('album-changed', load) }, [])
  return (
    <div class="page">
      <div class="page-head"><h1 style={{ flex: 1 }}>{t('screens.albums')}</h1>
        {canEdit && albums?.length > 1 && <button class="btn" onClick={() => setOrder(true)}><Icon name="grip" size={18} />{t('screens.reorder')}</button>}
        <button class="btn primary" onClick={() => setCreate(true)}><Icon name="plus" size={20} />{t('screens.new_album')}</button></div>
      {albums && !albums.length
        ? <Empty icon="album" title={t('screens.albums_empty_title')}>{t('screens.albums_empty')}</Empty>
        : <Cards items={albums && albums.map(a => ({ href: `/albums/${a.id}`, title: a.title, sub: t('screens.items', { n: a.count }), cover: cover(a.cover_hash), icon: 'album' }))} />}
      {create && <NewAlbum onClose={() => setCreate(false)} />}
      {order && <ReorderDialog kind="album" load={() => get('/albums').then(r => r.albums || [])}
        save={items => api('PUT', '/albums/order', { album_ids: items.map(a => a.id) })}
        img={a => cover(a.cover_hash, 'tile_224')} label={a => a.title}
        onClose={() => setOrder(false)} onSaved={load} />}
    </div>
  )
}

function NewAlbum({ onClose }) {
  const [title, setTitle] = useState('')
  const [desc, setDesc] = useState('')
  const [err, setErr] = useFormError()
  const submit = async e => {
    e.preventDefault()
    setErr('')
    try {
      const a = await api('POST', '/albums', { title: title.trim(), description: desc }, { quiet: true })
      toast(t('screens.album_created', { title: title.trim() }), 'ok')
      onClose()
      navigate(`/albums/${a.id ?? a.album?.id}`)
    } catch (e) { setErr(e.message) }
  }
  return (
    <Dialog title={t('screens.new_album')} onClose={onClose}>
      <form onSubmit={submit}>
        <label class="field"><span>{t('screens.title')}</span><input class="input" name="title" required value={title} onInput={e => setTitle(e.currentTarget.value)} /></label>
        <label class="field"><span>{t('screens.description')}</span><textarea class="input" value={desc} onInput={e => setDesc(e.currentTarget.value)} /></label>
        <FormError error={err} />
        <div class="actions"><button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button><button class="btn primary" disabled={!title.trim()}>{t('common.create')}</button></div>
      </form>
    </Dialog>
  )
}

export function AlbumPage({ id }) {
  const [album, setAlbum] = useState(null)
  const [err, setErr] = useState('')
  const [dialog, setDialog] = useState('')
  const [ver, setVer] = useState(0)
  const load = () => get(`/albums/${id}`, { quiet: true }).then(r => setAlbum(r.album || r)).catch(e => setErr(e.message))
  useEffect(() => { load(); return on('album-changed', () => { load(); setVer(v => v + 1) }) }, [id])
  const src = useMemo(() => ({
    key: `album${id}:${ver}`,
    page: ({ cursor }) => get('/photos' + qs({ album: id, sort: 'position', cursor, limit: 200 })),
  }), [id, ver])
  if (err) return <Empty icon="album" title={t('screens.album_not_found')}>{err}</Empty>
  const del = async () => {
    if (!confirm(t('screens.delete_album_confirm', { title: album.title }))) return
    try { await api('DELETE', `/albums/${id}`); toast(t('screens.album_deleted'), 'ok'); navigate('/albums') } catch { /* toast */ }
  }
  const head = (
    <div>
      <div class="crumbs"><a href="/albums">{t('screens.albums')}</a><Icon name="right" size={16} /></div>
      <div class="page-head" style={{ margin: '4px 0 0' }}>
        <div style={{ flex: 1, minWidth: 200 }}>
          <h1>{album ? album.title : '…'}</h1>
          <div class="muted small">{album ? t('screens.items', { n: album.count }) : ''}{album?.description ? ` · ${album.description}` : ''}</div>
        </div>
        <button class="btn" onClick={() => setDialog('share')}><Icon name="share" size={18} />{t('common.share')}</button>
        <button class="btn" onClick={() => setDialog('order')}><Icon name="grip" size={18} />{t('screens.reorder')}</button>
        <button class="btn" onClick={() => setDialog('edit')}><Icon name="edit" size={18} /><span class="hide-phone">{t('common.edit')}</span></button>
        <button class="ib" onClick={del} aria-label={t('screens.delete_album')} title={t('screens.delete_album')}><Icon name="trash" /></button>
      </div>
    </div>
  )
  return (
    <>
      <Grid source={src} header={head} scrubber={false} empty={<Empty icon="album" title={t('screens.album_empty_title')}>{t('screens.album_empty')}</Empty>} />
      {dialog === 'share' && album && <ShareDialog album={album} onClose={() => setDialog('')} />}
      {dialog === 'order' && album && <ReorderDialog kind="photo" load={() => albumPhotos(album.id)}
        save={items => api('PUT', `/albums/${album.id}/order`, { photo_ids: items.map(p => p.id) })}
        img={p => thumb(p, 'tile_224')} label={(p, i) => p.title || t('screens.photo_n', { i: i + 1 })}
        onClose={() => setDialog('')} onSaved={() => setVer(v => v + 1)} />}
      {dialog === 'edit' && album && <EditAlbum album={album} onClose={() => setDialog('')} onSaved={load} />}
    </>
  )
}

function EditAlbum({ album, onClose, onSaved }) {
  const [title, setTitle] = useState(album.title)
  const [desc, setDesc] = useState(album.description || '')
  const [err, setErr] = useFormError()
  const submit = async e => {
    e.preventDefault()
    setErr('')
    try { await api('PATCH', `/albums/${album.id}`, { title, description: desc }, { quiet: true }); toast(t('screens.album_saved'), 'ok'); onSaved(); onClose() } catch (e) { setErr(e.message) }
  }
  return (
    <Dialog title={t('screens.edit_album')} onClose={onClose}>
      <form onSubmit={submit}>
        <label class="field"><span>{t('screens.title')}</span><input class="input" required value={title} onInput={e => setTitle(e.currentTarget.value)} /></label>
        <label class="field"><span>{t('screens.description')}</span><textarea class="input" value={desc} onInput={e => setDesc(e.currentTarget.value)} /></label>
        <p class="muted small">{t('screens.cover_hint')}</p>
        <FormError error={err} />
        <div class="actions"><button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button><button class="btn primary">{t('common.save')}</button></div>
      </form>
    </Dialog>
  )
}

function ShareDialog({ album, onClose }) {
  const [shares, setShares] = useState(null)
  const [days, setDays] = useState('7')
  const [password, setPassword] = useState('')
  const [downloads, setDownloads] = useState(true)
  const [err, setErr] = useFormError()
  const [locations, setLocations] = useState(false)
  const [frameFor, setFrameFor] = useState(0) // the share whose photo frame link shows
  const load = () => get('/shares' + qs({ album: album.id })).then(r => setShares((r.shares || []).filter(s => !s.revoked))).catch(() => setShares([]))
  useEffect(() => { load() }, [])
  const create = async e => {
    e.preventDefault()
    setErr('')
    try {
      const body = {}
      if (days !== '0') body.expires_in_days = +days
      if (password) body.password = password
      body.downloads = downloads
      body.include_locations = locations
      const s = await api('POST', `/albums/${album.id}/shares`, body, { quiet: true })
      setPassword('')
      await load()
      copy(linkOf(s.share || s))
    } catch (e) { setErr(e.message) }
  }
  const revoke = async s => {
    try { await api('DELETE', `/shares/${s.id}`); toast(t('screens.link_revoked'), 'ok'); load() } catch { /* toast */ }
  }
  const setDl = async (s, on) => {
    try {
      await api('PATCH', `/shares/${s.id}`, { downloads: on })
      toast(on ? t('screens.downloads_on') : t('screens.downloads_off'), 'ok', 2200)
      load()
    } catch { /* toast */ }
  }
  const setLoc = async (s, on) => {
    try {
      await api('PATCH', `/shares/${s.id}`, { include_locations: on })
      toast(on ? t('screens.locations_on') : t('screens.locations_off'), 'ok', 2200)
      load()
    } catch { /* toast */ }
  }
  return (
    <Dialog title={t('screens.share_title', { title: album.title })} onClose={onClose}>
      <form onSubmit={create}>
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 10 }}>
          <label class="field"><span>{t('screens.link_expires')}</span>
            <select class="input" value={days} onChange={e => setDays(e.currentTarget.value)} aria-label={t('screens.link_expires')}>
              {[1, 7, 30].map(n => <option key={n} value={String(n)}>{t('screens.in_days', { n })}</option>)}<option value="365">{t('screens.in_a_year')}</option><option value="0">{t('screens.never')}</option>
            </select></label>
          <label class="field"><span>{t('screens.password_optional')}</span><input class="input" type="password" autocomplete="new-password" value={password} onInput={e => setPassword(e.currentTarget.value)} aria-label={t('screens.share_password')} /></label>
        </div>
        <label class="check"><input type="checkbox" checked={downloads} onChange={e => setDownloads(e.currentTarget.checked)} />{t('screens.downloads_on')}</label>
        <label class="check"><input type="checkbox" checked={locations} onChange={e => setLocations(e.currentTarget.checked)} />{t('screens.include_locations')}</label>
        <FormError error={err} />
        <button class="btn primary"><Icon name="share" size={18} />{t('screens.create_link')}</button>
      </form>
      <h3 style={{ fontSize: 14, margin: '20px 0 8px' }}>{t('screens.active_links')}</h3>
      <div class="list">
        {!shares && <p class="muted">{t('common.loading')}</p>}
        {shares && !shares.length && <p class="muted small">{t('screens.no_links')}</p>}
        {shares && shares.map(s => (
          <div class="row" key={s.id} data-share={s.id}>
            <div class="grow" style={{ flex: '1 1 100%' }}>
              <input class="input share-url" readOnly value={linkOf(s)} aria-label={t('screens.share_link')} onFocus={e => e.currentTarget.select()} style={{ minHeight: 36, padding: '6px 10px' }} />
              <div class="small muted" style={{ marginTop: 4 }}>
                {[s.expires_at ? (s.expired ? t('screens.link_expired') : t('screens.link_expires_at', { date: fmtDate(new Date(s.expires_at), { dateStyle: 'medium', timeStyle: 'short' }) })) : t('screens.never_expires'),
                  s.has_password && t('screens.with_password'), t('screens.views', { n: s.views || 0 })].filter(Boolean).join(' · ')}
              </div>
              <label class="check small"><input type="checkbox" checked={s.downloads !== false} onChange={e => setDl(s, e.currentTarget.checked)} aria-label={t('screens.allow_downloads')} />{t('screens.downloads_allowed')}</label>
              <label class="check small"><input type="checkbox" checked={!!s.include_locations} onChange={e => setLoc(s, e.currentTarget.checked)} aria-label={t('screens.share_locations')} />{t('screens.exact_locations')}</label>
              {frameFor === s.id && <div class="frame-link">
                <output class="frame-url" aria-label={t('screens.frame_link')}>{frameLinkOf(s)}</output>
                <FrameHelp />
              </div>}
            </div>
            <span class="spacer" />
            <button class="btn" onClick={() => copy(linkOf(s))} aria-label={t('screens.copy_link')} title={t('screens.copy_link')}><Icon name="copy" size={18} />{t('screens.copy_link')}</button>
            <button class="btn" onClick={() => { setFrameFor(s.id); copy(frameLinkOf(s), t('screens.frame_link_copied')) }} aria-label={t('screens.copy_frame_link')}
              title={t('screens.frame_link_title')}><Icon name="frame" size={18} />{t('screens.frame_link')}</button>
            <button class="btn danger" onClick={() => revoke(s)}>{t('screens.revoke')}</button>
          </div>
        ))}
      </div>
    </Dialog>
  )
}

// FrameHelp says how the photo frame link is used; the sentence names a
// piece of the link ({code}), shown as code wherever the language puts it.
function FrameHelp() {
  const [before, after = ''] = t('screens.frame_help').split('{code}')
  return <div class="small muted">{before}<code>{INTERVAL}</code>{after}</div>
}
const INTERVAL = '&interval=60'

const linkOf = s => location.origin + (s.url || `/s/${s.token}`)
// The same link as a photo frame (frame.jsx): full screen, shuffled, for ever.
const frameLinkOf = s => linkOf(s) + '?frame=1'
// copy puts text on the clipboard and says so with done (a share link's
// own words when done is not given); where the browser refuses, the toast
// shows what to copy by hand.
async function copy(text, done) {
  try { await navigator.clipboard.writeText(text); toast(done || t('screens.link_copied'), 'ok', 2500) } catch {
    toast(done ? text : t('screens.link_created_copy'), 'info', 9000)
  }
}

// ReorderDialog lets a person put items in order by dragging them or with
// the arrows; `kind` says what they are ("photo", "album"), load gives the
// list in its current order and save stores the new one.
function ReorderDialog({ kind, load, save, img, label, onClose, onSaved }) {
  const [items, setItems] = useState(null)
  const [drag, setDrag] = useState(null)
  useEffect(() => { load().then(setItems).catch(() => setItems([])) }, [])
  const move = (i, j) => setItems(l => {
    if (j < 0 || j >= l.length) return l
    const n = l.slice(); const [x] = n.splice(i, 1); n.splice(j, 0, x); return n
  })
  const store = async () => {
    try { await save(items); toast(t('screens.order_saved'), 'ok'); onSaved(); onClose() } catch { /* toast */ }
  }
  const albums = kind === 'album'
  return (
    <Dialog title={albums ? t('screens.reorder_albums') : t('screens.reorder_photos')} onClose={onClose} actions={<><button class="btn" onClick={onClose}>{t('common.cancel')}</button><button class="btn primary" onClick={store} disabled={!items}>{t('screens.save_order')}</button></>}>
      <p class="muted small" style={{ marginTop: 0 }}>{albums ? t('screens.drag_albums') : t('screens.drag_photos')}</p>
      {!items ? <p class="muted">{t('common.loading')}</p> : (
        <div class="reorder">
          {items.map((x, i) => (
            <div key={x.id} class={'it' + (drag === i ? ' drag' : '')} draggable data-id={x.id}
              onDragStart={() => setDrag(i)} onDragEnd={() => setDrag(null)}
              onDragOver={e => { e.preventDefault(); if (drag != null && drag !== i) { move(drag, i); setDrag(i) } }}>
              {img(x) ? <img src={img(x)} alt={label(x, i)} /> : <div class="ph"><Icon name={kind} size={36} /></div>}
              {albums && <span class="cap">{label(x, i)}</span>}
              <div class="mv">
                <button onClick={() => move(i, i - 1)} aria-label={albums ? t('screens.move_album_earlier', { i: i + 1 }) : t('screens.move_photo_earlier', { i: i + 1 })}><Icon name="left" size={18} /></button>
                <button onClick={() => move(i, i + 1)} aria-label={albums ? t('screens.move_album_later', { i: i + 1 }) : t('screens.move_photo_later', { i: i + 1 })}><Icon name="right" size={18} /></button>
              </div>
            </div>
          ))}
        </div>
      )}
    </Dialog>
  )
}

// albumPhotos is an album's photos in their order, up to 5000.
async function albumPhotos(id) {
  const all = []
  let cursor = ''
  do {
    const r = await get('/photos' + qs({ album: id, sort: 'position', cursor, limit: 500 }))
    all.push(...(r.photos || []))
    cursor = r.next
  } while (cursor && all.length < 5000)
  return all
}

export function FoldersPage({ path }) {
  const [f, setF] = useState(null)
  const [err, setErr] = useState('')
  useEffect(() => { setF(null); get('/folders' + qs({ path }), { quiet: true }).then(setF).catch(e => setErr(e.message)) }, [path])
  const src = useMemo(() => photoSource({ folder: path }), [path])
  if (err) return <Empty icon="folder" title={t('screens.folder_not_found')}>{err}</Empty>
  const crumbs = f ? [...(f.parents || []), f.folder].filter(Boolean) : []
  const head = (
    <div>
      <div class="crumbs" style={{ marginBottom: 10 }}>
        <a href="/folders">{t('screens.originals')}</a>
        {crumbs.filter(c => c.path).map(c => <><Icon name="right" size={16} key={'i' + c.path} /><a key={c.path} href={'/folders' + qs({ path: c.path })}>{c.name}</a></>)}
      </div>
      <Cards skeleton={4} items={f && (f.children || []).map(c => ({ href: '/folders' + qs({ path: c.path }), title: c.name, sub: t('screens.items', { n: c.total ?? c.photos }), cover: cover(c.cover_hash, 'tile_500', f.thumb_token), icon: 'folder' }))} />
      {f && f.folder && f.folder.photos > 0 && <h2 style={{ margin: '20px 0 0' }}>{t('screens.photos_in_folder', { n: f.folder.photos })}</h2>}
    </div>
  )
  return <Grid source={src} header={head} scrubber={false} empty={f && !(f.children || []).length ? <Empty icon="folder" title={t('screens.empty_folder')}>{t('screens.empty_folder_text')}</Empty> : <span />} />
}

// PlacesPage is the one Places screen: the map (/map, or /places?view=map)
// and the list of countries, regions and cities (/places), switched by a
// toggle at its top.
export function PlacesPage({ query, view }) {
  if (view === 'map') return <div class="places"><PlacesBar view="map"><h1>{t('screens.places')}</h1></PlacesBar><LazyMap query={query} /></div>
  return <PlacesList query={query} />
}

function PlacesBar({ view, children }) {
  const go = v => navigate(v === 'map' ? '/map' : '/places')
  return (
    <div class="places-bar">
      {children}
      <span class="spacer" />
      <div class="seg" role="group" aria-label={t('screens.show_places_as')}>
        <button aria-pressed={view === 'map'} onClick={() => go('map')}><Icon name="map" size={18} />{t('screens.map')}</button>
        <button aria-pressed={view !== 'map'} onClick={() => go('list')}><Icon name="pin" size={18} />{t('screens.list')}</button>
      </div>
    </div>
  )
}

// LazyMap loads the map's own chunk (Leaflet) only when the map is shown.
function LazyMap(props) {
  const [M, setM] = useState(null)
  useEffect(() => { import('./map.jsx').then(m => setM(() => m.default)).catch(e => toast(t('screens.map_failed', { error: e.message }), 'error')) }, [])
  return M ? <M {...props} /> : <div class="empty" aria-busy="true">{t('screens.loading_map')}</div>
}

function PlacesList({ query }) {
  const [r, setR] = useState(null)
  const country = query.country || '', state = query.state || ''
  useEffect(() => { setR(null); get('/places' + qs({ country, state })).then(setR).catch(() => setR({ places: [] })) }, [country, state])
  const places = r ? r.places || [] : null
  const countryTitle = countryName(country, places && places[0] ? places[0].country : country)
  const items = places && places.map(p => {
    const lvl = r.level
    const href = lvl === 'country' ? '/places' + qs({ country: p.country_code })
      : lvl === 'state' ? '/places' + qs({ country: p.country_code || country, state: p.state })
        : '/search' + qs({ country: p.country_code || country, state: p.state || state, city: p.city })
    const title = lvl === 'country' ? countryName(p.country_code, p.country) : lvl === 'state' ? p.state || t('screens.unknown_region') : p.city || t('screens.elsewhere')
    return { href, title, sub: t('common.photos', { n: p.count }), cover: cover(p.cover_hash, 'tile_500', r.thumb_token), icon: 'pin' }
  })
  return (
    <div class="places">
      <PlacesBar view="list">
        <div class="crumbs">
          <a href="/places">{t('screens.places')}</a>
          {country && <><Icon name="right" size={16} /><a href={'/places' + qs({ country })}>{countryTitle}</a></>}
          {state && <><Icon name="right" size={16} /><a href={'/places' + qs({ country, state })}>{state}</a></>}
        </div>
      </PlacesBar>
      <div class="page">
        {places && !places.length
          ? <Empty icon="pin" title={t('screens.places_empty_title')}>{t('screens.places_empty')}</Empty>
          : <Cards items={items} />}
      </div>
    </div>
  )
}

export function CalendarPage() {
  const [years, setYears] = useState(null)
  useEffect(() => { get('/calendar').then(r => setYears(r.years || [])).catch(() => setYears([])) }, [])
  return (
    <div class="page">
      <div class="page-head"><h1>{t('screens.calendar')}</h1></div>
      {!years && <Cards items={null} />}
      {years && !years.length && <Empty icon="calendar" title={t('screens.calendar_empty_title')}>{t('screens.calendar_empty')}</Empty>}
      {years && years.map(y => (
        <section class="cal-year" key={y.year}>
          <h2><a href={'/search' + qs({ year: y.year })} style={{ color: 'var(--fg)' }}>{y.year}</a> <span class="muted small">{t('common.photos', { n: y.count })}</span></h2>
          <div class="cal-months">
            {(y.months || []).slice().sort((a, b) => a.month - b.month).map(m => (
              <a key={m.month} href={'/search' + qs({ year: y.year, month: m.month })}><b>{monthShort(m.month)}</b><small>{fmtNum(m.count)}</small></a>
            ))}
          </div>
        </section>
      ))}
    </div>
  )
}

// SharedPage is what someone with a share link sees: no account, only the
// album, its photos and downloads, all authorised by the link's token.
export function SharedPage({ token, query = {} }) {
  if (query.frame) return <LazyFrame token={token} query={query} />
  return <SharedAlbum token={token} />
}

// LazyFrame loads the photo frame's chunk (frame.jsx) and, while it
// loads, shows the black of the frame, not a page.
function LazyFrame(props) {
  const [F, setF] = useState(null)
  useEffect(() => {
    let wait = 1000
    const load = () => import('./frame.jsx').then(m => setF(() => m.default)).catch(() => { setTimeout(load, wait); wait = Math.min(wait * 2, 60000) })
    load()
  }, [])
  return F ? <F {...props} /> : <div class="frame-page" data-state="loading" />
}

function SharedAlbum({ token }) {
  const [info, setInfo] = useState(null)
  const [state, setState] = useState('loading') // loading | password | gone | ok
  const [access, setAccess] = useState('')
  const [err, setErr] = useFormError()
  const base = `/s/${encodeURIComponent(token)}`
  const headers = access ? { 'X-Share-Access': access } : {}
  const load = async () => {
    try {
      const r = await get(base, { quiet: true, headers, keepToken: true })
      setInfo(r); setState('ok')
    } catch (e) {
      if (e.status === 401 && e.body?.password_required) setState('password')
      else { setErr(e.message); setState('gone') }
    }
  }
  useEffect(() => { load() }, [access])
  const src = useMemo(() => ({
    key: 'share' + token + access + (info ? 1 : 0),
    shared: true,
    downloads: info?.downloads !== false,
    count: info?.album?.count,
    page: ({ cursor }) => get(base + '/photos' + qs({ cursor, limit: 200 }), { quiet: true, headers, keepToken: true }),
    detail: id => get(base + '/photos/' + id, { quiet: true, headers, keepToken: true }),
  }), [token, access, info])
  const unlock = async e => {
    e.preventDefault()
    const pw = new FormData(e.currentTarget).get('password')
    setErr('')
    try {
      const r = await api('POST', base + '/unlock', { password: pw }, { quiet: true })
      setErr(''); setAccess(r.access || 'cookie')
    } catch (e) { setErr(e.message) }
  }
  if (state === 'loading') return <div class="auth" aria-busy="true"><Logo /></div>
  if (state === 'gone') return <div class="auth"><div class="empty"><Logo /><Icon name="missing" /><h2>{t('screens.link_gone_title')}</h2><p>{t('screens.link_gone')}</p><p class="small">{err?.message}</p></div></div>
  if (state === 'password') return (
    <div class="auth">
      <form onSubmit={unlock} aria-label={t('screens.unlock_shared')}>
        <Logo />
        <h1 style={{ marginBottom: 8 }}>{t('screens.shared_album')}</h1>
        <p>{t('screens.protected')}</p>
        <label class="field"><span>{t('screens.password')}</span><input class="input" name="password" type="password" required autofocus /></label>
        <FormError error={err} />
        <button class="btn primary" style={{ width: '100%' }}>{t('screens.open_album')}</button>
      </form>
    </div>
  )
  const a = info.album || {}
  return (
    <div class="app" style={{ gridTemplate: '"top" var(--top) "main" 1fr / 1fr' }}>
      <header class="top"><span class="logo" style={{ width: 'auto' }}><i /><span>Pinhole</span></span><span class="spacer" /><span class="muted small hide-phone">{info.expires_at ? t('screens.valid_until', { date: fmtDate(new Date(info.expires_at), { dateStyle: 'medium' }) }) : ''}</span>
        {a.count > 0 && <button class="ib" onClick={() => startSlideshow({ title: a.title, source: src })} aria-label={t('screens.slideshow')} title={t('screens.slideshow')}><Icon name="slideshow" /></button>}</header>
      <main class="main">
        <Grid source={src} selectable={false} scrubber={false}
          header={<div><h1>{a.title}</h1><div class="muted small">{t('screens.items', { n: a.count || 0 })}{a.description ? ` · ${a.description}` : ''}</div></div>}
          empty={<Empty icon="album" title={t('screens.album_empty_title')}>{t('screens.shared_empty')}</Empty>} />
      </main>
    </div>
  )
}
