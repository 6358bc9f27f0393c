// The /api/v1/status document as the web app reads it: app.Status for
// admins, app.UserStatus or app.ViewerStatus for others (app/status.go).
//
// KEYS lists every key the app reads, block by block; a block is a path
// of keys, "[]" marking the items of a list. Modules read the document
// only through view() below, whose field() answers listed keys alone, so
// the list is exactly what the app reads. app/status_ui_test.go fails
// when the list names a key that none of the server's status types
// sends, when a module asks field() for an unlisted key, and when
// Settings or the shell reads the document's properties directly.
export const KEYS = {
  '': ['status', 'version', 'setup_required', 'thumb_sizes', 'sign_in', 'uptime_s', 'demo', 'online_paused', 'originals', 'error',
    'counts', 'index', 'recent_errors', 'watcher', 'helpers', 'thumbs', 'thumbnails', 'places', 'maps', 'reread'],
  sign_in: ['passwords', 'provider'],
  'sign_in.provider': ['name', 'start'],
  reread: ['running', 'waiting', 'pending', 'reread', 'failed', 'bad_meta', 'last_error'],
  counts: ['photos', 'videos', 'files', 'albums', 'geotagged', 'missing_files'],
  index: ['progress', 'last_scan', 'root_problem'],
  // The live "progress" event of /api/v1/events has this shape too.
  'index.progress': ['running', 'phase', 'seen', 'indexed', 'skipped', 'failed', 'queued', 'current'],
  'index.last_scan': ['started', 'duration_ns', 'seen'],
  'recent_errors[]': ['path', 'error'],
  watcher: ['mode', 'reason', 'watches', 'pending'],
  helpers: ['heif', 'ffmpeg'],
  thumbs: ['bytes', 'max_bytes', 'files', 'hits', 'misses', 'renders', 'evictions', 'writable'],
  thumbnails: ['refused', 'refused_count'],
  places: ['mode', 'service', 'dataset_version', 'resolved', 'pending', 'requests', 'cache_hits', 'hit_rate',
    'cached_cells', 'offline_fallbacks', 'paused_lookups', 'last_error', 'last_error_at', 'next_retry'],
  maps: ['mode', 'service', 'cache_bytes', 'cache_cap_bytes', 'cache_files', 'hits', 'misses', 'hit_rate', 'rendered',
    'upstream_requests', 'upstream_errors', 'stale_served', 'paused_served', 'last_error', 'last_error_at', 'next_retry'],
}

// view reads one block of the document (obj is that block's value; ''
// the whole document). field(key) is a listed key's value (any other key
// is a bug: reported, answered undefined); sub(key) and items(key) are
// views of a nested block and of a list's items; rest() is what the
// server sent beyond the list, which Settings shows under "Other" so
// nothing it adds later goes unseen.
export function view(obj, block = '') {
  const keys = KEYS[block]
  if (!keys) throw new Error(`status.js: no block "${block}" in KEYS`)
  const present = !!obj && typeof obj === 'object' && !Array.isArray(obj)
  const o = present ? obj : {}
  const field = k => {
    if (keys.includes(k)) return o[k]
    console.error(`status.js: "${k}" is not a key of block "${block}" in KEYS`)
  }
  const path = k => (block ? block + '.' : '') + k
  return {
    present,
    field,
    sub: k => view(field(k), path(k)),
    items: k => { const v = field(k); return Array.isArray(v) ? v.map(x => view(x, path(k) + '[]')) : [] },
    rest: () => Object.entries(o).filter(([k, v]) => !keys.includes(k) && v !== null && v !== undefined && v !== ''),
  }
}
