// The fr catalog: every namespace file of locales/fr/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./fr/*.json', { eager: true, import: 'default' }))
