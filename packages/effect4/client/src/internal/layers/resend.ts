/**
 * Whether a whole call may be sent again from its first hop: the one rule
 * Retry and Auth share. It is judged on what the call sent, not on the hop
 * that failed: after a redirect the first hop already reached the server
 * and was answered (a POST answered 303 has done its work), whatever the
 * later hop's failure says about itself.
 */
import * as RetryRules from "@courier/core/RetryRules"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

/**
 * An idempotent method (RFC 9110 9.2.2), or any method with an
 * `Idempotency-Key`: sending it twice has the effect of sending it once.
 *
 * @internal
 */
export const isIdempotent = (request: CourierRequest.CourierRequest): boolean =>
  RetryRules.isIdempotent(request.method, request.headers)

/** Whether the failure came from a hop after a redirect, so the first hop was sent. @internal */
export const afterRedirect = (error: CourierError.CourierError): boolean => (error.request.redirects ?? 0) > 0

/** Whether `request` may be sent again after `error`, as far as what already reached the server goes. @internal */
export const mayResend = (request: CourierRequest.CourierRequest, error: CourierError.CourierError): boolean =>
  isIdempotent(request) || !afterRedirect(error)

/** Whether the request's body can be built again: a one-shot stream cannot. @internal */
export const isReplayable = (request: CourierRequest.CourierRequest): boolean =>
  request.body._tag !== "Stream" || request.body.replayable
