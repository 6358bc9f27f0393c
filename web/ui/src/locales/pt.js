// The pt catalog: every namespace file of locales/pt/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./pt/*.json', { eager: true, import: 'default' }))
