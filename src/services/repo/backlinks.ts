/**
 * The subjects a record links to, for the records the reference PDS keeps unique per subject:
 * follows and blocks (`subject`, a DID) and likes and reposts (`subject.uri`, an AT-URI). A new
 * record of one of these types replaces the old ones with the same subject (see commit.ts).
 */
import type { LexMap } from '../../core/data-model.ts'
import { isValidAtUri, isValidDid } from '../../core/syntax/index.ts'
import type { Backlink } from '../../storage/repo/index.ts'

const DID_SUBJECT = new Set(['app.bsky.graph.follow', 'app.bsky.graph.block'])
const URI_SUBJECT = new Set(['app.bsky.feed.like', 'app.bsky.feed.repost'])

export function backlinksOf(record: LexMap): Backlink[] {
  const type = record.$type
  if (typeof type !== 'string') return []
  const subject = record.subject
  if (DID_SUBJECT.has(type)) {
    return typeof subject === 'string' && isValidDid(subject) ? [{ path: 'subject', linkTo: subject }] : []
  }
  if (URI_SUBJECT.has(type) && typeof subject === 'object' && subject !== null && 'uri' in subject) {
    const uri = (subject as LexMap).uri
    return typeof uri === 'string' && isValidAtUri(uri) ? [{ path: 'subject.uri', linkTo: uri }] : []
  }
  return []
}
