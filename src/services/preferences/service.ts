/**
 * Account preferences (app.bsky.actor.getPreferences / putPreferences), kept by the PDS as the
 * reference does: only `app.bsky.*` preference objects; a put replaces every stored preference
 * of that namespace; the personal details preference (a birth date) is neither shown to nor
 * changed by app-password sessions. Values are stored as DAG-CBOR and returned as put.
 */
import { decodeCbor, encodeCbor } from '../../core/cbor.ts'
import type { LexMap } from '../../core/data-model.ts'
import type { RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'

/** The session kind: full access, or an app password (privileged or not). */
export type PreferenceScope = 'access' | 'appPass' | 'appPassPrivileged' | 'takendown'

const NAMESPACE = 'app.bsky'
const FULL_ACCESS_ONLY = new Set(['app.bsky.actor.defs#personalDetailsPref'])

export class PreferencesService {
  constructor(private readonly storage: RepoStorage) {}

  get(did: string, scope: PreferenceScope): LexMap[] {
    return this.storage.preferences
      .list(did)
      .filter((row) => inNamespace(row.name) && inScope(scope, row.name))
      .map((row) => decodeCbor(row.value) as LexMap)
  }

  put(did: string, preferences: readonly LexMap[], scope: PreferenceScope): void {
    const names = preferences.map((pref) => {
      if (typeof pref.$type !== 'string') throw new InvalidRequestError('Preference is missing a $type')
      return pref.$type
    })
    if (!names.every(inNamespace)) {
      throw new InvalidRequestError(`Some preferences are not in the ${NAMESPACE} namespace`)
    }
    const { db, preferences: rows } = this.storage
    db.transaction(() => {
      for (const row of rows.list(did)) {
        if (inNamespace(row.name) && inScope(scope, row.name)) rows.delete(row.id)
      }
      preferences.forEach((pref, i) => {
        const name = names[i]!
        if (inScope(scope, name)) rows.add(did, name, encodeCbor(pref))
      })
    })
  }
}

function inNamespace(name: string): boolean {
  return name === NAMESPACE || name.startsWith(`${NAMESPACE}.`)
}

function inScope(scope: PreferenceScope, name: string): boolean {
  return scope === 'access' || !FULL_ACCESS_ONLY.has(name)
}
