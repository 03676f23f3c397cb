/**
 * What a failed refresh means for the session, and which failures of the
 * refresh call are worth sending it again. A session ends only when the
 * token endpoint said no; a token endpoint that is down must not log
 * everyone out.
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"

/** The refresh ran past `refreshTimeout` and was interrupted. @internal */
export class RefreshTimedOut extends Data.TaggedError("RefreshTimedOut")<{
  readonly duration: Duration.Duration
}> {
  override get message(): string {
    return "the refresh did not finish within refreshTimeout"
  }
}

/** Statuses of the token endpoint that reject the refresh token itself. */
const rejections: ReadonlySet<number> = new Set([400, 401, 403])

/**
 * OAuth2 error codes (RFC 6749 section 5.2) that some token endpoints send
 * with a 400 when they are down or overloaded: not a rejection.
 */
const unavailableCodes: ReadonlySet<string> = new Set(["temporarily_unavailable", "server_error"])

const oauth2ErrorCode = (errorBody: Option.Option<unknown>): string | undefined => {
  if (Option.isNone(errorBody)) return undefined
  const body = errorBody.value
  return typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
    ? (body as { error: string }).error
    : undefined
}

/**
 * Whether a failed refresh ends the session: the endpoint rejected the
 * refresh (400 such as `invalid_grant`, 401, 403), there was no refresh
 * token, or a custom refresh failed with a value of its own (it said so
 * itself). Anything else (no answer, a timeout, 5xx, 429, another status, a
 * body that could not be read, a defect) leaves the tokens in place.
 *
 * @internal
 */
export const endsSession = (cause: Cause.Cause<unknown>): boolean => {
  const failure = cause.reasons.find(Cause.isFailReason)
  if (failure === undefined) return false
  const error = failure.error
  if (error instanceof RefreshTimedOut) return false
  if (!CourierError.isCourierError(error)) return true
  switch (error._tag) {
    case "Unauthorized":
      return true
    case "BadResponse": {
      const code = oauth2ErrorCode(error.errorBody)
      return rejections.has(error.status) && (code === undefined || !unavailableCodes.has(code))
    }
    default:
      return false
  }
}

/**
 * Statuses after which the refresh POST is sent again: the server says it
 * did not act on it (408 it never read it, 429 it refused to, 503 it could
 * not). A reset, a receive timeout, 500, 502 or 504 may come after the
 * server already rotated the refresh token; sending the old one again would
 * get a 400 and end a session that is fine, so those are not retried.
 */
const refreshRetryStatuses: ReadonlySet<number> = new Set([408, 429, 503])

/**
 * The retry decision for the refresh call: the Retry Layer's own default
 * (which already retries a POST when nothing was sent) plus the statuses
 * above.
 *
 * @internal
 */
export const shouldRetryRefresh = (
  _request: CourierRequest.CourierRequest,
  error: CourierError.CourierError,
  byDefault: boolean
): boolean => byDefault || (error._tag === "BadResponse" && refreshRetryStatuses.has(error.status))
