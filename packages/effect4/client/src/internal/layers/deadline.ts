/**
 * The call's deadline as the Layers read it. The client core computes it
 * once, when the request is prepared; every wait of a Layer (a retry sleep,
 * a refresh wait) takes what is left of it from here.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

/** The instant the call ends, in Clock milliseconds; `Infinity` without a `total` timeout. @internal */
export const at = (request: CourierRequest.CourierRequest): number => request.deadline

/** Whether a wait of `millis` starting at `now` ends before the deadline. @internal */
export const allows = (request: CourierRequest.CourierRequest, now: number, millis: number): boolean =>
  now + millis < at(request)

/** The failure of a call whose deadline passed. @internal */
export const expired = (request: CourierRequest.CourierRequest): CourierError.Timeout =>
  new CourierError.Timeout({ request: request.info, phase: "total", duration: request.timeouts.total })

/** `effect`, failing with `Timeout` (total) when the deadline passes first. @internal */
export const within = <A, E, R>(
  request: CourierRequest.CourierRequest,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | CourierError.Timeout, R> => {
  const deadline = at(request)
  if (deadline === Infinity) return effect
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.timeoutOrElse(effect, {
      duration: Math.max(0, deadline - now),
      orElse: () => Effect.fail(expired(request))
    }))
}
