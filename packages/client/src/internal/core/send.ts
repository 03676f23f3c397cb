/**
 * The core of a call: one hop on the transport with the send and receive
 * timers, redirects followed by Courier itself, status handling and the
 * bounded body read.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import type * as ContentDecoder from "../../ContentDecoder.js"
import type * as CourierConfig from "../../CourierConfig.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Redaction from "../../Redaction.js"
import * as Deadline from "./deadline.js"
import * as ErrorBody from "./errorBody.js"
import * as Exchange from "../transport/exchange.js"
import * as Failure from "./failure.js"
import { excerptLength, forFailure } from "../redaction/failure.js"
import * as Redirect from "./redirect.js"
import { type SendWatch, toPlatformBody } from "../body/request.js"
import { bodyStream, isFinite, readAll, readPrefix, responseCodings } from "../body/response.js"

/** How much of a non-2xx body is read for the failure (excerpt and errorSchema). */
const errorBodyLimit = 64 * 1024
/** How much of a redirect body is drained to keep the connection; past it the socket is dropped. */
const redirectDrainLimit = 16 * 1024
const textDecoder = new TextDecoder()


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

/** One hop over the platform interface: the generic path, for any `HttpClient`. */
const sendOnce = (
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
 * The failure for a non-2xx answer. Its headers and body excerpt go through
 * the failure redactor: an error body may echo a token, a `Location` may
 * carry one in its query, and failures get logged.
 */
const statusFailure = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  decoder: ContentDecoder.Decoder,
  redactor: Redaction.Redactor
): Effect.Effect<never, CourierError.Unauthorized | CourierError.BadResponse> =>
  Effect.flatMap(FiberRef.get(ErrorBody.currentSink), (sink) =>
    Effect.flatMap(
      // A caller keeping the whole error body gets it up to the size limit
      // (one byte more tells it whether the body went on); the failure itself
      // still sees the usual prefix.
      readPrefix(
        request,
        response,
        decoder,
        sink === undefined ? errorBodyLimit : Math.max(errorBodyLimit, request.maxResponseBytes + 1)
      ),
      (read): Effect.Effect<never, CourierError.Unauthorized | CourierError.BadResponse> => {
        const bytes = read.subarray(0, errorBodyLimit)
        const shown = forFailure(redactor, request)
        const headers = shown.headers(response.headers)
        const bodyExcerpt = shown.body(bytes, response.headers["content-type"], excerptLength)
        let failure: CourierError.Unauthorized | CourierError.BadResponse
        if (response.status === 401) {
          // Whether this hop carried the credential tells the auth Layer if the 401
          // is about its token: a cross-origin redirect drops the header.
          const credentialsSent = request.headers["authorization"] !== undefined
          failure = new CourierError.Unauthorized({ request: request.info, status: 401, headers, bodyExcerpt, credentialsSent })
        } else {
          let errorBody: Option.Option<unknown> = Option.none()
          if (request.decodeErrorBody !== undefined && bytes.byteLength > 0) {
            try {
              errorBody = request.decodeErrorBody(JSON.parse(textDecoder.decode(bytes)))
            } catch {
              errorBody = Option.none()
            }
          }
          failure = new CourierError.BadResponse({
            request: request.info,
            status: response.status,
            headers,
            bodyExcerpt,
            errorBody
          })
        }
        if (sink !== undefined) {
          const complete = read.byteLength <= request.maxResponseBytes
          sink(failure, {
            headers: response.headers,
            bytes: complete ? read : read.subarray(0, request.maxResponseBytes),
            complete
          })
        }
        return Effect.fail(failure)
      }
    ))

/**
 * Each `Set-Cookie` line of a response. The platform's headers record keeps
 * one value per name, so the lines come from the native exchange; on the
 * generic path, from the web `Response` under the platform's fetch response
 * (which wraps it as `source`, inside an interruptible wrapper's
 * `original`), and for any other client from its parsed `cookies`, which
 * keep one cookie per name.
 */
