import { Auth, Body, CourierClient, CourierError, Download, Retry, TokenStore } from "@courier/client"
import * as Logging from "@courier/client/Logging"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import { captureLogs } from "./recorders.js"
import { clientOn, pattern, scratchDir, transports } from "./support.js"

// Responses as values: `exchange` keeps the status and headers next to the
// decoded body, `acceptStatus` turns chosen non-2xx statuses into
// answers, and `Body.json(value, { schema })` encodes a request body. Each case is checked on a real loopback server and its journal.

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const NotFound = Schema.Struct({ error: Schema.String })

/** A client with `layer` over a real node transport on `server`. */
const clientWith = <E>(
  server: TestServer.Service,
  layer: (base: ReturnType<typeof TestClient.layerFor>) => Layer.Layer<CourierClient.CourierClient, E>
) =>
  Effect.map(Layer.build(layer(TestClient.layerFor(server, {}, "node"))), (context) =>
    Context.get(context, CourierClient.CourierClient)).pipe(Effect.orDie)

describe("exchange", () => {
  for (const kind of transports) {
    it.scoped(`${kind}: status, lower-cased headers and the schema-decoded body together`, () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/posts/7", Reply.json({ id: 7, title: "seven", extra: true }, {
            headers: { "ETag": "\"v7\"", "X-Total-Count": "42" }
          })]]
        })
        const client = yield* clientOn(server, kind)
        const result = yield* client.exchange("GET", "/posts/{id}", { params: { id: 7 }, schema: Post })
        expect(result.status).toBe(200)
        expect(result.body).toEqual({ id: 7, title: "seven" })
        expect(result.headers["etag"]).toBe("\"v7\"")
        expect(result.headers["x-total-count"]).toBe("42")
        expect((yield* server.requests("/posts/7")).length).toBe(1)
      }))
  }

  it.scoped("decodes as responseType says without a schema, and fails as the other calls do", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/text", Reply.text("hello", { status: 201 })],
          ["GET", "/missing", Reply.json({ error: "no such post" }, { status: 404 })],
          ["GET", "/wrong", Reply.json({ id: "seven" })]
        ]
      })
      const client = yield* clientOn(server, "node")
      expect(yield* client.exchange("POST", "/text", { responseType: "text" }).pipe(Effect.flip)).toBeInstanceOf(
        CourierError.BadResponse
      )
      const text = yield* client.exchange("GET", "/text", { responseType: "text" })
      expect([text.status, text.body]).toEqual([201, "hello"])
      const missing = yield* Effect.flip(client.exchange("GET", "/missing", { schema: Post, errorSchema: NotFound }))
      expect(missing).toMatchObject({ _tag: "BadResponse", status: 404, errorBody: { _tag: "Some", value: { error: "no such post" } } })
      const wrong = yield* Effect.flip(client.exchange("GET", "/wrong", { schema: Post }))
      expect(wrong).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch", status: 200 })
    }))
})

