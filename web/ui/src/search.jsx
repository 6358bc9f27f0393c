// The search screen: one row of filter chips over the results (it scrolls
// sideways instead of wrapping, so a phone still shows photos), a Filters
// sheet with every filter (cameras and lenses as lists one can type to
// narrow), the number of results, and "Did you mean …?" when words find
// nothing.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { get, qs } from './api.js'
import { Grid } from './grid.jsx'
import { fmtDate, fmtNum, monthName, rich, t } from './i18n.js'
import { Icon } from './icons.jsx'
import { navigate } from './router.js'
import { photoSource } from './screens.jsx'

const FILTER_KEYS = ['q', 'after', 'before', 'year', 'month', 'camera', 'lens', 'country', 'state', 'city', 'favorite', 'min_rating', 'type', 'album', 'folder', 'sort', 'person']
// types: the kinds one can filter by, with their names (a function: the
// catalog is not there yet when the module loads).
const types = () => [['photo', t('search.type_photos')], ['video', t('search.videos')], ['raw', 'RAW'], ['live', t('search.type_live')]]
// Choosing a place narrows the levels under it afresh.
const RESETS = { country: { state: '', city: '' }, state: { city: '' } }

// The search words' own syntax is the same in every language: the server reads it.
const PERSON = 'person:'

const count = n => t('common.photos', { n })


// fold makes typed text and names comparable: no case, no accents.
const fold = s => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()

function Empty({ icon = 'photo', title, children }) {
  return <div class="empty"><Icon name={icon} /><h2>{title}</h2>{children}</div>
}

export function SearchPage({ query }) {
  const filters = {}
  for (const k of FILTER_KEYS) if (query[k]) filters[k] = query[k]
  const key = JSON.stringify(filters)
  // The result count is the sum of the month counts the grid lays itself
  // out from: one cheap query, and it always agrees with the grid. It is
  // kept with the filters it counts, so an answer is never wiped by a reset
  // that runs after it arrived, nor shown for other filters.
  const [counted, setCounted] = useState(null) // { key, n }
  const total = counted && counted.key === key ? counted.n : null
  const src = useMemo(() => {
    const s = photoSource(filters)
    const counted = () => s.months().then(ms => { setCounted({ key, n: ms.reduce((n, m) => n + m.count, 0) }); return ms })
    // Best rated first is one list, not months: the count still comes
    // from the month counts, which the sort does not change.
    if (filters.sort === 'rating') {
      counted().catch(() => {})
      return { key: s.key, page: ({ cursor, limit }) => get('/photos' + qs({ ...filters, cursor, limit: limit || 200 })) }
    }
    return { ...s, months: counted }
  }, [key])
  const [sheet, setSheet] = useState(null) // null, or the section to show first
  const lists = useFilterLists(filters.country, filters.state)
  const set = (k, v) => navigate('/search' + qs({ ...filters, [k]: v, ...(RESETS[k] || {}) }), { replace: true })
  const active = Object.keys(filters).length
  const title = filters.year ? (filters.month ? monthName(+filters.year, +filters.month) : filters.year) : filters.q ? t('search.quoted', { q: filters.q }) : t('common.search')
  const nFilters = Object.keys(filters).filter(k => k !== 'q').length
  return (
    <>
      <div class="chips" role="group" aria-label={t('search.filters')}>
        <button class={'chip' + (nFilters ? ' on' : '')} onClick={() => setSheet('all')} aria-haspopup="dialog">
          <Icon name="sliders" size={16} />{t('search.filters')}{nFilters ? ` · ${nFilters}` : ''}
        </button>
        <button class={'chip' + (filters.favorite ? ' on' : '')} aria-pressed={!!filters.favorite} onClick={() => set('favorite', filters.favorite ? '' : 'true')}><Icon name="heart" size={16} filled={!!filters.favorite} />{t('search.favourites')}</button>
        <button class={'chip' + (filters.type === 'video' ? ' on' : '')} aria-pressed={filters.type === 'video'} onClick={() => set('type', filters.type === 'video' ? '' : 'video')}><Icon name="video" size={16} />{t('search.videos')}</button>
        <ActiveChips filters={filters} lists={lists} set={set} open={setSheet} />
        {!filters.camera && <button class="chip" onClick={() => setSheet('camera')}><Icon name="photo" size={16} />{t('search.camera')}</button>}
        {!filters.country && <button class="chip" onClick={() => setSheet('place')}><Icon name="pin" size={16} />{t('search.place')}</button>}
        {!filters.min_rating && <button class="chip" onClick={() => setSheet('rating')}><Icon name="star" size={16} />{t('search.rating')}</button>}
        {!filters.person && lists.people.length > 0 && <button class="chip" onClick={() => setSheet('person')}><Icon name="user" size={16} />{t('search.person')}</button>}
        {active > 0 && <button class="chip" onClick={() => navigate('/search', { replace: true })}><Icon name="close" size={16} />{t('search.clear')}</button>}
      </div>
      {active === 0
        ? <Empty icon="search" title={t('search.start_title')}><p>{rich(t('search.start_help'), { example: <kbd>{PERSON}{t('search.start_example_name')}</kbd>, key: <kbd>/</kbd> })}</p></Empty>
        : <Grid source={src}
          header={<div class="search-head"><h1>{title}</h1><span class="muted" role="status" aria-label={t('search.result_count')}>{total == null ? '' : count(total)}</span></div>}
          empty={<NoMatch filters={filters} />} />}
      {sheet && <FiltersSheet first={sheet} filters={filters} lists={lists} set={set} total={total} onClose={() => setSheet(null)} />}
    </>
  )
}

