/**
 * The verifier behind each auth scheme a method may declare (see AuthResults in types.ts).
 * Verifiers run after params are validated and before the body is read, and throw
 * AuthRequiredError / ForbiddenError to refuse.
 */
import type { AuthVerifiers } from './types.ts'

export function createAuthVerifiers(): AuthVerifiers {
  return {
    none: () => null,
  }
}