describe("acceptStatus", () => {
  it.scoped("an accepted 404 is a value whose body the schema decodes; the default stays a BadResponse", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/posts/9", Reply.json({ error: "no such post" }, { status: 404 })]]
      })
      const client = yield* clientOn(server, "node")
      const found = yield* client.exchange("GET", "/posts/9", {
        schema: Schema.Union(Post, NotFound),
        acceptStatus: [404]
      })
      expect(found).toMatchObject({ status: 404, body: { error: "no such post" } })
      const byPredicate = yield* client.get("/posts/9", { schema: NotFound, acceptStatus: (status) => status < 500 })
      expect(byPredicate).toEqual({ error: "no such post" })
      const failed = yield* Effect.flip(client.get("/posts/9", { schema: Post, acceptStatus: [410] }))
      expect(failed).toMatchObject({ _tag: "BadResponse", status: 404 })
      expect((yield* server.requests("/posts/9")).length).toBe(3)
    }))

  it.scoped("a 304 answer to a conditional GET is a value with no body", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/posts/7", Reply.status(304, { headers: { etag: "\"v7\"" } })]]
      })
      const client = yield* clientOn(server, "node")
      const result = yield* client.exchange("GET", "/posts/7", {
        headers: { "if-none-match": "\"v7\"" },
        schema: Schema.UndefinedOr(Post),
        acceptStatus: [304]
      })
      expect(result).toEqual({ status: 304, headers: expect.objectContaining({ etag: "\"v7\"" }), body: undefined })
      const [entry] = yield* server.requests("/posts/7")
      expect(entry.headers["if-none-match"]).toBe("\"v7\"")
    }))

  it.scoped("redirects are followed first; with maxRedirects: 0 an accepted 302 is an answer", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/old", Reply.redirect(302, "/new")],
          ["GET", "/new", Reply.json({ error: "moved here" })]
        ]
      })
      const client = yield* clientOn(server, "node")
      const followed = yield* client.exchange("GET", "/old", { schema: NotFound, acceptStatus: [302] })
      expect(followed).toMatchObject({ status: 200, body: { error: "moved here" } })
      const seen = yield* client.exchange("GET", "/old", { responseType: "none", acceptStatus: [302], maxRedirects: 0 })
      expect(seen.status).toBe(302)
      expect(seen.headers["location"]).toBe("/new")
      expect((yield* server.journal).map((entry) => entry.path)).toEqual(["/old", "/new", "/old"])
    }))

  it.scoped("an accepted status is read whole under maxResponseBytes, not cut to the error-body prefix", () =>
    Effect.gen(function*() {
      const big = pattern(200 * 1024)
      const server = yield* TestServer.make({
        routes: [["GET", "/big", Reply.bytes(big, { status: 422 })]]
      })
      const client = yield* clientOn(server, "node")
      const whole = yield* client.exchange("GET", "/big", { responseType: "bytes", acceptStatus: [422] })
      expect(whole.status).toBe(422)
      expect(whole.body).toEqual(big)
      const capped = yield* Effect.flip(
        client.exchange("GET", "/big", { responseType: "bytes", acceptStatus: [422], maxResponseBytes: 64 * 1024 })
      )
      expect(capped).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge" })
    }))

  it.scoped("with Retry, an accepted 503 is answered once and never retried", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/busy", Reply.json({ error: "busy" }, { status: 503 })]]
      })
      const client = yield* clientWith(server, (base) => Retry.layer({ baseDelay: 0 }).pipe(Layer.provide(base)))
      const result = yield* client.exchange("GET", "/busy", { schema: NotFound, acceptStatus: [503] })
      expect(result.status).toBe(503)
      expect((yield* server.requests("/busy")).length).toBe(1)
      // Not accepted: the default policy retries it (three requests in all).
      yield* Effect.flip(client.get("/busy"))
      expect((yield* server.requests("/busy")).length).toBe(4)
    }))

  it.scoped("with Auth, an accepted 401 is returned as is: no refresh reaches the server", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
          ["GET", "/me", Reply.json({ error: "expired" }, { status: 401 })]
        ]
      })
      const client = yield* clientWith(server, (base) =>
        Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
          Layer.provide(base),
          Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
        ))
      const result = yield* client.exchange("GET", "/me", { schema: NotFound, acceptStatus: [401] })
      expect(result).toMatchObject({ status: 401, body: { error: "expired" } })
      expect((yield* server.requests("/auth/refresh")).length).toBe(0)
      expect((yield* server.requests("/me")).map((entry) => entry.headers["authorization"])).toEqual(["Bearer T1"])
      // Not accepted: the 401 starts the refresh.
      yield* Effect.flip(client.get("/me"))
      expect((yield* server.requests("/auth/refresh")).length).toBe(1)
    }))

  it.scopedLive("with Logging, an accepted 404 is logged as ok with its status", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/gone", Reply.json({ error: "gone" }, { status: 404 })]]
      })
      const client = yield* clientWith(server, (base) => Logging.layer({ level: LogLevel.Info }).pipe(Layer.provide(base)))
      yield* client.get("/gone", { acceptStatus: [404] })
      const logged = lines.filter((line) => line.message === Logging.message)
      expect(logged.map((line) => [line.level, line.annotations["http.status"], line.annotations["http.outcome"]]))
        .toEqual([["INFO", 404, "ok"]])
    }).pipe(Effect.provide(layer))
  })
})

