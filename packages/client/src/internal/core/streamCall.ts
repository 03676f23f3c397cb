/**
 * The body of a streaming call as one `Stream`, with the `total` timeout over
 * all of it (the hop enforces it only up to the headers). `client.stream`,
 * NDJSON and SSE share it; the last two also want the response, whose
 * request is the one that went on the wire (after every Layer: the bearer
 * token of the auth Layer), to mask its credentials in their failures.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"

/** @internal */
export const streamCall = (
  request: CourierRequest.CourierRequest,
  response: Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError>,
  onResponse?: (response: CourierResponse.CourierResponse) => void
): Stream.Stream<Uint8Array, CourierError.CourierError> => {
  const body = Stream.unwrap(
    Effect.map(response, (res) => {
      onResponse?.(res)
      return res.body._tag === "Streaming" ? res.body.stream : Stream.succeed(res.body.bytes)
    })
  )
  const total = request.timeouts.total
  if (!Duration.isFinite(total)) return body
  return Stream.interruptWhen(
    body,
    Effect.zipRight(
      Effect.sleep(total),
      Effect.failSync(() => new CourierError.Timeout({ request: request.info, phase: "total", duration: total }))
    )
  )
}
