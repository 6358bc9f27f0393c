// The web app's words in the reader's language: a message catalog per
// language (locales/<lang>/<namespace>.json, keys "<namespace>.<key>"),
// English built in as the fallback, the others loaded on demand; numbers
// and dates formatted by the language's rules (Intl).
//
// A message is a string with {name} placeholders, or, when it counts
// something, an object of plural forms ({ one, other, … }, chosen by
// Intl.PluralRules for {n}). Numbers put into a message are formatted for
// the language. t() must only run while rendering or handling an event,
// never when a module loads: the catalog may not be there yet.
import { Fragment, h } from 'preact'
import { flatten } from './locales/flatten.js'
import { store } from './store.js'

const enFiles = import.meta.glob('./locales/en/*.json', { eager: true, import: 'default' })

const en = flatten(enFiles)

// LANGS: code and the language's own name, as the setting lists them.
export const LANGS = [
  ['en', 'English'], ['de', 'Deutsch'], ['fr', 'Français'], ['es', 'Español'],
  ['it', 'Italiano'], ['nl', 'Nederlands'], ['pt', 'Português'],
]
const loaders = {
  de: () => import('./locales/de.js'),
  fr: () => import('./locales/fr.js'),
  es: () => import('./locales/es.js'),
  it: () => import('./locales/it.js'),
  nl: () => import('./locales/nl.js'),
  pt: () => import('./locales/pt.js'),
}

const KEY = 'pinhole.lang'
let lang = 'en'
let cat = en
let rules = new Intl.PluralRules('en')
let num = new Intl.NumberFormat('en')

// language is the language in use; the app re-renders when it changes.
export const language = store('en')

// preference is the language chosen in Settings, or '' for the browser's.
export function preference() {
  try { return localStorage.getItem(KEY) || '' } catch { return '' }
}

// pick chooses the language: the saved choice, else the first of the
// browser's languages Pinhole speaks (pt-BR → pt), else English.
export function pick(pref = preference(), wanted = typeof navigator !== 'undefined' ? navigator.languages || [navigator.language] : []) {
  const ok = c => c === 'en' || c in loaders
  if (pref && ok(pref)) return pref
  for (const l of wanted || []) {
    const base = String(l || '').toLowerCase().split(/[-_]/)[0]
    if (ok(base)) return base
  }
  return 'en'
}

// setLanguage loads a language's catalog and makes it current. Keys it
// lacks fall back to English.
export async function setLanguage(code) {
  let next = en
  if (code !== 'en' && loaders[code]) {
    try { next = { ...en, ...(await loaders[code]()).default } } catch { code = 'en' } // offline and not cached: stay in English
  } else code = 'en'
  lang = code
  cat = next
  rules = new Intl.PluralRules(code)
  num = new Intl.NumberFormat(code)
  if (typeof document !== 'undefined') document.documentElement.lang = code
  language.set(code)
}

// choose saves the choice ('' = follow the browser) and switches to it.
// The choice also goes in a cookie, so the server words the answers it
// puts into the page itself (web/boot.go) in it too.
export function choose(code) {
  try { if (code) localStorage.setItem(KEY, code); else localStorage.removeItem(KEY) } catch { /* private mode: this visit only */ }
  document.cookie = code ? `pinhole_lang=${code}; path=/; max-age=31536000; SameSite=Lax` : 'pinhole_lang=; path=/; max-age=0; SameSite=Lax'
  return setLanguage(pick(code))
}

export const locale = () => lang

// t returns the message for key in the current language, with vars put
// into its placeholders. A count goes in as n.
export function t(key, vars) {
  let m = cat[key]
  if (m === undefined) {
    if (import.meta.env?.DEV) console.warn('i18n: no message', key)
    return key
  }
  if (typeof m === 'object') {
    const n = vars?.n ?? 0
    m = m[rules.select(n)] ?? m.other
  }
  if (!vars) return m
  return m.replace(/\{(\w+)\}/g, (all, k) => {
    const v = vars[k]
    return v === undefined || v === null ? all : typeof v === 'number' ? num.format(v) : String(v)
  })
}

// fmtNum formats a number for the current language.
export const fmtNum = (n, opts) => (opts ? new Intl.NumberFormat(lang, opts) : num).format(n)

// fmtDate formats a Date (or time value) with Intl.DateTimeFormat options.
export const fmtDate = (d, opts) => new Intl.DateTimeFormat(lang, opts).format(d)

// capital starts a label with a capital letter, as headings do even in
// languages that write month names small ("décembre 2026" → "Décembre").
const capital = s => s.charAt(0).toLocaleUpperCase(lang) + s.slice(1)

// monthName is "March 2024" in the current language (month 1–12), as a
// heading writes it.
export const monthName = (y, m, month = 'long') => capital(fmtDate(new Date(y, m - 1, 1), { month, year: 'numeric' }))

// monthShort is the month's short name alone ("Mar", "Mars", "Mär"), as a
// label writes it.
export const monthShort = m => capital(fmtDate(new Date(2000, m - 1, 1), { month: 'short' }))

// fmtRelative says how long ago or ahead: "3 minutes ago", "vor 3 Minuten".
export const fmtRelative = (value, unit) => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(value, unit)

// fmtList joins words as the language does: "a, b and c", "a, b et c".
export const fmtList = (items, type = 'conjunction') => new Intl.ListFormat(lang, { style: 'long', type }).format(items)

// countryName names a country by its ISO code in the current language
// ("DE" → "Deutschland", "Allemagne"); the given name when Intl cannot.
export function countryName(code, fallback = '') {
  if (!code || !/^[A-Za-z]{2}$/.test(code)) return fallback || code || ''
  try { return new Intl.DisplayNames([lang], { type: 'region' }).of(code.toUpperCase()) || fallback || code } catch { return fallback || code }
}

// rich puts elements into a translated sentence: each {name} t() left in
// msg becomes parts[name] (a <b>, a <code>, a link), so the sentence stays
// whole and keeps the language's own word order.
export function rich(msg, parts) {
  return msg.split(/\{(\w+)\}/).map((x, i) => (i % 2 ? h(Fragment, { key: i }, x in parts ? parts[x] : `{${x}}`) : x))
}
