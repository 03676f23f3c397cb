/**
 * Where tokens live: the in-memory store for services, the file store for
 * command-line tools (one JSON file, mode 0600, replaced atomically, one key
 * per API), or your own implementation of the `TokenStore` service.
 * Run it with `pnpm docs:example 07-token-store`.
 */
import { Auth, Body, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const Me = Schema.Struct({ username: Schema.String })
const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

// A CLI's "login" command: store the tokens for this API's origin.
const login = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore
  const tokens = yield* client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Tokens })
  yield* store.set(TokenStore.tokens(tokens.accessToken, tokens.refreshToken))
})

// A later run of the CLI: the tokens come from the store.
const whoami = (label: string) =>
  Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    const me = yield* client.get("/me", { schema: Me })
    yield* Console.log(`${label}: signed in as ${me.username}`)
  })

// Your own store (a keychain, a database): three effects over Redacted tokens.
const layerCustom = Layer.effect(
  TokenStore.TokenStore,
  Effect.sync(() => {
    let saved: TokenStore.Tokens | undefined
    return TokenStore.TokenStore.of({
      get: Effect.sync(() => Option.fromNullable(saved)),
      set: (tokens) => Effect.sync(() => void (saved = tokens)),
      clear: Effect.sync(() => void (saved = undefined))
    })
  })
)

const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-docs-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )
  const path = Path.join(dir, "credentials.json")

  const clientWith = (store: Layer.Layer<TokenStore.TokenStore>) =>
    Preset.layer(
      { refresh: Auth.refreshJson({ path: "/auth/refresh" }), exclude: (r) => r.url.pathname === "/auth/login" },
      { logging: false, tracing: false }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url })), Layer.provideMerge(store))

  // Each `Effect.provide` builds the Layers anew: like two runs of a CLI.
  const fileStore = TokenStore.layerFile({ path, key: api.url }).pipe(Layer.provide(NodeContext.layer))
  yield* login.pipe(Effect.provide(clientWith(fileStore)))
  yield* whoami("another run, tokens read from the file").pipe(Effect.provide(clientWith(fileStore)))

  const mode = (Fs.statSync(path).mode & 0o777).toString(8)
  const keys = Object.keys(JSON.parse(Fs.readFileSync(path, "utf8")))
  yield* Console.log(`the file is mode ${mode}, one entry per key: ${keys.length}`)

  // A custom store works the same way.
  yield* Effect.zipRight(login, whoami("a custom store")).pipe(Effect.provide(clientWith(layerCustom)))

  // Tokens are Redacted: logging them by mistake shows nothing.
  const tokens = TokenStore.tokens("secret-access", "secret-refresh")
  yield* Console.log(`String(token) = ${String(tokens.accessToken)}; the value needs Redacted.value: ${Redacted.value(tokens.accessToken).length} chars`)
})

main.pipe(Effect.scoped, Effect.provide(DemoApi.layer()), NodeRuntime.runMain)
