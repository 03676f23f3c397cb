/**
 * The Node transport's options for real backends: the proxy from the
 * environment with its exceptions, a proxy that can not be reached (the
 * failure names it, never its credentials), a resolver of your own, and a
 * client certificate whose file is missing (a ConfigError when the Layer is
 * built, before any request). Run it with `pnpm docs:example 18`.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Net from "node:net"

const firstTitle = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/posts/1")).pipe(
  Effect.map((post) => (post as { readonly title: string }).title.slice(0, 30)),
  Effect.catchTag("Network", (e) => Effect.succeed(`Network(${e.reason}): ${e.message}`))
)

const program = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi

  // 1. The environment's proxy, read as curl reads it. `env: true` reads
  //    process.env; a record (here) is read instead. 127.0.0.1 is in
  //    NO_PROXY, so the call goes direct.
  const environment = { HTTP_PROXY: "http://proxy.corp.example:3128", NO_PROXY: "localhost,127.0.0.1" }
  yield* Console.log("NO_PROXY bypass:  ", yield* firstTitle.pipe(
    Effect.provide(NodeTransport.layerClient({ baseUrl: api.url }, { env: environment }))
  ))

  // 2. An explicit proxy with credentials, Redacted; nothing listens on port 9.
  //    The failure is the proxy's and names it without "user:s3cret".
  const proxy = Redacted.make("http://user:s3cret@127.0.0.1:9")
  yield* Console.log("proxy unreachable:", yield* firstTitle.pipe(
    Effect.provide(NodeTransport.layerClient({ baseUrl: api.url }, { proxy }))
  ))

  // 3. A resolver of your own (split DNS, service discovery): every name to loopback.
  const lookup: Net.LookupFunction = (_hostname, options, callback) =>
    options.all === true
      ? (callback as unknown as (e: null, all: ReadonlyArray<{ address: string; family: number }>) => void)(null, [
        { address: "127.0.0.1", family: 4 }
      ])
      : callback(null, "127.0.0.1", 4)
  const internal = `http://demo-api.internal:${new URL(api.url).port}`
  yield* Console.log("custom lookup:    ", yield* firstTitle.pipe(
    Effect.provide(NodeTransport.layerClient({ baseUrl: internal }, { lookup }))
  ))

  // 4. Mutual TLS and HTTP/2: the certificate files are read when the Layer
  //    is built; a missing one fails it with a ConfigError naming the option.
  const mutualTls = NodeTransport.layerClient({ baseUrl: "https://internal.example" }, {
    cert: { file: "/nonexistent/client.pem" },
    key: { file: "/nonexistent/client.key" },
    passphrase: Redacted.make("from a secret store"),
    http2: true
  })
  const built = yield* Effect.either(Effect.scoped(Layer.build(mutualTls)))
  yield* Console.log("mutual TLS:       ", built._tag === "Left" ? String(built.left) : "built")
})

program.pipe(Effect.provide(DemoApi.layer()), NodeRuntime.runMain)
