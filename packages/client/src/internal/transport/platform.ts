/**
 * The transport over any platform `HttpClient` (fetch, or one a user
 * wrapped): each hop becomes a platform request, the response is read
 * through the platform interface. The hop is timed by the same watchdog as
 * the Node transport's (send, receive, and the call's deadline over the head
 * and the body alike); what waits on the platform races it, at the price of
 * a fiber or two per wait.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import { toPlatformBody } from "../body/request.js"
import { streamPrefix } from "../body/response.js"
import * as Deadline from "../core/deadline.js"
import * as Failure from "../core/failure.js"
import { Watchdog } from "../core/timer.js"
import * as Bytes from "@courier/core/Bytes"

/** A phase's limit in ms for the watchdog: Infinity for none (an infinite or zero duration). */
const timerMillis = (d: Duration.Duration): number =>
  Duration.isFinite(d) && Duration.toMillis(d) > 0 ? Duration.toMillis(d) : Infinity

/**
 * One hop's timing: the watchdog (`core/timer.ts`, the one timer the Node
 * transport uses too) for the send and receive phases and the call's
 * deadline, and what it fails when one runs out, for whatever waits on the
 * platform (the head, a body pull) to race against.
 */
class Timing {
  readonly expired = Deferred.unsafeMake<never, CourierError.Timeout>(FiberId.none)
  readonly watchdog: Watchdog
  readonly idle: number
  /** The head arrived: an upload still going (a server may answer early) no longer moves the phases. */
  headed = false

  constructor(clock: Clock.Clock, request: CourierRequest.CourierRequest) {
    const { timeouts } = request
    this.idle = timerMillis(timeouts.receive)
    this.watchdog = new Watchdog(clock, Deadline.at(request), (phase) => {
      const duration = phase === "send" ? timeouts.send : phase === "receive" ? timeouts.receive : timeouts.total
      Deferred.unsafeDone(this.expired, Exit.fail(new CourierError.Timeout({ request: request.info, phase, duration })))
    })
  }

  /** `effect`, failing with the Timeout of the first phase that runs out. */
  race<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | CourierError.Timeout> {
    return Effect.raceFirst(effect, Deferred.await(this.expired))
  }
}

/** The head of one hop over the platform interface, under the send and receive timers and the deadline. */
const sendHead = (
  http: HttpClient.HttpClient,
  request: CourierRequest.CourierRequest,
  timing: Timing
): Effect.Effect<HttpClientResponse.HttpClientResponse, CourierError.Network | CourierError.Timeout> => {
  const { watchdog, idle } = timing
  const sendMillis = timerMillis(request.timeouts.send)
  const { body, watch } = toPlatformBody(request, request.headers["content-type"], {
    started: () => {
      if (!timing.headed) watchdog.start("send", sendMillis)
    },
    ended: () => {
      if (!timing.headed) watchdog.start("receive", idle)
    }
  })
  // No upload to time: the receive timer runs from the start.
  if (watch === undefined) watchdog.start("receive", idle)
  const platformRequest = HttpClientRequest.setBody(
    HttpClientRequest.make(request.method as "GET")(request.url, { headers: request.headers }),
    body
  )
  const sent = timing.race(Effect.mapError(
    http.execute(platformRequest),
    (error: HttpClientError.HttpClientError) => Failure.fromTransport(request, error.cause, request.timeouts.connect)
  ))
  return Effect.onExit(sent, (exit) => {
    if (Exit.isSuccess(exit)) {
      // Until a reader pulls the body, only the deadline runs.
      timing.headed = true
      watchdog.start("receive", Infinity)
      return Effect.void
    }
    watchdog.stop()
    // When a call is aborted, Node's fetch neither cancels the request body it
    // is reading (it cancels the locked stream, which throws, and swallows that)
    // nor stops reading it: it drains the rest of the stream into the dead
    // socket, or waits forever for a next chunk, and the stream's finalizers
    // never run. So the fiber pumping the body is stopped here.
    return Effect.withFiberRuntime((current) => {
      const pump = watch?.pump
      return pump === undefined || pump === current ? Effect.void : Fiber.interrupt(pump)
    })
  })
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

/**
 * The body as it came, under the receive timer while a pull waits for the
 * server (a slow reader is not the server's silence) and the deadline.
 */
const rawBody = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  timing: Timing
): Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> => {
  const connect = request.timeouts.connect
  const { watchdog, idle } = timing
  const body: Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> = Stream.catchAll(
    response.stream,
    // fetch has no body stream at all for 204 and HEAD: that is an empty body.
    (error) =>
      error.reason === "EmptyBody" ? Stream.empty : Stream.fail(Failure.fromBody(request, error.cause ?? error, connect))
  )
  const expired = Effect.mapError(Deferred.await(timing.expired), Option.some)
  const timed = Stream.fromPull(Effect.map(Stream.toPull(body), (pull) =>
    Effect.suspend(() => {
      watchdog.start("receive", idle)
      return Effect.raceFirst(pull, expired)
    }).pipe(Effect.ensuring(Effect.sync(() => watchdog.start("receive", Infinity))))))
  return Stream.ensuring(timed, Effect.sync(() => watchdog.stop()))
}

const toResponse = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  timing: Timing
): Transport.Response => {
  const raw = rawBody(request, response, timing)
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
    readPrefix: (limit) => streamPrefix(raw, limit),
    // Its stream started and interrupted at once, which aborts the request:
    // the connection is closed now rather than when the response is collected.
    discard: Effect.zipRight(
      Effect.sync(() => timing.watchdog.stop()),
      Effect.ignore(Stream.runDrain(Stream.interruptWhen(response.stream, Effect.void)))
    )
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
      Effect.clockWith((clock) => {
        const timing = new Timing(clock, request)
        return Effect.map(sendHead(http, request, timing), (response) => toResponse(request, response, timing))
      })
  }
  sources.set(transport, client)
  return transport
}

/** @internal */
export const sourceOf = (transport: Transport.Service): HttpClient.HttpClient | undefined => sources.get(transport)
