/**
 * @effect/platform's HttpClient: bare on `NodeHttpClient.layerUndici`, and
 * the full stack (base URL, bearer, `filterStatusOk`, `retryTransient`,
 * `schemaBodyJson`) on `layerUndici` or `FetchHttpClient`. Defaults
 * everywhere, so the default tracer is on.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { effectSession, schemas } from "./effect.js"
import type { MakeSession } from "./session.js"

export const makeBare: MakeSession = async (origin) => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = await runtime.runPromise(HttpClient.HttpClient)
  return effectSession(runtime, (path) => Effect.flatMap(client.get(origin + path), (response) => response.json))
}

export const makeFull = (transport: "undici" | "fetch"): MakeSession => async (origin) => {
  const runtime = ManagedRuntime.make(transport === "undici" ? NodeHttpClient.layerUndici : FetchHttpClient.layer)
  const client = (await runtime.runPromise(HttpClient.HttpClient)).pipe(
    HttpClient.mapRequest(HttpClientRequest.prependUrl(origin)),
    HttpClient.mapRequest(HttpClientRequest.bearerToken("static-access-token")),
    HttpClient.filterStatusOk,
    HttpClient.retryTransient({ times: 2 })
  )
  const decodePosts = HttpClientResponse.schemaBodyJson(schemas["/posts"])
  const decodeSmall = HttpClientResponse.schemaBodyJson(schemas["/small"])
  return effectSession(runtime, (path) =>
    path === "/posts"
      ? Effect.flatMap(client.get(path), decodePosts)
      : Effect.flatMap(client.get(path), decodeSmall))
}
