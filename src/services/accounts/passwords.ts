/** The rules for a new account password (sign-up and reset). */
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/password.ts'
import { InvalidRequestError } from '../errors.ts'

/** Throws `errorName` (InvalidPassword for createAccount) when the password is unusable. */
export function assertNewPassword(
  password: string | undefined,
  errorName: string,
): asserts password is string {
  if (password === undefined || password.length === 0) {
    throw new InvalidRequestError('Password is required', errorName)
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidRequestError(
      `Password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
      errorName,
    )
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequestError(
      `Password too long. Maximum length is ${MAX_PASSWORD_LENGTH} characters.`,
      errorName,
    )
  }
}
