import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import type * as ServerSentEvents from "../ServerSentEvents.js"
import { splitLines } from "./lines.js"

/** @internal */
export const fromLines = <E>(lines: Stream.Stream<string, E>): Stream.Stream<ServerSentEvents.Event, E> =>
  Stream.suspend(() => {
    let event = ""
    let data: Array<string> = []
    let id: string | undefined
    let retry: number | undefined
    let first = true
    return Stream.mapConcat(lines, (raw) => {
      let line = raw
      if (first) {
        first = false
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
      }
      if (line === "") {
        if (data.length === 0) {
          event = ""
          return Chunk.empty<ServerSentEvents.Event>()
        }
        const out: ServerSentEvents.Event = { event: event === "" ? "message" : event, data: data.join("\n"), id, retry }
        event = ""
        data = []
        return Chunk.of(out)
      }
      if (line.startsWith(":")) return Chunk.empty<ServerSentEvents.Event>()
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
          break
        case "id":
          if (!value.includes("\u0000")) id = value
          break
        case "retry":
          if (/^\d+$/.test(value)) retry = Number(value)
          break
      }
      return Chunk.empty<ServerSentEvents.Event>()
    })
  })

/** @internal */
export const stream = (
  client: CourierClient.Service,
  url: string,
  options: ServerSentEvents.Options = {}
): Stream.Stream<ServerSentEvents.Event, CourierError.CourierError> => {
  const withAccept: ServerSentEvents.Options = {
    ...options,
    headers: { accept: "text/event-stream", ...options.headers }
  }
  return Stream.unwrap(Effect.map(client.prepare("GET", url, withAccept), (request) => {
    const limit = options.maxEventBytes ?? 1024 * 1024
    return fromLines(
      splitLines(
        client.stream("GET", url, withAccept),
        limit,
        () => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
      )
    )
  }))
}
