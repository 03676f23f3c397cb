/**
 * The transport over any platform `HttpClient` (fetch, or one a user
 * wrapped): each hop becomes a platform request, the response is read
 * through the platform interface. The send and receive timers race the
 * exchange as Effect timeouts, and the call's deadline bounds the head and
 * the body alike (`Deadline.within`): everything a native transport's
 * watchdog does, at the price of a few fibers per hop.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import { type SendWatch, toPlatformBody } from "../body/request.js"
import * as Deadline from "../core/deadline.js"
import * as Failure from "../core/failure.js"
import * as Bytes from "../util/bytes.js"

/** A timer worth arming: finite and above zero. */
const isFinite = (d: Duration.Duration): boolean => Duration.isFinite(d) && Duration.toMillis(d) > 0

/** Receive timer: from the end of the upload (or from the start, with no body) to the headers. */
const withTimers = (
  request: CourierRequest.CourierRequest,
  effect: Effect.Effect<HttpClientResponse.HttpClientResponse, CourierError.Network | CourierError.Timeout>,
  watch: SendWatch | undefined
) => {
  const { receive, send } = request.timeouts
  // Built only when a timer fires: an Error captures a stack trace, too dear for every request.
  const receiveTimeout = () => new CourierError.Timeout({ request: request.info, phase: "receive", duration: receive })
  if (watch === undefined) {
    return isFinite(receive) ? Effect.timeoutFail(effect, { duration: receive, onTimeout: receiveTimeout }) : effect
  }
  const sendTimeout = () => new CourierError.Timeout({ request: request.info, phase: "send", duration: send })
  const uploaded = isFinite(send)
    ? Effect.timeoutFail(Deferred.await(watch.finished), { duration: send, onTimeout: sendTimeout })
    : Deferred.await(watch.finished)
  const watchdog = Deferred.await(watch.started).pipe(
    Effect.zipRight(uploaded),
    Effect.zipRight(isFinite(receive) ? Effect.sleep(receive) : Effect.never),
    Effect.zipRight(Effect.failSync(receiveTimeout))
  )
  return Effect.raceFirst(effect, watchdog)
}

/** The head of one hop over the platform interface, under the send and receive timers. */
const sendHead = (
  http: HttpClient.HttpClient,
  request: CourierRequest.CourierRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, CourierError.Network | CourierError.Timeout> => {
  const contentType = request.headers["content-type"]
  const { body, watch } = toPlatformBody(request, contentType)
  const platformRequest = HttpClientRequest.setBody(
    HttpClientRequest.make(request.method as "GET")(request.url, { headers: request.headers }),
    body
  )
  const effect = Effect.mapError(
    http.execute(platformRequest),
    (error: HttpClientError.HttpClientError) => Failure.fromTransport(request, error.cause, request.timeouts.connect)
  )
  const sent = withTimers(request, effect, watch)
  if (watch === undefined) return sent
  // When a call is aborted, Node's fetch neither cancels the request body it
  // is reading (it cancels the locked stream, which throws, and swallows that)
  // nor stops reading it: it drains the rest of the stream into the dead
  // socket, or waits forever for a next chunk, and the stream's finalizers
  // never run. So the fiber pumping the body is stopped here.
  return Effect.onExit(sent, (exit) =>
    Effect.withFiberRuntime((current) => {
      const pump = watch.pump
      return Exit.isSuccess(exit) || pump === undefined || pump === current ? Effect.void : Fiber.interrupt(pump)
    }))
}

/**
 * Each `Set-Cookie` line of a response. The platform's headers record keeps
 * one value per name, so the lines come from the web `Response` under the
 * platform's fetch response (which wraps it as `source`, inside an
 * interruptible wrapper's `original`), and for any other client from its
 * parsed `cookies`, which keep one cookie per name.
 */
const setCookieLines = (response: HttpClientResponse.HttpClientResponse): ReadonlyArray<string> => {
  type Wrapped = { readonly original?: Wrapped; readonly source?: { readonly headers?: { readonly getSetCookie?: unknown } } }
  let current = response as unknown as Wrapped
  for (let depth = 0; depth < 4 && current.original !== undefined; depth++) current = current.original
  const headers = current.source?.headers
  if (headers !== undefined && typeof headers.getSetCookie === "function") {
    return (headers as globalThis.Headers).getSetCookie()
  }
  return response.headers["set-cookie"] === undefined ? [] : Cookies.toSetCookieHeaders(response.cookies)
}

/** The body as it came, under the receive timer between chunks and the call's deadline. */
const rawBody = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse
): Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> => {
  const connect = request.timeouts.connect
  let body: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> = Stream.catchAll(
    response.stream,
    // fetch has no body stream at all for 204 and HEAD: that is an empty body.
    (error) =>
      error.reason === "EmptyBody" ? Stream.empty : Stream.fail(Failure.fromTransport(request, error.cause ?? error, connect))
  )
  const { receive } = request.timeouts
  if (isFinite(receive)) {
    body = Stream.timeoutFail(
      body,
      () => new CourierError.Timeout({ request: request.info, phase: "receive", duration: receive }),
      receive
    )
  }
  return Deadline.withinStream(request, body)
}

const toResponse = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse
): Transport.Response => {
  const raw = rawBody(request, response)
  return {
    status: response.status,
    headers: response.headers,
    setCookie: setCookieLines(response),
    raw,
    // Gathered as they come, not as a list of pieces: fetch can hand out a
    // piece per byte, each far larger in memory than its byte.
    readAll: (limit) =>
      Effect.suspend(() => {
        const collected = new Bytes.Collector()
        return Effect.map(
          Stream.runForEachChunk(raw, (chunk) =>
            Effect.suspend(() => {
              Chunk.forEach(chunk, (bytes) => collected.push(bytes))
              return collected.size > limit
                ? Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason: "ResponseTooLarge", limit }))
                : Effect.void
            })),
          () => collected.bytes()
        )
      }),
    readPrefix: (limit) =>
      Effect.suspend(() => {
        const collected = new Bytes.Collector()
        return raw.pipe(
          Stream.takeUntil((bytes) => {
            const room = limit - collected.size
            collected.push(bytes.byteLength > room ? bytes.subarray(0, room) : bytes)
            return collected.size >= limit
          }),
          Stream.runDrain,
          Effect.ignore,
          Effect.map(() => collected.bytes())
        )
      }),
    // Its stream started and interrupted at once, which aborts the request:
    // the connection is closed now rather than when the response is collected.
    discard: Effect.ignore(Stream.runDrain(Stream.interruptWhen(response.stream, Effect.void)))
  }
}

/**
 * The platform client a transport made by `fromHttpClient` sends through:
 * `toHttpClient` hands it back as it is rather than a platform client over
 * the adapter over it.
 */
const sources = new WeakMap<Transport.Service, HttpClient.HttpClient>()

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport.Service => {
  // The platform's spans record the full URL (query secrets included) and its
  // propagation sends trace headers to every origin, so both are off here:
  // tracing with redacted attributes is the Tracing Layer's.
  const http = client.pipe(
    HttpClient.withTracerPropagation(false),
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const transport: Transport.Service = {
    send: (request) =>
      Effect.map(Deadline.within(request, sendHead(http, request)), (response) => toResponse(request, response))
  }
  sources.set(transport, client)
  return transport
}

/** @internal */
export const sourceOf = (transport: Transport.Service): HttpClient.HttpClient | undefined => sources.get(transport)
