/**
 * A response as the client's Layers see it: the status and headers of the
 * last hop, and the body, buffered or as a stream.
 *
 * @since 0.1.0
 */
import type * as Stream from "effect/Stream"
import type * as CourierError from "./CourierError.js"
import type * as CourierRequest from "./CourierRequest.js"

/**
 * The body: `Buffered` for ordinary calls (read whole, decoded from its
 * content codings, under `maxResponseBytes`), `Streaming` for
 * `client.stream` (decoded and counted as it flows).
 *
 * @since 0.1.0
 */
export type Body =
  | { readonly _tag: "Buffered"; readonly bytes: Uint8Array }
  | {
    readonly _tag: "Streaming"
    readonly stream: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout | CourierError.LimitExceeded>
  }

/**
 * @since 0.1.0
 */
export interface CourierResponse {
  /** The request as sent on the last hop (after redirects). */
  readonly request: CourierRequest.CourierRequest
  readonly status: number
  /** Lower-cased names; a repeated header is one value. */
  readonly headers: Readonly<Record<string, string>>
  /** Each `Set-Cookie` line as received. */
  readonly setCookie: ReadonlyArray<string>
  readonly body: Body
}
