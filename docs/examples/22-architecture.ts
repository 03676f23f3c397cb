/**
 * The transport seam: a Layer that sees every hop of every call (here, a
 * counter of hops per path), written against `Transport` alone; and a
 * platform client the program wrapped, put under Courier explicitly.
 * Run it with `pnpm docs:example 22-architecture`.
 */
import { CourierClient, CourierConfig, Retry, Transport } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// 1. A transport decorator: each hop (each redirect, each retry) passes
//    through `send`, with the request as it goes on the wire.
const hops: Array<string> = []
const CountHops = Transport.layerDecorate((transport) =>
  Effect.succeed<Transport.Service>({
    send: (request) =>
      Effect.tap(transport.send(request), (response) =>
        Effect.sync(() => void hops.push(`attempt ${request.attempt}: ${request.url.pathname} ${response.status}`)))
  })
)

// 2. A platform client wrapped by the program, under Courier through the
//    explicit adapter: the wrapper applies to every hop, and Courier's
//    timeouts and limits still hold (the slower path over the platform
//    interface).
const Wrapped = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-client", "docs")))
).pipe(Layer.provide(NodeTransport.layer()))

const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  const config = CourierConfig.layer({ baseUrl: api.url })

  const Counted = Retry.layer({ baseDelay: 0 }).pipe(
    Layer.provide(CourierClient.layer),
    Layer.provide(CountHops),
    Layer.provide(NodeTransport.layer()),
    Layer.provide(config)
  )
  // A redirect to an endpoint that fails once with a 503, then answers.
  yield* Effect.flatMap(CourierClient.CourierClient, (client) =>
    client.get("/fault/redirect", {
      query: { to: "/fault/flaky?key=docs-21&failures=1&status=503", status: "302" },
      responseType: "text"
    })).pipe(Effect.provide(Counted))
  yield* Console.log(hops.join("\n"))

  const OverWrapped = CourierClient.layer.pipe(
    Layer.provide(Transport.layerFromHttpClient),
    Layer.provide(Wrapped),
    Layer.provide(config)
  )
  const timedOut = yield* Effect.flatMap(CourierClient.CourierClient, (client) =>
    Effect.flip(client.get("/fault/stall", { timeouts: { receive: "200 millis" } }))).pipe(Effect.provide(OverWrapped))
  yield* Console.log(`a wrapped platform client keeps Courier's timeouts: ${timedOut._tag} (${timedOut._tag === "Timeout" ? timedOut.phase : ""})`)
})

main.pipe(Effect.scoped, Effect.provide(DemoApi.layer()), NodeRuntime.runMain)
