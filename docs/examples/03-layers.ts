/**
 * Layers instead of interceptors: the recommended preset (auth with
 * single-flight refresh, retry, tracing, logging, metrics, app headers)
 * around a configured client. Program code is the same as without it.
 * Run it with `pnpm docs:example 03-layers`.
 */
import { Auth, Body, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

const Me = Schema.Struct({ id: Schema.Number, username: Schema.String })
const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore

  // Log in once; from then on the auth Layer adds the bearer token itself.
  const login = yield* client.post("/auth/login", {
    body: Body.json({ username: "demo", password: "courier" }),
    schema: Tokens
  })
  yield* store.set(TokenStore.tokens(login.accessToken, login.refreshToken))

  const me = yield* client.get("/me", { schema: Me })
  yield* Console.log(`signed in as ${me.username}`)

  // A flaky endpoint: two 503s, then 200. The retry Layer recovers, and the
  // logging Layer writes one line per attempt.
  const flaky = yield* client.get("/fault/flaky", { query: { key: "layers", failures: 2 } })
  yield* Console.log(`flaky answered ${JSON.stringify(flaky)}`)
})

// ── Wiring. Program code above never changes when a Layer is added or removed.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Preset.layer(
      {
        refresh: Auth.refreshJson({ path: "/auth/refresh" }),
        // The login call carries no token and must not trigger a refresh.
        exclude: (request) => request.url.pathname === "/auth/login",
        onSessionExpired: () => Console.log("session expired: sign in again")
      },
      {
        retry: { retries: 3, baseDelay: "50 millis" },
        appHeaders: { userAgent: "courier-docs/1.0", appName: "docs", appVersion: "1.0.0" },
        tracing: false // section 10 wires tracing to OpenTelemetry
      }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url, timeouts: { total: "20 seconds" } }))))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provideMerge(TokenStore.layerMemory()), Layer.provide(DemoApi.layer()))),
  NodeRuntime.runMain
)
