// Courier as the platform HttpClient under HttpApiClient: a real HttpApi
// served by @effect/platform's server on loopback, called through typed
// endpoints whose every request goes through Courier's Layers.
import { Auth, CourierConfig, HttpClientFace, Logging, Retry, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Multipart from "@effect/platform/Multipart"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { captureLogs } from "./recorders.js"

const oldToken = "tok-old-8d1f3a"
const newToken = "tok-new-5c2e9b"
const refreshToken = "ref-77a0c4"

// The API, declared once as a program would.

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String, userId: Schema.Number })

class PostNotFound extends Schema.TaggedError<PostNotFound>()("PostNotFound", {
  id: Schema.Number,
  detail: Schema.String
}) {}

// Longer than a failure's excerpt: the typed error decodes from the whole body.
const notFoundDetail = "no such post; ".repeat(400)
class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {}) {}
class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {}) {}

const Posts = HttpApiGroup.make("posts")
  .add(
    HttpApiEndpoint.get("get", "/posts/:id")
      .setPath(Schema.Struct({ id: Schema.NumberFromString }))
      .addSuccess(Post)
      .addError(PostNotFound, { status: 404 })
  )
  .add(
    HttpApiEndpoint.get("list", "/posts")
      .setUrlParams(Schema.Struct({ userId: Schema.NumberFromString }))
      .addSuccess(Schema.Array(Post))
  )
  .add(
    HttpApiEndpoint.post("create", "/posts")
      .setPayload(Schema.Struct({ title: Schema.String }))
      .addSuccess(Post, { status: 201 })
  )
  .add(HttpApiEndpoint.get("flaky", "/flaky").addSuccess(Schema.String))
  .add(HttpApiEndpoint.post("flakyPost", "/flaky").addSuccess(Schema.String))
  .add(HttpApiEndpoint.get("slow", "/slow").addSuccess(Schema.String))
  .add(
    HttpApiEndpoint.post("upload", "/upload")
      .setPayload(HttpApiSchema.Multipart(Schema.Struct({ note: Schema.String, file: Multipart.SingleFileSchema })))
      .addSuccess(Schema.Struct({ note: Schema.String, name: Schema.String, size: Schema.Number }))
  )
  .addError(Unauthenticated, { status: 401 })
  .addError(Unavailable, { status: 503 })

const Session = HttpApiGroup.make("session").add(
  HttpApiEndpoint.post("refresh", "/auth/refresh")
    .setPayload(Schema.Struct({ refreshToken: Schema.String }))
    .addSuccess(Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String }))
    .addError(Unauthenticated, { status: 401 })
)

const Api = HttpApi.make("demo").add(Posts).add(Session)

// The server: only "Bearer <newToken>" is let in; counters for what reached it.

interface Counters {
  readonly refreshes: Ref.Ref<number>
  readonly flaky: Ref.Ref<number>
  readonly requests: Ref.Ref<number>
}

const authenticated = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  request.headers["authorization"] === `Bearer ${newToken}` ? Effect.void : Effect.fail(new Unauthenticated()))

