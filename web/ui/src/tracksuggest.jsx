// The viewer info panel's "Suggested place from track X — Accept" for a
// photo without a position taken during a GPX track (web/tracks.go). One
// photo or all of the track's suggestions are accepted in one action; the
// server computes the positions again and applies them as batch edits.
import { useEffect, useState } from 'preact/hooks'
import { api, get, toast } from './api.js'
import { Icon } from './icons.jsx'
import { t } from './i18n.js'
import { emit } from './store.js'
import './tracksuggest.css'

export function TrackSuggestion({ p, canEdit, onPlaced }) {
  const [s, setS] = useState(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    let alive = true
    setS(null)
    get(`/photos/${p.id}/track-suggestion`, { quiet: true })
      .then(r => alive && setS(r.suggestion || null)).catch(() => {})
    return () => { alive = false }
  }, [p.id])
  if (!s) return null
  const accept = async all => {
    setBusy(true)
    try {
      const r = await api('POST', `/tracks/${s.track_id}/accept`, all ? {} : { photo_ids: [p.id] })
      toast(t('tracksuggest.placed', { n: r.accepted }), 'ok', 2500)
      const d = await get(`/photos/${p.id}`)
      Object.assign(p, d.photo)
      onPlaced(d)
      emit('photo-updated', p)
      if (all) emit('photos-changed')
      setS(null)
    } catch { /* toast shown */ } finally { setBusy(false) }
  }
  const others = s.track_suggestions - 1
  // The track's name is bold wherever the sentence puts it.
  const [before, after = ''] = t('tracksuggest.from_track').split('{track}')
  const min = Math.round(s.gap_seconds / 60)
  return (
    <div class="track-suggest" role="group" aria-label={t('tracksuggest.suggested')}>
      <div><Icon name="route" size={18} /> {before}<b>{s.track_name}</b>{after}</div>
      <div class="small muted">{s.lat.toFixed(5)}, {s.lng.toFixed(5)} · {min ? t('tracksuggest.gap', { n: min }) : t('tracksuggest.gap_short')}</div>
      {s.caveat && <div class="small warn" role="note">{s.caveat}</div>}
      {canEdit && (
        <div class="track-suggest-actions">
          <button class="btn" disabled={busy} onClick={() => accept(false)}><Icon name="check" size={18} />{t('tracksuggest.accept')}</button>
          {others > 0 && <button class="btn" disabled={busy} onClick={() => accept(true)}>{t('tracksuggest.accept_all', { n: others + 1 })}</button>}
        </div>
      )}
    </div>
  )
}
