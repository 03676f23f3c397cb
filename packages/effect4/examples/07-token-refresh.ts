/**
 * Token refresh on effect 4: `Auth.layer` over a `TokenStore`, one refresh
 * for concurrent 401s, and the end of a session as a typed `Unauthorized`.
 * The effect 3 version is docs/examples/07-token-refresh.ts.
 */
import { Auth, CourierClient, NodeTransport, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

// The API accepts only the refreshed token.
const me = Reply.custom((request, response) => {
  const ok = request.headers.authorization === "Bearer access-2"
  response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  response.end(JSON.stringify(ok ? { name: "ada" } : { error: "expired" }))
})

const Client = (baseUrl: string, onSessionExpired: Deferred.Deferred<void>) =>
  Auth.layer({
    refresh: Auth.refreshJson({ path: "/auth/refresh" }),
    onSessionExpired: () => Deferred.succeed(onSessionExpired, undefined)
  }).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl })))

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [
      ["GET", "/me", me],
      ["POST", "/auth/refresh", Reply.sequence([
        Reply.json({ accessToken: "access-2", refreshToken: "refresh-2" }),
        Reply.json({ error: "invalid_grant" }, { status: 400 })
      ])]
    ]
  })
  const expired = yield* Deferred.make<void>()

  // Three calls at once meet a 401: one refresh, three replays.
  const names = yield* Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    return yield* Effect.forEach([1, 2, 3], () => client.get("/me"), { concurrency: "unbounded" })
  }).pipe(
    Effect.provide(Client(server.url, expired)),
    Effect.provide(TokenStore.layerMemory(TokenStore.tokens("access-1", "refresh-1")))
  )
  const refreshes = (yield* server.requests("/auth/refresh")).length
  yield* Console.log(`${names.length} answers, ${refreshes} refresh`)

  // A refresh the token endpoint rejects (400 invalid_grant) ends the
  // session: the call fails with Unauthorized, reason SessionExpired, the
  // store is cleared and onSessionExpired runs.
  yield* Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    const store = yield* TokenStore.TokenStore
    yield* client.get("/me").pipe(
      Effect.catchTag("Unauthorized", (e) => Console.log(`Unauthorized: ${e.reason}`))
    )
    yield* Deferred.await(expired)
    const left = yield* store.get
    yield* Console.log(`onSessionExpired ran; tokens left: ${Option.isSome(left)}`)
  }).pipe(
    Effect.provide(Client(server.url, expired)),
    Effect.provide(TokenStore.layerMemory(TokenStore.tokens("access-1", "refresh-2")))
  )

  // Tokens are Redacted from the moment they enter the store.
  yield* Console.log(`a token in a log: ${String(TokenStore.tokens("secret").accessToken)}`)
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
