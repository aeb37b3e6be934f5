/**
 * The XRPC error hierarchy. Services throw these (status + error name + message); the HTTP layer's
 * error mapper is the only place that turns them, or anything else, into a `{"error","message"}`
 * response. Every class takes an optional custom error name from the method's lexicon, e.g.
 * `new InvalidRequestError('Handle already taken', 'HandleNotAvailable')`.
 */

export interface XrpcErrorOptions extends ErrorOptions {
  /** Response headers the error needs (WWW-Authenticate, DPoP-Nonce, Retry-After, RateLimit-*). */
  headers?: Readonly<Record<string, string>>
}

export class XrpcError extends Error {
  override name = 'XrpcError'
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    options?: XrpcErrorOptions,
  ) {
    super(message, options)
    this.headers = options?.headers
  }
}

export class InvalidRequestError extends XrpcError {
  override name = 'InvalidRequestError'
  constructor(message = 'Invalid Request', error = 'InvalidRequest', options?: XrpcErrorOptions) {
    super(400, error, message, options)
  }
}

export class AuthRequiredError extends XrpcError {
  override name = 'AuthRequiredError'
  constructor(
    message = 'Authentication Required',
    error = 'AuthenticationRequired',
    options?: XrpcErrorOptions,
  ) {
    super(401, error, message, options)
  }
}

export class ForbiddenError extends XrpcError {
  override name = 'ForbiddenError'
  constructor(message = 'Forbidden', error = 'Forbidden', options?: XrpcErrorOptions) {
    super(403, error, message, options)
  }
}

/** A missing resource outside XRPC semantics (XRPC methods answer 400 with a lexicon error name). */
export class NotFoundError extends XrpcError {
  override name = 'NotFoundError'
  constructor(message = 'Not Found', error = 'NotFound', options?: XrpcErrorOptions) {
    super(404, error, message, options)
  }
}

export class PayloadTooLargeError extends XrpcError {
  override name = 'PayloadTooLargeError'
  constructor(message = 'Payload Too Large', error = 'PayloadTooLarge', options?: XrpcErrorOptions) {
    super(413, error, message, options)
  }
}

export class UnsupportedMediaTypeError extends XrpcError {
  override name = 'UnsupportedMediaTypeError'
  constructor(
    message = 'Unsupported Media Type',
    error = 'UnsupportedMediaType',
    options?: XrpcErrorOptions,
  ) {
    super(415, error, message, options)
  }
}

export class RateLimitExceededError extends XrpcError {
  override name = 'RateLimitExceededError'
  constructor(message = 'Rate Limit Exceeded', error = 'RateLimitExceeded', options?: XrpcErrorOptions) {
    super(429, error, message, options)
  }
}

/** A 500 chosen on purpose. The message is logged but never sent: clients get a fixed text. */
export class InternalServerError extends XrpcError {
  override name = 'InternalServerError'
  constructor(message = 'Internal Server Error', error = 'InternalServerError', options?: XrpcErrorOptions) {
    super(500, error, message, options)
  }
}

export class MethodNotImplementedError extends XrpcError {
  override name = 'MethodNotImplementedError'
  constructor(
    message = 'Method Not Implemented',
    error = 'MethodNotImplemented',
    options?: XrpcErrorOptions,
  ) {
    super(501, error, message, options)
  }
}

export class UpstreamFailureError extends XrpcError {
  override name = 'UpstreamFailureError'
  constructor(message = 'Upstream Failure', error = 'UpstreamFailure', options?: XrpcErrorOptions) {
    super(502, error, message, options)
  }
}
