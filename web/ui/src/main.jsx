// Entry point: checks the session, then shows setup, login, a shared album,
// or the app.
import { render } from 'preact'
import './styles.css'
import { App } from './shell.jsx'

render(<App />, document.getElementById('app'))