describe("exchange with one schema per status", () => {
  it.scoped("the statuses named are answers, each decoded by its own schema; others fail as usual", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/posts/7", Reply.json({ id: 7, title: "seven" })],
          ["GET", "/posts/9", Reply.json({ error: "no such post" }, { status: 404 })],
          ["GET", "/posts/created", Reply.json({ id: 8, title: "eight" }, { status: 201 })],
          ["GET", "/posts/broken", Reply.json({ error: "down" }, { status: 500 })]
        ]
      })
      const client = yield* clientOn(server, "node")
      const schemas = { 200: Post, 404: NotFound }
      const found = yield* client.exchange("GET", "/posts/7", { schemas })
      expect(found).toMatchObject({ status: 200, body: { id: 7, title: "seven" } })
      const missing = yield* client.exchange("GET", "/posts/9", { schemas })
      expect(missing).toMatchObject({ status: 404, body: { error: "no such post" } })
      const unnamed = yield* Effect.flip(client.exchange("GET", "/posts/created", { schemas }))
      expect(unnamed).toMatchObject({ _tag: "Parse", status: 201, issues: [{ message: "no schema for status 201" }] })
      const failed = yield* Effect.flip(client.exchange("GET", "/posts/broken", { schemas }))
      expect(failed).toMatchObject({ _tag: "BadResponse", status: 500 })
      expect((yield* server.journal).length).toBe(4)
    }))
})

describe("acceptStatus and downloads", () => {
  it.scoped("a download never writes an error page to the file, even when acceptStatus slips through", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/file", Reply.text("not found", { status: 404 })]] })
      const client = yield* clientOn(server, "node")
      const dir = yield* scratchDir
      const options = { path: `${dir}/out.bin`, acceptStatus: [404] } as Download.Options
      const error = yield* Effect.flip(Download.toFile(client, "/file", options))
      expect(error).toMatchObject({ _tag: "BadResponse", status: 404 })
      expect(Fs.readdirSync(dir)).toEqual([])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("Body.json with a schema", () => {
  const Amount = Schema.NumberFromString.pipe(Schema.brand("Amount"))
  class Author extends Schema.Class<Author>("Author")({ name: Schema.String.pipe(Schema.minLength(3)) }) {}
  const NewEvent = Schema.Struct({ title: Schema.String, at: Schema.Date, amount: Amount, author: Author })

  it.scoped("the value is encoded by the schema (Date, transformation, brand, class) and sent as JSON", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/events", Reply.status(204)]] })
      const client = yield* clientOn(server, "node")
      yield* client.post("/events", {
        body: Body.json({
          title: "launch",
          at: new Date("2030-01-01T00:00:00Z"),
          amount: Amount.make(12.5),
          author: new Author({ name: "Ada" })
        }, { schema: NewEvent }),
        responseType: "none"
      })
      const [entry] = yield* server.requests("/events")
      expect(entry.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(entry.bodyText)).toEqual({
        title: "launch",
        at: "2030-01-01T00:00:00.000Z",
        amount: "12.5",
        author: { name: "Ada" }
      })
    }))

  it.scoped("a value the schema rejects is RequestRefused(InvalidBody) naming the path, not the value, before any I/O", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/events", Reply.status(204)]] })
      const client = yield* clientOn(server, "node")
      const Login = Schema.Struct({ user: Schema.Struct({ password: Schema.String.pipe(Schema.minLength(12)) }) })
      const error = yield* Effect.flip(client.post("/login", {
        body: Body.json({ user: { password: "hunter2" } }, { schema: Login }),
        responseType: "none"
      }))
      expect(error).toBeInstanceOf(CourierError.RequestRefused)
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidBody" })
      expect(error.message).toContain("user.password")
      expect(error.message).not.toContain("hunter2")
      // A transformation that throws is a refusal too, never a defect.
      const Throws = Schema.transform(Schema.String, Schema.String, {
        strict: true,
        decode: (s) => s,
        encode: () => {
          throw new Error("boom")
        }
      })
      const thrown = yield* Effect.flip(client.post("/events", { body: Body.json("x", { schema: Throws }), responseType: "none" }))
      expect(thrown).toMatchObject({ _tag: "RequestRefused", reason: "InvalidBody" })
      expect((yield* server.journal).length).toBe(0)
    }))
})
