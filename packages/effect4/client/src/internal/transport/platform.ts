/**
 * A transport over any effect `HttpClient`: the explicit, slower path. The
 * request becomes a platform request on each hop; the waits on the platform
 * are raced against the hop's timers (`Effect.timeoutOrElse`), since a
 * platform client offers no socket-level timer to hand them to.
 *
 * Two choices keep the client's rules true over a client it does not know:
 * - a `fetch` client is told `redirect: "manual"` (fetch follows redirects
 *   itself by default, copying every header to the new origin), so the
 *   client's own redirect rules see every 3xx;
 * - whether the platform client undoes content codings itself cannot be
 *   told from its response (fetch does, and keeps the `content-encoding`
 *   header), so the caller says so (`contentDecoding`); when the platform
 *   decodes, the codings and the encoded length are taken off the head the
 *   client sees, so it neither decodes twice nor refuses a decoded body by
 *   the encoded length. The size limit still counts the decoded bytes.
 */
import { BodySourceFailure } from "@courier/core/TransportFailure"
import * as Bytes from "@courier/core/Bytes"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { LimitExceeded, type Network, type Timeout } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import { remainingMillis } from "../core/request.js"
import { fromCause, timeout } from "./failure.js"

type Request = CourierRequest.CourierRequest

const causeOf = (error: HttpClientError.HttpClientError): unknown =>
  "cause" in error.reason && error.reason.cause !== undefined ? error.reason.cause : error

const bodyOf = (request: Request): HttpBody.HttpBody => {
  const body = request.body
  switch (body._tag) {
    case "Text":
      return HttpBody.text(body.text, body.contentType)
    case "Bytes":
      return HttpBody.uint8Array(body.bytes, body.contentType)
    case "Stream":
      return HttpBody.stream(
        Stream.mapError(Stream.suspend(body.make), (cause) => new BodySourceFailure(cause)),
        body.contentType,
        body.contentLength
      )
    default:
      return HttpBody.empty
  }
}

/**
 * A wait on the platform bounded by the phase timer and what is left of the
 * deadline, whichever ends first, failing with that phase.
 */
const bounded = <A, E>(
  request: Request,
  effect: Effect.Effect<A, E>,
  phase: "receive",
  left: number
): Effect.Effect<A, E | Timeout> => {
  const phaseMillis = Duration.isFinite(request.timeouts[phase]) ? Duration.toMillis(request.timeouts[phase]) : Infinity
  const ms = Math.min(phaseMillis, left)
  if (ms === Infinity) return effect
  const failure = left <= phaseMillis
    ? timeout(request, "total", request.timeouts.total)
    : timeout(request, phase, request.timeouts[phase])
  return Effect.timeoutOrElse(effect, { duration: Duration.millis(ms), orElse: () => Effect.fail(failure) })
}

/** @internal */
export interface Options {
  readonly contentDecoding?: "platform" | "client" | undefined
}

const headersOf = (platform: HttpClientResponse.HttpClientResponse, decoded: boolean): Record<string, string> => {
  if (!decoded || platform.headers["content-encoding"] === undefined) return platform.headers
  const headers: Record<string, string> = { ...platform.headers }
  delete headers["content-encoding"]
  delete headers["content-length"]
  return headers
}

const response = (
  request: Request,
  platform: HttpClientResponse.HttpClientResponse,
  decoded: boolean
): Transport.Response => {
  const failure = (error: HttpClientError.HttpClientError) => fromCause(request, causeOf(error), undefined)
  const receive = request.timeouts.receive
  // Each pull waits at most `receive`; the whole body at most what is left of the deadline.
  const raw: Stream.Stream<Uint8Array, Network | Timeout> = Stream.unwrap(
    Effect.map(remainingMillis(request), (left) => {
      let stream: Stream.Stream<Uint8Array, Network | Timeout> = Stream.mapError(platform.stream, failure)
      if (Duration.isFinite(receive)) {
        stream = Stream.timeoutOrElse(stream, {
          duration: receive,
          orElse: () => Stream.fail(timeout(request, "receive", receive))
        })
      }
      if (left !== Infinity) {
        stream = Stream.interruptWhen(
          stream,
          Effect.andThen(Effect.sleep(Duration.millis(left)), Effect.fail(timeout(request, "total", request.timeouts.total)))
        )
      }
      return stream
    })
  )
  const setCookie = platform.headers["set-cookie"]
  return {
    status: platform.status,
    headers: headersOf(platform, decoded),
    setCookie: setCookie === undefined ? [] : [setCookie],
    readAll: (limit) =>
      Effect.suspend(() => {
        const chunks: Array<Uint8Array> = []
        let size = 0
        return Stream.runForEach(raw, (chunk) => {
          size += chunk.byteLength
          if (size > limit) {
            return Effect.fail(new LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
          }
          chunks.push(chunk)
          return Effect.void
        }).pipe(Effect.map(() => Bytes.concat(chunks, size)))
      }),
    readPrefix: (limit) =>
      Effect.suspend(() => {
        const chunks: Array<Uint8Array> = []
        let size = 0
        return Stream.runForEach(Stream.takeWhile(raw, () => size < limit), (chunk) =>
          Effect.sync(() => {
            chunks.push(chunk)
            size += chunk.byteLength
          })).pipe(
            Effect.ignore,
            Effect.map(() => Bytes.concat(chunks, size).subarray(0, limit))
          )
      }),
    raw,
    // The platform response's scope ends the connection; an unread body is left to it.
    discard: Effect.void
  }
}

/** @internal */
export const fromHttpClient = (http: HttpClient.HttpClient, options: Options = {}): Transport.Service => {
  const decoded = (options.contentDecoding ?? "platform") === "platform"
  const send = (request: Request, left: number) => {
    const platformRequest = HttpClientRequest.make(request.method as "GET")(request.url, {
      headers: request.headers,
      body: bodyOf(request)
    })
    const execute = Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
      Effect.provideService(http.execute(platformRequest), FetchHttpClient.RequestInit, {
        ...Option.getOrUndefined(init),
        redirect: "manual"
      }))
    return bounded(
      request,
      Effect.mapError(execute, (error) => fromCause(request, causeOf(error), undefined)),
      "receive",
      left
    ).pipe(Effect.map((platform) => response(request, platform, decoded)))
  }
  return {
    send: (request) =>
      Effect.flatMap(remainingMillis(request), (left) =>
        left <= 0 ? Effect.fail(timeout(request, "total", request.timeouts.total)) : send(request, left))
  }
}
