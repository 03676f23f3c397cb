/**
 * The failures of the command itself, beside the client's `CourierError`s.
 */
import * as Data from "effect/Data"

/**
 * The command line asks for something impossible: a malformed item, a
 * relative URL with no base URL, a file that cannot be read, a password
 * that cannot be prompted for. Nothing was sent.
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
}> {}

/**
 * Something on this machine failed: writing the downloaded file, the token
 * file. The request itself may have succeeded.
 */
export class LocalError extends Data.TaggedError("LocalError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The server turned the login down (a 401 or 403 on the login call): the
 * user name or the password is wrong. Exits like `Unauthorized`.
 */
export class LoginRejected extends Data.TaggedError("LoginRejected")<{
  readonly message: string
}> {}
