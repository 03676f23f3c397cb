/**
 * The call's `total` deadline, enforced in one place. The transport's own
 * timer keeps it on a native exchange; everything else a call may wait for
 * goes through `bound`: a generic hop, a bulkhead slot, a refresh in flight,
 * and, around the whole decorated call, whatever a Layer waits for outside
 * the transport (a token store read, a shared breaker's, limiter's or
 * cache's store, a lock another process holds). A store that stops
 * answering cannot hold a call past its deadline.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

/**
 * `effect`, failing with `Timeout` (phase `total`) when the request's
 * deadline passes first; as it is when the request has none.
 *
 * @internal
 */
export const bound = <A, E, R>(
  request: CourierRequest.CourierRequest,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | CourierError.Timeout, R> => {
  const deadline = request.deadline
  if (deadline === undefined) return effect
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.timeoutFail(effect, {
      duration: Duration.millis(Math.max(0, deadline - now)),
      onTimeout: () => new CourierError.Timeout({ request: request.info, phase: "total", duration: request.timeouts.total })
    }))
}
