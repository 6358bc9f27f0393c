// The es catalog: every namespace file of locales/es/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./es/*.json', { eager: true, import: 'default' }))
