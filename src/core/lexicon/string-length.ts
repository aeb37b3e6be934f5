/**
 * String lengths as Lexicon counts them (spec: lexicon.md "string"): `minLength`/`maxLength` in
 * UTF-8 bytes, `minGraphemes`/`maxGraphemes` in extended grapheme clusters. Both count without
 * allocating. ASCII text, the common case, skips the segmenter: every ASCII character is its own
 * cluster except a CR LF pair, which is one.
 */

// Created on first use: building a segmenter loads ICU's break rules, which most starts never need.
let segmenter: Intl.Segmenter | undefined

/** UTF-8 byte length; a lone surrogate counts as the 3-byte replacement character. */
export function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

export function graphemeLength(s: string): number {
  let crlf = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code >= 0x80) return segmentCount(s)
    if (code === 0x0a && i > 0 && s.charCodeAt(i - 1) === 0x0d) crlf++
  }
  return s.length - crlf
}

function segmentCount(s: string): number {
  let count = 0
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  for (const _segment of segmenter.segment(s)) count++
  return count
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
