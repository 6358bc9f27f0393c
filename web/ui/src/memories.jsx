// Memories above the timeline: a strip of cards — "On this day", "N years
// ago", "This week N years ago" (GET /api/v1/memories, for the browser's
// own today) — each opening its story (story.jsx). The strip is the grid's
// header, so the grid's own layout is untouched below it.
import { useEffect, useState } from 'preact/hooks'
import { coverSize, get, thumb } from './api.js'
import { fmtDate, t } from './i18n.js'
import { openStory } from './show.jsx'
import { on } from './store.js'
import './relive.css'

// today is the browser's date as YYYY-MM-DD (its own time zone, not UTC).
export function today(d = new Date()) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

// useMemories loads today's cards (null until known), again when photos
// change or the day turns.
export function useMemories() {
  const [ms, setMs] = useState(null)
  useEffect(() => {
    let alive = true
    let day = ''
    const load = () => {
      day = today()
      get('/memories?date=' + day, { quiet: true })
        .then(r => alive && setMs((r.memories || []).map(m => ({ ...m, title: titleOf(m), photos: (m.photos || []).map(p => (r.thumb_token ? { ...p, _t: r.thumb_token } : p)) }))))
        .catch(() => alive && setMs(ms => ms || []))
    }
    load()
    const off = on('photos-changed', load)
    const t = setInterval(() => { if (today() !== day) load() }, 60000)
    return () => { alive = false; off(); clearInterval(t) }
  }, [])
  return ms
}

// titleOf names a card in the reader's language from its kind; the
// server's English title is kept for a kind this app does not know.
function titleOf(m) {
  if (m.kind === 'on_this_day') return t('memories.on_this_day')
  if (m.kind === 'years_ago' && m.years_ago > 0) return t('memories.years_ago', { n: m.years_ago })
  if (m.kind === 'week_years_ago' && m.years_ago > 0) return t('memories.week_years_ago', { n: m.years_ago })
  return m.title
}

// when says which days a card covers, in the reader's language: short
// month names for the cards ("Dec 3, 2024"), long ones for the story.
export function when(m, month = 'short') {
  const d = s => { const [y, mo, da] = s.split('-').map(Number); return new Date(y, mo - 1, da) }
  const from = d(m.from), to = d(m.to)
  if (m.kind === 'on_this_day') return from.getFullYear() === to.getFullYear() ? String(from.getFullYear()) : `${from.getFullYear()}–${to.getFullYear()}`
  const full = { day: 'numeric', month, year: 'numeric' }
  if (m.from === m.to) return fmtDate(from, full)
  const same = from.getFullYear() === to.getFullYear()
  return `${fmtDate(from, same ? { day: 'numeric', month } : full)} – ${fmtDate(to, full)}`
}

// Card sizes (CSS pixels), as styles.css draws them.
const CARD = { phone: [112, 150], wide: [136, 182] }

export function MemoriesStrip({ memories }) {
  const phone = typeof matchMedia === 'function' && matchMedia('(max-width: 599px)').matches
  const [w, h] = phone ? CARD.phone : CARD.wide
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1
  return (
    <div class="mem-strip" role="list" aria-label={t('memories.strip')}>
      {memories.map((m, i) => {
        const p = m.photos.find(x => x.id === m.cover_id) || m.photos[0]
        return (
          <button key={m.id} class="mem-card" role="listitem" data-memory={m.id} onClick={() => openStory(memories, i)}
            aria-label={t('memories.card', { title: m.title, when: when(m), n: m.photos.length })}>
            <img src={thumb(p, coverSize(p, w, h, dpr))} alt="" loading="eager" decoding="async" draggable={false}
              onLoad={e => e.currentTarget.classList.add('ld')} />
            <span class="mem-txt"><b>{m.title}</b><small>{when(m)}</small></span>
          </button>
        )
      })}
    </div>
  )
}
