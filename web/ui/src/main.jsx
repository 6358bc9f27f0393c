// Entry point: picks the language, checks the session, then shows setup,
// login, a shared album, or the app.
import { render } from 'preact'
import './styles.css'
import { App } from './shell.jsx'
import { api, session, setSession } from './api.js'
import { language, pick, setLanguage } from './i18n.js'
import { useStore } from './store.js'

// Apply the saved theme before the first render. (No inline script in
// index.html: the server's Content-Security-Policy allows only 'self'.)
const saved = localStorage.getItem('pinhole.theme')
if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved

// A new language re-creates the app, so every word is drawn again in it.
function Root() {
  const lang = useStore(language)
  return <App key={lang} />
}

// English is built in and renders at once; another language waits for its
// catalog (one small file). Once the first language is in place, a later choice (Settings) also asks
// for the session again, so the server's own sentences in it (why uploads
// are off) come in the new language. (The first screen's session comes
// inlined in the page: asking again at start would cost a round trip.)
const start = () => {
  let shown = language.get()
  language.sub(l => {
    if (l === shown) return
    shown = l
    if (session.get().state === 'ready') api('GET', '/session', undefined, { quiet: true }).then(setSession).catch(() => {})
  })
  render(<Root />, document.getElementById('app'))
}
const first = pick()
if (first === 'en') { setLanguage('en'); start() } else setLanguage(first).then(start)
