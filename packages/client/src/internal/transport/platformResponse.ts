/**
 * The platform `HttpClientResponse` the `HttpClient` face hands on: a 2xx
 * answer whose body Courier streams (receive timer between chunks, the call's
 * total deadline over the whole read), or a non-2xx answer rebuilt from the
 * failure the Courier stack ended with (after Retry and Auth acted on it).
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import { concat } from "@courier/core/Bytes"
import * as Deadline from "../core/deadline.js"
import type * as ErrorBody from "../core/errorBody.js"

type BodyFailure = CourierError.Network | CourierError.Timeout | CourierError.LimitExceeded

const textDecoder = new TextDecoder()
const textEncoder = new TextEncoder()

/** The Courier failure a status response stands for, for `HttpClientFace.courierError`. */
const failures = new WeakMap<HttpClientResponse.HttpClientResponse, CourierError.Unauthorized | CourierError.BadResponse>()

/** @internal */
export const failureOf = (
  response: HttpClientResponse.HttpClientResponse
): CourierError.Unauthorized | CourierError.BadResponse | undefined => failures.get(response)

/** Counts the bytes of a buffered read against `maxResponseBytes`, as Courier's buffered calls do. */
const limited = (
  request: CourierRequest.CourierRequest,
  body: Stream.Stream<Uint8Array, BodyFailure>
): Stream.Stream<Uint8Array, BodyFailure> => {
  const limit = request.maxResponseBytes
  let seen = 0
  return Stream.mapChunksEffect(body, (chunk) => {
    Chunk.forEach(chunk, (bytes) => {
      seen += bytes.byteLength
    })
    return seen > limit
      ? Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
      : Effect.succeed(chunk)
  })
}

/** @internal */
export class FaceResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private read: Uint8Array | undefined = undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    readonly headers: Headers.Headers,
    /** The body as Courier reads it: for `stream`, without the size limit. */
    private readonly body: Stream.Stream<Uint8Array, BodyFailure>,
    /** The body for the buffered reads (`text`, `json`...), under `maxResponseBytes`. */
    private readonly whole: Effect.Effect<Uint8Array, BodyFailure>,
    /** Each `Set-Cookie` line, when the transport kept them apart. */
    private readonly setCookie?: ReadonlyArray<string>
  ) {
    super()
  }

  private readonly decodeError = (cause: unknown) =>
    new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause,
      ...(CourierError.isCourierError(cause) ? { description: cause.message } : {})
    })

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.mapError(this.body, this.decodeError)
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(this.bytes, (bytes) => bytes.slice().buffer as ArrayBuffer)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.bytes, (bytes) => textDecoder.decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : JSON.parse(text) as unknown), catch: this.decodeError }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.decodeError }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () =>
          new globalThis.Response(bytes as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": this.headers["content-type"] ?? "" }
          }).formData(),
        catch: this.decodeError
      }))
  }

  get cookies(): Cookies.Cookies {
    if (this.setCookie !== undefined) {
      return this.setCookie.length === 0 ? Cookies.empty : Cookies.fromSetCookie(this.setCookie)
    }
    const setCookie = this.headers["set-cookie"]
    return setCookie === undefined ? Cookies.empty : Cookies.fromSetCookie(setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  /** Read once: a second buffered read gets the same bytes. */
  private get bytes(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return Effect.suspend(() =>
      this.read !== undefined ? Effect.succeed(this.read) : Effect.mapError(
        Effect.tap(this.whole, (bytes) => {
          this.read = bytes
        }),
        this.decodeError
      )
    )
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", status: this.status }
  }
}

/** A 2xx answer of the Courier stack, its body not read yet. @internal */
export const fromCourier = (
  platformRequest: HttpClientRequest.HttpClientRequest,
  response: CourierResponse.CourierResponse
): HttpClientResponse.HttpClientResponse => {
  const request = response.request
  const body = response.body._tag === "Streaming"
    ? Deadline.withinStream(request, response.body.stream)
    : Stream.succeed(response.body.bytes)
  const whole = Effect.map(Stream.runCollect(limited(request, body)), (chunks) => concat(Chunk.toReadonlyArray(chunks)))
  return new FaceResponse(platformRequest, response.status, response.headers as Headers.Headers, body, whole)
}

/**
 * A status the Courier stack ended with, as the answer it was: the body and
 * headers the core kept for this very failure, or, when a Layer replaced the
 * failure (the auth Layer's, after a refresh that failed), its redacted
 * headers and excerpt. A body cut at `maxResponseBytes` fails its buffered
 * reads with `LimitExceeded`, as a 2xx one would.
 *
 * @internal
 */
export const fromFailure = (
  platformRequest: HttpClientRequest.HttpClientRequest,
  request: CourierRequest.CourierRequest,
  failure: CourierError.Unauthorized | CourierError.BadResponse,
  kept: ErrorBody.Kept | undefined
): HttpClientResponse.HttpClientResponse => {
  const bytes = kept?.bytes ?? textEncoder.encode(failure.bodyExcerpt)
  const tooLarge = kept !== undefined && !kept.complete
  const whole: Effect.Effect<Uint8Array, BodyFailure> = tooLarge
    ? Effect.fail(
      new CourierError.LimitExceeded({ request: failure.request, reason: "ResponseTooLarge", limit: request.maxResponseBytes })
    )
    : Effect.succeed(bytes)
  const response = new FaceResponse(
    platformRequest,
    failure.status,
    (kept?.headers ?? failure.headers) as Headers.Headers,
    Stream.succeed(bytes),
    whole
  )
  failures.set(response, failure)
  return response
}
