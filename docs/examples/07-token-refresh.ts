/**
 * Token refresh: the bearer token added by the auth Layer, one refresh for
 * many concurrent 401s, and the end of a session when the refresh fails.
 * Run it with `pnpm docs:example 07-token-refresh`.
 */
import { Auth, Body, CourierClient, Metrics, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"

const Me = Schema.Struct({ id: Schema.Number, username: Schema.String })
const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

// The application's reaction to a dead session, counted here to show it runs once.
// It runs after the waiting calls are released, so `ended` lets the example wait for it.
class SessionsExpired extends Context.Tag("docs/SessionsExpired")<
  SessionsExpired,
  { readonly count: Ref.Ref<number>; readonly ended: Deferred.Deferred<void> }
>() {}

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore
  const api = yield* DemoApi.DemoApi
  const sessionsExpired = yield* SessionsExpired

  const login = yield* client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Tokens })
  yield* store.set(TokenStore.tokens(login.accessToken, login.refreshToken))

  // Every access token expires at once; then 20 calls run concurrently.
  // All 20 get a 401, exactly one refresh runs, all 20 are replayed and succeed.
  yield* api.expireAccessTokens
  const before = (yield* api.stats).refreshes
  const users = yield* Effect.all(Array.from({ length: 20 }, () => client.get("/me", { schema: Me })), {
    concurrency: "unbounded"
  })
  const refreshes = (yield* api.stats).refreshes - before
  yield* Console.log(`${users.length} concurrent calls after the token expired: ${refreshes} refresh`)
  if (refreshes !== 1) return yield* Effect.dieMessage(`expected one refresh, saw ${refreshes}`)
  yield* Console.log(`refreshes counted by Metrics: ${(yield* Metric.value(Metrics.refreshes)).count}`)

  // The stored tokens are Redacted: printing them shows nothing secret.
  const stored = yield* store.get
  yield* Console.log(`stored: ${JSON.stringify(stored)}`)

  // The session ends: the refresh token is no longer valid (the endpoint
  // answers 401). The refresh fails once, every waiting call fails with
  // Unauthorized reason "SessionExpired" (carrying why), the store is cleared
  // and onSessionExpired runs once. A token endpoint that is down (5xx, no
  // answer) would give reason "RefreshUnavailable" and keep the tokens.
  yield* store.set(TokenStore.tokens("expired-access", "revoked-refresh"))
  const outcomes = yield* Effect.all(
    Array.from({ length: 5 }, () =>
      client.get("/me", { schema: Me }).pipe(
        Effect.as("ok"),
        Effect.catchTag("Unauthorized", (error) => Effect.succeed(`Unauthorized (${error.reason})`))
      )),
    { concurrency: "unbounded" }
  )
  yield* Console.log(`after the session ended: ${outcomes.join(", ")}`)
  yield* Deferred.await(sessionsExpired.ended).pipe(Effect.timeout("5 seconds"))
  yield* Console.log(`onSessionExpired ran ${yield* Ref.get(sessionsExpired.count)} time; store now ${JSON.stringify(yield* store.get)}`)
})

// ── Wiring: the auth Layer (in the preset) needs a TokenStore and a refresh operation.
const Client = Layer.unwrapEffect(
  Effect.map(Effect.all([DemoApi.DemoApi, SessionsExpired]), ([api, sessionsExpired]) =>
    Preset.layer(
      {
        // POST /auth/refresh { refreshToken } → { accessToken, refreshToken }
        refresh: Auth.refreshJson({ path: "/auth/refresh" }),
        exclude: (request) => request.url.pathname === "/auth/login",
        onSessionExpired: () =>
          Effect.zipRight(Ref.update(sessionsExpired.count, (n) => n + 1), Deferred.succeed(sessionsExpired.ended, undefined))
      },
      { logging: false, tracing: false }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url }))))
)

program.pipe(
  Effect.provide(Client.pipe(
    Layer.provideMerge(TokenStore.layerMemory()),
    Layer.provideMerge(Layer.merge(DemoApi.layer(), Layer.effect(SessionsExpired, Effect.all({ count: Ref.make(0), ended: Deferred.make<void>() }))))
  )),
  NodeRuntime.runMain
)
