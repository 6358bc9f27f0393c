// Which photo the viewer shows; kept apart from the viewer component so the
// grid can open it without importing the viewer.
import { store } from './store.js'

export const viewer = store(null) // {list, index, source}

export function openViewer(list, index, source) {
  if (index < 0) return
  viewer.set({ list, index, source })
  if (!history.state || !history.state.viewer) history.pushState({ viewer: true }, '', location.href)
}
export function closeViewer() {
  if (!viewer.get()) return
  viewer.set(null)
  if (history.state && history.state.viewer) history.back()
}
addEventListener('popstate', () => { if (viewer.get() && !(history.state && history.state.viewer)) viewer.set(null) })
