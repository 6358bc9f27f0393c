// The selection's "Edit": one dialog that changes many photos at once — the
// date (a shift for a camera whose clock was wrong, or one date for all),
// the time zone, the place (a city found by name, or a point clicked on a
// small map), keywords, title, description and stars. Only what is filled
// in changes; the rest of each photo stays as it is. A lazily loaded chunk:
// the first screen never downloads it. The server applies it all in one
// transaction (POST /api/v1/photos/batch-edit).
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, get, qs, toast } from './api.js'
import { clearSelection } from './grid.jsx'
import { rich, t } from './i18n.js'
import { Icon } from './icons.jsx'
import { FormError, useFormError } from './shell.jsx'
import { emit } from './store.js'
import { fmtOffset, fmtTaken, OFFSETS, Stars } from './viewer.jsx'
import './batch.css'

const YEARS_200 = 200 * 366 * 86400

// shiftSeconds reads the shift fields: whole numbers, or null when one is
// not a number.
function shiftSeconds(s) {
  const n = [s.d, s.h, s.m].map(v => (String(v).trim() === '' ? 0 : Number(v)))
  if (n.some(v => !Number.isInteger(v) || v < 0)) return null
  return s.dir * (n[0] * 86400 + n[1] * 3600 + n[2] * 60)
}

// shiftLabel says a shift in words: "+1 day 2 h 30 min".
export function shiftLabel(secs) {
  const a = Math.abs(secs), d = Math.floor(a / 86400), h = Math.floor(a % 86400 / 3600), m = Math.floor(a % 3600 / 60)
  const parts = [d && t('batch.shift_days', { n: d }), h && t('batch.shift_hours', { n: h }), m && t('batch.shift_minutes', { n: m })].filter(Boolean)
  return (secs < 0 ? '−' : '+') + (parts.join(' ') || t('batch.shift_minutes', { n: 0 }))
}

// addSeconds moves a stored wall-clock time ("YYYY-MM-DD HH:MM:SS") by
// whole seconds, as the server does: plain arithmetic, no zone rules.
export function addSeconds(local, secs) {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):?(\d\d)?/.exec(local || '')
  if (!m) return ''
  const at = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) + secs * 1000)
  if (isNaN(at)) return ''
  const p = n => String(n).padStart(2, '0')
  return `${String(at.getUTCFullYear()).padStart(4, '0')}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())} ${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`
}


