/**
 * The core of a call: each hop sent through the transport seam (which owns
 * the hop's timers and the deadline), redirects followed by Courier itself,
 * status handling and the bounded body read.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import type * as ContentDecoder from "../../ContentDecoder.js"
import type * as CourierConfig from "../../CourierConfig.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Redaction from "../../Redaction.js"
import type * as Transport from "../../Transport.js"
import { bodyStream, readAll, readPrefix, responseCodings } from "../body/response.js"
import { excerptLength, forFailure } from "../redaction/failure.js"
import { CallId } from "./call.js"
import * as ErrorBody from "./errorBody.js"
import * as Redirect from "./redirect.js"

/** How much of a non-2xx body is read for the failure (excerpt and errorSchema). */
const errorBodyLimit = 64 * 1024
/** How much of a redirect body is drained to keep the connection; past it the socket is dropped. */
const redirectDrainLimit = 16 * 1024
const textDecoder = new TextDecoder()


/**
 * The failure for a non-2xx answer. Its headers and body excerpt go through
 * the failure redactor: an error body may echo a token, a `Location` may
 * carry one in its query, and failures get logged.
 */
const statusFailure = (
  request: CourierRequest.CourierRequest,
  response: Transport.Response,
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
          const decodeErrorBody = request[CallId].decodeErrorBody
          if (decodeErrorBody !== undefined && bytes.byteLength > 0) {
            try {
              errorBody = decodeErrorBody(JSON.parse(textDecoder.decode(bytes)))
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
  response: Transport.Response,
  hooks: ReadonlyArray<CourierRequest.HopHook>
): Effect.Effect<void> => {
  const head: CourierRequest.HopResponse = {
    status: response.status,
    headers: response.headers,
    setCookie: response.setCookie
  }
  return Effect.forEach(hooks, (hook) => hook.onResponse === undefined ? Effect.void : hook.onResponse(request, head), {
    discard: true
  })
}

/**
 * Builds the innermost `execute` of a client: redirects, status handling
 * and the body read, over the transport seam.
 *
 * @internal
 */
export const make = (
  transport: Transport.Service,
  decoder: ContentDecoder.Decoder,
  policy: CourierConfig.ResolvedConfig,
  redactor: Redaction.Redactor
) => {
  const send = transport.send
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
  ): Effect.Effect<CourierResponse.CourierResponse, CourierError.CourierError> => {
    // A header a Layer or a hook could not set fails the call here, before
    // anything is sent, rather than going missing.
    const refused = request[CallId].refusedHeader
    if (refused !== undefined) {
      return Effect.fail(
        new CourierError.RequestRefused({
          request: request.info,
          reason: "InvalidHeader",
          detail: `header ${refused.name}: ${refused.problem}`
        })
      )
    }
    return Effect.flatMap(send(request), (response) => {
      const hooks = request.hopHooks
      return hooks === undefined || hooks.length === 0
        ? answer(unhooked, request, response)
        : Effect.zipRight(runResponseHooks(request, response, hooks), answer(unhooked, request, response))
    })
  }
  // A limit met on the head: the body is not read, and the call fails.
  const overLimit = (
    request: CourierRequest.CourierRequest,
    response: Transport.Response,
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
    response: Transport.Response
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
    if (request[CallId].streaming) {
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
    // The deadline is the transport's to enforce, on each hop and body read.
    return hop(request)
  }
}
