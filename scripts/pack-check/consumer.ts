// A program as a user of the published packages writes it: the preset over
// the Node transport, with bearer auth, called against the test kit's
// server. Type-checked with a strict NodeNext configuration and run by
// scripts/pack-check.sh in a project outside the workspace.
import { Auth, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { FeatureFlags, OpenFeatureProvider } from "@courier/flags"
import { RedisConnection, RedisPreset } from "@courier/redis"
import * as RedisFlagStore from "@courier/redis/RedisFlagStore"
import { Reply, TestServer } from "@courier/testing"
import { OpenFeature } from "@openfeature/server-sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

const program = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [["GET", "/todos/1", Reply.json({ id: 1, title: "from the packed packages" })]]
  })
  const Client = Preset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { logging: false, appHeaders: { appName: "pack-check", appVersion: "1.0.0" } }
  ).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: server.url, timeouts: { total: "10 seconds" } })),
    Layer.provide(TokenStore.layerMemory({ accessToken: Redacted.make("token-1"), refreshToken: undefined }))
  )
  const todo = yield* Effect.flatMap(
    CourierClient.CourierClient,
    (client) => client.get("/todos/{id}", { params: { id: 1 }, schema: Todo })
  ).pipe(Effect.provide(Client))
  const [request] = yield* server.requests("/todos/1")
  if (todo.title !== "from the packed packages") throw new Error(`unexpected body: ${JSON.stringify(todo)}`)
  if (request?.headers["authorization"] !== "Bearer token-1" || request.headers["x-app-name"] !== "pack-check") {
    throw new Error(`unexpected request headers: ${JSON.stringify(request?.headers)}`)
  }
  return todo
})

// @courier/flags: one OFREP evaluation through the client, read typed and
// through its OpenFeature provider.
const flags = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [["POST", "/ofrep/v1/evaluate/flags", Reply.json({ flags: [{ key: "enable_new_ui", value: true, reason: "STATIC" }] })]]
  })
  const service = yield* FeatureFlags.make({ enable_new_ui: FeatureFlags.flag(Schema.Boolean, false) }).pipe(
    Effect.provide(NodeTransport.layerClient({ baseUrl: server.url }))
  )
  const provider = yield* OpenFeatureProvider.makeProvider(service)
  yield* Effect.promise(() => OpenFeature.setProviderAndWait(provider))
  const viaOpenFeature = yield* Effect.promise(() => OpenFeature.getClient().getBooleanValue("enable_new_ui", false))
  yield* Effect.promise(() => OpenFeature.close())
  const typed = yield* service.get("enable_new_ui")
  if (typed !== true || viaOpenFeature !== true) throw new Error(`unexpected flag values: ${typed}, ${viaOpenFeature}`)
  return typed
})

// @courier/redis with no Redis listening: the calls go on, on this
// process's own state (the connection gives up on Redis after its timeout).
const redisDown = Effect.gen(function*() {
  const server = yield* TestServer.make({ routes: [["GET", "/todos/1", Reply.json({ id: 1, title: "without Redis" })]] })
  const Redis = RedisConnection.layer({ namespace: "pack-check", redis: { host: "127.0.0.1", port: 1 }, connectTimeout: "200 millis" })
  const Client = RedisPreset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { logging: false, circuitBreaker: {}, rateLimit: {} }
  ).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: server.url, timeouts: { total: "10 seconds" } })),
    Layer.provide(Redis)
  )
  const todo = yield* Effect.flatMap(
    CourierClient.CourierClient,
    (client) => client.get("/todos/{id}", { params: { id: 1 }, schema: Todo })
  ).pipe(Effect.provide(Client))
  // A flag store that cannot reach Redis fails with FlagStoreError (the flags service logs it).
  const loaded = yield* Effect.flatMap(RedisFlagStore.make(), (store) => Effect.either(store.load)).pipe(Effect.provide(Redis))
  if (loaded._tag !== "Left" || loaded.left._tag !== "FlagStoreError") throw new Error("the flag store reached a Redis that is not there")
  if (todo.title !== "without Redis") throw new Error(`unexpected body: ${JSON.stringify(todo)}`)
  return todo
})

const todo = await Effect.runPromise(Effect.scoped(program))
console.log(`pack check: GET /todos/1 -> ${JSON.stringify(todo)}`)
const newUi = await Effect.runPromise(Effect.scoped(flags))
console.log(`pack check: enable_new_ui -> ${newUi}`)
const offline = await Effect.runPromise(Effect.scoped(redisDown))
console.log(`pack check: Redis down, GET /todos/1 -> ${JSON.stringify(offline)}`)