export default function BatchEdit({ photos, onClose }) {
  const ids = photos.map(p => p.id)
  const first = photos[0]
  const [dateMode, setDateMode] = useState('keep') // keep | shift | set
  const [shift, setShift] = useState({ dir: 1, d: '', h: '', m: '' })
  const [setAt, setSetAt] = useState(() => (first?.taken_local || '').replace(' ', 'T').slice(0, 19))
  const [zone, setZone] = useState('') // '' keeps each photo's zone; 'unknown'; or minutes
  const [placeMode, setPlaceMode] = useState('keep') // keep | search | map | remove
  const [place, setPlace] = useState(null) // {id, name, state, country, lat, lng} from the search
  const [point, setPoint] = useState(null) // {lat, lng} from the map
  const [add, setAdd] = useState([])
  const [remove, setRemove] = useState([])
  const [title, setTitle] = useState('')
  const [desc, setDesc] = useState('')
  const [rating, setRating] = useState(null) // null keeps the stars
  const [err, setErr] = useFormError()
  const [busy, setBusy] = useState(false)
  const form = useRef(null)
  // Esc closes the dialog (and not the selection under it); focus starts
  // inside it and goes back where it was.
  useEffect(() => {
    const prev = document.activeElement
    form.current.querySelector('.seg button')?.focus()
    const onKey = e => { if (e.key === 'Escape') { e.stopPropagation(); e.preventDefault(); onClose() } }
    addEventListener('keydown', onKey, true)
    return () => { removeEventListener('keydown', onKey, true); prev && prev.focus && prev.focus() }
  }, [])

  const secs = dateMode === 'shift' ? shiftSeconds(shift) : 0
  const body = { photo_ids: ids }
  let problem = ''
  if (dateMode === 'shift') {
    if (secs === null) problem = t('batch.bad_shift')
    else if (Math.abs(secs) > YEARS_200) problem = t('batch.shift_too_big')
    else if (secs !== 0) body.shift_seconds = secs
  }
  if (dateMode === 'set') {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(setAt)) problem = t('batch.choose_date')
    else body.taken_local = setAt.replace('T', ' ') + (setAt.length === 16 ? ':00' : '')
  }
  if (zone !== '') body.zone_offset = zone === 'unknown' ? null : +zone
  if (placeMode === 'search' && place) body.place_id = place.id
  if (placeMode === 'map' && point) { body.lat = point.lat; body.lng = point.lng }
  if (placeMode === 'remove') { body.lat = null; body.lng = null }
  if (add.length) body.keywords_add = add
  if (remove.length) body.keywords_remove = remove
  if (title.trim()) body.title = title.trim()
  if (desc.trim()) body.description = desc.trim()
  if (rating !== null) body.rating = rating
  const changes = Object.keys(body).length > 1

  // What the first photo's date becomes, before anything is applied.
  let preview = null
  if (first && (body.shift_seconds || body.taken_local || 'zone_offset' in body)) {
    const to = body.taken_local || addSeconds(first.taken_local || first.taken_at, body.shift_seconds || 0)
    const off = 'zone_offset' in body ? body.zone_offset : first.taken_offset
    preview = { from: fmtTaken(first.taken_local || first.taken_at), to: fmtTaken(to) || to, zone: off == null ? '' : fmtOffset(off) }
  }

  const apply = async () => {
    if (problem || !changes) return
    setBusy(true); setErr('')
    try {
      const r = await api('POST', '/photos/batch-edit', body, { quiet: true })
      // What the grid shows at once; the lists reload for the rest.
      for (const p of photos) {
        if (body.rating !== undefined) p.rating = body.rating
        if (body.title) p.title = body.title
        if (place && body.place_id !== undefined) Object.assign(p, { city: place.name, state: place.state, country: place.country, country_code: place.country_code, lat: place.lat, lng: place.lng })
      }
      toast(t('batch.edited', { n: r?.updated ?? ids.length }), 'ok')
      clearSelection()
      emit('photos-changed', { reload: true })
      onClose()
    } catch (e) { setErr(e.message) } finally { setBusy(false) }
  }

  const n = ids.length
  const seg = (value, set, opts, label) => (
    <div class="seg" role="group" aria-label={label}>
      {opts.map(([v, l]) => <button type="button" key={v} aria-pressed={value === v} onClick={() => set(v)}>{l}</button>)}
    </div>
  )
  return (
    <div class="scrim bscrim" onClick={e => e.target === e.currentTarget && !busy && onClose()}>
      <form ref={form} class="bedit" role="dialog" aria-modal="true" aria-label={t('batch.edit_title', { n })} onSubmit={e => { e.preventDefault(); apply() }}>
        <header>
          <h2>{t('batch.edit_title', { n })}</h2>
          <button type="button" class="ib" onClick={onClose} aria-label={t('common.close')}><Icon name="close" /></button>
        </header>
        <div class="bbody">
          <p class="small muted">{t('batch.only_filled')}</p>

          <section aria-labelledby="be-date">
            <h3 id="be-date"><Icon name="calendar" size={20} />{t('batch.date_time')}</h3>
            {seg(dateMode, setDateMode, [['keep', t('batch.keep')], ['shift', t('batch.shift')], ['set', t('batch.set')]], t('batch.change_date'))}
            {dateMode === 'shift' && <div class="bshift">
              {seg(shift.dir, d => setShift(s => ({ ...s, dir: d })), [[1, t('batch.later')], [-1, t('batch.earlier')]], t('batch.shift_direction'))}
              <div class="brow">
                {[['d', t('batch.days'), t('batch.shift_by_days')], ['h', t('batch.hours'), t('batch.shift_by_hours')], ['m', t('batch.minutes'), t('batch.shift_by_minutes')]].map(([k, l, by]) => (
                  <label key={k} class="field"><span>{l}</span>
                    <input class="input" type="number" inputmode="numeric" min="0" step="1" value={shift[k]} aria-label={by}
                      onInput={e => { const v = e.currentTarget.value; setShift(s => ({ ...s, [k]: v })) }} /></label>
                ))}
              </div>
            </div>}
            {dateMode === 'set' && <label class="field"><span>{t('batch.new_date_every')}</span>
              <input class="input" type="datetime-local" step="1" value={setAt} aria-label={t('batch.new_date')} onInput={e => setSetAt(e.currentTarget.value)} /></label>}
            <label class="field"><span>{t('batch.time_zone')}</span>
              <select class="input" aria-label={t('batch.time_zone')} value={zone} onChange={e => setZone(e.currentTarget.value)}>
                <option value="">{t('batch.keep_zone')}</option>
                <option value="unknown">{t('batch.unknown_zone')}</option>
                {OFFSETS.map(m => <option key={m} value={String(m)}>{fmtOffset(m)}</option>)}
              </select></label>
            {preview && <p class="bpreview" role="status" data-testid="date-preview">
              {rich(t('batch.preview'), { from: preview.from, to: <b>{preview.to}</b> })}{preview.zone ? ` (${preview.zone})` : ''}{body.shift_seconds ? ` · ${shiftLabel(body.shift_seconds)}` : ''}</p>}
          </section>

          <section aria-labelledby="be-place">
            <h3 id="be-place"><Icon name="pin" size={20} />{t('batch.place')}</h3>
            {seg(placeMode, setPlaceMode, [['keep', t('batch.keep')], ['search', t('common.search')], ['map', t('batch.map')], ['remove', t('common.remove')]], t('batch.change_place'))}
            {placeMode === 'search' && <PlaceSearch chosen={place} onPick={setPlace} />}
            {placeMode === 'map' && <MapPick point={point} onPick={setPoint} />}
            {placeMode === 'remove' && <p class="small muted">{t('batch.location_removed')}</p>}
          </section>

          <section aria-labelledby="be-kw">
            <h3 id="be-kw"><Icon name="album" size={20} />{t('batch.keywords')}</h3>
            <Chips label={t('batch.add_keywords')} drop={k => t('batch.drop_add', { keyword: k })} list={add} set={setAdd} />
            <Chips label={t('batch.remove_keywords')} drop={k => t('batch.drop_remove', { keyword: k })} list={remove} set={setRemove} />
          </section>

          <section aria-labelledby="be-text">
            <h3 id="be-text"><Icon name="edit" size={20} />{t('batch.title_desc')}</h3>
            <label class="field"><span>{t('batch.title')}</span>
              <input class="input" value={title} placeholder={t('batch.leave_as_is')} aria-label={t('batch.title_every')} onInput={e => setTitle(e.currentTarget.value)} maxLength={500} /></label>
            <label class="field"><span>{t('batch.description')}</span>
              <textarea class="input" rows={2} value={desc} placeholder={t('batch.leave_as_is')} aria-label={t('batch.description_every')} onInput={e => setDesc(e.currentTarget.value)} /></label>
          </section>

          <section aria-labelledby="be-stars">
            <h3 id="be-stars"><Icon name="star" size={20} />{t('batch.rating')}</h3>
            <Stars value={rating} onChange={setRating} keep />
          </section>
          <FormError error={err} />
          {problem && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{problem}</span></p>}
        </div>
        <footer>
          <button type="button" class="btn" onClick={onClose} disabled={busy}>{t('common.cancel')}</button>
          <button class="btn primary" disabled={busy || !changes || !!problem}>{busy ? t('batch.saving') : t('batch.apply_to', { n })}</button>
        </footer>
      </form>
    </div>
  )
}

