/**
 * The body of a streaming call as one `Stream`, bounded by the call's
 * deadline (the one fixed when its request was prepared: the hop enforces
 * it up to the headers, the transport's reader over the body, and this over
 * whatever a Layer hands on). `client.stream`, NDJSON and SSE share it; the
 * last two also want the response, whose request is the one that went on
 * the wire (after every Layer: the bearer token of the auth Layer), to mask
 * its credentials in their failures.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import * as Deadline from "./deadline.js"

/** @internal */
export const streamCall = (
  request: CourierRequest.CourierRequest,
  response: Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError>,
  onResponse?: (response: CourierResponse.CourierResponse) => void
): Stream.Stream<Uint8Array, CourierError.CourierError> =>
  Deadline.withinStream(
    request,
    Stream.unwrap(
      Effect.map(response, (res) => {
        onResponse?.(res)
        return res.body._tag === "Streaming" ? res.body.stream : Stream.succeed(res.body.bytes)
      })
    )
  )
