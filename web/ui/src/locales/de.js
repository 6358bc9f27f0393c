// The de catalog: every namespace file of locales/de/, as one chunk.
import { flatten } from './flatten.js'

export default flatten(import.meta.glob('./de/*.json', { eager: true, import: 'default' }))
