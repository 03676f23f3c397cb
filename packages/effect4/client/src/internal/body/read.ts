/**
 * Reading a response body on the client's side of the transport seam:
 * content codings undone, and `maxResponseBytes` counted on the decoded
 * bytes, refused on the head when the declared length is already over it.
 */
import * as ContentCoding from "@courier/core/ContentCoding"
import * as Effect from "effect/Effect"
import { LimitExceeded, Network } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import * as Codings from "./codings.js"

type Request = CourierRequest.CourierRequest

/** The codings of a response that has a body. @internal */
export const responseCodings = (request: Request, response: Transport.Response): Array<string> =>
  ContentCoding.hasNoBody(request.method, response.status)
    ? []
    : ContentCoding.codings(response.headers["content-encoding"])

/** The `content-length` the server declared, when it is a plain count. @internal */
export const declaredLength = (response: Transport.Response): number | undefined => {
  const value = response.headers["content-length"]
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/**
 * How many encoded bytes are read before decoding, for a decoded limit:
 * deflate and brotli can grow incompressible data by a few bytes per block,
 * so an encoded body a little over the limit may still decode within it.
 */
const encodedLimit = (limit: number): number => limit + Math.ceil(limit / 64) + 1024

/** @internal */
export const tooLarge = (request: Request, limit: number) =>
  new LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit })

const corrupt = (request: Request, cause: unknown) =>
  new Network({
    request: request.info,
    reason: "Protocol",
    code: typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string"
      ? (cause as { code: string }).code
      : undefined,
    cause
  })

/**
 * The whole body, decoded, at most `limit` bytes of it.
 *
 * @internal
 */
export const readAll = (
  request: Request,
  response: Transport.Response,
  limit: number
): Effect.Effect<Uint8Array, Transport.BodyError> => {
  if (ContentCoding.hasNoBody(request.method, response.status)) {
    return Effect.as(response.discard, new Uint8Array(0))
  }
  const codings = responseCodings(request, response)
  if (codings.length === 0 || !codings.every(Codings.isSupported)) {
    const declared = declaredLength(response)
    // Over the limit by its own account: refused on the head, the body never read.
    if (declared !== undefined && declared > limit) return Effect.andThen(response.discard, Effect.fail(tooLarge(request, limit)))
    return response.readAll(limit)
  }
  return Effect.flatMap(
    Effect.catchTag(response.readAll(encodedLimit(limit)), "LimitExceeded", () => Effect.fail(tooLarge(request, limit))),
    (raw) => {
      try {
        return Effect.succeed(Codings.decodeAll(raw, codings, limit))
      } catch (error) {
        return Effect.fail(error instanceof Codings.TooLarge ? tooLarge(request, limit) : corrupt(request, error))
      }
    }
  )
}

/**
 * At most `limit` decoded bytes, for a failure's excerpt and error body;
 * never fails (a body that cannot be decoded shows as its raw bytes).
 *
 * @internal
 */
export const readPrefix = (
  request: Request,
  response: Transport.Response,
  limit: number
): Effect.Effect<Uint8Array> => {
  if (ContentCoding.hasNoBody(request.method, response.status)) return Effect.as(response.discard, new Uint8Array(0))
  const codings = responseCodings(request, response)
  if (codings.length === 0) return response.readPrefix(limit)
  return Effect.map(response.readPrefix(limit), (raw) => {
    try {
      return Codings.decodeAll(raw, codings, limit)
    } catch (error) {
      return error instanceof Codings.TooLarge ? raw.subarray(0, 0) : raw
    }
  })
}
