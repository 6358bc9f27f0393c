// Entry point: checks the session, then shows setup, login, a shared album,
// or the app.
import { render } from 'preact'
import './styles.css'
import { App } from './shell.jsx'

// Apply the saved theme before the first render. (No inline script in
// index.html: the server's Content-Security-Policy allows only 'self'.)
const saved = localStorage.getItem('pinhole.theme')
if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved

render(<App />, document.getElementById('app'))
