/**
 * The HTTP cache: a fresh hit, a revalidation answered 304, the per-call
 * policy, and the cache in the preset. Run it with `pnpm docs:example 16`.
 */
import { Auth, Body, Cache, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const Login = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const tokens = yield* TokenStore.TokenStore
  const login = yield* client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Login })
  yield* tokens.set(TokenStore.tokens(login.accessToken, login.refreshToken))

  // The demo API tags each post with an ETag and `cache-control: no-cache`:
  // stored, and checked with the server on every use.
  const read = client.exchange("GET", "/posts/{id}", { params: { id: 1 }, schema: Post })
  const first = yield* read
  const second = yield* read
  yield* Console.log(`first:  ${first.status} ${first.headers["cache-status"]}`)
  // The server answered 304 without a body; the caller gets the stored 200.
  yield* Console.log(`second: ${second.status} ${second.headers["cache-status"]} "${second.body.title.slice(0, 20)}…"`)

  // An edit (a PATCH through the same client) invalidates the stored post,
  // and changes its ETag: the next read is a plain miss with the new title.
  yield* client.patch("/posts/{id}", { params: { id: 1 }, body: Body.json({ title: "edited" }) })
  const edited = yield* read
  yield* Console.log(`after the PATCH: ${edited.headers["cache-status"]} "${edited.body.title}"`)

  // Per call: past the cache, or from the cache only (a miss is a 504).
  const live = yield* read.pipe(Cache.bypass)
  yield* Console.log(`bypass: ${live.headers["cache-status"]}`)
  const offline = yield* client.get("/posts/{id}", { params: { id: 2 } }).pipe(
    Cache.withPolicy({ onlyIfCached: true }),
    Effect.as("served?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`BadResponse ${e.status}: ${e.headers["cache-status"]}`))
  )
  yield* Console.log(`only-if-cached, never fetched: ${offline}`)
})

// ── Wiring: the preset with a cache on disk (a temporary directory here; a
// fixed one keeps the entries across runs). In private mode (the default)
// answers to the bearer requests may be stored.
const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-cache-"))

const Client = Layer.unwrapEffect(
  Effect.gen(function*() {
    const api = yield* DemoApi.DemoApi
    const store = yield* Cache.diskStore({ directory })
    return Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }, {
      cache: { store, shared: false, maxEntryBytes: 256 * 1024 },
      logging: false
    }).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url })))
  })
)

program.pipe(
  Effect.provide(Client.pipe(
    Layer.provideMerge(TokenStore.layerMemory()),
    Layer.provide(DemoApi.layer()),
    Layer.provide(NodeFileSystem.layer)
  )),
  Effect.ensuring(Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))),
  NodeRuntime.runMain
)
