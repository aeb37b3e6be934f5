/**
 * Typed errors of the MST layer. Structural problems in stored nodes are `InvalidMstNodeError`;
 * misuse of the mutation API (adding a present key, changing a missing one) has its own classes
 * so callers can map them to protocol errors.
 */

export class InvalidMstNodeError extends Error {
  override name = 'InvalidMstNodeError'
}

export class MstKeyExistsError extends Error {
  override name = 'MstKeyExistsError'
  constructor(readonly key: string) {
    super(`key already present in MST: ${key}`)
  }
}

export class MstKeyNotFoundError extends Error {
  override name = 'MstKeyNotFoundError'
  constructor(readonly key: string) {
    super(`key not found in MST: ${key}`)
  }
}

/** An operation list that does not invert cleanly against the tree it claims to have produced. */
export class MstInversionError extends Error {
  override name = 'MstInversionError'
}
