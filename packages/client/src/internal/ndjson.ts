import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import type * as Ndjson from "../Ndjson.js"
import { failureRedactor, parseFailure } from "./failureRedaction.js"
import { splitLines } from "./lines.js"

const encoder = new TextEncoder()

/** @internal */
export const stream = <A, I>(
  client: CourierClient.Service,
  method: string,
  url: string,
  options: Ndjson.Options<A, I>
): Stream.Stream<A, CourierError.CourierError> =>
  Stream.unwrap(Effect.map(client.prepare(method, url, options), (request) => {
    const decode = Schema.decodeUnknownEither(options.schema)
    const limit = options.maxLineBytes ?? 1024 * 1024
    // A line that fails is shown like a body that fails `client.get`: each
    // line is a JSON document, so it is redacted as one.
    const parse = (reason: CourierError.ParseReason, line: string, cause: ParseResult.ParseError | SyntaxError) =>
      Effect.flatMap(failureRedactor(client.config.credentialHeaders, request), (redactor) =>
        Effect.fail(parseFailure(redactor, {
          request: request.info,
          status: 200,
          contentType: "application/x-ndjson",
          excerptType: "application/json",
          bytes: encoder.encode(line),
          reason,
          cause
        })))
    return splitLines(
      client.stream(method, url, options),
      limit,
      () => new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })
    ).pipe(
      Stream.filter((line) => line.trim() !== ""),
      Stream.mapEffect((line) => {
        let json: unknown
        try {
          json = JSON.parse(line)
        } catch (error) {
          return parse("InvalidJson", line, error as SyntaxError)
        }
        const result = decode(json)
        return Either.isRight(result) ? Effect.succeed(result.right) : parse("SchemaMismatch", line, result.left)
      })
    )
  }))
