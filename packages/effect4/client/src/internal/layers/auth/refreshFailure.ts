/**
 * What a failed refresh means for the session, and which failures of the
 * refresh call are worth sending it again. A session ends only when the
 * token endpoint said no; a token endpoint that is down must not log
 * everyone out.
 */
import * as FailureText from "@courier/core/FailureText"
import * as TokenRefresh from "@courier/core/TokenRefresh"
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
    return FailureText.auth.refreshTimedOut
  }
}

/**
 * Whether a failed refresh ends the session. A failure of the refresh call
 * ends it when the endpoint said no (`TokenRefresh.callFailureEndsSession`);
 * any other failure value ends it too: a refresh of the program's own said
 * so itself, and without a refresh token there is nothing to refresh with.
 * The refresh timing out, an interruption or a defect leaves the tokens in
 * place.
 *
 * @internal
 */
export const endsSession = (cause: Cause.Cause<unknown>): boolean => {
  const failure = cause.reasons.find(Cause.isFailReason)
  if (failure === undefined) return false
  const error = failure.error
  if (error instanceof RefreshTimedOut) return false
  if (!CourierError.isCourierError(error)) return true
  return TokenRefresh.callFailureEndsSession(
    error._tag === "BadResponse"
      ? { _tag: error._tag, status: error.status, errorBody: Option.getOrUndefined(error.errorBody) }
      : error
  )
}

/**
 * The retry decision for the refresh call: the Retry Layer's own default
 * (which already retries a POST when nothing was sent) plus the statuses
 * after which the server did not act on it (`TokenRefresh.retriesRefresh`:
 * 408, 429, 503).
 *
 * @internal
 */
export const shouldRetryRefresh = (
  _request: CourierRequest.CourierRequest,
  error: CourierError.CourierError,
  byDefault: boolean
): boolean => byDefault || (error._tag === "BadResponse" && TokenRefresh.retriesRefresh(error.status))
