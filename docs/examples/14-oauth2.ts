/**
 * OAuth2: an authorization server on one origin, the API on another. The
 * refresh grant goes to the token endpoint, form-encoded with the client's
 * credentials; tokens are refreshed before they expire; a revoked refresh
 * token ends the session. Run it with `pnpm docs:example 14-oauth2`.
 */
import { Auth, Body, CourierClient, CourierError, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi, Seed } from "demo-api"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

const Me = Schema.Struct({ id: Schema.Number, username: Schema.String })
const Granted = Schema.Struct({ access_token: Schema.String, refresh_token: Schema.String, expires_in: Schema.Number })

// The client's registration with the authorization server. The secret is
// Redacted from here on: logs, spans and failures never show it.
const clientId = Seed.oauthClient.id
const clientSecret = Redacted.make(Seed.oauthClient.secret)

// Signing in talks to the authorization server, another service: it gets a
// client of its own. (The demo server offers the password grant; a real one
// would more likely hand out the first tokens through a browser.)
const signIn = (authUrl: string) =>
  Effect.gen(function*() {
    const authServer = yield* CourierClient.CourierClient
    const granted = yield* authServer.post("/oauth/token", {
      body: Body.form({ grant_type: "password", username: "demo", password: "courier" }),
      headers: { authorization: `Basic ${btoa(`${clientId}:${Redacted.value(clientSecret)}`)}` },
      schema: Granted
    })
    const now = yield* Clock.currentTimeMillis
    const store = yield* TokenStore.TokenStore
    // expiresAt lets the auth Layer refresh before the token expires.
    yield* store.set({
      ...TokenStore.tokens(granted.access_token, granted.refresh_token),
      expiresAt: now + granted.expires_in * 1000
    })
    yield* Console.log(`signed in at ${authUrl}: the access token lasts ${granted.expires_in} s`)
  }).pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: authUrl })))

const program = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  const client = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore
  const accessToken = Effect.map(store.get, (tokens) => Option.isSome(tokens) ? Redacted.value(tokens.value.accessToken) : "")
  yield* signIn(api.authUrl)

  const me = yield* client.get("/me", { schema: Me })
  yield* Console.log(`GET /me on ${api.url}: ${me.username}`)

  // Only the refresh may reach the token endpoint's origin; the program's
  // own calls there are refused before anything is sent.
  const refused = yield* Effect.flip(client.post(`${api.authUrl}/oauth/token`))
  yield* Console.log(`a program call to the token endpoint: ${refused._tag} (${refused._tag === "RequestRefused" ? refused.reason : ""})`)

  // The token lasts 4 s. Within 2 s of its expiry, calls still go with it
  // while one refresh runs in the background: ten concurrent calls, one
  // refresh, not a single 401, and nobody waited for the refresh.
  yield* Effect.sleep("2500 millis")
  yield* api.resetStats
  const before = yield* accessToken
  yield* Effect.all(Array.from({ length: 10 }, () => client.get("/me", { schema: Me })), { concurrency: "unbounded" })
  // Until the refresh has stored its tokens.
  yield* accessToken.pipe(
    Effect.filterOrFail((now) => now !== before),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 })
  )
  const ahead = yield* api.stats
  yield* Console.log(`10 calls near expiry: ${ahead.refreshes} refresh at the token endpoint, ${ahead.unauthorized} 401s from the API`)
  if (ahead.refreshes !== 1 || ahead.unauthorized !== 0) return yield* Effect.dieMessage("expected one refresh ahead of expiry and no 401")

  // The refresh token is revoked (here: replaced by one the server never
  // issued). The next 401 refreshes, the server answers 400 invalid_grant,
  // and the session ends: the tokens are cleared.
  yield* store.set(TokenStore.tokens("expired-access", "revoked-refresh"))
  const ended = yield* Effect.flip(client.get("/me", { schema: Me }))
  if (ended._tag === "Unauthorized") {
    yield* Console.log(`after the revocation: Unauthorized, reason ${ended.reason}; the token endpoint said ${oauth2Error(ended.cause)}`)
  }
  yield* Console.log(`stored tokens now: ${Option.isNone(yield* store.get) ? "none" : "some"}`)
})

const OAuth2Error = Schema.Struct({ error: Schema.String })

/** The OAuth2 error code of a rejected refresh: the `cause` holds the token endpoint's BadResponse. */
const oauth2Error = (cause: unknown): string => {
  const failure = Cause.isCause(cause) ? Option.getOrUndefined(Cause.failureOption(cause)) : cause
  if (!(failure instanceof CourierError.BadResponse)) return "nothing"
  return Option.match(Option.flatMap(failure.errorBody, Schema.decodeUnknownOption(OAuth2Error)), {
    onNone: () => `${failure.status}`,
    onSome: (body) => `${failure.status} ${body.error}`
  })
}

// ── Wiring: the API client, with the auth Layer refreshing at the other origin.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Preset.layer(
      {
        refresh: Auth.refreshOAuth2({
          tokenUrl: `${api.authUrl}/oauth/token`,
          clientId,
          clientSecret,
          clientAuth: "basic"
        })
        // refreshAhead: "30 seconds" is the default: refresh that long before
        // expiry, or halfway through a shorter token's life.
      },
      { logging: false, tracing: false }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: api.url }))))
)

program.pipe(
  Effect.provide(Client.pipe(
    Layer.provideMerge(TokenStore.layerMemory()),
    Layer.provideMerge(DemoApi.layer({ accessTokenTtl: "4 seconds" }))
  )),
  NodeRuntime.runMain
)
