/**
 * The innermost `execute`: each hop sent through the transport seam (which
 * owns the hop's timers and the call's deadline), redirects followed here
 * by the shared rules, the status judged, and the body read under its limit.
 */
import * as Redirect from "@courier/core/Redirect"
import type * as Redaction from "@courier/core/Redaction"
import * as Effect from "effect/Effect"
import type * as CourierConfig from "../../CourierConfig.js"
import { type CourierError, LimitExceeded, RequestRefused } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as CourierResponse from "../../CourierResponse.js"
import type * as Transport from "../../Transport.js"
import { acceptEncoding } from "../body/codings.js"
import { readAll, readPrefix, responseCodings } from "../body/read.js"
import { decodedStream } from "../body/stream.js"
import { errorBodyLimit, statusFailure } from "./failure.js"

type Request = CourierRequest.CourierRequest
type Result = Effect.Effect<CourierResponse.CourierResponse, CourierError>

/** How much of a redirect's body is drained to keep the connection; past it the socket is dropped. */
const redirectDrainLimit = 16 * 1024

const runRequestHooks = (request: Request): Effect.Effect<Request> =>
  Effect.reduce(
    request.hopHooks,
    () => request,
    (current, hook) => hook.onRequest === undefined ? Effect.succeed(current) : hook.onRequest(current)
  )

const runResponseHooks = (request: Request, response: Transport.Response): Effect.Effect<void> => {
  const head: CourierRequest.HopResponse = {
    status: response.status,
    headers: response.headers,
    setCookie: response.setCookie
  }
  return Effect.forEach(request.hopHooks, (hook) => hook.onResponse === undefined ? Effect.void : hook.onResponse(request, head), {
    discard: true
  })
}

/** @internal */
export const make = (
  config: CourierConfig.ResolvedConfig,
  transport: Transport.Service,
  redactor: Redaction.Redactor
): (request: Request) => Result => {
  const policy: Redirect.Policy = {
    allowInsecureRedirects: config.allowInsecureRedirects,
    isCredentialHeader: (name) => redactor.isSensitiveHeader(name) || config.credentialHeaders.has(name)
  }

  // The next hop is built from the request before the hooks, so what a hook
  // adds never crosses to another hop, and the redirect rules see only what
  // the caller and the Layers set.
  const hop = (unhooked: Request): Result =>
    unhooked.hopHooks.length === 0
      ? send(unhooked, unhooked)
      : Effect.flatMap(runRequestHooks(unhooked), (sent) => send(unhooked, sent))

  const send = (unhooked: Request, request: Request): Result => {
    // A header a Layer or a hook could not set fails the call here, before
    // anything is sent, rather than going missing.
    const refused = request.refusedHeader
    if (refused !== undefined) {
      return Effect.fail(
        new RequestRefused({ request: request.info, reason: "InvalidHeader", detail: `header ${refused.name}: ${refused.problem}` })
      )
    }
    return Effect.flatMap(transport.send(request), (response) =>
      request.hopHooks.length === 0
        ? answer(unhooked, request, response)
        : Effect.andThen(runResponseHooks(request, response), answer(unhooked, request, response)))
  }

  const limit = (request: Request, response: Transport.Response, reason: LimitExceeded["reason"], n: number) =>
    Effect.andThen(response.discard, Effect.fail(new LimitExceeded({ request: request.info, reason, limit: n })))

  const answer = (unhooked: Request, request: Request, response: Transport.Response): Result => {
    const status = response.status
    const location = response.headers["location"]
    if (Redirect.isRedirect(status) && request.maxRedirects > 0 && location !== undefined) {
      if ((request.info.redirects ?? 0) >= request.maxRedirects) {
        return limit(request, response, "TooManyRedirects", request.maxRedirects)
      }
      const next = Redirect.next(policy, {
        method: unhooked.method,
        url: unhooked.url,
        headers: unhooked.headers,
        replayable: unhooked.body._tag !== "Stream" || unhooked.body.replayable,
        info: request.info
      }, status, location)
      return Effect.andThen(
        readPrefix(request, response, redirectDrainLimit),
        next._tag === "Refuse"
          ? Effect.fail(new RequestRefused({ request: next.info, reason: next.reason, detail: next.detail }))
          : hop({
            ...unhooked,
            method: next.method,
            url: next.url,
            headers: next.headers,
            body: next.dropBody ? { _tag: "Empty" } : unhooked.body,
            info: next.info
          })
      )
    }
    const codings = responseCodings(request, response)
    if (codings.length > config.maxContentEncodings) {
      return limit(request, response, "TooManyEncodings", config.maxContentEncodings)
    }
    if ((status < 200 || status >= 300) && request.acceptStatus?.(status) !== true) {
      return Effect.flatMap(
        readPrefix(request, response, errorBodyLimit),
        (bytes) => Effect.fail(statusFailure(request, response, bytes, redactor))
      )
    }
    const head = { request, status, headers: response.headers, setCookie: response.setCookie }
    if (request.streaming) {
      return Effect.succeed({ ...head, body: { _tag: "Streaming", stream: decodedStream(request, response, codings) } })
    }
    return Effect.map(readAll(request, response, request.maxResponseBytes), (bytes) => ({
      ...head,
      body: { _tag: "Buffered", bytes }
    }))
  }

  return (request) => {
    if (request.headers["accept-encoding"] === undefined) {
      request = { ...request, headers: { ...request.headers, "accept-encoding": acceptEncoding } }
    }
    // The connect timeout belongs to the client's connection pool: a failure reports the client's.
    if (request.timeouts.connect !== config.timeouts.connect) {
      request = { ...request, timeouts: { ...request.timeouts, connect: config.timeouts.connect } }
    }
    return hop(request)
  }
}
