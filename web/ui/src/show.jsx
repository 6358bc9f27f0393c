// What plays over the screens: a slideshow (slideshow.jsx) or a memory's
// story (story.jsx), each a chunk loaded when first asked for. Starting a
// slideshow asks for full screen at once, inside the click that started it
// (browsers grant full screen only there), while its chunk loads.
import { useEffect, useState } from 'preact/hooks'
import { toast } from './api.js'
import { t } from './i18n.js'
import { store, useStore } from './store.js'

// show is {kind: 'slideshow', spec} or {kind: 'story', memories, index}.
// A slideshow's spec: {title, photos} (a selection, a memory) or {title,
// source} (the screen's grid source: the whole list, not only what the
// grid has loaded), and startId to begin at.
export const show = store(null)

const chunks = {
  slideshow: () => import('./slideshow.jsx'),
  story: () => import('./story.jsx'),
}

// enterFullscreen asks for full screen; it answers whether the page is.
export function enterFullscreen() {
  const el = document.documentElement
  if (document.fullscreenElement) return Promise.resolve(true)
  if (!el.requestFullscreen) return Promise.resolve(false)
  return el.requestFullscreen({ navigationUI: 'hide' }).then(() => true, () => false)
}
export function leaveFullscreen() {
  if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(() => {})
}

export function startSlideshow(spec) {
  const s = { kind: 'slideshow', spec: { ...spec } }
  chunks.slideshow().catch(() => {})
  // Leaving full screen ends a show that entered it (slideshow.jsx).
  enterFullscreen().then(ok => { s.spec.fullscreen = ok })
  show.set(s)
}

export function openStory(memories, index) {
  show.set({ kind: 'story', memories, index })
}

export function ShowLayer() {
  const s = useStore(show)
  const [mods, setMods] = useState({})
  const kind = s && s.kind
  useEffect(() => {
    if (!kind || mods[kind]) return
    chunks[kind]().then(m => setMods(x => ({ ...x, [kind]: m.default }))).catch(e => {
      toast(kind === 'story' ? t('show.story_failed', { error: e.message }) : t('show.slideshow_failed', { error: e.message }), 'error')
      show.set(null)
    })
  }, [kind])
  if (!s) return null
  const C = mods[kind]
  if (!C) return <div class="slideshow" aria-busy="true" />
  return <C {...s} onClose={() => show.set(null)} />
}
