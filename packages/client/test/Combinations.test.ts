import { Auth, Body, CourierClient, Retry, TokenStore } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { BlackholeServer, Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { closedPort, transports } from "./support.js"

// Redirects in combination with retry and auth. Whether a call may be sent
// again is judged on the whole call (what its first hop sent), never on the
// hop that failed: a POST answered 303 has reached the server, whatever its
// GET's failure says about the GET. Every case counts what reached the wire.

/** No backoff wait and no budget: these tests are about what is sent again, not when. */
const fast: Partial<Retry.Policy> = { baseDelay: 0, budget: false }

const ok = Reply.json({ ok: true })
const Ok = Schema.Struct({ ok: Schema.Boolean })

/** A client with the retry Layer over a real transport pointed at `server`. */
const retrying = (
  server: TestServer.Service,
  kind: TestClient.Transport,
  options: CourierConfig.Options = {},
  policy: Partial<Retry.Policy> = fast
) =>
  Effect.map(
    Layer.build(Retry.layer(policy).pipe(Layer.provide(TestClient.layerFor(server, options, kind)))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** Answers 200 to "Bearer T2" and 401 to anything else. */
const protectedReply = Reply.custom((request, response) => {
  request.resume()
  const authorized = request.headers["authorization"] === "Bearer T2"
  const body = JSON.stringify(authorized ? { ok: true } : { error: "expired" })
  response.writeHead(authorized ? 200 : 401, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body)
  })
  response.end(body)
})

/** Retry over Auth over the transport; the store starts with the expired T1 and the refresh token R1. */
const authedLayer = (server: TestServer.Service) =>
  Retry.layer(fast).pipe(
    Layer.provide(
      Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
        Layer.provide(TestClient.layerFor(server, {}, "node")),
        Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
      )
    )
  )

const authed = (server: TestServer.Service) =>
  Effect.map(Layer.build(authedLayer(server)), (context) => Context.get(context, CourierClient.CourierClient)).pipe(
    Effect.orDie
  )

const count = (server: TestServer.Service, path: string) =>
  Effect.map(server.requests(path), (entries) => entries.length)

