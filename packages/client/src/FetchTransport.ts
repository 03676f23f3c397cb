/**
 * The `fetch` transport: `@effect/platform`'s `FetchHttpClient` with
 * `redirect: "manual"`, so Courier follows redirects itself. Works wherever
 * `fetch` does. `fetch` decodes compressed bodies itself and owns its
 * connection pool, so the `connect` timeout is not enforced separately here
 * (`receive` and `total` still bound a stalled connect).
 *
 * @example
 * ```ts
 * import { CourierClient, FetchTransport } from "@courier/client"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/health", { responseType: "text" }))
 * const main = program.pipe(Effect.provide(FetchTransport.layerClient({ baseUrl: "https://api.example.com" })))
 * ```
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as CourierClient from "./CourierClient.js"
import * as CourierConfig from "./CourierConfig.js"
import * as Transport from "./Transport.js"

/**
 * The transport alone, for `CourierClient.layer`: the `Transport` over the
 * platform's fetch client (`Transport.fromHttpClient`), and that client as
 * the `HttpClient`.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Transport.Transport | HttpClient.HttpClient> = Layer.provideMerge(
  // Its own Layer, not `Transport.layerFromHttpClient`: Layers are shared by
  // identity within one build, and a program that puts that one over its own
  // wrapped client must get its own instance, not this one.
  Layer.effect(Transport.Transport, Effect.map(HttpClient.HttpClient, Transport.fromHttpClient)),
  FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" })))
)

/**
 * A whole client on `fetch`, configured from code.
 *
 * @since 0.1.0
 */
export const layerClient = (
  options?: CourierConfig.Options
): Layer.Layer<CourierClient.CourierClient | CourierConfig.CourierConfig, ConfigError.ConfigError> =>
  CourierClient.layer.pipe(Layer.provide(layer), Layer.provideMerge(CourierConfig.layer(options)))