const serverLayer = (counters: Counters) => {
  const PostsLive = HttpApiBuilder.group(Api, "posts", (handlers) =>
    handlers
      .handle("get", ({ path }) =>
        Effect.zipRight(
          authenticated,
          path.id === 1 ? Effect.succeed({ id: 1, title: "One", userId: 7 }) : Effect.fail(new PostNotFound({ id: path.id, detail: notFoundDetail }))
        ))
      .handle("list", ({ urlParams }) =>
        Effect.zipRight(
          Effect.zipRight(authenticated, Ref.update(counters.requests, (n) => n + 1)),
          Effect.succeed([{ id: 1, title: "One", userId: urlParams.userId }])
        ))
      .handle("create", ({ payload }) => Effect.as(authenticated, { id: 2, title: payload.title, userId: 7 }))
      .handle("flaky", () =>
        Effect.zipRight(
          authenticated,
          Effect.flatMap(Ref.updateAndGet(counters.flaky, (n) => n + 1), (n) =>
            n === 1 ? Effect.fail(new Unavailable()) : Effect.succeed(`ok after ${n}`))
        ))
      .handle("flakyPost", () =>
        Effect.zipRight(
          authenticated,
          Effect.flatMap(Ref.updateAndGet(counters.flaky, (n) => n + 1), (n) =>
            n === 1 ? Effect.fail(new Unavailable()) : Effect.succeed(`ok after ${n}`))
        ))
      .handle("slow", () => Effect.as(Effect.zipRight(authenticated, Effect.sleep("5 seconds")), "late"))
      .handle("upload", ({ payload }) =>
        Effect.gen(function*() {
          yield* authenticated
          const fs = yield* FileSystem.FileSystem
          const info = yield* Effect.orDie(fs.stat(payload.file.path))
          return { note: payload.note, name: payload.file.name, size: Number(info.size) }
        })))
  const SessionLive = HttpApiBuilder.group(Api, "session", (handlers) =>
    handlers.handle("refresh", ({ payload }) =>
      Effect.zipRight(
        Effect.zipRight(Ref.update(counters.refreshes, (n) => n + 1), Effect.sleep("200 millis")),
        payload.refreshToken === refreshToken
          ? Effect.succeed({ accessToken: newToken, refreshToken })
          : Effect.fail(new Unauthenticated())
      )))
  const node = Http.createServer()
  const listener = Layer.scoped(
    HttpServer.HttpServer,
    Effect.zipLeft(
      NodeHttpServer.make(() => node, { host: "127.0.0.1", port: 0 }),
      // Before the listener's own finalizer, which waits for open connections.
      Effect.addFinalizer(() =>
        Effect.sync(() => {
          node.close()
          node.closeAllConnections()
        })
      )
    )
  )
  return HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiBuilder.api(Api).pipe(Layer.provide([PostsLive, SessionLive]))),
    Layer.provideMerge(listener),
    Layer.provide(NodeHttpServer.layerContext)
  )
}

/** The server, a Courier client with auth, retry and logging, and HttpApiClient on Courier's face. */
const setup = (options: { readonly config?: CourierConfig.Options; readonly refreshToken?: string } = {}) =>
  Effect.gen(function*() {
    const counters: Counters = {
      refreshes: yield* Ref.make(0),
      flaky: yield* Ref.make(0),
      requests: yield* Ref.make(0)
    }
    const server = Context.get(yield* Layer.build(serverLayer(counters)), HttpServer.HttpServer)
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const baseUrl = `http://127.0.0.1:${port}`
    const logs = captureLogs()
    const courier = Logging.layer({ mode: "development", level: LogLevel.Info }).pipe(
      Layer.provide(Retry.layer({ baseDelay: 0 })),
      Layer.provide(Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) })),
      Layer.provide(NodeTransport.layerClient({ baseUrl, ...options.config })),
      Layer.provide(TokenStore.layerMemory(TokenStore.tokens(oldToken, options.refreshToken ?? refreshToken)))
    )
    const http = Context.get(
      yield* Layer.build(HttpClientFace.layer.pipe(Layer.provide(courier))).pipe(Effect.orDie),
      HttpClient.HttpClient
    )
    const api = yield* HttpApiClient.make(Api, { baseUrl }).pipe(Effect.provideService(HttpClient.HttpClient, http))
    return { api, http, baseUrl, counters, logs }
  })

/** Runs with the logs captured at every level. */
const logged = <A, E, R>(logs: ReturnType<typeof captureLogs>, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(logs.layer), Logger.withMinimumLogLevel(LogLevel.All))

/** A test with Effect's default logger silenced (the log test installs its own recorder). */
const test = <A, E>(name: string, self: () => Effect.Effect<A, E, Scope.Scope>, timeout?: number) =>
  it.scopedLive(name, () => Effect.provide(self(), Logger.replace(Logger.defaultLogger, Logger.none)), timeout)

