/**
 * The safe defaults, observed: requests refused before a byte is sent,
 * credentials dropped on a cross-origin redirect, the response size cap.
 * Nothing here is configured: these are the defaults.
 * Run it with `pnpm docs:example 13`.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

const Echo = Schema.Struct({ path: Schema.String, headers: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })

const outcome = (label: string, call: Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>) =>
  call.pipe(
    Effect.as("sent"),
    Effect.catchAll((e) => Effect.succeed(`${e._tag}: ${e.message.replace(/^\S+ \S+: /, "")}`)),
    Effect.flatMap((text) => Console.log(`${label.padEnd(34)} ${text}`))
  )

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const elsewhere = yield* TestServer.TestServer

  // Refused before any I/O: the answer to SSRF through a path, header
  // injection, and URLs that carry secrets or other schemes.
  yield* outcome("absolute URL to another origin", client.get("https://attacker.example/collect"))
  yield* outcome("protocol-relative path", client.get("//attacker.example/collect"))
  // A path parameter is one segment: "../admin" is sent as ..%2Fadmin, so the server answers 404.
  yield* outcome("path parameter \"../admin\"", client.get("/users/{id}", { params: { id: "../admin" } }))
  yield* outcome("CR/LF in a header value", client.get("/posts", { headers: { "x-note": "a\r\nx-admin: 1" } }))
  yield* outcome("credentials in the URL", client.get(`${client.config.baseUrl?.origin.replace("://", "://user:pw@")}/me`))
  yield* outcome("file: scheme", client.get("file:///etc/passwd"))

  // A redirect to another origin is followed, but Authorization (and
  // Cookie, Proxy-Authorization) are dropped first and never come back.
  const landed = yield* client.get("/fault/redirect", {
    query: { to: `${elsewhere.url}/landing` },
    headers: { authorization: "Bearer secret-token", "x-trace": "kept" },
    schema: Echo
  })
  yield* Console.log(`${"cross-origin redirect".padEnd(34)} authorization arrived: ${"authorization" in landed.headers}, x-trace arrived: ${"x-trace" in landed.headers}`)

  // Responses are capped at 32 MiB by default, counted after decompression.
  yield* outcome("a 40 MB response", client.get("/files/{size}", { params: { size: 40_000_000 }, responseType: "bytes" }))
})

// ── Wiring: the demo API, a second server standing for another origin, and a
//    client with nothing but a base URL.
const Elsewhere = TestServer.layer({ routes: [["GET", "/landing", Reply.echo]] })

const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provideMerge(Layer.merge(DemoApi.layer(), Elsewhere)))),
  NodeRuntime.runMain
)
