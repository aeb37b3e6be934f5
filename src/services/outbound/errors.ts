/**
 * Typed failures of outbound HTTP requests. Callers decide what each means to them (an
 * unresolvable handle, an upstream failure, a 401); none is an XRPC error by itself.
 */

export class OutboundError extends Error {
  override name = 'OutboundError'
}

/** The URL, or an address its host resolves to, is not allowed (scheme, credentials, private range). */
export class OutboundBlockedError extends OutboundError {
  override name = 'OutboundBlockedError'
}

export class OutboundTimeoutError extends OutboundError {
  override name = 'OutboundTimeoutError'
}

/** The response body (after decompression) went over the byte limit. */
export class OutboundResponseTooLargeError extends OutboundError {
  override name = 'OutboundResponseTooLargeError'
}

/** A redirect was refused (`redirect: 'error'`) or there were too many of them. */
export class OutboundRedirectError extends OutboundError {
  override name = 'OutboundRedirectError'
}

/** DNS or connection failure: nothing was answered. */
export class OutboundNetworkError extends OutboundError {
  override name = 'OutboundNetworkError'
}
