/**
 * Testing code that uses Courier with `@courier/testing`: a real server on
 * 127.0.0.1 scripted with the Reply DSL, a client pointed at it
 * (`TestClient.layer`), and assertions on what reached the wire. No mock of
 * the client: timeouts, retries and headers are tested for real. This file
 * runs with the docs test project: `pnpm vitest run --project docs`.
 */
import { Body, CourierClient, Retry } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

// ── The code under test: a small module of the application.
const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })

const findPost = (id: number) =>
  Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    return yield* client.get("/posts/{id}", { params: { id }, schema: Post }).pipe(
      Effect.map(Option.some),
      Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e))
    )
  })

const publish = (title: string) =>
  Effect.flatMap(CourierClient.CourierClient, (client) =>
    client.post("/posts", { headers: { ...Retry.idempotencyKey() }, body: Body.json({ title }), schema: Post }))

// ── The tests: one server and one client for the suite, routes per test.
//    Real sockets need the real clock, hence `excludeTestServices` (with
//    the TestClock a receive timeout would wait for `TestClock.adjust`).
const Env = TestClient.layer({
  routes: [
    ["GET", "/posts/1", Reply.json({ id: 1, title: "Hello" })],
    ["GET", "/posts/2", Reply.json({ error: "not found" }, { status: 404 })]
  ],
  client: { timeouts: { receive: "300 millis" } }
})

layer(Env, { excludeTestServices: true })("findPost", (it) => {
  it.effect("decodes a post, and a 404 is None", () =>
    Effect.gen(function*() {
      expect(yield* findPost(1)).toEqual(Option.some({ id: 1, title: "Hello" }))
      expect(yield* findPost(2)).toEqual(Option.none())
    }))

  it.effect("sends what the server expects: the journal records the wire", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      yield* server.clearJournal
      yield* findPost(1)
      const [request] = yield* server.requests("/posts/1")
      expect(request?.method).toBe("GET")
      expect(request?.headers["accept"]).toContain("application/json")
    }))

  it.effect("a server that never answers is a Timeout in the receive phase", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      yield* server.route("GET", "/posts/3", Reply.stall)
      const error = yield* Effect.flip(findPost(3))
      expect(error._tag).toBe("Timeout")
      expect(error._tag === "Timeout" && error.phase).toBe("receive")
    }))

  it.effect("a 500 is not hidden: it stays a typed BadResponse", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      yield* server.route("GET", "/posts/4", Reply.status(500))
      const error = yield* Effect.flip(findPost(4))
      expect(error).toMatchObject({ _tag: "BadResponse", status: 500 })
    }))
})

// The same server with the retry Layer over its client: Reply.sequence
// scripts a 503 and then a success, and the journal proves the same
// Idempotency-Key was sent twice.
const WithRetry = Retry.layer({ baseDelay: "10 millis" }).pipe(Layer.provideMerge(TestClient.layer()))

layer(WithRetry, { excludeTestServices: true })("publish", (it) => {
  it.effect("a 503 is retried with the same Idempotency-Key", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      yield* server.route("POST", "/posts", Reply.sequence([Reply.status(503), Reply.json({ id: 9, title: "Hi" }, { status: 201 })]))
      expect(yield* publish("Hi")).toEqual({ id: 9, title: "Hi" })
      const attempts = yield* server.requests("/posts")
      expect(attempts.length).toBe(2)
      expect(attempts[0]?.headers["idempotency-key"]).toBe(attempts[1]?.headers["idempotency-key"])
      expect(JSON.parse(attempts[1]?.bodyText ?? "")).toEqual({ title: "Hi" })
    }))
})
