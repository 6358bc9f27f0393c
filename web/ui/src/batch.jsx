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
  const parts = [d && `${d} day${d === 1 ? '' : 's'}`, h && `${h} h`, m && `${m} min`].filter(Boolean)
  return (secs < 0 ? '−' : '+') + (parts.join(' ') || '0 min')
}

// addSeconds moves a stored wall-clock time ("YYYY-MM-DD HH:MM:SS") by
// whole seconds, as the server does: plain arithmetic, no zone rules.
export function addSeconds(local, secs) {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):?(\d\d)?/.exec(local || '')
  if (!m) return ''
  const t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) + secs * 1000)
  if (isNaN(t)) return ''
  const p = n => String(n).padStart(2, '0')
  return `${String(t.getUTCFullYear()).padStart(4, '0')}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`
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
    if (secs === null) problem = 'The shift takes whole numbers of days, hours and minutes.'
    else if (Math.abs(secs) > YEARS_200) problem = 'A shift can be at most 200 years.'
    else if (secs !== 0) body.shift_seconds = secs
  }
  if (dateMode === 'set') {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(setAt)) problem = 'Choose a date and a time.'
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
      toast(`Edited ${r?.updated ?? ids.length} photo${ids.length === 1 ? '' : 's'}`, 'ok')
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
      <form ref={form} class="bedit" role="dialog" aria-modal="true" aria-label={`Edit ${n} photo${n === 1 ? '' : 's'}`} onSubmit={e => { e.preventDefault(); apply() }}>
        <header>
          <h2>Edit {n} photo{n === 1 ? '' : 's'}</h2>
          <button type="button" class="ib" onClick={onClose} aria-label="Close"><Icon name="close" /></button>
        </header>
        <div class="bbody">
          <p class="small muted">Only what you fill in changes; everything else stays as it is on each photo.</p>

          <section aria-labelledby="be-date">
            <h3 id="be-date"><Icon name="calendar" size={20} />Date and time</h3>
            {seg(dateMode, setDateMode, [['keep', 'Keep'], ['shift', 'Shift'], ['set', 'Set']], 'Change the date')}
            {dateMode === 'shift' && <div class="bshift">
              {seg(shift.dir, d => setShift(s => ({ ...s, dir: d })), [[1, 'Later'], [-1, 'Earlier']], 'Direction of the shift')}
              <div class="brow">
                {[['d', 'Days'], ['h', 'Hours'], ['m', 'Minutes']].map(([k, l]) => (
                  <label key={k} class="field"><span>{l}</span>
                    <input class="input" type="number" inputmode="numeric" min="0" step="1" value={shift[k]} aria-label={`Shift by ${l.toLowerCase()}`}
                      onInput={e => { const v = e.currentTarget.value; setShift(s => ({ ...s, [k]: v })) }} /></label>
                ))}
              </div>
            </div>}
            {dateMode === 'set' && <label class="field"><span>New date and time for every photo</span>
              <input class="input" type="datetime-local" step="1" value={setAt} aria-label="New date and time" onInput={e => setSetAt(e.currentTarget.value)} /></label>}
            <label class="field"><span>Time zone</span>
              <select class="input" aria-label="Time zone" value={zone} onChange={e => setZone(e.currentTarget.value)}>
                <option value="">Keep each photo’s time zone</option>
                <option value="unknown">Unknown</option>
                {OFFSETS.map(m => <option key={m} value={String(m)}>{fmtOffset(m)}</option>)}
              </select></label>
            {preview && <p class="bpreview" role="status" data-testid="date-preview">
              First photo: {preview.from} → <b>{preview.to}</b>{preview.zone ? ` (${preview.zone})` : ''}{body.shift_seconds ? ` · ${shiftLabel(body.shift_seconds)}` : ''}</p>}
          </section>

          <section aria-labelledby="be-place">
            <h3 id="be-place"><Icon name="pin" size={20} />Place</h3>
            {seg(placeMode, setPlaceMode, [['keep', 'Keep'], ['search', 'Search'], ['map', 'Map'], ['remove', 'Remove']], 'Change the place')}
            {placeMode === 'search' && <PlaceSearch chosen={place} onPick={setPlace} />}
            {placeMode === 'map' && <MapPick point={point} onPick={setPoint} />}
            {placeMode === 'remove' && <p class="small muted">The location is removed from every photo.</p>}
          </section>

          <section aria-labelledby="be-kw">
            <h3 id="be-kw"><Icon name="album" size={20} />Keywords</h3>
            <Chips label="Add keywords" list={add} set={setAdd} />
            <Chips label="Remove keywords" list={remove} set={setRemove} />
          </section>

          <section aria-labelledby="be-text">
            <h3 id="be-text"><Icon name="edit" size={20} />Title and description</h3>
            <label class="field"><span>Title</span>
              <input class="input" value={title} placeholder="Leave as is" aria-label="Title for every photo" onInput={e => setTitle(e.currentTarget.value)} maxLength={500} /></label>
            <label class="field"><span>Description</span>
              <textarea class="input" rows={2} value={desc} placeholder="Leave as is" aria-label="Description for every photo" onInput={e => setDesc(e.currentTarget.value)} /></label>
          </section>

          <section aria-labelledby="be-stars">
            <h3 id="be-stars"><Icon name="star" size={20} />Rating</h3>
            <Stars value={rating} onChange={setRating} keep />
          </section>
          <FormError error={err} />
          {problem && <p class="err" role="alert"><Icon name="alert" size={18} /><span>{problem}</span></p>}
        </div>
        <footer>
          <button type="button" class="btn" onClick={onClose} disabled={busy}>Cancel</button>
          <button class="btn primary" disabled={busy || !changes || !!problem}>{busy ? 'Saving…' : `Apply to ${n} photo${n === 1 ? '' : 's'}`}</button>
        </footer>
      </form>
    </div>
  )
}

