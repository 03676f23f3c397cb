/**
 * Courier as a platform `HttpClient`: each platform request becomes a
 * `CourierRequest` (prepared as the calls prepare theirs, so the base URL's
 * origin rules, header checks and timeouts apply) and goes through the
 * client's `execute`, so through every Layer the program composed.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { callExecute, CourierClient } from "../core/client.js"
import type * as CourierClientNs from "../../CourierClient.js"
import * as CourierError from "../../CourierError.js"
import { CallId } from "../core/call.js"
import * as ErrorBody from "../core/errorBody.js"
import { toBody } from "./platformBody.js"
import * as PlatformResponse from "./platformResponse.js"
import * as Url from "@courier/core/Url"

type Refusal = CourierError.RefusalReason

const urlRefusals: ReadonlySet<Refusal> = new Set<Refusal>([
  "InvalidUrl",
  "EscapesBaseUrl",
  "UnsupportedScheme",
  "CredentialsInUrl",
  "InvalidPathParameter",
  "InvalidQuery"
])
const encodeRefusals: ReadonlySet<Refusal> = new Set<Refusal>(["InvalidBody", "InvalidHeader", "InvalidMethod"])

/** The platform's reason for a failure that came before any response. */
const requestReason = (failure: CourierError.CourierError): HttpClientError.RequestError["reason"] =>
  failure._tag === "RequestRefused"
    ? urlRefusals.has(failure.reason) ? "InvalidUrl" : encodeRefusals.has(failure.reason) ? "Encode" : "Transport"
    : "Transport"

/**
 * The platform request as an error carries it. The platform's message ends
 * with the request's method and URL, so the URL is the redacted one a
 * Courier failure shows (no user info, query values `<redacted>`), the query
 * in it rather than in `urlParams`.
 */
const shown = (request: HttpClientRequest.HttpClientRequest, redactedUrl: string) =>
  HttpClientRequest.setUrlParams(HttpClientRequest.setUrl(request, redactedUrl), [])

/** @internal */
export const toRequestError = (
  request: HttpClientRequest.HttpClientRequest,
  failure: CourierError.CourierError
): HttpClientError.RequestError =>
  new HttpClientError.RequestError({
    request: shown(request, failure.request.url),
    reason: requestReason(failure),
    cause: failure,
    description: failure.message
  })

/** What the platform request says about headers, less those Courier sets from the body itself. */
const headersOf = (request: HttpClientRequest.HttpClientRequest): Record<string, string> => {
  const headers: Record<string, string> = { ...request.headers }
  delete headers["content-length"]
  if (request.body._tag === "FormData") delete headers["content-type"]
  return headers
}

const execute = (
  client: CourierClientNs.Service,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  // The fragment never goes on the wire; the query is the platform's urlParams.
  const url = UrlParams.makeUrl(request.url, request.urlParams, Option.none())
  if (url._tag === "Left") {
    return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
  }
  return Effect.flatMap(toBody(request, url.right), (body) =>
    Effect.flatMap(
      Effect.mapError(
        client.prepare(request.method, url.right.href, { headers: headersOf(request), body }),
        (refusal) => toRequestError(request, refusal)
      ),
      (prepared) => {
        // Streaming: the body is the caller's to read (or to stream) after
        // the headers, under the receive timer and the total deadline.
        const courierRequest = { ...prepared, [CallId]: { ...prepared[CallId], streaming: true } }
        // The request a response carries ends up in the platform's
        // ResponseError messages (a status no schema declares, a body that
        // fails to read): the redacted URL there too.
        const visible = shown(request, Url.redact(url.right))
        const kept = new WeakMap<CourierError.CourierError, ErrorBody.Kept>()
        // Run as a call is: as a whole under the deadline when a Layer waits outside the process.
        const bounded = callExecute(client)(courierRequest)
        return ErrorBody.keeping(bounded, (failure, body) => kept.set(failure, body)).pipe(
          Effect.map((response) => PlatformResponse.fromCourier(visible, response)),
          Effect.catchAll((failure) =>
            failure._tag === "BadResponse" || failure._tag === "Unauthorized"
              ? Effect.succeed(PlatformResponse.fromFailure(visible, courierRequest, failure, kept.get(failure)))
              : Effect.fail(toRequestError(request, failure))
          )
        )
      }
    ))
}

/** @internal */
export const make = (client: CourierClientNs.Service): HttpClient.HttpClient =>
  HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(effect, (request) => execute(client, request)),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )

/** @internal */
export const layer: Layer.Layer<HttpClient.HttpClient, never, CourierClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(CourierClient, make)
)

/** @internal */
export const courierError = (u: unknown): Option.Option<CourierError.CourierError> => {
  if (CourierError.isCourierError(u)) return Option.some(u)
  if (!HttpClientError.isHttpClientError(u)) return Option.none()
  if (CourierError.isCourierError(u.cause)) return Option.some(u.cause)
  if (u._tag === "ResponseError") return Option.fromNullable(PlatformResponse.failureOf(u.response))
  return Option.none()
}

/** @internal */
export const catchCourier = dual<
  <A2, E2, R2>(
    f: (error: CourierError.CourierError) => Effect.Effect<A2, E2, R2>
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | E2, R | R2>,
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    f: (error: CourierError.CourierError) => Effect.Effect<A2, E2, R2>
  ) => Effect.Effect<A | A2, E | E2, R | R2>
>(2, <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (error: CourierError.CourierError) => Effect.Effect<A2, E2, R2>
) =>
  Effect.catchAllCause(self, (cause): Effect.Effect<A2, E | E2, R2> => {
    const found = Option.flatMap(Cause.failureOption(cause), courierError)
    return Option.isSome(found) ? f(found.value) : Effect.failCause(cause)
  }))
