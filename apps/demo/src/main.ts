/**
 * `pnpm demo`: starts the demo API on a free loopback port and runs a short
 * narrated program written the way a user's Effect service would be: the
 * program depends on one client service, and everything else (base URL,
 * timeouts, auth with refresh, a cache, retry, logging, cookies) is the Layer it is given.
 */
import { Auth, Body, CourierClient, Download, Multipart, Preset, Retry, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Flags from "./Flags.js"
import * as Narrator from "./Narrator.js"

class Post extends Schema.Class<Post>("Post")({
  id: Schema.Number,
  userId: Schema.Number,
  title: Schema.String
}) {}
const Me = Schema.Struct({ username: Schema.String })
const Login = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })
const Session = Schema.Struct({ session: Schema.Boolean, visits: Schema.optional(Schema.Number) })
const Uploaded = Schema.Struct({
  files: Schema.Array(Schema.Struct({ filename: Schema.String, size: Schema.Number, sha256: Schema.String }))
})

// ── Program code: it knows the client service and the token store, nothing else.
const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const tokens = yield* TokenStore.TokenStore
  const api = yield* DemoApi.DemoApi

  yield* Narrator.step(1, "Log in")
  const login = yield* client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Login })
  yield* tokens.set(TokenStore.tokens(login.accessToken, login.refreshToken))
  const me = yield* client.get("/me", { schema: Me })
  yield* Narrator.ok(`signed in as ${me.username}; the bearer token goes to this origin only`)

  yield* Narrator.step(2, "A schema-validated list")
  const posts = yield* client.get("/posts", { query: { userId: 1 }, schema: Schema.Array(Post) })
  yield* Narrator.ok(`user 1 has ${posts.length} posts, decoded as Post: "${posts[0]?.title.slice(0, 40)}…"`)

  yield* Narrator.step(3, "A cached post, revalidated: the second read is a 304 served from the cache")
  // The API tags each post with an ETag and `no-cache`: the cache keeps the
  // post and asks the server on every use whether it changed.
  const fetched = yield* client.exchange("GET", "/posts/{id}", { params: { id: 1 }, schema: Post })
  const revalidated = yield* client.exchange("GET", "/posts/{id}", { params: { id: 1 }, schema: Post })
  yield* Narrator.ok(`first read: ${fetched.headers["cache-status"]}`)
  yield* Narrator.ok(
    `second read: the server said 304, the caller got ${revalidated.status} "${revalidated.body.title.slice(0, 30)}…" (${
      revalidated.headers["cache-status"]
    })`
  )

  yield* Narrator.step(4, "The token expires mid-run; 20 concurrent calls meet it")
  yield* api.expireAccessTokens
  const before = (yield* api.stats).refreshes
  const results = yield* Effect.all(Array.from({ length: 20 }, () => client.get("/me", { schema: Me })), {
    concurrency: "unbounded"
  }).pipe(Logger.withMinimumLogLevel(LogLevel.None)) // 40 request lines would drown the point
  const refreshes = (yield* api.stats).refreshes - before
  yield* Narrator.ok(`${results.length} calls succeeded after exactly ${refreshes} refresh (single flight)`)

  yield* Narrator.step(5, "A flaky endpoint, recovered by retry (each attempt is logged)")
  const flaky = yield* client.get("/fault/flaky", { query: { key: "demo", failures: 2 } })
  yield* Narrator.ok(`answered ${JSON.stringify(flaky)}`)

  yield* Narrator.step(6, "A stalled endpoint surfaces as Timeout at the configured time (retry opted out)")
  const started = Date.now()
  const stalled = yield* client.get("/fault/stall", { timeouts: { receive: "1 second" } }).pipe(
    Retry.disabled,
    Effect.as("answered?!"),
    Effect.catchTag("Timeout", (e) =>
      Effect.succeed(`Timeout(${e.phase}) after ${((Date.now() - started) / 1000).toFixed(1)} s, as configured`))
  )
  yield* Narrator.ok(stalled)

  yield* Narrator.step(7, "Typed failures, handled with catchTag")
  const missing = yield* client.get("/posts/{id}", { params: { id: 9999 }, schema: Post }).pipe(
    Effect.as("found?!"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`BadResponse: status ${e.status}, ${e.bodyExcerpt}`))
  )
  yield* Narrator.ok(missing)
  const garbled = yield* client.get("/fault/bad-json", { schema: Schema.Array(Post) }).pipe(
    Effect.as("decoded?!"),
    Effect.catchTag("Parse", (e) => Effect.succeed(`Parse(${e.reason}): ${e.bodyExcerpt.slice(0, 30)}…`))
  )
  yield* Narrator.ok(garbled)

  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-demo-"))
  yield* Effect.gen(function*() {
    yield* Narrator.step(8, "A download with a progress bar")
    const downloaded = Path.join(dir, "file.bin")
    const result = yield* Download.toFile(client, "/files/16777216", {
      path: downloaded,
      onProgress: Narrator.progressBar("file.bin"),
      timeouts: { total: "2 minutes" }
    })
    yield* Narrator.ok(`${result.bytes} bytes written, renamed into place only once complete`)

    yield* Narrator.step(9, "The same file uploaded from disk as multipart, with progress")
    const upload = yield* client.post("/upload", {
      body: Multipart.body([Multipart.field("note", "sent back"), yield* Multipart.file("file", downloaded)]),
      onUploadProgress: Narrator.progressBar("upload"),
      schema: Uploaded,
      timeouts: { total: "2 minutes" }
    })
    const sent = Crypto.createHash("sha256").update(Fs.readFileSync(downloaded)).digest("hex")
    const [received] = upload.files
    yield* Narrator.ok(
      received?.sha256 === sent
        ? `the server parsed ${received.size} bytes of "${received.filename}", SHA-256 identical to the file on disk`
        : `the server's copy differs: ${JSON.stringify(upload.files)}`
    )
  }).pipe(Effect.ensuring(Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))))
  yield* Narrator.step(10, "A cookie session set on a 302, kept by the jar")
  const opened = yield* client.post("/session/start", { schema: Session })
  const again = yield* client.get("/session", { schema: Session })
  yield* Narrator.ok(
    opened.session && again.session
      ? `the redirect's Set-Cookie reached the next hop (visit ${opened.visits}) and the next call (visit ${again.visits})`
      : `the session was lost: ${JSON.stringify([opened, again])}`
  )

  yield* Flags.step(11)
  yield* Narrator.note(`\nDone. The demo API counted ${(yield* api.stats).refreshes} refresh(es) in all.`)
})

