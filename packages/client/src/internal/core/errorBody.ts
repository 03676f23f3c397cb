/**
 * The full body of a non-2xx answer, for a caller that hands statuses on as
 * responses (the platform `HttpClient` face). A failure keeps only a
 * redacted excerpt, which is right for logs and messages but not for code
 * that decodes the error body by status. The caller installs a sink for its
 * call; the core then reads the error body up to `maxResponseBytes` and
 * hands it over next to the failure it built, which is the key: Layers
 * above may replace a failure (a refresh that failed), and then its body is
 * not the one kept.
 */
import type * as Headers from "@effect/platform/Headers"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import type * as CourierError from "../../CourierError.js"

/** @internal */
export interface Kept {
  readonly headers: Headers.Headers
  /** Decoded (content codings undone), at most `maxResponseBytes` of them. */
  readonly bytes: Uint8Array
  /** False when the body went on past `maxResponseBytes` and was cut there. */
  readonly complete: boolean
}

/** @internal */
export type Sink = (failure: CourierError.Unauthorized | CourierError.BadResponse, kept: Kept) => void

/** @internal */
export const currentSink = globalValue(
  Symbol.for("@courier/client/ErrorBody/currentSink"),
  () => FiberRef.unsafeMake<Sink | undefined>(undefined)
)

/** Runs `effect` with `sink` receiving the error bodies of its calls. @internal */
export const keeping = <A, E, R>(effect: Effect.Effect<A, E, R>, sink: Sink): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentSink, sink)
