/**
 * The request helpers Layers use (`CourierRequest.setHeader` and the rest),
 * here so that internal Layers reach them without importing the public
 * module by value.
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as CourierRequest from "../../CourierRequest.js"
import { CallId } from "./call.js"
import * as Deadline from "./deadline.js"
import * as Headers from "@courier/core/Headers"

type Request = CourierRequest.CourierRequest

/** @internal */
export const remaining = (self: Request): Effect.Effect<Duration.Duration> => Deadline.remaining(self)

/** @internal */
export const isStreaming = (self: Request): boolean => self[CallId].streaming

/** @internal */
export const addHopHook = dual<
  (hook: CourierRequest.HopHook) => (self: Request) => Request,
  (self: Request, hook: CourierRequest.HopHook) => Request
>(2, (self, hook) => ({
  ...self,
  hopHooks: self.hopHooks === undefined ? [hook] : [...self.hopHooks, hook]
}))

/**
 * An invalid header is never dropped quietly: the first one is kept on the
 * call, which then fails with `RequestRefused` before anything is sent.
 *
 * @internal
 */
export const setHeader = dual<
  (name: string, value: string) => (self: Request) => Request,
  (self: Request, name: string, value: string) => Request
>(3, (self, name, value) => {
  const headers = { ...self.headers }
  const problem = Headers.normalize(headers, { [name]: value })
  if (problem === undefined) return { ...self, headers }
  const call = self[CallId]
  return call.refusedHeader !== undefined ? self : { ...self, [CallId]: { ...call, refusedHeader: problem } }
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