describe("redirects × retry", () => {
  for (const kind of transports) {
    describe(`on ${kind}`, () => {
      it.scoped("a POST answered 303, whose GET is refused, is sent once (its GET's refusal proves nothing about it)", () =>
        Effect.gen(function*() {
          const port = yield* closedPort
          const server = yield* TestServer.make({
            routes: [["POST", "/orders", Reply.redirect(303, `http://127.0.0.1:${port}/orders/1`)]]
          })
          const client = yield* retrying(server, kind)
          const error = yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))
          expect(yield* count(server, "/orders")).toBe(1)
          expect(error).toMatchObject({ _tag: "Network", reason: "ConnectionRefused" })
          expect(error.request).toEqual({ method: "GET", url: `http://127.0.0.1:${port}/orders/1`, redirects: 1 })
          expect(error._tag === "Network" && error.nothingSent).toBe(false)
        }))

      it.scoped("a POST with an Idempotency-Key answered 303, whose GET is refused, is retried from the start", () =>
        Effect.gen(function*() {
          const port = yield* closedPort
          const server = yield* TestServer.make({
            routes: [["POST", "/orders", Reply.redirect(303, `http://127.0.0.1:${port}/orders/1`)]]
          })
          const client = yield* retrying(server, kind)
          const error = yield* Effect.flip(
            client.post("/orders", { headers: { "idempotency-key": "k-1" }, body: Body.json({ item: 1 }) })
          )
          expect(error).toMatchObject({ _tag: "Network", reason: "ConnectionRefused" })
          expect(yield* count(server, "/orders")).toBe(3)
        }))

      it.scoped("a GET through a 301 whose target is refused is still retried: the whole call is idempotent", () =>
        Effect.gen(function*() {
          const port = yield* closedPort
          const server = yield* TestServer.make({
            routes: [["GET", "/old", Reply.redirect(301, `http://127.0.0.1:${port}/new`)]]
          })
          const client = yield* retrying(server, kind)
          expect(yield* Effect.flip(client.get("/old"))).toMatchObject({ _tag: "Network", reason: "ConnectionRefused" })
          expect(yield* count(server, "/old")).toBe(3)
        }))

      it.scoped("a GET through a 301 whose target resets once succeeds on the retry", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [
              ["GET", "/old", Reply.redirect(301, "/new")],
              ["GET", "/new", Reply.sequence([Reply.reset, ok])]
            ]
          })
          const client = yield* retrying(server, kind)
          expect(yield* client.get("/old", { schema: Ok })).toEqual({ ok: true })
          expect(yield* count(server, "/old")).toBe(2)
          expect(yield* count(server, "/new")).toBe(2)
        }))

      // The count already held (Retry judges safety on the first hop's method); kept so it stays so.
      it.scoped("a POST answered 303, whose GET answers 503 or resets, is sent once", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [
              ["POST", "/busy", Reply.redirect(303, "/busy/result")],
              ["GET", "/busy/result", Reply.status(503)],
              ["POST", "/cut", Reply.redirect(303, "/cut/result")],
              ["GET", "/cut/result", Reply.reset]
            ]
          })
          const client = yield* retrying(server, kind)
          const busy = yield* Effect.flip(client.post("/busy", { body: Body.json({ item: 1 }) }))
          const cut = yield* Effect.flip(client.post("/cut", { body: Body.json({ item: 1 }) }))
          expect(yield* count(server, "/busy")).toBe(1)
          expect(yield* count(server, "/cut")).toBe(1)
          expect(busy).toMatchObject({ _tag: "BadResponse", status: 503, request: { redirects: 1 } })
          expect(cut).toMatchObject({ _tag: "Network", reason: "ConnectionReset", request: { redirects: 1 } })
        }))
    })
  }

  // undici's connect timer runs on the wall clock, so this one is live.
  it.scopedLive("node: a POST answered 303, whose GET's connect times out, is sent once", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      const server = yield* TestServer.make({
        routes: [["POST", "/orders", Reply.redirect(303, `${blackhole.url}/orders/1`)]]
      })
      const client = yield* retrying(server, "node", { timeouts: { connect: "300 millis" } })
      const error = yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))
      expect(yield* count(server, "/orders")).toBe(1)
      expect(error).toMatchObject({ _tag: "Timeout", phase: "connect", request: { method: "GET", redirects: 1 } })
    }))
  // Already held (Retry judges safety on the first hop's method); kept so it stays so.
  it.scopedLive("a POST answered 303, whose GET's headers never come (receive timeout), is sent once", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["POST", "/orders", Reply.redirect(303, "/orders/1")], ["GET", "/orders/1", Reply.stall]]
      })
      const client = yield* retrying(server, "node", { timeouts: { receive: "300 millis" } })
      const error = yield* Effect.flip(client.post("/orders", { body: Body.json({ item: 1 }) }))
      expect(yield* count(server, "/orders")).toBe(1)
      expect(error).toMatchObject({ _tag: "Timeout", phase: "receive", request: { method: "GET", redirects: 1 } })
    }))
})

describe("redirects × auth", () => {
  it.scopedLive("a POST answered 303, whose GET answers 401, is not replayed and does not refresh", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
          ["POST", "/api/orders", Reply.redirect(303, "/api/orders/1")],
          ["GET", "/api/orders/1", protectedReply]
        ]
      })
      const client = yield* authed(server)
      const error = yield* Effect.flip(client.post("/api/orders", { body: Body.json({ item: 1 }) }))
      expect(yield* count(server, "/api/orders")).toBe(1)
      expect(yield* count(server, "/api/orders/1")).toBe(1)
      expect(yield* count(server, "/auth/refresh")).toBe(0)
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, request: { method: "GET", redirects: 1 } })
      expect(String((error as { cause?: unknown }).cause)).toContain("not replayed")
    }))

  it.scopedLive("a GET through a 301 whose target answers 401 refreshes and is replayed from the start", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
          ["GET", "/api/old", Reply.redirect(301, "/api/new")],
          ["GET", "/api/new", protectedReply]
        ]
      })
      const client = yield* authed(server)
      expect(yield* client.get("/api/old", { schema: Ok })).toEqual({ ok: true })
      expect(yield* count(server, "/api/old")).toBe(2)
      expect((yield* server.requests("/api/new")).map((e) => e.headers["authorization"])).toEqual([
        "Bearer T1",
        "Bearer T2"
      ])
      expect(yield* count(server, "/auth/refresh")).toBe(1)
    }))
})

