// The nl catalog: every namespace file of locales/nl/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./nl/*.json', { eager: true, import: 'default' }))
