/**
 * Identity failures. They are XRPC errors so that one that reaches the HTTP layer unhandled still
 * answers sensibly: an unusable DID is the client's fault (400), a directory or web server that
 * fails or serves garbage is an upstream failure (502). Callers that need another meaning (service
 * auth answers 401) catch and convert them.
 */
import { InvalidRequestError, UpstreamFailureError } from '../errors.ts'

/** Not a DID this server can resolve: bad syntax, another method, a did:web with a path or port. */
export class UnsupportedDidError extends InvalidRequestError {
  override name = 'UnsupportedDidError'
  constructor(message: string) {
    super(message, 'InvalidRequest')
  }
}

/** The DID method's authority says there is no (current) document for the DID. */
export class DidNotFoundError extends InvalidRequestError {
  override name = 'DidNotFoundError'
  constructor(readonly did: string) {
    super(`DID not found: ${did}`, 'DidNotFound')
  }
}

/** The DID existed but its authority says it is deactivated (a tombstoned did:plc). */
export class DidDeactivatedError extends InvalidRequestError {
  override name = 'DidDeactivatedError'
  constructor(did: string) {
    super(`DID deactivated: ${did}`, 'DidDeactivated')
  }
}

/** Neither this server nor DNS / the handle's well-known document maps the handle to a DID. */
export class HandleNotFoundError extends InvalidRequestError {
  override name = 'HandleNotFoundError'
  constructor(handle: string) {
    super(`Unable to resolve handle: ${handle}`, 'HandleNotFound')
  }
}

/** The document could not be fetched (network, timeout, unexpected status, oversized). */
export class DidResolutionError extends UpstreamFailureError {
  override name = 'DidResolutionError'
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'UpstreamFailure', options)
  }
}

/** The document was fetched but is malformed, claims another DID, or lacks what atproto needs. */
export class DidDocumentError extends UpstreamFailureError {
  override name = 'DidDocumentError'
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'UpstreamFailure', options)
  }
}

/** The PLC directory refused a request or could not be reached; `plcStatus` is its HTTP status. */
export class PlcError extends UpstreamFailureError {
  override name = 'PlcError'
  constructor(
    message: string,
    readonly plcStatus: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, 'UpstreamFailure', options)
  }
}
