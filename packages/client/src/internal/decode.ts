/**
 * Decoding a buffered response into what the program asked for.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as CourierConfig from "../CourierConfig.js"
import * as CourierError from "../CourierError.js"
import type * as CourierResponse from "../CourierResponse.js"
import { excerpt } from "./responseBody.js"

const textDecoder = new TextDecoder()
const decoders = new WeakMap<Schema.Schema.Any, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

const schemaDecoder = (schema: Schema.Schema<unknown, unknown, never>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    const decodeEither = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
    decoder = (u: unknown) => decodeEither(u)
    decoders.set(schema, decoder)
  }
  return decoder
}

/** 204, 205, 304 and HEAD responses carry no body, whatever their headers say. @internal */
export const hasNoBody = (response: CourierResponse.CourierResponse): boolean =>
  response.request.method === "HEAD" || response.status === 204 || response.status === 205 || response.status === 304

const parseFailure = (
  response: CourierResponse.CourierResponse,
  bytes: Uint8Array,
  reason: CourierError.ParseReason,
  cause: ParseResult.ParseError | SyntaxError | undefined
) =>
  new CourierError.Parse({
    request: response.request.info,
    status: response.status,
    reason,
    contentType: response.headers["content-type"],
    issues: cause instanceof ParseResult.ParseError
      ? ParseResult.ArrayFormatter.formatErrorSync(cause).map((issue) => ({ path: issue.path, message: issue.message }))
      : [],
    bodyExcerpt: excerpt(bytes),
    cause
  })

/**
 * Decodes a buffered response: with a schema (JSON then validation), or as
 * json, text, bytes or nothing.
 *
 * @internal
 */
export const decode = (
  response: CourierResponse.CourierResponse,
  responseType: CourierConfig.ResponseType,
  schema: Schema.Schema<unknown, unknown, never> | undefined
): Either.Either<unknown, CourierError.Parse> => {
  const bytes = response.body._tag === "Buffered" && !hasNoBody(response) ? response.body.bytes : new Uint8Array(0)
  if (schema === undefined) {
    switch (responseType) {
      case "none":
        return Either.right(undefined)
      case "bytes":
        return Either.right(bytes)
      case "text":
        return Either.right(textDecoder.decode(bytes))
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
      return Either.left(parseFailure(response, bytes, "InvalidJson", error as SyntaxError))
    }
  }
  if (schema === undefined) return Either.right(json)
  const result = schemaDecoder(schema)(json)
  if (Either.isRight(result)) return Either.right(result.right)
  return Either.left(parseFailure(response, bytes, empty ? "EmptyBody" : "SchemaMismatch", empty ? undefined : result.left))
}
