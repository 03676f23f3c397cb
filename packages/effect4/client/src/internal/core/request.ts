/**
 * The request helpers Layers use, and the one reading of the deadline.
 */
import * as Headers from "@courier/core/Headers"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as CourierRequest from "../../CourierRequest.js"

type Request = CourierRequest.CourierRequest

/**
 * Milliseconds left before `deadline` at `now`: `Infinity` for none, 0 once passed.
 *
 * @internal
 */
export const leftAt = (deadline: number, now: number): number =>
  deadline === Infinity ? Infinity : Math.max(0, deadline - now)

/** @internal */
export const remainingMillis = (self: Request): Effect.Effect<number> =>
  self.deadline === Infinity ? Effect.succeed(Infinity) : Effect.map(Clock.currentTimeMillis, (now) => leftAt(self.deadline, now))

/** @internal */
export const remaining = (self: Request): Effect.Effect<Duration.Duration> =>
  Effect.map(remainingMillis(self), (ms) => (ms === Infinity ? Duration.infinity : Duration.millis(ms)))

/** @internal */
export const addHopHook = dual<
  (hook: CourierRequest.HopHook) => (self: Request) => Request,
  (self: Request, hook: CourierRequest.HopHook) => Request
>(2, (self, hook) => ({ ...self, hopHooks: [...self.hopHooks, hook] }))

/** @internal */
export const setHeader = dual<
  (name: string, value: string) => (self: Request) => Request,
  (self: Request, name: string, value: string) => Request
>(3, (self, name, value) => {
  const headers = { ...self.headers }
  const problem = Headers.normalize(headers, { [name]: value })
  if (problem === undefined) return { ...self, headers }
  // The first refused header is kept: the call fails with it before sending.
  return self.refusedHeader !== undefined ? self : { ...self, refusedHeader: problem }
})

/** @internal */
export const isValidHeader = (name: string, value: string): boolean =>
  Headers.normalize({}, { [name]: value }) === undefined

/** @internal */
export const removeHeader = dual<
  (name: string) => (self: Request) => Request,
  (self: Request, name: string) => Request
>(2, (self, name) => {
  const lower = name.toLowerCase()
  if (!(lower in self.headers)) return self
  const headers = { ...self.headers }
  delete headers[lower]
  return { ...self, headers }
})

/** @internal */
export const isReplayable = (self: Request): boolean => self.body._tag !== "Stream" || self.body.replayable
