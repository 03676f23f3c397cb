/**
 * Migrating: the same calls written the axios way (in comments), the Dio
 * way (in comments), with bare @effect/platform, and with Courier.
 * Run it with `pnpm docs:example 12`.
 */
import { Body, CourierClient, Retry } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

const Post = Schema.Struct({ id: Schema.Number, userId: Schema.Number, title: Schema.String })
const Posts = Schema.Array(Post)

// axios:  const api = axios.create({ baseURL, timeout: 10_000, headers: { "x-app": "docs" } })
// Dio:    final dio = Dio(BaseOptions(baseUrl: ..., connectTimeout: ..., receiveTimeout: ...))
// Courier: a Layer, built once at the edge (see the wiring at the bottom).

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  // axios:  const { data } = await api.get("/posts", { params: { userId: 1 } })   // data: any
  // Dio:    final res = await dio.get("/posts", queryParameters: {"userId": 1})
  const posts = yield* client.get("/posts", { query: { userId: 1 }, schema: Posts }) // readonly Post[], validated
  yield* Console.log(`Courier: ${posts.length} posts`)

  // axios:  await api.post("/auth/login", { username, password })
  const login = yield* client.post("/auth/login", {
    body: Body.json({ username: "demo", password: "courier" }),
    responseType: "text"
  })
  yield* Console.log(`Courier: login answered ${login.length} characters of JSON`)

  // axios:  try { ... } catch (e) { if (axios.isAxiosError(e) && e.response?.status === 404) ... }
  // Dio:    on DioException catch (e) { if (e.type == DioExceptionType.badResponse) ... }
  const status = yield* client.get("/posts/{id}", { params: { id: 9999 } }).pipe(
    Effect.as("found"),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`BadResponse ${e.status}`))
  )
  yield* Console.log(`Courier: post 9999 → ${status}`)

  // axios:  const controller = new AbortController(); setTimeout(() => controller.abort(), 200)
  // Dio:    CancelToken
  const cancelled = yield* client.get("/fault/stall").pipe(Effect.timeoutOption("200 millis"))
  yield* Console.log(`Courier: cancelled by interruption → ${cancelled._tag}`)

  // axios-retry / dio_smart_retry: the Retry Layer; per call:
  yield* client.get("/fault/flaky", { query: { key: "migrate", failures: 0 } }).pipe(Retry.withPolicy({ retries: 1 }))

  // ── The same GET with bare @effect/platform, on the transport Courier runs
  //    on (`client.http`): you write the base URL, the status check, the
  //    decoding and the timeout yourself, and failures are HttpClientError,
  //    ResponseError or ParseError instead of Courier's tags.
  const base = client.config.baseUrl?.href ?? ""
  const http = client.http.pipe(
    HttpClient.mapRequest(HttpClientRequest.prependUrl(base.replace(/\/$/, ""))),
    HttpClient.filterStatusOk
  )
  const viaPlatform = yield* http.get("/posts", { urlParams: { userId: 1 } }).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Posts)),
    Effect.timeout("10 seconds")
  )
  yield* Console.log(`@effect/platform: ${viaPlatform.length} posts`)
})

// ── Wiring. axios's `create`, Dio's `BaseOptions`: one configured client.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    Retry.layer().pipe(Layer.provide(NodeTransport.layerClient({
      baseUrl: api.url,
      headers: { "x-app": "docs" },
      timeouts: { connect: "5 seconds", receive: "10 seconds", total: "30 seconds" }
    }))))
)

program.pipe(Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))), NodeRuntime.runMain)
