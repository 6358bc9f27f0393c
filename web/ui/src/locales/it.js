// The it catalog: every namespace file of locales/it/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./it/*.json', { eager: true, import: 'default' }))
