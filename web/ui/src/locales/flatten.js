// flatten turns a language's namespace files, as import.meta.glob gives
// them ({ "./de/trash.json": { moved: … } }), into one catalog keyed
// "<namespace>.<key>" ({ "trash.moved": … }).
export function flatten(files) {
  const out = {}
  for (const [path, msgs] of Object.entries(files)) {
    const ns = path.replace(/^.*\//, '').replace(/\.json$/, '')
    for (const [k, v] of Object.entries(msgs)) out[ns + '.' + k] = v
  }
  return out
}
