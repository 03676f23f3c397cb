/**
 * A Courier client pointed at a test server: the server, its journal and
 * the client in one scoped Layer, the way `httptest.NewServer` pairs a
 * server with `server.Client()`.
 *
 * ```ts
 * import { CourierClient } from "@courier/client"
 * import { Reply, TestClient, TestServer } from "@courier/testing"
 * import { expect, layer } from "@effect/vitest"
 * import * as Effect from "effect/Effect"
 *
 * layer(TestClient.layer({ routes: [["GET", "/posts", Reply.json([])]] }))("posts", (it) => {
 *   it.effect("lists posts", () =>
 *     Effect.gen(function*() {
 *       const client = yield* CourierClient.CourierClient
 *       expect(yield* client.get("/posts")).toEqual([])
 *       const server = yield* TestServer.TestServer
 *       expect((yield* server.journal).length).toBe(1)
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as CourierClient from "@courier/client/CourierClient"
import * as ContentDecoder from "@courier/client/ContentDecoder"
import * as CourierConfig from "@courier/client/CourierConfig"
import * as FetchTransport from "@courier/client/FetchTransport"
import * as CourierTransport from "@courier/client/Transport"
import { NodeTransport } from "@courier/client/node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestServer from "./TestServer.js"

/**
 * Which transport the client runs on: the Node transport, `fetch`, or
 * `"platform"`, a platform `HttpClient` the program wrapped (the Node
 * transport's, with a `mapRequest` adding `x-test-via: platform`) put
 * under Courier through `Transport.layerFromHttpClient`.
 *
 * @since 0.1.0
 */
export type Transport = "node" | "fetch" | "platform"

/**
 * Options of {@link layer}: the server's, plus the client's configuration
 * (its `baseUrl` defaults to the server's URL) and transport.
 *
 * @since 0.1.0
 */
export interface Options extends TestServer.Options {
  readonly client?: CourierConfig.Options | undefined
  readonly transport?: Transport | undefined
}

/**
 * The transport Layer of a given kind.
 *
 * @since 0.1.0
 */
export const transport = (
  kind: Transport
): Layer.Layer<CourierTransport.Transport | HttpClient.HttpClient, ConfigError.ConfigError, CourierConfig.CourierConfig> =>
  kind === "node" ? NodeTransport.layer() : kind === "fetch" ? FetchTransport.layer : platform

/** The Node transport's platform client, wrapped, and its content decoder passed on. */
const wrapped = Layer.merge(
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-test-via", "platform")))
  ),
  Layer.effect(ContentDecoder.ContentDecoder, ContentDecoder.ContentDecoder)
).pipe(Layer.provide(NodeTransport.layer()))

const platform = Layer.provideMerge(CourierTransport.layerFromHttpClient, wrapped)

/**
 * A client on `transport` configured with `options`, its base URL being the
 * given server's unless the options say otherwise.
 *
 * @since 0.1.0
 */
export const layerFor = (
  server: TestServer.Service,
  options: CourierConfig.Options = {},
  kind: Transport = "node"
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, ConfigError.ConfigError> =>
  CourierClient.layer.pipe(
    Layer.provide(transport(kind)),
    Layer.provideMerge(CourierConfig.layer({ baseUrl: server.url, ...options }))
  )

/**
 * A test server and a client pointed at it, both scoped to the Layer.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  TestServer.TestServer | CourierClient.CourierClient | CourierConfig.CourierConfig,
  ConfigError.ConfigError
> =>
  Layer.unwrapEffect(
    Effect.map(TestServer.TestServer, (server) => layerFor(server, options.client, options.transport))
  ).pipe(Layer.provideMerge(TestServer.layer(options)))