// useFilterLists loads what the filters choose from: cameras, lenses,
// places (the levels under the chosen country and state) and albums.
function useFilterLists(country, state) {
  const [l, setL] = useState({ cameras: [], lenses: [], countries: [], states: [], cities: [], albums: [], people: [] })
  const put = patch => setL(x => ({ ...x, ...patch }))
  useEffect(() => {
    get('/cameras', { quiet: true }).then(r => put({ cameras: r.cameras || [], lenses: r.lenses || [] })).catch(() => {})
    get('/places', { quiet: true }).then(r => put({ countries: r.places || [] })).catch(() => {})
    get('/albums', { quiet: true }).then(r => put({ albums: r.albums || [] })).catch(() => {})
    get('/people', { quiet: true }).then(r => put({ people: r.people || [] })).catch(() => {})
  }, [])
  useEffect(() => {
    put({ states: [], cities: [] })
    if (country) get('/places' + qs({ country }), { quiet: true }).then(r => put({ states: r.places || [] })).catch(() => {})
  }, [country])
  useEffect(() => {
    put({ cities: [] })
    if (country && state) get('/places' + qs({ country, state }), { quiet: true }).then(r => put({ cities: r.places || [] })).catch(() => {})
  }, [country, state])
  return l
}

// ActiveChips shows each filter in use as a chip: tap it to change it, its
// cross to remove it.
function ActiveChips({ filters, lists, set, open }) {
  const name = {
    camera: v => v,
    lens: v => v,
    country: v => lists.countries.find(c => c.country_code === v)?.country || v,
    state: v => v,
    city: v => v,
    after: v => t('search.chip_after', { date: v }),
    before: v => t('search.chip_before', { date: v }),
    year: v => v,
    month: v => fmtDate(new Date(+filters.year || 2000, +v - 1, 1), { month: 'long' }),
    type: v => (types().find(x => x[0] === v) || [v, v])[1],
    album: v => lists.albums.find(a => String(a.id) === v)?.title || t('search.album'),
    folder: v => v || t('search.top_folder'),
    min_rating: v => t('search.chip_rating', { n: +v || 0 }),
    sort: v => (v === 'rating' ? t('search.best_rated') : v),
    person: v => lists.people.find(p => String(p.id) === v)?.name || t('search.person'),
  }
  const section = { camera: 'camera', lens: 'lens', country: 'place', state: 'place', city: 'place', min_rating: 'rating', sort: 'rating', person: 'person' }
  return Object.keys(filters).filter(k => name[k] && !(k === 'type' && filters[k] === 'video')).map(k => (
    <span class="chip on chip-x" key={k}>
      <button class="chip-label" onClick={() => open(section[k] || 'all')}>{name[k](filters[k])}</button>
      <button class="chip-rm" onClick={() => set(k, '')} aria-label={t('search.remove_filter', { name: name[k](filters[k]) })}><Icon name="close" size={16} /></button>
    </span>
  ))
}

