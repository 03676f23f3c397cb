/**
 * Decoding a buffered response into what the program asked for. A `Parse`
 * failure is built by `failureRedaction`, like every failure that shows a
 * body: an answer that does not match the schema may echo the request's
 * credentials or carry tokens, and failures get logged.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as CourierConfig from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierResponse from "../../CourierResponse.js"
import { failureRedactor, parseFailure } from "../redaction/failure.js"
import * as FastDecode from "./fastDecode.js"

const textDecoder = new TextDecoder()
const decoders = new WeakMap<Schema.Schema.Any, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

const schemaDecoder = (schema: Schema.Schema<unknown, unknown, never>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    const decodeEither = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
    // Plain shapes take the compiled path; what it does not accept (every
    // failure included) goes through Schema's decoder, which says why.
    const fast = FastDecode.compile(schema.ast)
    decoder = fast === undefined ? (u: unknown) => decodeEither(u) : (u: unknown) => {
      const value = fast(u)
      return value === FastDecode.failed ? decodeEither(u) : Either.right(value)
    }
    decoders.set(schema, decoder)
  }
  return decoder
}

/** 204, 205, 304 and HEAD responses carry no body, whatever their headers say. @internal */
export const hasNoBody = (response: CourierResponse.CourierResponse): boolean =>
  response.request.method === "HEAD" || response.status === 204 || response.status === 205 || response.status === 304

const fail = (
  response: CourierResponse.CourierResponse,
  credentialHeaders: Iterable<string>,
  bytes: Uint8Array,
  reason: CourierError.ParseReason,
  cause: ParseResult.ParseError | SyntaxError | undefined,
  issues?: ReadonlyArray<CourierError.ParseIssue>
): Effect.Effect<never, CourierError.Parse> =>
  Effect.flatMap(failureRedactor(credentialHeaders, response.request), (redactor) =>
    Effect.fail(parseFailure(redactor, {
      request: response.request.info,
      status: response.status,
      contentType: response.headers["content-type"],
      bytes,
      reason,
      cause,
      issues
    })))

/**
 * Decodes a buffered response: with a schema (JSON then validation), or as
 * json, text, bytes or nothing.
 *
 * @internal
 */
export const decode = (
  response: CourierResponse.CourierResponse,
  responseType: CourierConfig.ResponseType,
  schema: Schema.Schema<unknown, unknown, never> | undefined,
  credentialHeaders: Iterable<string>
): Effect.Effect<unknown, CourierError.Parse> => {
  const bytes = response.body._tag === "Buffered" && !hasNoBody(response) ? response.body.bytes : new Uint8Array(0)
  if (schema === undefined) {
    switch (responseType) {
      case "none":
        return Effect.succeed(undefined)
      case "bytes":
        return Effect.succeed(bytes)
      case "text":
        return Effect.succeed(textDecoder.decode(bytes))
      case "json":
        break
    }
  }
  let json: unknown = undefined
  const empty = bytes.byteLength === 0
  if (!empty) {
    try {
      json = JSON.parse(textDecoder.decode(bytes))
    } catch (error) {
      return fail(response, credentialHeaders, bytes, "InvalidJson", error as SyntaxError)
    }
  }
  if (schema === undefined) return Effect.succeed(json)
  let result: Either.Either<unknown, ParseResult.ParseError>
  try {
    result = schemaDecoder(schema)(json)
  } catch (error) {
    // A recursive schema walks a deeply nested body by recursion: past the
    // stack, the answer is a mismatch, not a defect.
    if (!(error instanceof RangeError)) throw error
    return fail(response, credentialHeaders, bytes, "SchemaMismatch", undefined, [
      { path: [], message: "the body is nested too deeply to decode" }
    ])
  }
  if (Either.isRight(result)) return Effect.succeed(result.right)
  const failed = result.left
  return fail(response, credentialHeaders, bytes, empty ? "EmptyBody" : "SchemaMismatch", empty ? undefined : failed)
}
