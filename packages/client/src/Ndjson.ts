/**
 * Newline-delimited JSON responses, decoded item by item with a Schema as
 * the bytes arrive. The `receive` timeout applies between chunks, the
 * `total` one to the whole stream.
 *
 * @example
 * ```ts
 * import { CourierClient, Ndjson } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 * import * as Stream from "effect/Stream"
 *
 * const Change = Schema.Struct({ id: Schema.Number, kind: Schema.Literal("created", "deleted") })
 *
 * const changes = Stream.unwrap(
 *   Effect.map(CourierClient.CourierClient, (client) => Ndjson.stream(client, "GET", "/changes", { schema: Change }))
 * )
 * const created = changes.pipe(Stream.filter((change) => change.kind === "created"), Stream.runCount)
 * ```
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierError from "./CourierError.js"
import * as internal from "./internal/body/ndjson.js"

/**
 * Options: the request's, plus the longest line accepted (default 1 MiB;
 * past it the stream fails with `LimitExceeded`).
 *
 * @since 0.1.0
 */
export interface Options<A, I> extends CourierClient.RequestOptions {
  readonly schema: Schema.Schema<A, I, never>
  readonly maxLineBytes?: number | undefined
}

/**
 * Streams a response body as items, one JSON value per line (blank lines
 * skipped). A line that is not JSON or does not match the schema fails the
 * stream with `Parse`.
 *
 * @since 0.1.0
 */
export const stream: <A, I>(
  client: CourierClient.Service,
  method: string,
  url: string,
  options: Options<A, I>
) => Stream.Stream<A, CourierError.CourierError> = internal.stream