// ── Wiring: the one place that knows how the client is built.
const DemoServer = DemoApi.layer({ accessTokenTtl: "5 minutes" })

const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Preset.layer(
      { refresh: Auth.refreshJson({ path: "/auth/refresh" }), exclude: (r) => r.url.pathname === "/auth/login" },
      {
        retry: { baseDelay: "100 millis" },
        logging: { mode: "production", level: LogLevel.Info },
        tracing: false,
        appHeaders: { userAgent: "courier-demo/0.1" },
        cache: {},
        cookies: true
      }
    ).pipe(
      Layer.provide(NodeTransport.layerClient({ baseUrl: api.url, timeouts: { receive: "10 seconds", total: "30 seconds" } }))
    ))
)

const AppLayer = Client.pipe(
  Layer.provideMerge(TokenStore.layerMemory()),
  Layer.provideMerge(DemoServer),
  Layer.provideMerge(NodeContext.layer)
)

const Logging = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => Logger.replace(Logger.defaultLogger, Narrator.requestLogger(() => api.url)))
)

Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  yield* Narrator.note(`demo API listening on ${api.url} (embedded, loopback only)`)
  yield* program
}).pipe(
  Effect.provide(Layer.provideMerge(Logging, AppLayer)),
  Effect.tapErrorCause((cause) => Effect.sync(() => process.stderr.write(`the demo failed:\n${Cause.pretty(cause)}\n`))),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
