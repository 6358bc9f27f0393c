// Finds words a person would read that are written into the web app's
// source instead of coming from the message catalog (src/i18n.js), and the
// catalog keys the source asks for. Run alone to list a file's findings:
//   node tests/i18n-scan.js src/trash.jsx
import { parse } from '@babel/parser'
import { readFileSync } from 'node:fs'

// Attributes and props whose value is shown or read out to people.
const TEXT_PROPS = new Set(['title', 'aria-label', 'aria-description', 'aria-valuetext', 'aria-roledescription', 'placeholder', 'alt', 'label', 'hint', 'message', 'text', 'desc', 'description', 'heading', 'caption', 'confirm', 'empty', 'what'])
// Functions whose string arguments are shown to people.
const TEXT_CALLS = new Set(['toast', 'alert', 'confirm', 'prompt', 'setError', 'setMsg', 'setMessage', 'setNote', 'setHint', 'setStatus', 'say', 'announce'])
// Words that are the same in every language: names, units, symbols.
export const SAME_EVERYWHERE = new Set(['Pinhole', 'WebDAV', 'OIDC', 'GPX', 'RAW', 'JPEG', 'HEIC', 'EXIF', 'XMP', 'TOTP', 'rclone', 'PhotoSync', 'FolderSync', 'OpenStreetMap', 'Google Takeout', 'Natural Earth', 'GeoNames', 'ISO', 'GPS', 'MB', 'GB', 'KB', 'ms', 'px', 'OK'])

// Calls whose string arguments are code, not words for people.
const CODE_CALLS = new Set(['t', 'querySelector', 'querySelectorAll', 'closest', 'matches', 'log', 'warn', 'error', 'info', 'debug',
  'getPropertyValue', 'setProperty', 'addEventListener', 'removeEventListener', 'on', 'emit', 'get', 'api', 'setItem', 'getItem',
  'startsWith', 'endsWith', 'includes', 'test', 'replace', 'split', 'fetch', 'navigate', 'matchMedia', 'postMessage',
  'createElement', 'setAttribute', 'getAttribute', 'Error'])