// NoMatch is the empty result. When words found nothing it asks the server
// for the nearest spelling the library knows and offers it.
function NoMatch({ filters }) {
  const [s, setS] = useState('')
  useEffect(() => {
    setS('')
    if (!filters.q) return
    get('/search/suggest' + qs(filters), { quiet: true }).then(r => setS(r.suggestion || '')).catch(() => {})
  }, [JSON.stringify(filters)])
  return (
    <Empty icon="search" title={t('search.no_match')}>
      {s
        ? <p class="did-you-mean">{rich(t('search.did_you_mean'), { suggestion: <a href={'/search' + qs({ ...filters, q: s })}>{s}</a> })}</p>
        : <p>{t('search.no_match_hint')}</p>}
    </Empty>
  )
}

// FiltersSheet holds every filter. Choices apply at once (the results
// behind it and the count on its button follow); the button closes it.
function FiltersSheet({ first, filters, lists, set, total, onClose }) {
  const body = useRef(null)
  useEffect(() => {
    const onKey = e => { if (e.key === 'Escape') { e.stopPropagation(); onClose() } }
    addEventListener('keydown', onKey, true)
    const sec = body.current && body.current.querySelector(`[data-section="${first}"]`)
    if (sec) sec.scrollIntoView({ block: 'start' })
    return () => removeEventListener('keydown', onKey, true)
  }, [])
  const opt = (v, label, n) => ({ value: v, label, count: n })
  return (
    <div class="scrim fscrim" onClick={e => e.target === e.currentTarget && onClose()}>
      <div class="fsheet" role="dialog" aria-modal="true" aria-label={t('search.filters')}>
        <header><h2>{t('search.filters')}</h2><button class="ib" onClick={onClose} aria-label={t('search.close_filters')}><Icon name="close" /></button></header>
        <div class="fbody" ref={body}>
          <section data-section="date">
            <h3>{t('search.date')}</h3>
            <div class="frow">
              <label class="field"><span>{t('search.from')}</span><input class="input" type="date" aria-label={t('search.taken_after')} value={filters.after || ''} onChange={e => set('after', e.currentTarget.value)} /></label>
              <label class="field"><span>{t('search.before')}</span><input class="input" type="date" aria-label={t('search.taken_before')} value={filters.before || ''} onChange={e => set('before', e.currentTarget.value)} /></label>
            </div>
          </section>
          <section data-section="type">
            <h3>{t('search.kind')}</h3>
            <div class="seg" role="group" aria-label={t('search.media_type')}>
              <button aria-pressed={!filters.type} onClick={() => set('type', '')}>{t('search.all')}</button>
              {types().map(([v, l]) => <button key={v} aria-pressed={filters.type === v} onClick={() => set('type', filters.type === v ? '' : v)}>{l}</button>)}
            </div>
            <label class="check"><input type="checkbox" checked={!!filters.favorite} onChange={e => set('favorite', e.currentTarget.checked ? 'true' : '')} />{t('search.favourites_only')}</label>
          </section>
          <section data-section="rating">
            <h3>{t('search.rating')}</h3>
            <div class="seg" role="group" aria-label={t('search.min_rating')}>
              <button aria-pressed={!filters.min_rating} onClick={() => set('min_rating', '')}>{t('search.any')}</button>
              {[1, 2, 3, 4, 5].map(n => <button key={n} aria-pressed={filters.min_rating === String(n)} aria-label={t('search.stars_and_up', { n })} onClick={() => set('min_rating', filters.min_rating === String(n) ? '' : String(n))}>{n}★{n < 5 ? '+' : ''}</button>)}
            </div>
            <div class="seg" role="group" aria-label={t('search.order')} style={{ marginTop: 10 }}>
              <button aria-pressed={filters.sort !== 'rating'} onClick={() => set('sort', '')}>{t('search.newest')}</button>
              <button aria-pressed={filters.sort === 'rating'} onClick={() => set('sort', 'rating')}>{t('search.best_rated')}</button>
            </div>
          </section>
          <section data-section="camera">
            <PickList label={t('search.camera')} find={n => t('search.find_cameras', { n })} findLabel={t('search.find_camera')} none={q => t('search.none_camera', { q })} value={filters.camera} onPick={v => set('camera', v)}
              items={lists.cameras.map(c => opt(c.model, c.make && !fold(c.model).startsWith(fold(c.make).split(' ')[0]) ? `${c.make} ${c.model}` : c.model, c.count))} />
          </section>
          <section data-section="lens">
            <PickList label={t('search.lens')} find={n => t('search.find_lenses', { n })} findLabel={t('search.find_lens')} none={q => t('search.none_lens', { q })} value={filters.lens} onPick={v => set('lens', v)} items={lists.lenses.map(l => opt(l.lens, l.lens, l.count))} />
          </section>
          {lists.people.length > 0 && <section data-section="person">
            <PickList label={t('search.person')} find={n => t('search.find_people', { n })} findLabel={t('search.find_person')} none={q => t('search.none_person', { q })} value={filters.person} onPick={v => set('person', v)}
              items={lists.people.map(p => opt(String(p.id), p.name, p.count))} />
          </section>}
          <section data-section="place">
            <PickList label={t('search.country')} find={n => t('search.find_countries', { n })} findLabel={t('search.find_country')} none={q => t('search.none_country', { q })} value={filters.country} onPick={v => set('country', v)}
              items={lists.countries.filter(c => c.country_code).map(c => opt(c.country_code, c.country || c.country_code, c.count))} />
            {filters.country && lists.states.length > 0 && <PickList label={t('search.region')} find={n => t('search.find_regions', { n })} findLabel={t('search.find_region')} none={q => t('search.none_region', { q })} value={filters.state} onPick={v => set('state', v)}
              items={lists.states.filter(s => s.state).map(s => opt(s.state, s.state, s.count))} />}
            {filters.state && lists.cities.length > 0 && <PickList label={t('search.city')} find={n => t('search.find_cities', { n })} findLabel={t('search.find_city')} none={q => t('search.none_city', { q })} value={filters.city} onPick={v => set('city', v)}
              items={lists.cities.filter(c => c.city).map(c => opt(c.city, c.city, c.count))} />}
          </section>
          <section data-section="more">
            <h3>{t('search.album_folder')}</h3>
            <label class="field"><span>{t('search.album')}</span>
              <select class="input" aria-label={t('search.album')} value={filters.album || ''} onChange={e => set('album', e.currentTarget.value)}>
                <option value="">{t('search.any_album')}</option>
                {lists.albums.map(a => <option key={a.id} value={String(a.id)}>{a.title}</option>)}
              </select></label>
            <label class="field"><span>{t('search.folder_hint')}</span>
              <input class="input" aria-label={t('search.folder')} placeholder={t('search.folder_example')} defaultValue={filters.folder || ''} onChange={e => set('folder', e.currentTarget.value)} /></label>
          </section>
        </div>
        <footer>
          {Object.keys(filters).some(k => k !== 'q') && <button class="btn" onClick={() => navigate('/search' + qs({ q: filters.q }), { replace: true })}>{t('search.clear_filters')}</button>}
          <span class="spacer" />
          <button class="btn primary" onClick={onClose}>{total == null ? t('search.show_photos') : t('search.show_n', { n: total })}</button>
        </footer>
      </div>
    </div>
  )
}

