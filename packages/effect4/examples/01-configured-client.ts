/**
 * One configured client on effect 4, from code or from the environment
 * (`COURIER_*`), then the preset over it. The effect 3 version of this
 * program is docs/examples/01-configured-client.ts and 03-layers.ts. Run it
 * from packages/effect4 with
 * `node --conditions=@courier/source --import tsx examples/01-configured-client.ts`.
 */
import { Auth, CourierClient, NodeTransport, Preset, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

const User = Schema.Struct({ id: Schema.Number, username: Schema.String })

// Program code is the same as on effect 3: it asks for the client service.
const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const { timeouts } = client.config
  yield* Console.log(`connect ${Duration.format(timeouts.connect)}, total ${Duration.format(timeouts.total)}`)
  const users = yield* client.get("/users", { query: { _limit: 2 }, schema: Schema.Array(User) })
  yield* Console.log(`users: ${users.map((u) => u.username).join(", ")}`)
})

// 1. From code. Durations are effect 4's `Duration.Input`: "2 seconds",
//    a number of milliseconds, or an object such as { seconds: 5 }.
const fromCode = (baseUrl: string) =>
  NodeTransport.layerClient({
    baseUrl,
    headers: { "x-client": "courier-docs" },
    timeouts: { connect: "2 seconds", receive: { seconds: 5 }, total: "15 seconds" },
    maxResponseBytes: 4 * 1024 * 1024
  })

// 2. From the environment (COURIER_BASE_URL, COURIER_TIMEOUT_TOTAL, ...),
//    with the headers from code on top.
const fromEnv = NodeTransport.layerClientConfig({ headers: { "x-client": "courier-docs" } })

// The test server gets its port when it starts, so this stands in for the
// process environment. In effect 4 the provider is a `Context.Reference`,
// provided like any service.
const environment = (baseUrl: string) =>
  ConfigProvider.fromEnv({ env: { COURIER_BASE_URL: baseUrl, COURIER_TIMEOUT_TOTAL: "15 seconds" } })

// 3. The preset over the client from code: auth with refresh, retry,
//    tracing, logging (off here, to keep the output short), metrics and
//    app headers, in the order of page 3.
const withPreset = (baseUrl: string) =>
  Preset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { retry: { retries: 3 }, logging: false, appHeaders: { appName: "notes", appVersion: "1.4.2" } }
  ).pipe(
    Layer.provide(fromCode(baseUrl)),
    Layer.provide(TokenStore.layerMemory(TokenStore.tokens("access-1", "refresh-1")))
  )

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [["GET", "/users", Reply.json([{ id: 1, username: "ada" }, { id: 2, username: "grace" }])]]
  })
  yield* program.pipe(Effect.provide(fromCode(server.url)))
  yield* program.pipe(
    Effect.provide(fromEnv),
    Effect.provideService(ConfigProvider.ConfigProvider, environment(server.url))
  )
  yield* program.pipe(Effect.provide(withPreset(server.url)))
  // What reached the wire on the last call: the preset's headers and the token.
  const [last] = (yield* server.requests("/users")).slice(-1)
  yield* Console.log(`last call: x-app-name ${last?.headers["x-app-name"]}, ${last?.headers["authorization"]}`)
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
