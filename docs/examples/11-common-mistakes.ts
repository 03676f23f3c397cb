/**
 * The classic list of HTTP client mistakes, each answered the Courier way in
 * code that runs. The guide page explains each one.
 * Run it with `pnpm docs:example 11`.
 */
import { Auth, Body, CourierClient, Preset, Retry, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

const Post = Schema.Struct({ id: Schema.Number, userId: Schema.Number, title: Schema.String })
const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

// Mistake: a client per request. Here one client service is given to the
// whole program by one Layer; its connection pool is reused by every call.
const postsOf = (userId: number) =>
  Effect.flatMap(CourierClient.CourierClient, (client) =>
    client.get("/posts", { query: { userId }, schema: Schema.Array(Post) }))

// Mistake: catching everything. Handle the failures you can act on, by tag,
// and let the rest travel up with their types (a Parse failure is a bug to
// see, not a "no data" to hide).
const findPost = (id: number) =>
  Effect.flatMap(CourierClient.CourierClient, (client) =>
    client.get("/posts/{id}", { params: { id }, schema: Post }).pipe(
      Effect.map(Option.some),
      Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e))
    ))

// Mistake: retrying a POST blindly. Without an Idempotency-Key the retry
// Layer does not resend it; with one (and a server that honours it) it may.
const createPost = (title: string) =>
  Effect.flatMap(CourierClient.CourierClient, (client) =>
    client.post("/posts", {
      headers: { ...Retry.idempotencyKey() },
      body: Body.json({ userId: 1, title, body: "" }),
      schema: Post
    }))

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore
  const api = yield* DemoApi.DemoApi
  const login = yield* client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Tokens })
  yield* store.set(TokenStore.tokens(login.accessToken, login.refreshToken))

  // 50 calls at once, one client, bounded concurrency.
  const all = yield* Effect.forEach(Array.from({ length: 50 }, (_, i) => (i % 10) + 1), postsOf, { concurrency: 10 })
  yield* Console.log(`50 calls through one client: ${all.flat().length} posts`)

  yield* Console.log(`post 9999: ${Option.isNone(yield* findPost(9999)) ? "none" : "found"}`)

  // Mistake: a refresh storm. Tokens expire while 30 calls are in flight;
  // the auth Layer refreshes once for all of them.
  yield* api.expireAccessTokens
  const before = (yield* api.stats).refreshes
  yield* Effect.all(Array.from({ length: 30 }, () => createPost("concurrent")), { concurrency: "unbounded" })
  yield* Console.log(`30 POSTs with an expired token: ${(yield* api.stats).refreshes - before} refresh`)

  // Mistake: no timeout. Every call has all four by default; a stalled
  // server ends as a Timeout, never a hung request.
  const stalled = yield* client.get("/fault/stall", { timeouts: { receive: "200 millis" } }).pipe(
    Retry.disabled,
    Effect.as("answered?!"),
    Effect.catchTag("Timeout", (e) => Effect.succeed(`Timeout(${e.phase})`))
  )
  yield* Console.log(`a stalled server: ${stalled}`)
})

// ── Wiring: built once, at the edge of the program. Order: auth outermost,
//    then retry, tracing, logging (which redacts tokens), metrics, app headers.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Preset.layer(
      { refresh: Auth.refreshJson({ path: "/auth/refresh" }), exclude: (r) => r.url.pathname === "/auth/login" },
      { logging: false, tracing: false }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url, timeouts: { total: "20 seconds" } }))))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provideMerge(TokenStore.layerMemory()), Layer.provideMerge(DemoApi.layer()))),
  NodeRuntime.runMain
)
