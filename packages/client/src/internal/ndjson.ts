import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import type * as Ndjson from "../Ndjson.js"
import { decodeDocument } from "./failureRedaction.js"
import { splitLines } from "./lines.js"

/** @internal */
export const stream = <A, I>(
  client: CourierClient.Service,
  method: string,
  url: string,
  options: Ndjson.Options<A, I>
): Stream.Stream<A, CourierError.CourierError> =>
  Stream.unwrap(Effect.map(client.prepare(method, url, options), (request) => {
    const limit = options.maxLineBytes ?? 1024 * 1024
    // The request as prepared: the headers a Layer adds (a bearer token) are
    // not known here, so only the ones the program gave are masked.
    const decode = decodeDocument(
      client.config.credentialHeaders,
      request,
      "application/x-ndjson",
      Schema.decodeUnknownEither(options.schema)
    )
    return splitLines(
      client.stream(method, url, options),
      limit,
      () => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
    ).pipe(
      Stream.filter((line) => line.trim() !== ""),
      Stream.mapEffect(decode)
    )
  }))
