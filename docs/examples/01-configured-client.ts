/**
 * One configured client: base URL, default headers, timeouts and limits,
 * built once, from code or from the environment (`COURIER_*`), and shared by
 * every call. Run it with `pnpm docs:example 01`.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const User = Schema.Struct({ id: Schema.Number, username: Schema.String })

// Program code asks for the client service. It never builds one, never
// knows the base URL and never sets a timeout of its own.
const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const { baseUrl, timeouts } = client.config
  yield* Console.log(
    `base URL ${baseUrl?.href}: connect ${Duration.format(timeouts.connect)}, total ${Duration.format(timeouts.total)}`
  )
  const users = yield* client.get("/users", { query: { _page: 1, _limit: 3 }, schema: Schema.Array(User) })
  yield* Console.log(`first users: ${users.map((u) => u.username).join(", ")}`)
})

// 1. From code, the usual way. Whatever is left out keeps its safe default
//    (connect 10 s, send 30 s, receive 30 s, total 60 s, 32 MiB, 10 redirects).
const fromCode = (baseUrl: string) =>
  NodeTransport.layerClient({
    baseUrl,
    headers: { "x-client": "courier-docs" },
    timeouts: { connect: "2 seconds", receive: "5 seconds", total: "15 seconds" },
    maxResponseBytes: 4 * 1024 * 1024
  })

// 2. From the environment: COURIER_BASE_URL, COURIER_TIMEOUT_TOTAL, ...
//    What code passes here (the headers) is applied on top.
const fromEnv = NodeTransport.layerClientConfig({ headers: { "x-client": "courier-docs" } })

// The demo API gets its port when it starts, so this stands in for
// `COURIER_BASE_URL=http://... COURIER_TIMEOUT_TOTAL="15 seconds" node app.js`.
// A real program reads the real environment and needs none of this.
const environment = (baseUrl: string) =>
  ConfigProvider.fromMap(
    new Map([
      ["COURIER_BASE_URL", baseUrl],
      ["COURIER_TIMEOUT_CONNECT", "3 seconds"],
      ["COURIER_TIMEOUT_TOTAL", "15 seconds"]
    ]),
    { pathDelim: "_" }
  )

// ── Wiring: the demo API on a free 127.0.0.1 port, and the two ways to build a client.
const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  yield* program.pipe(Effect.provide(fromCode(api.url)))
  yield* program.pipe(Effect.provide(fromEnv), Effect.withConfigProvider(environment(api.url)))
})

main.pipe(Effect.provide(DemoApi.layer()), NodeRuntime.runMain)
