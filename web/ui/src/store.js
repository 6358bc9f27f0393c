// A minimal observable value: the app's shared state (session, route,
// selection, toasts) without a state library.
import { useEffect, useState } from 'preact/hooks'

export function store(value) {
  const subs = new Set()
  return {
    get: () => value,
    set(next) {
      value = typeof next === 'function' ? next(value) : next
      for (const f of subs) f(value)
    },
    sub(f) { subs.add(f); return () => subs.delete(f) },
  }
}

export function useStore(s) {
  const [, force] = useState(0)
  const seen = s.get()
  useEffect(() => {
    const off = s.sub(() => force(n => n + 1))
    // A child's effect may have set the store between this render and
    // the subscription (effects run children first): catch up.
    if (s.get() !== seen) force(n => n + 1)
    return off
  }, [s])
  return seen
}

// A tiny event bus for "something changed on the server" notifications.
const listeners = new Map()
export function on(name, f) {
  if (!listeners.has(name)) listeners.set(name, new Set())
  listeners.get(name).add(f)
  return () => listeners.get(name).delete(f)
}
export function emit(name, data) {
  for (const f of listeners.get(name) || []) f(data)
}