// Attributes whose values are code.
const CODE_PROPS = new Set(['class', 'className', 'style', 'href', 'type', 'name', 'id', 'data-testid', 'role', 'key', 'autocomplete', 'inputmode', 'lang'])
// sentence: starts with a capitalised word and goes on with another —
// how words for people look wherever the code keeps them (a helper that
// returns a label, a variable, a list of options).
const sentence = s => /^\s*\p{Lu}\p{Ll}+[\s\p{L},.’'!?:;…—-]*\s\p{L}/u.test(s)

// wordy: has letters that make a word (two or more), not a code or class.
function wordy(s) {
  const v = s.replace(/\s+/g, ' ').trim()
  if (!/\p{L}{2,}/u.test(v)) return false
  if (SAME_EVERYWHERE.has(v)) return false
  return true
}

// Strings reached from an expression as its possible values: literals,
// both sides of ?: and ||/&&/??, the parts of templates and of +.
function strings(node, out = []) {
  if (!node) return out
  switch (node.type) {
    case 'StringLiteral': out.push([node.value, node]); break
    case 'TemplateLiteral':
      for (const q of node.quasis) out.push([q.value.cooked ?? q.value.raw, q])
      for (const e of node.expressions) strings(e, out)
      break
    case 'ConditionalExpression': strings(node.consequent, out); strings(node.alternate, out); break
    case 'LogicalExpression': strings(node.right, out); strings(node.left, out); break
    case 'BinaryExpression': if (node.operator === '+') { strings(node.left, out); strings(node.right, out) } break
    case 'JSXExpressionContainer': strings(node.expression, out); break
    case 'ParenthesizedExpression': strings(node.expression, out); break
  }
  return out
}

function propName(n) {
  if (n.type === 'JSXIdentifier') return n.name
  if (n.type === 'JSXNamespacedName') return n.namespace.name + ':' + n.name.name
  return ''
}

function calleeName(c) {
  if (c.type === 'Identifier') return c.name
  if (c.type === 'MemberExpression' && !c.computed) return c.property.name
  return ''
}

// scan returns { hardcoded: [{line, text, where}], keys: [{line, key, prefix}] }.
export function scan(source, file = '') {
  const ast = parse(source, { sourceType: 'module', plugins: ['jsx'], errorRecovery: false, createParenthesizedExpressions: true })
  const hardcoded = [], keys = []
  const flag = (text, node, where) => {
    if (wordy(text)) hardcoded.push({ file, line: node.loc.start.line, text: text.replace(/\s+/g, ' ').trim(), where })
  }
  const flagged = new Set()
  const flag2 = (text, node, where) => { flagged.add(node); flag(text, node, where) }
  const walk = (node, parents) => {
    if (!node || typeof node.type !== 'string') return
    const parent = parents[parents.length - 1]
    switch (node.type) {
      case 'StringLiteral':
      case 'TemplateElement': {
        const v = node.type === 'StringLiteral' ? node.value : node.value.cooked ?? ''
        if (flagged.has(node) || !sentence(v)) break
        const code = parents.some(q => (q.type === 'CallExpression' || q.type === 'NewExpression') && CODE_CALLS.has(calleeName(q.callee))) ||
          parents.some(q => q.type === 'ImportDeclaration' || q.type === 'ExportAllDeclaration' || q.type === 'ExportNamedDeclaration' && q.source) ||
          (parent.type === 'ObjectProperty' && parent.key === node) ||
          parents.some(q => q.type === 'JSXAttribute' && CODE_PROPS.has(propName(q.name)))
        if (!code) flag(v, node, 'string')
        break
      }
      case 'JSXText':
        flag2(node.value, node, 'text')
        break
      case 'JSXExpressionContainer':
        if (parent && (parent.type === 'JSXElement' || parent.type === 'JSXFragment')) {
          for (const [s, n] of strings(node.expression)) flag2(s, n, 'text')
        }
        break
      case 'JSXAttribute':
        if (TEXT_PROPS.has(propName(node.name)) && node.value) {
          for (const [s, n] of strings(node.value)) flag2(s, n, propName(node.name))
        }
        break
      case 'CallExpression': {
        const name = calleeName(node.callee)
        if (TEXT_CALLS.has(name)) for (const a of node.arguments.slice(0, 1)) for (const [s, n] of strings(a)) flag2(s, n, name + '()')
        if (name === 't' && node.arguments[0]) {
          const a = node.arguments[0]
          if (a.type === 'StringLiteral') keys.push({ file, line: a.loc.start.line, key: a.value })
          else if (a.type === 'TemplateLiteral') keys.push({ file, line: a.loc.start.line, prefix: a.quasis[0].value.cooked })
          else keys.push({ file, line: a.loc.start.line, prefix: '' })
        }
        break
      }
      case 'NewExpression':
        if (calleeName(node.callee) === 'ApiError') {
          // Errors shown in toasts: flagged like toast().
          for (const a of node.arguments.slice(0, 1)) for (const [s, n] of strings(a)) flag2(s, n, 'new ApiError()')
        }
        break
    }
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'start' || k === 'end' || k === 'extra' || k === 'leadingComments' || k === 'trailingComments') continue
      const v = node[k]
      if (Array.isArray(v)) for (const c of v) walk(c, [...parents, node])
      else if (v && typeof v.type === 'string') walk(v, [...parents, node])
    }
  }
  walk(ast.program, [])
  return { hardcoded, keys }
}

export function scanFile(path) {
  return scan(readFileSync(path, 'utf8'), path)
}

if (process.argv[1] === import.meta.filename) {
  let n = 0
  for (const f of process.argv.slice(2)) {
    for (const h of scanFile(f).hardcoded) { console.log(`${h.file}:${h.line}  [${h.where}]  ${h.text}`); n++ }
  }
  console.log(`${n} hard-coded string(s)`)
}