const setCookieLines = (response: HttpClientResponse.HttpClientResponse): ReadonlyArray<string> => {
  if (Exchange.isResponse(response)) return response.setCookie
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
 * A request as its hop hooks shape it for one hop (a jar adds its `Cookie`):
 * what that hop sends.
 *
 * @internal
 */
export const runRequestHooks = (
  request: CourierRequest.CourierRequest,
  hooks: ReadonlyArray<CourierRequest.HopHook>
): Effect.Effect<CourierRequest.CourierRequest> =>
  Effect.reduce(hooks, request, (current, hook) => hook.onRequest === undefined ? Effect.succeed(current) : hook.onRequest(current))

const runResponseHooks = (
  request: CourierRequest.CourierRequest,
  response: HttpClientResponse.HttpClientResponse,
  hooks: ReadonlyArray<CourierRequest.HopHook>
): Effect.Effect<void> => {
  const head: CourierRequest.HopResponse = {
    status: response.status,
    headers: response.headers,
    setCookie: setCookieLines(response)
  }
  return Effect.forEach(hooks, (hook) => hook.onResponse === undefined ? Effect.void : hook.onResponse(request, head), {
    discard: true
  })
}

/**
 * Builds the transport-level `execute` of a client: redirects, status
 * handling and the body read, over a platform `HttpClient`.
 *
 * @internal
 */
export const make = (
  transport: HttpClient.HttpClient,
  decoder: ContentDecoder.Decoder,
  policy: CourierConfig.ResolvedConfig,
  redactor: Redaction.Redactor
) => {
  // The platform's spans record the full URL (query secrets included) and its
  // propagation sends trace headers to every origin, so both are off here:
  // tracing with redacted attributes, scoped to the base origin, is a
  // concern of its own to add as a Layer.
  const http = transport.pipe(
    HttpClient.withTracerPropagation(false),
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const exchange = Exchange.fromHttpClient(transport)
  const send = exchange === undefined ? (request: CourierRequest.CourierRequest) => sendOnce(http, request) : exchange.send
  const acceptEncoding = decoder.acceptEncoding
  // A request's hop hooks see every hop: `onRequest` shapes what is sent,
  // `onResponse` sees each head. The next hop is built from the request
  // before the hooks, so what a hook adds never crosses to another hop.
  const hop = (
    request: CourierRequest.CourierRequest
  ): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> => {
    const hooks = request.hopHooks
    if (hooks === undefined || hooks.length === 0) return hopWith(request, request)
    return Effect.flatMap(runRequestHooks(request, hooks), (sent) => hopWith(request, sent))
  }
  const hopWith = (
    unhooked: CourierRequest.CourierRequest,
    request: CourierRequest.CourierRequest
  ): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> =>
    Effect.flatMap(send(request), (response) => {
      const hooks = request.hopHooks
      return hooks === undefined || hooks.length === 0
        ? answer(unhooked, request, response)
        : Effect.zipRight(runResponseHooks(request, response, hooks), answer(unhooked, request, response))
    })
  // A limit met on the head: the body is not read, and the call fails.
  const overLimit = (
    request: CourierRequest.CourierRequest,
    response: HttpClientResponse.HttpClientResponse,
    reason: CourierError.LimitReason,
    limit: number
  ) =>
    Effect.zipRight(
      readPrefix(request, response, decoder, 0),
      Effect.fail(new CourierError.LimitExceeded({ request: request.info, reason, limit }))
    )
  // The count of redirects so far lives in `request.info.redirects` (set by
  // Redirect.follow), so every failure of a later hop carries it.
  const answer = (
    unhooked: CourierRequest.CourierRequest,
    request: CourierRequest.CourierRequest,
    response: HttpClientResponse.HttpClientResponse
  ): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> => {
    const status = response.status
    if (Redirect.isRedirect(status) && request.maxRedirects > 0 && response.headers["location"] !== undefined) {
      if ((request.info.redirects ?? 0) >= request.maxRedirects) {
        return overLimit(request, response, "TooManyRedirects", request.maxRedirects)
      }
      const next = Redirect.follow(policy, unhooked, status, response.headers["location"], redactor)
      return Effect.zipRight(
        readPrefix(request, response, decoder, redirectDrainLimit),
        "reason" in next
          ? Effect.fail(new CourierError.RequestRefused({ request: next.info, reason: next.reason, detail: next.detail }))
          : hop(next)
      )
    }
    const encodings = responseCodings(request, response).length
    if (encodings > policy.maxContentEncodings) {
      return overLimit(request, response, "TooManyEncodings", policy.maxContentEncodings)
    }
    // An accepted status is an answer: read whole, like a 2xx, under maxResponseBytes.
    if ((status < 200 || status >= 300) && request.acceptStatus?.(status) !== true) {
      return statusFailure(request, response, decoder, redactor)
    }
    if (request.streaming) {
      return Effect.succeed<CourierResponse.CourierResponse>({
        request,
        status,
        headers: response.headers,
        body: { _tag: "Streaming", stream: bodyStream(request, response, decoder, Number.MAX_SAFE_INTEGER) }
      })
    }
    return Effect.map(
      readAll(request, response, decoder, request.maxResponseBytes),
      (bytes): CourierResponse.CourierResponse => ({
        request,
        status,
        headers: response.headers,
        body: { _tag: "Buffered", bytes }
      })
    )
  }
  return (request: CourierRequest.CourierRequest): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> => {
    if (acceptEncoding !== undefined && request.headers["accept-encoding"] === undefined) {
      request = { ...request, headers: { ...request.headers, "accept-encoding": acceptEncoding } }
    }
    // The connect timeout is the transport pool's (undici's Agent), per client: a
    // per-request value is never enforced, so a failure must report the client's.
    if (!Duration.equals(request.timeouts.connect, policy.timeouts.connect)) {
      request = { ...request, timeouts: { ...request.timeouts, connect: policy.timeouts.connect } }
    }
    // A native exchange keeps the deadline on its own timer; the generic
    // path races the hop against what is left of it.
    if (exchange !== undefined || request.deadline === undefined) return hop(request)
    return Deadline.bound(request, hop(request))
  }
}
