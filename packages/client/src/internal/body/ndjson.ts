import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Ndjson from "../../Ndjson.js"
import { decodeDocument } from "../redaction/failure.js"
import { splitLines } from "./lines.js"
import { streamCall } from "../core/streamCall.js"

/** @internal */
export const stream = <A, I>(
  client: CourierClient.Service,
  method: string,
  url: string,
  options: Ndjson.Options<A, I>
): Stream.Stream<A, CourierError.CourierError> =>
  Stream.unwrap(Effect.map(client.prepare(method, url, options), (request) => {
    const limit = options.maxLineBytes ?? 1024 * 1024
    // The request that went on the wire, once the response is in: its
    // headers hold what the Layers added (a bearer token) to be masked.
    let sent: CourierRequest.CourierRequest = request
    const decode = decodeDocument(
      client.config.credentialHeaders,
      () => sent,
      "application/x-ndjson",
      Schema.decodeUnknownEither(options.schema)
    )
    const body = streamCall(request, client.streamingResponse(method, url, options), (response) => {
      sent = response.request
    })
    return splitLines(
      body,
      limit,
      () => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
    ).pipe(
      Stream.filter((line) => line.trim() !== ""),
      Stream.mapEffect(decode)
    )
  }))
