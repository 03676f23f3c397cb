import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** @internal A missing resource or route: 404 `{ error: "not found" }`. */
export class NotFound extends Data.TaggedError("NotFound")<{}> {}

/** @internal A request the server cannot use: 400 `{ error, issues }`. */
export class BadRequest extends Data.TaggedError("BadRequest")<{
  readonly error: string
  readonly issues: ReadonlyArray<unknown>
}> {}

/**
 * @internal
 * A protected route without a usable access token: 401 with a Bearer
 * challenge, which is what token-refreshing clients key on.
 */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly reason: "missing" | "unknown" | "expired"
}> {}

/**
 * @internal
 * Wrong password or a dead refresh token: 401 without a challenge, since
 * retrying with a refreshed access token cannot help.
 */
export class InvalidCredentials extends Data.TaggedError("InvalidCredentials")<{
  readonly error: string
}> {}

/** @internal */
export type ApiError = NotFound | BadRequest | Unauthorized | InvalidCredentials

/** @internal */
export const json = (
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, headers === undefined ? { status } : { status, headers })

/** @internal */
export const toResponse = (error: ApiError): HttpServerResponse.HttpServerResponse => {
  switch (error._tag) {
    case "NotFound":
      return json({ error: "not found" }, 404)
    case "BadRequest":
      return json({ error: error.error, issues: error.issues }, 400)
    case "InvalidCredentials":
      return json({ error: error.error }, 401)
    case "Unauthorized":
      // RFC 6750 section 3: no error code when the request carried no token.
      return json({ error: "unauthorized" }, 401, {
        "www-authenticate": error.reason === "missing"
          ? "Bearer"
          : `Bearer error="invalid_token", error_description="the access token is ${error.reason}"`
      })
  }
}

/** @internal */
export type SearchParams = Context.Tag.Service<typeof HttpServerRequest.ParsedSearchParams>

/** @internal The first value of a query parameter. */
export const query = (
  params: SearchParams,
  name: string
): Option.Option<string> => {
  const value = params[name]
  return Option.fromNullable(Array.isArray(value) ? value[0] : value)
}

/** @internal An integer query parameter within bounds, or its default. */
export const queryInt = (
  name: string,
  options: { readonly default: number; readonly min: number; readonly max: number }
): Effect.Effect<number, BadRequest, HttpServerRequest.ParsedSearchParams> =>
  Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) =>
    Option.match(query(params, name), {
      onNone: () => Effect.succeed(options.default),
      onSome: (raw) => parseIntIn(raw, options.min, options.max, `query parameter ${name}`)
    }))

/** @internal A number query parameter within bounds, or its default. */
export const queryNumber = (
  name: string,
  options: { readonly default: number; readonly min: number; readonly max: number }
): Effect.Effect<number, BadRequest, HttpServerRequest.ParsedSearchParams> =>
  Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) =>
    Option.match(query(params, name), {
      onNone: () => Effect.succeed(options.default),
      onSome: (raw) => {
        const value = raw.trim() === "" ? Number.NaN : Number(raw)
        return value >= options.min && value <= options.max
          ? Effect.succeed(value)
          : Effect.fail(badRange(`query parameter ${name}`, options.min, options.max))
      }
    }))

/** @internal A string query parameter, or its default. */
export const queryString = (
  name: string,
  fallback: string
): Effect.Effect<string, never, HttpServerRequest.ParsedSearchParams> =>
  Effect.map(HttpServerRequest.ParsedSearchParams, (params) => Option.getOrElse(query(params, name), () => fallback))

/** @internal An integer path parameter within bounds. */
export const pathInt = (
  name: string,
  min: number,
  max: number,
  onInvalid: "NotFound" | "BadRequest"
): Effect.Effect<number, NotFound | BadRequest, HttpRouter.RouteContext> =>
  Effect.flatMap(HttpRouter.params, (params) =>
    parseIntIn(params[name] ?? "", min, max, `path parameter ${name}`).pipe(
      Effect.mapError((error) => onInvalid === "NotFound" ? new NotFound() : error)
    ))

const parseIntIn = (raw: string, min: number, max: number, what: string): Effect.Effect<number, BadRequest> => {
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(badRange(what, min, max))
}

const badRange = (what: string, min: number, max: number) =>
  new BadRequest({ error: `${what} must be a number from ${min} to ${max}`, issues: [] })

/** @internal JSON bodies are small here; anything bigger is a client bug. */
const maxJsonBody = Option.some(1024 * 1024)

/** @internal Reads and validates a JSON body; both failures are a 400. */
export const decodeBody = <A, I>(
  schema: Schema.Schema<A, I>
): Effect.Effect<A, BadRequest, HttpServerRequest.HttpServerRequest> =>
  HttpServerRequest.schemaBodyJson(schema, { errors: "all", onExcessProperty: "ignore" }).pipe(
    HttpIncomingMessage.withMaxBodySize(maxJsonBody),
    Effect.catchTags({
      ParseError: (error) =>
        Effect.fail(
          new BadRequest({ error: "invalid body", issues: ParseResult.ArrayFormatter.formatErrorSync(error) })
        ),
      RequestError: () => Effect.fail(new BadRequest({ error: "the body is not valid JSON", issues: [] }))
    })
  )
