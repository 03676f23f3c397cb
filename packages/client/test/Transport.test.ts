import { Auth, Body, CourierClient, CourierConfig, CourierRequest, FetchTransport, Retry, TokenStore, Transport } from "@courier/client"
import type { CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { transports, waitForRequests, waitUntil } from "./support.js"

// The transport seam: a platform client a program wrapped, given to Courier
// through the explicit adapter, keeps every timeout and limit; the call's
// one deadline bounds each of its waits; and a Layer written against the
// seam alone sees every hop.

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) return expect.fail("the call succeeded; a failure was expected")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return expect.fail(`a failure was expected, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/** The exit of a fiber about to end; waits on the wall clock, so also under TestClock. */
const exitOf = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    yield* waitUntil(Effect.map(Fiber.poll(fiber), Option.isSome), "the call ended")
    return yield* Fiber.await(fiber)
  })

const build = <E>(layer: Layer.Layer<CourierClient.CourierClient, E>) =>
  Effect.map(Layer.build(layer), Context.get(CourierClient.CourierClient)).pipe(Effect.orDie)

/** The platform client of `kind`, wrapped by the program (a header on every request). */
const wrappedPlatform = (kind: "node" | "fetch") =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-wrapped", kind)))
  ).pipe(Layer.provide(kind === "node" ? NodeTransport.layer() : FetchTransport.layer))

/** Courier over that wrapped client, through the explicit adapter. */
const overWrapped = (kind: "node" | "fetch", options: CourierConfig.Options) =>
  build(
    CourierClient.layer.pipe(
      Layer.provide(Transport.layerFromHttpClient),
      Layer.provide(wrappedPlatform(kind)),
      Layer.provideMerge(CourierConfig.layer(options))
    )
  )

const since = (start: number) => Date.now() - start

for (const kind of transports) {
  describe(`a wrapped ${kind} platform client under Courier (Transport.layerFromHttpClient)`, () => {
    it.scopedLive("keeps the wrapper on every hop and Courier's redirect limit", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/a", Reply.redirect(302, "/b")],
            ["GET", "/b", Reply.redirect(302, "/c")],
            ["GET", "/c", Reply.redirect(302, "/d")],
            ["GET", "/d", Reply.json({ ok: true })]
          ]
        })
        const client = yield* overWrapped(kind, { baseUrl: server.url, maxRedirects: 2 })
        const error = failureOf(yield* Effect.exit(client.get("/a")))
        expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyRedirects", limit: 2 })
        const journal = yield* server.journal
        expect(journal.map((entry) => [entry.path, entry.headers["x-wrapped"]])).toEqual([
          ["/a", kind],
          ["/b", kind],
          ["/c", kind]
        ])
      }))

    it.scopedLive("keeps maxResponseBytes, declared or counted", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/declared", Reply.text("x".repeat(5_000))],
            ["GET", "/chunked", Reply.drip({ chunk: "y".repeat(500), interval: "5 millis", count: 10 })]
          ]
        })
        const client = yield* overWrapped(kind, { baseUrl: server.url, maxResponseBytes: 1_000 })
        for (const path of ["/declared", "/chunked"]) {
          const error = failureOf(yield* Effect.exit(client.get(path, { responseType: "text" })))
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge", limit: 1_000 })
        }
      }))

    it.scopedLive("keeps the receive timeout, to the head and between chunks", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/head", Reply.stall], ["GET", "/body", Reply.stallAfterHeaders()]]
        })
        const client = yield* overWrapped(kind, { baseUrl: server.url, timeouts: { receive: "300 millis" } })
        for (const path of ["/head", "/body"]) {
          const start = Date.now()
          const error = failureOf(yield* Effect.exit(client.get(path, { responseType: "text" })))
          expect(error).toMatchObject({ _tag: "Timeout", phase: "receive" })
          expect(since(start)).toBeLessThan(5_000)
        }
      }), 20_000)

    it.scopedLive("keeps the total deadline over a body that keeps dripping", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/drip", Reply.drip({ chunk: "z", interval: "50 millis", count: 1_000 })]]
        })
        const client = yield* overWrapped(kind, {
          baseUrl: server.url,
          timeouts: { receive: "10 seconds", total: "600 millis" }
        })
        const start = Date.now()
        const error = failureOf(yield* Effect.exit(client.get("/drip", { responseType: "text" })))
        expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
        expect(since(start)).toBeLessThan(5_000)
      }), 20_000)

    it.scopedLive("keeps the total deadline over a body streamed after its head", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/drip", Reply.drip({ chunk: "z", interval: "50 millis", count: 1_000 })]]
        })
        const client = yield* overWrapped(kind, { baseUrl: server.url })
        const start = Date.now()
        const error = failureOf(
          yield* Effect.exit(
            Effect.flatMap(
              client.streamingResponse("GET", "/drip", { timeouts: { receive: "10 seconds", total: "600 millis" } }),
              (response) => response.body._tag === "Streaming" ? Stream.runDrain(response.body.stream) : Effect.void
            ).pipe(Effect.timeoutFail({ duration: "8 seconds", onTimeout: () => "the stream never ended" as const }))
          )
        )
        expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
        expect(since(start)).toBeLessThan(5_000)
      }), 20_000)

    it.scopedLive("keeps the send timeout on an upload the server does not read", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.stallReadingBody]] })
        const client = yield* overWrapped(kind, { baseUrl: server.url, timeouts: { send: "500 millis" } })
        const slice = new Uint8Array(64 * 1024).fill(7)
        // 8 MiB: more than the socket buffers absorb when the server never reads.
        const body = Body.stream(Stream.fromIterable(Array.from({ length: 128 }, () => slice)))
        const start = Date.now()
        const error = failureOf(yield* Effect.exit(client.post("/upload", { body, responseType: "none" })))
        expect(error).toMatchObject({ _tag: "Timeout", phase: "send" })
        expect(since(start)).toBeLessThan(8_000)
        const [entry] = yield* server.requests("/upload")
        expect(entry?.headers["x-wrapped"]).toBe(kind)
      }), 20_000)
  })

  describe(`one deadline for every wait of a call (${kind})`, () => {
    const clientWith = <E>(
      server: TestServer.Service,
      over: Layer.Layer<CourierClient.CourierClient, E, CourierClient.CourierClient>
    ) =>
      build(
        over.pipe(
          Layer.provide(CourierClient.layer),
          Layer.provide(kind === "node" ? NodeTransport.layer() : FetchTransport.layer),
          Layer.provide(CourierConfig.layer({ baseUrl: server.url }))
        )
      )

    it.scoped("a retry's sleep and the streamed body after it share the deadline fixed when the call was prepared", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [[
            "GET",
            "/feed",
            Reply.sequence([
              Reply.status(503, { headers: { "retry-after": "1" } }),
              Reply.drip({ chunk: "z", interval: "20 millis", count: 10_000 })
            ])
          ]]
        })
        const client = yield* clientWith(server, Retry.layer({ baseDelay: 0 }))
        let received = 0
        const fiber = yield* Effect.fork(
          Effect.flatMap(
            client.streamingResponse("GET", "/feed", { timeouts: { total: "1500 millis", receive: "1 minute" } }),
            (response) =>
              response.body._tag === "Streaming"
                ? Stream.runForEach(response.body.stream, (bytes) => Effect.sync(() => void (received += bytes.byteLength)))
                : Effect.void
          )
        )
        yield* waitForRequests(server, "/feed")
        yield* waitUntil(Effect.map(TestClock.sleeps(), (sleeps) => sleeps.length >= 1), "the retry sleeps")
        yield* TestClock.adjust("1 second")
        yield* waitForRequests(server, "/feed", 2)
        yield* waitUntil(Effect.sync(() => received > 0), "the body started")
        // 1.4 s after the call started: still within its 1.5 s.
        yield* TestClock.adjust("400 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("100 millis")
        const error = failureOf(yield* exitOf(fiber)) as CourierError.CourierError
        expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
        expect(Duration.toMillis((error as CourierError.Timeout).duration)).toBe(1500)
      }))

    it.scoped("a wait for a refresh ends at the call's deadline", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["POST", "/auth/refresh", Reply.stall], ["GET", "/api", Reply.status(401)]]
        })
        const client = yield* build(
          Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }), refreshTimeout: "1 hour" }).pipe(
            Layer.provide(CourierClient.layer),
            Layer.provide(kind === "node" ? NodeTransport.layer() : FetchTransport.layer),
            Layer.provide(CourierConfig.layer({ baseUrl: server.url })),
            Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
          )
        )
        const fiber = yield* Effect.fork(client.get("/api", { timeouts: { total: "1 second", receive: "1 minute" } }))
        yield* waitForRequests(server, "/auth/refresh")
        yield* TestClock.adjust("999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(failureOf(yield* exitOf(fiber))).toMatchObject({ _tag: "Timeout", phase: "total" })
      }))
  })

  describe(`a Layer written against the seam alone (${kind})`, () => {
    it.scopedLive("a transport decorator sees every hop: redirects and retries", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/start", Reply.redirect(302, "/flaky")],
            ["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.json({ ok: true })])],
            ["GET", "/plain", Reply.status(204)]
          ]
        })
        const hops: Array<string> = []
        const Counting = Transport.layerDecorate((transport) =>
          Effect.succeed<Transport.Service>({
            send: (request) =>
              Effect.tap(transport.send(request), (response) =>
                Effect.sync(() => void hops.push(`${request.attempt} ${request.url.pathname} ${response.status}`)))
          })
        )
        const client = yield* build(
          Retry.layer({ baseDelay: 0 }).pipe(
            Layer.provide(CourierClient.layer),
            Layer.provide(Counting),
            Layer.provide(kind === "node" ? NodeTransport.layer() : FetchTransport.layer),
            Layer.provide(CourierConfig.layer({ baseUrl: server.url }))
          )
        )
        expect(yield* client.get("/start")).toEqual({ ok: true })
        expect(hops).toEqual(["1 /start 302", "1 /flaky 503", "2 /start 302", "2 /flaky 200"])
        // client.http is derived from the seam in context: the decorator sees its requests too.
        hops.length = 0
        const response = yield* client.http.get(`${server.url}/plain`)
        expect(response.status).toBe(204)
        expect(hops).toEqual(["1 /plain 204"])
      }))
  })
}

describe("CourierRequest.setHeader", () => {
  it.scopedLive("a header a Layer can not set fails the call with RequestRefused; nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const BadHeader = CourierClient.layerDecorate((execute) =>
        Effect.succeed((request: CourierRequest.CourierRequest) =>
          execute(CourierRequest.setHeader(request, "x-tenant", "a\r\nInjected: 1")))
      )
      const client = yield* build(
        BadHeader.pipe(
          Layer.provide(CourierClient.layer),
          Layer.provide(NodeTransport.layer()),
          Layer.provide(CourierConfig.layer({ baseUrl: server.url }))
        )
      )
      const error = failureOf(yield* Effect.exit(client.get("/x")))
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidHeader" })
      expect(String((error as CourierError.RequestRefused).detail)).toContain("x-tenant")
      expect(yield* server.journal).toEqual([])
    }))

  it.effect("remaining: the time left of the call's total, infinite without one", () =>
    Effect.gen(function*() {
      const client = yield* build(
        CourierClient.layer.pipe(
          Layer.provide(NodeTransport.layer()),
          Layer.provide(CourierConfig.layer({ baseUrl: "http://127.0.0.1:1" }))
        )
      ).pipe(Effect.scoped)
      const bounded = yield* client.prepare("GET", "/x", { timeouts: { total: "2 seconds" } })
      yield* TestClock.adjust("500 millis")
      expect(Duration.toMillis(yield* CourierRequest.remaining(bounded))).toBe(1500)
      yield* TestClock.adjust("5 seconds")
      expect(Duration.toMillis(yield* CourierRequest.remaining(bounded))).toBe(0)
      const unbounded = yield* client.prepare("GET", "/x", { timeouts: { total: Infinity } })
      expect(Duration.isFinite(yield* CourierRequest.remaining(unbounded))).toBe(false)
    }))
})

describe("the call's deadline over a transport that keeps no timers", () => {
  it.scopedLive("a transport whose body never ends: client.stream still ends at the call's deadline", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/feed", Reply.text("first chunk")]] })
      // A transport that keeps no timers over the body (the contract asks it
      // to): the call's own deadline is the backstop.
      const Stalling = Transport.layerDecorate((transport) =>
        Effect.succeed<Transport.Service>({
          send: (request) =>
            Effect.map(transport.send(request), (response) => ({ ...response, raw: Stream.concat(response.raw, Stream.never) }))
        })
      )
      const client = yield* build(
        CourierClient.layer.pipe(
          Layer.provide(Stalling),
          Layer.provide(NodeTransport.layer()),
          Layer.provide(CourierConfig.layer({ baseUrl: server.url }))
        )
      )
      const exit = yield* Effect.exit(
        Stream.runDrain(client.stream("GET", "/feed", { timeouts: { total: "500 millis", receive: "1 minute" } })).pipe(
          Effect.timeoutFail({ duration: "8 seconds", onTimeout: () => "the stream never ended" as const })
        )
      )
      expect(failureOf(exit)).toMatchObject({ _tag: "Timeout", phase: "total" })
    }))
})