// Chips holds a list of keywords: type one and press Enter (or a comma) to
// add it, tap a chip's cross to drop it.
function Chips({ label, drop, list, set }) {
  const [text, setText] = useState('')
  const commit = () => {
    const words = text.split(',').map(s => s.trim()).filter(Boolean)
    if (words.length) set(l => [...l, ...words.filter(w => !l.some(x => x.toLowerCase() === w.toLowerCase()))])
    setText('')
  }
  return (
    <div class="kchips">
      <label class="field"><span>{label}</span>
        <div class="kinput">
          {list.map(k => (
            <span class="chip on chip-x" key={k}><span class="chip-label">{k}</span>
              <button type="button" class="chip-rm" aria-label={drop(k)} onClick={() => set(l => l.filter(x => x !== k))}><Icon name="close" size={16} /></button></span>
          ))}
          <input class="input" value={text} aria-label={label} placeholder={list.length ? '' : t('batch.type_enter')}
            onInput={e => { const v = e.currentTarget.value; if (v.endsWith(',')) { setText(v); setTimeout(commit) } else setText(v) }}
            onKeyDown={e => { if (e.key === 'Enter') { e.preventDefault(); commit() } else if (e.key === 'Backspace' && !text && list.length) set(l => l.slice(0, -1)) }}
            onBlur={commit} />
        </div>
      </label>
    </div>
  )
}

