/**
 * The call's deadline, in one place. The `total` timeout becomes one instant
 * when the request is prepared; every wait of the call (a hop, a retry sleep,
 * a refresh or bulkhead or rate-limit wait, a body read, a stream) takes what
 * is left of it from here, so no wait can forget it or restart it.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import { CallId } from "./call.js"

/** The instant the call ends, in Clock milliseconds; `Infinity` when it has no `total` timeout. @internal */
export const at = (request: CourierRequest.CourierRequest): number => request[CallId].deadline

/** The instant a call prepared at `now` with `total` ends. @internal */
export const from = (now: number, total: Duration.Duration): number =>
  Duration.isFinite(total) ? now + Duration.toMillis(total) : Infinity

/** What is left of the call's time, read from the Clock. @internal */
export const remaining = (request: CourierRequest.CourierRequest): Effect.Effect<Duration.Duration> => {
  const deadline = at(request)
  if (deadline === Infinity) return Effect.succeed(Duration.infinity)
  return Effect.map(Clock.currentTimeMillis, (now) => Duration.millis(Math.max(0, deadline - now)))
}

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
    Effect.timeoutFail(effect, {
      duration: Duration.millis(Math.max(0, deadline - now)),
      onTimeout: () => expired(request)
    }))
}

/** `stream`, failing with `Timeout` (total) when the deadline passes before it ends. @internal */
export const withinStream = <A, E, R>(
  request: CourierRequest.CourierRequest,
  stream: Stream.Stream<A, E, R>
): Stream.Stream<A, E | CourierError.Timeout, R> => {
  const deadline = at(request)
  if (deadline === Infinity) return stream
  return Stream.interruptWhen(
    stream,
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.zipRight(Effect.sleep(Math.max(0, deadline - now)), Effect.failSync(() => expired(request))))
  )
}
