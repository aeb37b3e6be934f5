/**
 * Typed errors of the repository write path; the service layer maps them to XRPC errors.
 */

export class RecordExistsError extends Error {
  override name = 'RecordExistsError'
  constructor(readonly path: string) {
    super(`record already exists: ${path}`)
  }
}

export class RecordNotFoundError extends Error {
  override name = 'RecordNotFoundError'
  constructor(readonly path: string) {
    super(`record not found: ${path}`)
  }
}

/** Two writes in one commit touch the same record path. */
export class DuplicateWritePathError extends Error {
  override name = 'DuplicateWritePathError'
  constructor(readonly path: string) {
    super(`more than one write to ${path} in one commit`)
  }
}

/** The new revision does not sort after the previous one. */
export class StaleRevError extends Error {
  override name = 'StaleRevError'
  constructor(
    readonly rev: string,
    readonly prevRev: string,
  ) {
    super(`commit rev ${rev} is not greater than the previous rev ${prevRev}`)
  }
}