describe("HttpClientFace under HttpApiClient", () => {
  test("100 concurrent calls answered 401 refresh once, replay, and decode", () =>
    Effect.gen(function*() {
      const { api, counters, logs } = yield* setup()
      const results = yield* logged(
        logs,
        Effect.all(Array.from({ length: 100 }, (_, i) => api.posts.list({ urlParams: { userId: i } })), {
          concurrency: "unbounded"
        })
      )
      expect(results.map((posts) => posts[0].userId)).toEqual(Array.from({ length: 100 }, (_, i) => i))
      expect(yield* Ref.get(counters.refreshes)).toBe(1)
      expect(yield* Ref.get(counters.requests)).toBe(100)
      // Neither token nor the refresh token in any rendering of any line.
      const text = logs.lines.flatMap((line) => line.rendered).join("\n")
      expect(logs.lines.length).toBeGreaterThan(0)
      expect(text).not.toContain(oldToken)
      expect(text).not.toContain(newToken)
      expect(text).not.toContain(refreshToken)
    }), 30_000)

  test("typed endpoint errors decode from the status the stack hands on", () =>
    Effect.gen(function*() {
      const { api } = yield* setup()
      expect(yield* api.posts.get({ path: { id: 1 } })).toEqual({ id: 1, title: "One", userId: 7 })
      const missing = yield* Effect.flip(api.posts.get({ path: { id: 42 } }))
      expect(missing).toEqual(new PostNotFound({ id: 42, detail: notFoundDetail }))
      const created = yield* api.posts.create({ payload: { title: "Hello" } })
      expect(created).toEqual({ id: 2, title: "Hello", userId: 7 })
    }))

  test("a 503 on a GET is retried by Courier's Retry", () =>
    Effect.gen(function*() {
      const { api, counters } = yield* setup()
      expect(yield* api.posts.flaky()).toBe("ok after 2")
      expect(yield* Ref.get(counters.flaky)).toBe(2)
    }))

  test("a 503 on a POST is not retried: the typed error comes back after one request", () =>
    Effect.gen(function*() {
      const { api, counters } = yield* setup()
      const error = yield* Effect.flip(api.posts.flakyPost())
      expect(error).toEqual(new Unavailable())
      expect(yield* Ref.get(counters.flaky)).toBe(1)
    }))

  test("an Idempotency-Key set by the caller makes the POST retryable", () =>
    Effect.gen(function*() {
      const { baseUrl, counters, http } = yield* setup()
      const keyed = yield* HttpApiClient.make(Api, {
        baseUrl,
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("Idempotency-Key", "k-1"))
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      expect(yield* keyed.posts.flakyPost()).toBe("ok after 2")
      expect(yield* Ref.get(counters.flaky)).toBe(2)
    }))

  test("the total deadline holds: a Timeout behind a RequestError", () =>
    Effect.gen(function*() {
      const { api } = yield* setup({ config: { timeouts: { total: "500 millis" } } })
      const started = Date.now()
      const error = yield* Effect.flip(api.posts.slow())
      const elapsed = Date.now() - started
      expect(error._tag).toBe("RequestError")
      if (error._tag !== "RequestError") return
      expect(error.reason).toBe("Transport")
      const courier = HttpClientFace.courierError(error)
      expect(Option.isSome(courier) && courier.value._tag === "Timeout" && courier.value.phase).toBe("total")
      // Generous: the server would answer after 5 seconds.
      expect(elapsed).toBeLessThan(4_000)
      // catchCourier reaches it by its Courier tag.
      const handled = yield* api.posts.slow().pipe(
        HttpClientFace.catchCourier((e) => Effect.succeed(e._tag))
      )
      expect(handled).toBe("Timeout")
    }), 20_000)

  test("a refresh that is refused ends in the 401 answer, decoded as the endpoint's error", () =>
    Effect.gen(function*() {
      const { api, counters } = yield* setup({ refreshToken: "ref-revoked" })
      const error = yield* Effect.flip(api.posts.get({ path: { id: 1 } }))
      expect(error).toEqual(new Unauthenticated())
      expect(yield* Ref.get(counters.refreshes)).toBe(1)
    }))

  test("a multipart upload goes through, with the file's bytes", () =>
    Effect.gen(function*() {
      const { api } = yield* setup()
      const form = new FormData()
      form.append("note", "hello")
      form.append("file", new Blob([new Uint8Array(10_000).fill(7)], { type: "application/octet-stream" }), "data.bin")
      const answer = yield* api.posts.upload({ payload: form })
      expect(answer).toEqual({ note: "hello", name: "data.bin", size: 10_000 })
    }))

  test("a base URL on another origin is refused before sending", () =>
    Effect.gen(function*() {
      const { http } = yield* setup()
      const other = yield* HttpApiClient.make(Api, { baseUrl: "http://127.0.0.2:1" }).pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      )
      const error = yield* Effect.flip(other.posts.get({ path: { id: 1 } }))
      expect(error._tag).toBe("RequestError")
      if (error._tag !== "RequestError") return
      expect(error.reason).toBe("InvalidUrl")
      const courier = HttpClientFace.courierError(error)
      expect(Option.isSome(courier) && courier.value._tag).toBe("RequestRefused")
    }))
})
