/**
 * The one error every atproto syntax parser throws. `kind` names the identifier being parsed so a
 * caller can map it to an API error without string matching; the message says what is wrong.
 */
export type SyntaxKind =
  | 'did'
  | 'handle'
  | 'nsid'
  | 'at-uri'
  | 'at-identifier'
  | 'record-key'
  | 'tid'
  | 'datetime'
  | 'language'
  | 'cid'
  | 'uri'

export class InvalidSyntaxError extends Error {
  override name = 'InvalidSyntaxError'

  constructor(
    readonly kind: SyntaxKind,
    input: string,
    readonly problem: string,
  ) {
    super(`invalid ${kind} ${quote(input)}: ${problem}`)
  }
}

/** Quotes untrusted input for a message, bounded so a huge input cannot bloat logs. */
function quote(input: string): string {
  return JSON.stringify(input.length > 100 ? `${input.slice(0, 100)}…` : input)
}
