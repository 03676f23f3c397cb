/**
 * What the core keeps on a request for itself: the call's deadline, whether
 * its body is streamed, how its error body is decoded, and a header a Layer
 * tried to set that can not be sent. It travels under a symbol, so a Layer's
 * `{ ...request, headers }` carries it along without seeing it.
 */
import type * as Option from "effect/Option"

/** @internal */
export const CallId: unique symbol = Symbol.for("@courier/client/CourierRequest/Call")

/** @internal */
export type CallId = typeof CallId

/** @internal */
export interface Call {
  /** When the `total` timeout ends the call, in Clock milliseconds; `Infinity` for none. Read it through `deadline.ts`. */
  readonly deadline: number
  /** Whether the body is handed to the caller as a stream rather than buffered. */
  readonly streaming: boolean
  /** Decodes a non-2xx body with the request's `errorSchema`. */
  readonly decodeErrorBody: ((json: unknown) => Option.Option<unknown>) | undefined
  /** A header `setHeader` could not set: the call fails with `RequestRefused` before it is sent. */
  readonly refusedHeader: { readonly name: string; readonly problem: string } | undefined
}
