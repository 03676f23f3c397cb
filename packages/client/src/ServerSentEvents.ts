/**
 * Server-sent events (`text/event-stream`), parsed as the HTML standard
 * says: `event`, `data` (lines joined with LF), `id`, `retry`, comments
 * ignored, an event dispatched at each blank line. The `receive` timeout
 * applies between chunks (servers that send keep-alive comments keep it
 * from firing), the `total` one to the whole stream.
 *
 * @example
 * ```ts
 * import { CourierClient, ServerSentEvents } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * const prices = Stream.unwrap(
 *   Effect.map(CourierClient.CourierClient, (client) => ServerSentEvents.stream(client, "/prices"))
 * ).pipe(
 *   Stream.filter((event) => event.event === "price"),
 *   Stream.map((event) => Number(event.data))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import * as internal from "./internal/body/sse.js"

/**
 * One event.
 *
 * @since 0.1.0
 */
export interface Event {
  /** `message` unless the server named it. */
  readonly event: string
  readonly data: string
  /** The last event id seen, if any. */
  readonly id: string | undefined
  /** The reconnection time the server asked for, in milliseconds. */
  readonly retry: number | undefined
}

/**
 * Options: the request's, plus the largest event accepted (default 1 MiB):
 * past it, in one line or in the data lines of one event, the stream fails
 * with `LimitExceeded`.
 *
 * @since 0.1.0
 */
export interface Options extends CourierClient.RequestOptions {
  readonly maxEventBytes?: number | undefined
}

/**
 * Streams the events of a response (sends `accept: text/event-stream`).
 *
 * @since 0.1.0
 */
export const stream: (
  client: CourierClient.Service,
  url: string,
  options?: Options
) => Stream.Stream<Event, CourierError.CourierError> = internal.stream

/**
 * An event whose data was decoded as JSON with a schema.
 *
 * @since 0.1.0
 */
export interface JsonEvent<A> extends Omit<Event, "data"> {
  readonly data: A
}

/**
 * Options of `streamJson`: those of `stream`, plus the schema of each
 * event's data.
 *
 * @since 0.1.0
 */
export interface JsonOptions<A, I> extends Options {
  readonly schema: Schema.Schema<A, I, never>
}

/**
 * Streams the events of a response with each event's data decoded as one
 * JSON document with `schema`. Data that is not JSON or does not match fails
 * the stream with `Parse`, shown like a body that fails `client.get`: the
 * excerpt and the issues redacted, the credentials the request was given
 * masked.
 *
 * @example
 * ```ts
 * import { CourierClient, ServerSentEvents } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 * import * as Stream from "effect/Stream"
 *
 * const Price = Schema.Struct({ symbol: Schema.String, price: Schema.Number })
 * const prices = Stream.unwrap(
 *   Effect.map(CourierClient.CourierClient, (client) => ServerSentEvents.streamJson(client, "/prices", { schema: Price }))
 * ).pipe(Stream.map((event) => event.data))
 * ```
 *
 * @since 0.1.0
 */
export const streamJson: <A, I>(
  client: CourierClient.Service,
  url: string,
  options: JsonOptions<A, I>
) => Stream.Stream<JsonEvent<A>, CourierError.CourierError> = internal.streamJson

/**
 * Parses lines of an event stream into events (for bytes from elsewhere).
 *
 * @since 0.1.0
 */
export const fromLines: <E>(lines: Stream.Stream<string, E>) => Stream.Stream<Event, E> = internal.fromLines