describe("Retry-After × retry", () => {
  it.scoped("a Retry-After of more than ten digits is too long a wait: no retry, not the default backoff", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/ra", Reply.sequence([Reply.status(503, { headers: { "retry-after": "99999999999999" } }), ok])]
        ]
      })
      const client = yield* retrying(server, "node", {}, { ...fast, maxRetryAfter: "30 seconds" })
      expect(yield* Effect.flip(client.get("/ra"))).toMatchObject({
        _tag: "BadResponse",
        status: 503,
        headers: { "retry-after": "99999999999999" }
      })
      expect(yield* count(server, "/ra")).toBe(1)
    }))

  it("Retry.retryAfter reads any number of digits, even past what a number holds exactly", () => {
    const read = (value: string) => Option.map(Retry.retryAfter({ "retry-after": value }, 0), Duration.toMillis)
    expect(read("99999999999999")).toEqual(Option.some(99999999999999000))
    expect(read("9".repeat(400))).toEqual(Option.some(Infinity))
  })
})

// ---------------------------------------------------------------------------
// Generated scenarios: a first hop (idempotent or not), an optional redirect,
// and how the last hop fails, through Retry over Auth. How often the first
// hop reached the server follows from one rule: a call is sent again (by a
// retry, or by the one replay after a 401) only when it is idempotent or its
// failure came from its first hop.

class Harness extends Context.Tag("Combinations/Harness")<Harness, {
  readonly server: TestServer.Service
  readonly client: CourierClient.Service
  readonly closed: number
}>() {}

const harness = Layer.scoped(
  Harness,
  Effect.gen(function*() {
    const server = yield* TestServer.make({
      routes: [["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })]]
    })
    const context = yield* Layer.build(authedLayer(server)).pipe(Effect.orDie)
    return { server, client: Context.get(context, CourierClient.CourierClient), closed: yield* closedPort }
  })
)

type Start = "GET" | "PUT" | "POST" | "POST with Idempotency-Key"
type Hop = "none" | 301 | 302 | 303 | 307 | 308
type End = "refused" | "reset" | "503" | "401"

const scenario = fc.tuple(
  fc.constantFrom<Start>("GET", "PUT", "POST", "POST with Idempotency-Key"),
  fc.constantFrom<Hop>("none", 301, 302, 303, 307, 308),
  fc.constantFrom<End>("refused", "reset", "503", "401")
  // With no redirect a refused connection is the first hop's own: covered in Retry.test.ts.
).filter(([, hop, end]) => !(hop === "none" && end === "refused"))

/** The model: how many times the first hop reaches the server (retries: 2, one replay after a 401). */
const expectedStarts = (start: Start, hop: Hop, end: End): number => {
  const idempotent = start !== "POST"
  if (end === "401") return idempotent || hop === "none" ? 2 : 1
  return idempotent ? 3 : 1
}

const expectedTag = { refused: "Network", reset: "Network", "503": "BadResponse", "401": "Unauthorized" } as const

let scenarios = 0

layer(harness)("redirects × retry × auth, generated", (it) => {
  it.effect.prop(
    "a call is sent again only when it is idempotent or its failure came from its first hop",
    [scenario],
    ([[start, hop, end]]) =>
      Effect.gen(function*() {
        const { client, closed, server } = yield* Harness
        const base = `/s${++scenarios}`
        const failing = end === "reset" ? Reply.reset : end === "503" ? Reply.status(503) : Reply.status(401)
        if (hop === "none") {
          yield* server.route("*", `${base}/start`, failing)
        } else {
          const target = end === "refused" ? `http://127.0.0.1:${closed}${base}/end` : `${base}/end`
          yield* server.route("*", `${base}/start`, Reply.redirect(hop, target))
          yield* server.route("*", `${base}/end`, failing)
        }
        const method = start === "GET" ? "GET" : start === "PUT" ? "PUT" : "POST"
        const headers: Record<string, string> = start === "POST with Idempotency-Key" ? { "idempotency-key": base } : {}
        const body = method === "GET" ? {} : { body: Body.json({ item: base }) }
        const error = yield* Effect.flip(client.request(method, `${base}/start`, { headers, ...body }))
        expect(yield* count(server, `${base}/start`)).toBe(expectedStarts(start, hop, end))
        expect(error._tag).toBe(expectedTag[end])
        expect(error.request.redirects ?? 0).toBe(hop === "none" ? 0 : 1)
        if (error._tag === "Network") expect(error.nothingSent).toBe(false)
      }),
    { fastCheck: { numRuns: 60 } }
  )
})
