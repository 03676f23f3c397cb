import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import * as CourierError from "../../CourierError.js"
import type * as ServerSentEvents from "../../ServerSentEvents.js"
import { decodeDocument } from "../redaction/failure.js"
import { splitLines, utf8Length } from "./lines.js"
import { streamCall } from "../core/streamCall.js"

/**
 * The parser. With `limit`, an event whose data grows past `max` bytes
 * fails the stream with `onTooLarge()`: a limit on each line alone would
 * let a server grow one event forever with short `data:` lines.
 */
const parse = <E, E2>(
  lines: Stream.Stream<string, E>,
  limit: { readonly max: number; readonly onTooLarge: () => E2 } | undefined
): Stream.Stream<ServerSentEvents.Event, E | E2> =>
  Stream.suspend(() => {
    let event = ""
    let data: Array<string> = []
    let dataBytes = 0
    let id: string | undefined
    let retry: number | undefined
    let first = true
    return Stream.flatMap(Stream.chunks(lines), (chunk) => {
      const out: Array<ServerSentEvents.Event> = []
      for (const raw of chunk) {
        let line = raw
        if (first) {
          first = false
          if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
        }
        if (line === "") {
          if (data.length > 0) out.push({ event: event === "" ? "message" : event, data: data.join("\n"), id, retry })
          event = ""
          data = []
          dataBytes = 0
          continue
        }
        if (line.startsWith(":")) continue
        const colon = line.indexOf(":")
        const field = colon === -1 ? line : line.slice(0, colon)
        let value = colon === -1 ? "" : line.slice(colon + 1)
        if (value.startsWith(" ")) value = value.slice(1)
        switch (field) {
          case "event":
            event = value
            break
          case "data":
            data.push(value)
            if (limit !== undefined) {
              dataBytes += utf8Length(value) + 1
              // The events complete so far are still delivered, then the failure.
              if (dataBytes - 1 > limit.max) return Stream.concat(Stream.fromIterable(out), Stream.fail(limit.onTooLarge()))
            }
            break
          case "id":
            if (!value.includes("\u0000")) id = value
            break
          case "retry":
            if (/^\d+$/.test(value)) retry = Number(value)
            break
        }
      }
      return Stream.fromIterable(out)
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
