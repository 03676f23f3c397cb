import * as Sse from "@courier/core/ServerSentEvents"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import * as CourierError from "../../CourierError.js"
import type * as ServerSentEvents from "../../ServerSentEvents.js"
import { decodeDocument } from "../redaction/failure.js"
import { splitLines } from "./lines.js"
import { streamCall } from "../core/streamCall.js"

/**
 * `@courier/core`'s parser over a stream of lines. With `limit`, an event
 * whose data grows past `max` bytes fails the stream with `onTooLarge()`,
 * after the events complete before it.
 */
const parse = <E, E2>(
  lines: Stream.Stream<string, E>,
  limit: { readonly max: number; readonly onTooLarge: () => E2 } | undefined
): Stream.Stream<ServerSentEvents.Event, E | E2> =>
  Stream.suspend(() => {
    const parser = Sse.makeParser(limit?.max)
    return Stream.flatMap(Stream.chunks(lines), (chunk) => {
      const step = parser.push(chunk)
      const out = Stream.fromIterable(step.events)
      return step.tooLarge && limit !== undefined ? Stream.concat(out, Stream.fail(limit.onTooLarge())) : out
    })
  })

/** @internal */
export const fromLines = <E>(lines: Stream.Stream<string, E>): Stream.Stream<ServerSentEvents.Event, E> =>
  parse<E, never>(lines, undefined)

/** @internal */
const withAccept = (options: ServerSentEvents.Options): ServerSentEvents.Options => ({
  ...options,
  headers: { accept: "text/event-stream", ...options.headers }
})

const events = (
  client: CourierClient.Service,
  url: string,
  options: ServerSentEvents.Options,
  request: CourierRequest.CourierRequest,
  onResponse?: (response: CourierResponse.CourierResponse) => void
): Stream.Stream<ServerSentEvents.Event, CourierError.CourierError> => {
  const limit = options.maxEventBytes ?? 1024 * 1024
  const tooLarge = () => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
  const body = streamCall(request, client.streamingResponse("GET", url, options), onResponse)
  return parse(splitLines(body, limit, tooLarge), { max: limit, onTooLarge: tooLarge })
}

/** @internal */
export const stream = (
  client: CourierClient.Service,
  url: string,
  options: ServerSentEvents.Options = {}
): Stream.Stream<ServerSentEvents.Event, CourierError.CourierError> => {
  const sent = withAccept(options)
  return Stream.unwrap(Effect.map(client.prepare("GET", url, sent), (request) => events(client, url, sent, request)))
}

/** @internal */
export const streamJson = <A, I>(
  client: CourierClient.Service,
  url: string,
  options: ServerSentEvents.JsonOptions<A, I>
): Stream.Stream<ServerSentEvents.JsonEvent<A>, CourierError.CourierError> => {
  const sent = withAccept(options)
  return Stream.unwrap(Effect.map(client.prepare("GET", url, sent), (request) => {
    // The request that went on the wire, once the response is in (as for NDJSON).
    let onWire: CourierRequest.CourierRequest = request
    const decode = decodeDocument(
      client.config.credentialHeaders,
      () => onWire,
      "text/event-stream",
      Schema.decodeUnknownEither(options.schema)
    )
    return Stream.mapEffect(
      events(client, url, sent, request, (response) => {
        onWire = response.request
      }),
      (event) => Effect.map(decode(event.data), (data) => ({ ...event, data }))
    )
  }))
}