// PlaceSearch finds a city of the offline places by name as one types.
function PlaceSearch({ chosen, onPick }) {
  const [q, setQ] = useState('')
  const [list, setList] = useState([])
  const [state, setState] = useState('')
  useEffect(() => {
    const typed = q.trim()
    if (typed.length < 2) { setList([]); setState(''); return }
    let alive = true
    const timer = setTimeout(() => {
      setState('loading')
      get('/places/search' + qs({ q: typed, limit: 8 }), { quiet: true })
        .then(r => { if (alive) { setList(r.places || []); setState(r.places?.length ? '' : 'none') } })
        .catch(e => alive && setState('error:' + e.message))
    }, 150)
    return () => { alive = false; clearTimeout(timer) }
  }, [q])
  const where = p => [p.state !== p.name && p.state, p.country].filter(Boolean).join(', ')
  return (
    <div class="psearch">
      {chosen && <p class="pchosen" data-testid="place-chosen"><Icon name="pin" size={18} /><b>{chosen.name}</b><span class="muted">{where(chosen)}</span></p>}
      <div class="pick-search"><Icon name="search" size={18} />
        <input type="search" class="input" placeholder={t('batch.place_placeholder')} aria-label={t('batch.search_places')} value={q}
          onInput={e => setQ(e.currentTarget.value)} onKeyDown={e => { if (e.key === 'Enter') { e.preventDefault(); list[0] && onPick(list[0]) } }} /></div>
      <div class="pick-list" role="listbox" aria-label={t('batch.places_found')}>
        {list.map(p => (
          <button type="button" key={p.id} role="option" aria-selected={chosen?.id === p.id} class={chosen?.id === p.id ? 'on' : ''} onClick={() => onPick(p)}>
            <span class="grow"><b>{p.name}</b> <span class="muted small">{where(p)}</span></span>{chosen?.id === p.id && <Icon name="check" size={18} />}
          </button>
        ))}
        {state === 'none' && <p class="muted small">{t('batch.no_match', { q: q.trim() })}</p>}
        {state.startsWith('error:') && <p class="err small">{state.slice(6)}</p>}
      </div>
      <p class="small muted">{t('batch.geonames')}</p>
    </div>
  )
}

// MapPick loads the map chunk (Leaflet, as the Places screen does) and
// lets one click the spot.
function MapPick({ point, onPick }) {
  const [M, setM] = useState(null)
  const [err, setErr] = useState('')
  useEffect(() => { import('./map.jsx').then(m => setM(() => m.PickPoint)).catch(e => setErr(t('batch.map_failed', { error: e.message }))) }, [])
  return (
    <div class="mpick">
      {err ? <p class="err small">{err}</p> : M ? <M point={point} onPick={onPick} /> : <div class="mpick-box" aria-busy="true" />}
      <p class="small muted" data-testid="map-point">{point ? `${point.lat.toFixed(5)}, ${point.lng.toFixed(5)}` : t('batch.map_hint')}</p>
    </div>
  )
}