// PickList is a list one can type into to narrow it: libraries have
// hundreds of cameras. Picking the chosen entry again clears it.
function PickList({ label, find, findLabel, none, items, value, onPick }) {
  const [f, setF] = useState('')
  const LIMIT = 50
  const k = fold(f.trim())
  const match = k ? items.filter(it => fold(it.label).includes(k) || fold(it.value).includes(k)) : items
  // The chosen entry stays in view whatever is typed.
  const shown = match.slice(0, LIMIT)
  const chosen = value && !shown.some(it => it.value === value) ? items.find(it => it.value === value) : null
  return (
    <div class="pick">
      <h3>{label}</h3>
      {items.length > 8 && (
        <div class="pick-search"><Icon name="search" size={18} />
          <input type="search" class="input" placeholder={find(items.length)}
            aria-label={findLabel} value={f} onInput={e => setF(e.currentTarget.value)} /></div>
      )}
      <div class="pick-list" role="listbox" aria-label={label}>
        {[...(chosen ? [chosen] : []), ...shown].map(it => (
          <button key={it.value} role="option" aria-selected={it.value === value} class={it.value === value ? 'on' : ''} onClick={() => onPick(it.value === value ? '' : it.value)}>
            <span class="grow">{it.label}</span><span class="muted small">{fmtNum(it.count)}</span>{it.value === value && <Icon name="check" size={18} />}
          </button>
        ))}
        {!match.length && <p class="muted small">{none(f)}</p>}
      </div>
      {match.length > LIMIT && <p class="muted small">{t('search.more_items', { n: match.length - LIMIT })}</p>}
    </div>
  )
}