// Chips holds a list of keywords: type one and press Enter (or a comma) to
// add it, tap a chip's cross to drop it.
function Chips({ label, list, set }) {
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
              <button type="button" class="chip-rm" aria-label={`Drop ${k} from ${label.toLowerCase()}`} onClick={() => set(l => l.filter(x => x !== k))}><Icon name="close" size={16} /></button></span>
          ))}
          <input class="input" value={text} aria-label={label} placeholder={list.length ? '' : 'Type and press Enter'}
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
    const t = q.trim()
    if (t.length < 2) { setList([]); setState(''); return }
    let alive = true
    const timer = setTimeout(() => {
      setState('loading')
      get('/places/search' + qs({ q: t, limit: 8 }), { quiet: true })
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
        <input type="search" class="input" placeholder="Town or city, e.g. Lisbon" aria-label="Search places" value={q}
          onInput={e => setQ(e.currentTarget.value)} onKeyDown={e => { if (e.key === 'Enter') { e.preventDefault(); list[0] && onPick(list[0]) } }} /></div>
      <div class="pick-list" role="listbox" aria-label="Places found">
        {list.map(p => (
          <button type="button" key={p.id} role="option" aria-selected={chosen?.id === p.id} class={chosen?.id === p.id ? 'on' : ''} onClick={() => onPick(p)}>
            <span class="grow"><b>{p.name}</b> <span class="muted small">{where(p)}</span></span>{chosen?.id === p.id && <Icon name="check" size={18} />}
          </button>
        ))}
        {state === 'none' && <p class="muted small">No town or city matches “{q.trim()}”.</p>}
        {state.startsWith('error:') && <p class="err small">{state.slice(6)}</p>}
      </div>
      <p class="small muted">Places © GeoNames (CC BY 4.0)</p>
    </div>
  )
}

// MapPick loads the map chunk (Leaflet, as the Places screen does) and
// lets one click the spot.
function MapPick({ point, onPick }) {
  const [M, setM] = useState(null)
  const [err, setErr] = useState('')
  useEffect(() => { import('./map.jsx').then(m => setM(() => m.PickPoint)).catch(e => setErr('Could not load the map: ' + e.message)) }, [])
  return (
    <div class="mpick">
      {err ? <p class="err small">{err}</p> : M ? <M point={point} onPick={onPick} /> : <div class="mpick-box" aria-busy="true" />}
      <p class="small muted" data-testid="map-point">{point ? `${point.lat.toFixed(5)}, ${point.lng.toFixed(5)}` : 'Click or tap the map where the photos were taken.'}</p>
    </div>
  )
}
