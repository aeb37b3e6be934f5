/**
 * Lexicon `language` strings (spec: lexicon.md "language"): well-formed BCP 47 language tags
 * (RFC 5646 section 2.1), read subtag by subtag: language[-extlang][-script][-region]*(-variant)
 * *(-extension)[-privateuse], a bare private-use tag (x-...), or a grandfathered tag. Two stricter
 * rules follow the interop fixtures: the primary language subtag is 2-3 lower-case letters (so not
 * the reserved 4-8 letter forms), and a variant or extension singleton may not repeat (RFC 5646
 * section 4.1), compared case-insensitively.
 */
import { InvalidSyntaxError } from './errors.ts'

const GRANDFATHERED = new Set([
  'en-gb-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
  'i-navajo',
  'i-pwn',
  'i-tao',
  'i-tay',
  'i-tsu',
  'sgn-be-fr',
  'sgn-be-nl',
  'sgn-ch-de',
  'art-lojban',
  'cel-gaulish',
  'no-bok',
  'no-nyn',
  'zh-guoyu',
  'zh-hakka',
  'zh-min',
  'zh-min-nan',
  'zh-xiang',
])

const SUBTAG_RE = /^[a-zA-Z0-9]{1,8}$/
const EXTLANG_RE = /^[a-zA-Z]{3}$/
const SCRIPT_RE = /^[a-zA-Z]{4}$/
const REGION_RE = /^(?:[a-zA-Z]{2}|[0-9]{3})$/
const VARIANT_RE = /^(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3})$/
const SINGLETON_RE = /^[0-9a-wyzA-WYZ]$/
const EXTENSION_RE = /^[a-zA-Z0-9]{2,8}$/

export function isValidLanguage(s: string): boolean {
  return languageProblem(s) === undefined
}

export function parseLanguage(s: string): string {
  const problem = languageProblem(s)
  if (problem === undefined) return s
  throw new InvalidSyntaxError('language', s, problem)
}

function languageProblem(s: string): string | undefined {
  if (GRANDFATHERED.has(s.toLowerCase())) return undefined
  const tags = s.split('-')
  if (!tags.every((tag) => SUBTAG_RE.test(tag))) {
    return 'must be subtags of 1-8 ASCII letters or digits separated by single hyphens'
  }
  const first = tags[0] ?? ''
  if (first === 'x' || first === 'X') return privateUseProblem(tags, 1)
  if (!/^[a-z]{2,3}$/.test(first)) return 'the primary language subtag must be 2 or 3 lower-case letters'
  let i = 1
  const at = (re: RegExp): boolean => i < tags.length && re.test(tags[i] ?? '')
  for (let extlangs = 0; extlangs < 3 && at(EXTLANG_RE); extlangs++) i++
  if (at(SCRIPT_RE)) i++
  if (at(REGION_RE)) i++
  const variants = new Set<string>()
  for (; at(VARIANT_RE); i++) {
    const variant = (tags[i] ?? '').toLowerCase()
    if (variants.has(variant)) return `repeats the variant subtag "${variant}"`
    variants.add(variant)
  }
  const singletons = new Set<string>()
  while (at(SINGLETON_RE)) {
    const singleton = (tags[i++] ?? '').toLowerCase()
    if (singletons.has(singleton)) return `repeats the extension singleton "${singleton}"`
    singletons.add(singleton)
    const start = i
    while (at(EXTENSION_RE)) i++
    if (i === start) return `the extension "${singleton}" needs at least one subtag of 2-8 characters`
  }
  if (at(/^[xX]$/)) return privateUseProblem(tags, i + 1)
  return i < tags.length ? `unexpected subtag "${tags[i]}"` : undefined
}

/** After the x singleton: at least one subtag (their 1-8 character shape is already checked). */
function privateUseProblem(tags: string[], from: number): string | undefined {
  return from < tags.length ? undefined : 'the private-use section needs at least one subtag'
}
