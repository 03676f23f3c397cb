/**
 * Testing code that uses Courier on effect 4 with `@courier/testing-effect4`
 * and `@effect/vitest` 4: a real server on 127.0.0.1 scripted with the Reply
 * DSL, the real client pointed at it, assertions on what reached the wire.
 * The kit has no `TestClient` yet: the client Layer is built from the
 * server's URL with `Layer.unwrap`. The effect 3 version is
 * docs/examples/09-testing.test.ts. This file runs with
 * `scripts/effect4.sh test --project effect4-docs`.
 */
import { Body, CourierClient, NodeTransport, Retry } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
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

// ── A server and a client on it, in one scoped Layer (what effect 3's
//    `TestClient.layer` does): the client needs the server's URL.
const clientOn = Layer.unwrap(
  Effect.map(TestServer.TestServer, (server) =>
    NodeTransport.layerClient({ baseUrl: server.url, timeouts: { receive: "300 millis" } }))
)

const Env = clientOn.pipe(
  Layer.provideMerge(TestServer.layer({
    routes: [
      ["GET", "/posts/1", Reply.json({ id: 1, title: "Hello" })],
      ["GET", "/posts/2", Reply.json({ error: "not found" }, { status: 404 })]
    ]
  }))
)

// Real sockets need the real clock, hence `excludeTestServices` (with the
// TestClock a receive timeout would wait for `TestClock.adjust`).
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
      expect(error).toMatchObject({ _tag: "Timeout", phase: "receive" })
    }))
})

// The retry Layer over the same kind of client: a 503, then a success, and
// the journal proves the same Idempotency-Key was sent twice.
const WithRetry = Retry.layer({ baseDelay: "10 millis" }).pipe(
  Layer.provideMerge(clientOn),
  Layer.provideMerge(TestServer.layer())
)

layer(WithRetry, { excludeTestServices: true })("publish", (it) => {
  it.effect("a 503 is retried with the same Idempotency-Key", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      yield* server.route(
        "POST",
        "/posts",
        Reply.sequence([Reply.status(503), Reply.json({ id: 9, title: "Hi" }, { status: 201 })])
      )
      expect(yield* publish("Hi")).toEqual({ id: 9, title: "Hi" })
      const attempts = yield* server.requests("/posts")
      expect(attempts.length).toBe(2)
      expect(attempts[0]?.headers["idempotency-key"]).toBe(attempts[1]?.headers["idempotency-key"])
      expect(JSON.parse(attempts[1]?.bodyText ?? "")).toEqual({ title: "Hi" })
    }))
})
