/**
 * Courier under HttpApiClient and other platform libraries: an API declared
 * once with `HttpApi`, called through `HttpApiClient` and a library that
 * only knows `HttpClient.HttpClient`, with Courier's Layers (auth and its
 * refresh, retry) under every request.
 * Run it with `pnpm docs:example 15-platform`.
 */
import { Auth, Body, CourierClient, HttpClientFace, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

// ── The API, declared once (here: a few routes of the demo API).
const Post = Schema.Struct({ id: Schema.Number, userId: Schema.Number, title: Schema.String })
const User = Schema.Struct({ id: Schema.Number, username: Schema.String })
class NotFound extends Schema.Class<NotFound>("NotFound")({ error: Schema.String }) {}
class Unauthorized extends Schema.Class<Unauthorized>("Unauthorized")({ error: Schema.String }) {}

const Api = HttpApi.make("demo").add(
  HttpApiGroup.make("posts")
    .add(
      HttpApiEndpoint.get("byId", "/posts/:id")
        .setPath(Schema.Struct({ id: Schema.NumberFromString }))
        .addSuccess(Post)
        .addError(NotFound, { status: 404 })
    )
    .add(HttpApiEndpoint.get("me", "/me").addSuccess(User).addError(Unauthorized, { status: 401 }))
    .add(
      HttpApiEndpoint.get("flaky", "/fault/flaky")
        .setUrlParams(Schema.Struct({ key: Schema.String, failures: Schema.String }))
        .addSuccess(Schema.Struct({ ok: Schema.Boolean, attempts: Schema.Number }))
    )
)

// ── A library function that knows only the platform's HttpClient.
const countTodos = (url: string) =>
  Effect.flatMap(HttpClient.HttpClient, (http) => http.get(url)).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Array(Schema.Unknown))),
    Effect.map((todos) => todos.length)
  )

const program = Effect.gen(function*() {
  const demo = yield* DemoApi.DemoApi
  const courier = yield* CourierClient.CourierClient
  const store = yield* TokenStore.TokenStore
  const api = yield* HttpApiClient.make(Api, { baseUrl: demo.url })

  // Sign in with Courier's own call, then let every access token expire.
  const Tokens = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })
  const login = yield* courier.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Tokens })
  yield* store.set(TokenStore.tokens(login.accessToken, login.refreshToken))
  yield* demo.expireAccessTokens

  // Ten typed calls at once: each gets a 401, the auth Layer under the face
  // refreshes once and replays them; HttpApiClient only sees the 200s.
  const before = (yield* demo.stats).refreshes
  const users = yield* Effect.all(Array.from({ length: 10 }, () => api.posts.me()), { concurrency: "unbounded" })
  const refreshes = (yield* demo.stats).refreshes - before
  yield* Console.log(`${users.length} x /me as ${users[0].username}, after ${refreshes} refresh`)
  if (refreshes !== 1) return yield* Effect.dieMessage(`expected one refresh, saw ${refreshes}`)

  // A 404 reaches HttpApiClient as a response, which decodes the endpoint's error.
  const missing = yield* api.posts.byId({ path: { id: 999_999 } }).pipe(
    Effect.as("found"),
    Effect.catchIf((error) => error instanceof NotFound, (error) => Effect.succeed(`NotFound: ${error.error}`))
  )
  yield* Console.log(`post 999999: ${missing}`)

  // A 503 on a GET is retried by the Preset's Retry before HttpApiClient sees anything.
  const flaky = yield* api.posts.flaky({ urlParams: { key: "platform-guide", failures: "1" } })
  yield* Console.log(`flaky GET: ok after ${flaky.attempts} attempts`)

  // The library's call goes through the same stack; a URL off the base origin
  // is refused before sending, and catchCourier finds the Courier failure.
  yield* Console.log(`todos: ${yield* countTodos(`${demo.url}/todos?userId=1`)}`)
  const refused = yield* countTodos("https://elsewhere.example/todos").pipe(
    Effect.as("sent"),
    HttpClientFace.catchCourier((error) => Effect.succeed(`${error._tag}: ${error.message}`))
  )
  yield* Console.log(refused)
})

// ── Wiring: the configured client with its Layers, and the face over it.
const Courier = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (demo) =>
    Preset.layer(
      {
        refresh: Auth.refreshJson({ path: "/auth/refresh" }),
        exclude: (request) => request.url.pathname === "/auth/login"
      },
      { logging: false, tracing: false, retry: { baseDelay: "10 millis" } }
    ).pipe(Layer.provide(NodeTransport.layerClient({ baseUrl: demo.url }))))
)

program.pipe(
  Effect.provide(HttpClientFace.layer.pipe(Layer.provideMerge(Courier))),
  Effect.provide(Layer.merge(TokenStore.layerMemory(), DemoApi.layer())),
  NodeRuntime.runMain
)
