/**
 * A platform `HttpClient` over a transport: each platform request goes as
 * one hop through the seam, with no Courier Layer and no redirect followed,
 * and the answer comes back as a platform response whose body reads are the
 * transport's. What `client.http` and `NodeTransport.layer`'s `HttpClient`
 * are.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as CourierConfig from "../../CourierConfig.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import { CallId } from "../core/call.js"
import * as Url from "@courier/core/Url"
import { toBody } from "./platformBody.js"
import { FaceResponse } from "./platformResponse.js"
import { sourceOf } from "./platform.js"

/** A platform client sets no timer of its own: none here either (the caller adds `Effect.timeout`). */
const noTimeouts: CourierConfig.Timeouts = {
  connect: Duration.infinity,
  send: Duration.infinity,
  receive: Duration.infinity,
  total: Duration.infinity
}

const call = { deadline: Infinity, streaming: true, decodeErrorBody: undefined, refusedHeader: undefined } as const

/**
 * A response handed to platform code whose body is never read: its hop is
 * dropped when the response is garbage-collected, as the platform's own
 * clients do. The callback runs outside any fiber, so it starts the drop.
 */
const unread = new FinalizationRegistry<Effect.Effect<void>>((discard) => {
  Effect.runFork(discard)
})

const execute = (
  transport: Transport.Service,
  platformRequest: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  // The fragment never goes on the wire; the query is the platform's urlParams.
  const url = UrlParams.makeUrl(platformRequest.url, platformRequest.urlParams, Option.none())
  if (url._tag === "Left") {
    return Effect.fail(new HttpClientError.RequestError({ request: platformRequest, reason: "InvalidUrl", cause: url.left }))
  }
  return Effect.flatMap(toBody(platformRequest, url.right), (body) => {
    const headers: Record<string, string> = { ...platformRequest.headers }
    delete headers["content-length"]
    // A form's boundary is chosen when it is serialised: its content type comes with the bytes.
    if (platformRequest.body._tag === "FormData") delete headers["content-type"]
    const request: CourierRequest.CourierRequest = {
      method: platformRequest.method,
      url: url.right,
      headers,
      body,
      timeouts: noTimeouts,
      attempt: 1,
      maxResponseBytes: Number.MAX_SAFE_INTEGER,
      maxRedirects: 0,
      acceptStatus: undefined,
      onUploadProgress: undefined,
      onDownloadProgress: undefined,
      info: { method: platformRequest.method, url: Url.redact(url.right) },
      [CallId]: call
    }
    return Effect.map(
      Effect.mapError(
        transport.send(request),
        (failure) => new HttpClientError.RequestError({ request: platformRequest, reason: "Transport", cause: failure })
      ),
      (response) => {
        const face = new FaceResponse(
          platformRequest,
          response.status,
          response.headers,
          response.raw,
          response.readAll(Number.MAX_SAFE_INTEGER),
          response.setCookie
        )
        unread.register(face, response.discard)
        return face
      }
    )
  })
}

/** @internal */
export const toHttpClient = (transport: Transport.Service): HttpClient.HttpClient =>
  sourceOf(transport) ?? HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(effect, (request) => execute(transport, request)),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )
