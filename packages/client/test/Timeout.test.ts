import { Auth, Body, CourierClient, FetchTransport, Multipart, TokenStore } from "@courier/client"
import type { CourierConfig, CourierError, CourierRequest } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { BlackholeServer, Reply, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
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
import { waitsRemotely } from "../src/internal/core/client.js"
import { clientOn, largeFile, transports, waitForRequests, waitUntil } from "./support.js"

// Every timer Courier arms runs on the Effect Clock, so under `it.scoped`
// (TestClock) a test moves time itself: just below a timeout nothing has
// failed, just past it the call fails with that phase. Only what the Clock
// does not drive is tested live: undici's own connect timer, and a server
// dripping bytes in real time.

/** The exit of a fiber about to end; waits on the wall clock, so also under TestClock. */
const exitOf = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    yield* waitUntil(Effect.map(Fiber.poll(fiber), Option.isSome), "the call ended")
    return yield* Fiber.await(fiber)
  })

/** The Timeout a call failed with; anything else fails the test with the cause. */
const timeoutIn = <A, E>(exit: Exit.Exit<A, E>): CourierError.Timeout => {
  if (Exit.isSuccess(exit)) return expect.fail("the call succeeded; a Timeout was expected")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || (failure.value as { _tag?: unknown })._tag !== "Timeout") {
    return expect.fail(`a Timeout was expected, got ${Cause.pretty(exit.cause)}`)
  }
  return failure.value as unknown as CourierError.Timeout
}

const expectTimeout = <A, E>(
  exit: Exit.Exit<A, E>,
  phase: CourierError.TimeoutPhase,
  duration: Duration.DurationInput
) => {
  const timeout = timeoutIn(exit)
  expect(timeout.phase).toBe(phase)
  expect(Duration.toMillis(timeout.duration)).toBe(Duration.toMillis(Duration.decode(duration)))
  return timeout
}

const expectRunning = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.map(Fiber.poll(fiber), (exit) => {
    expect(Option.isNone(exit), "the call has already ended").toBe(true)
  })

/**
 * Waits until `count` Clock timers were armed: the way to see a timer that
 * I/O arms (the body's, once the headers arrived). TestClock keeps a timer
 * listed until its time comes, even when its fiber was interrupted.
 */
const waitForTimers = (count: number, what: string) =>
  waitUntil(Effect.map(TestClock.sleeps(), (sleeps) => sleeps.length >= count), what)

/** A client scoped to the test, for a server that is not a TestServer (the blackhole). */
const clientAt = (kind: "node" | "fetch", options: CourierConfig.Options) =>
  Effect.map(
    Layer.build(kind === "node" ? NodeTransport.layerClient(options) : FetchTransport.layerClient(options)),
    Context.get(CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/**
 * How long the server may take to see the client close. Shorter than the
 * keep-alive timeout of both transports' pools (4 s), so a socket merely
 * returned to the pool cannot pass for a closed one.
 */
const closedWithin = Duration.seconds(2)

/** Wall-clock milliseconds, for the live tests. */
const now = Effect.sync(() => performance.now())

// Also a wrapped platform client under Courier through the explicit adapter.
for (const kind of [...transports, "platform"] as const) {
  describe(`timeouts on ${kind}`, () => {
    describe("receive", () => {
      it.scoped("while waiting for the headers", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "5 seconds" } })
          const fiber = yield* Effect.fork(client.get("/slow"))
          yield* waitForRequests(server, "/slow")
          yield* TestClock.adjust("4900 millis")
          yield* expectRunning(fiber)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(fiber), "receive", "5 seconds")
          expect(yield* server.awaitIdle(closedWithin)).toBe(true)
        }))

      it.scoped("between body chunks", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/body", Reply.stallAfterHeaders()]] })
          // No total timer, so the only two timers are the header one and the body one.
          const client = yield* clientOn(server, kind, { timeouts: { receive: "5 seconds", total: Duration.infinity } })
          const fiber = yield* Effect.fork(client.get("/body", { responseType: "text" }))
          yield* waitForRequests(server, "/body")
          yield* waitForTimers(2, "the headers arrived and the body read armed its timer")
          yield* TestClock.adjust("4900 millis")
          yield* expectRunning(fiber)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(fiber), "receive", "5 seconds")
          expect(yield* server.awaitIdle(closedWithin)).toBe(true)
        }))

      it.scopedLive("is reset by every chunk", () =>
        Effect.gen(function*() {
          const drip = Reply.drip({ chunk: "x", interval: "100 millis", count: 10 })
          const server = yield* TestServer.make({ routes: [["GET", "/drip", drip]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "300 millis" } })
          // A second or so in all, each gap well under the receive timeout.
          expect(yield* client.get("/drip", { responseType: "text" })).toBe("x".repeat(10))
        }))
    })

    describe("total", () => {
      it.scopedLive("bounds a body that keeps dripping, and closes the connection", () =>
        Effect.gen(function*() {
          const drip = Reply.drip({ chunk: "x", interval: "500 millis", count: 20 })
          const server = yield* TestServer.make({ routes: [["GET", "/drip", drip]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "1 second", total: "2 seconds" } })
          const start = yield* now
          const exit = yield* Effect.exit(client.get("/drip", { responseType: "text" }))
          const elapsed = (yield* now) - start
          expectTimeout(exit, "total", "2 seconds")
          expect(elapsed).toBeGreaterThanOrEqual(1800)
          expect(elapsed).toBeLessThan(6000)
          expect(yield* server.awaitIdle(closedWithin)).toBe(true)
        }))

      it.scoped("fires at the deadline when receive would not", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "1 hour", total: "10 seconds" } })
          const fiber = yield* Effect.fork(client.get("/slow"))
          yield* waitForRequests(server, "/slow")
          yield* TestClock.adjust("9900 millis")
          yield* expectRunning(fiber)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(fiber), "total", "10 seconds")
          expect(yield* server.awaitIdle(closedWithin)).toBe(true)
        }))
    })

    describe("send", () => {
      // 8 MiB: twice what the socket buffers absorb when the server never reads
      // (Linux grows a send buffer up to tcp_wmem's maximum, 4 MiB by default). An
      // upload that fits in them is "sent" as far as any client can tell.
      const size = 8 * 1024 * 1024
      const slice = new Uint8Array(64 * 1024).fill(7)
      it.scoped.each([
        // One Effect chunk of 128 elements: the transports pull a whole chunk at a time.
        [
          "a stream of 64 KiB chunks",
          Effect.sync(() => Body.stream(Stream.fromIterable(Array.from({ length: 128 }, () => slice))))
        ],
        ["a stream of one 8 MiB chunk", Effect.sync(() => Body.stream(Stream.succeed(new Uint8Array(size))))],
        ["bytes", Effect.sync(() => Body.bytes(new Uint8Array(size)))],
        [
          "a multipart file from disk",
          Effect.gen(function*() {
            return Multipart.body([yield* Multipart.file("file", yield* largeFile)])
          }).pipe(Effect.provide(NodeFileSystem.layer), Effect.orDie)
        ]
      ] as const)("%s the server does not read", ([, makeBody]) =>
        Effect.gen(function*() {
          const body = yield* makeBody
          const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.stallReadingBody]] })
          const client = yield* clientOn(server, kind, { timeouts: { send: "500 millis" } })
          const fiber = yield* Effect.fork(client.post("/upload", { body, responseType: "none" }))
          yield* waitForRequests(server, "/upload")
          // The total timer, and the send timer the first pull of the body arms.
          yield* waitForTimers(2, "the upload started")
          yield* TestClock.adjust("490 millis")
          yield* expectRunning(fiber)
          yield* TestClock.adjust("10 millis")
          expectTimeout(yield* exitOf(fiber), "send", "500 millis")
        }))

      it.scoped("stops reading the body stream and runs its finalizers", () =>
        Effect.gen(function*() {
          let pulled = 0
          let finalized = false
          // Endless: a transport that kept reading it after the timeout would never stop.
          const source = Stream.repeatValue(slice).pipe(
            Stream.tap(() => Effect.sync(() => pulled++)),
            Stream.ensuring(Effect.sync(() => {
              finalized = true
            }))
          )
          const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.stallReadingBody]] })
          const client = yield* clientOn(server, kind, { timeouts: { send: "500 millis" } })
          const fiber = yield* Effect.fork(client.post("/upload", { body: Body.stream(source), responseType: "none" }))
          yield* waitForRequests(server, "/upload")
          yield* waitForTimers(2, "the upload started")
          yield* TestClock.adjust("500 millis")
          expectTimeout(yield* exitOf(fiber), "send", "500 millis")
          expect(finalized).toBe(true)
          const after = pulled
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          expect(pulled).toBe(after)
        }))
    })

    describe("per request", () => {
      it.scoped("receive can be shortened and lengthened", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "5 seconds" } })
          const shorter = yield* Effect.fork(client.get("/slow", { timeouts: { receive: "2 seconds" } }))
          const longer = yield* Effect.fork(client.get("/slow", { timeouts: { receive: "8 seconds" } }))
          yield* waitForRequests(server, "/slow", 2)
          yield* TestClock.adjust("1900 millis")
          yield* expectRunning(shorter)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(shorter), "receive", "2 seconds")
          yield* TestClock.adjust("5900 millis")
          yield* expectRunning(longer)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(longer), "receive", "8 seconds")
        }))

      it.scoped("total", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
          const client = yield* clientOn(server, kind, { timeouts: { receive: "1 hour", total: "1 minute" } })
          const fiber = yield* Effect.fork(client.get("/slow", { timeouts: { total: "3 seconds" } }))
          yield* waitForRequests(server, "/slow")
          yield* TestClock.adjust("2900 millis")
          yield* expectRunning(fiber)
          yield* TestClock.adjust("100 millis")
          expectTimeout(yield* exitOf(fiber), "total", "3 seconds")
        }))
    })

    it.scoped("the message names the method, the redacted URL and the phase, never a query value", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
        const client = yield* clientOn(server, kind, { timeouts: { receive: "1 second" } })
        const fiber = yield* Effect.fork(client.get("/slow", { query: { token: "s3cret" } }))
        yield* waitForRequests(server, "/slow")
        yield* TestClock.adjust("1 second")
        const timeout = expectTimeout(yield* exitOf(fiber), "receive", "1 second")
        expect(timeout.request).toEqual({ method: "GET", url: `${server.url}/slow?token=<redacted>` })
        expect(timeout.message).toContain(`GET ${server.url}/slow?token=<redacted>`)
        expect(timeout.message).toContain("receive timeout")
        expect(timeout.message).not.toContain("s3cret")
        const [entry] = yield* server.requests("/slow")
        expect(entry.path).toBe("/slow?token=s3cret")
      }))
  })
}

describe("connect", () => {
  // undici's connect timer runs on the wall clock, so these tests are live.
  it.scopedLive("node: a connect that hangs fails after the client's connect timeout", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      const client = yield* clientAt("node", { baseUrl: blackhole.url, timeouts: { connect: "300 millis" } })
      const start = yield* now
      const exit = yield* Effect.exit(client.get("/"))
      const elapsed = (yield* now) - start
      expectTimeout(exit, "connect", "300 millis")
      // 290: libuv measures timers from the start of its loop turn, a little before `start`.
      expect(elapsed).toBeGreaterThanOrEqual(290)
      expect(elapsed).toBeLessThan(3000)
    }))

  it.scopedLive("node: connect is per client, so a request's own timeouts leave it as configured", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      const client = yield* clientAt("node", { baseUrl: blackhole.url, timeouts: { connect: "300 millis" } })
      // The type offers no per-call connect; a caller that passes one anyway (from JavaScript) gets the client's.
      const asked = { connect: "20 seconds", receive: "20 seconds", total: "30 seconds" } as const
      const start = yield* now
      const exit = yield* Effect.exit(client.get("/", { timeouts: asked }))
      const elapsed = (yield* now) - start
      // The failure reports the timeout that was enforced, not the one asked for.
      expectTimeout(exit, "connect", "300 millis")
      expect(elapsed).toBeLessThan(3000)
    }))

  // fetch owns its connection pool and has no connect timer of its own (see
  // FetchTransport); a connect that hangs is bounded by receive and total.
  it.scoped("fetch: a connect that hangs is bounded by the receive timeout", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      const client = yield* clientAt("fetch", {
        baseUrl: blackhole.url,
        timeouts: { connect: "300 millis", receive: "2 seconds" }
      })
      const fiber = yield* Effect.fork(client.get("/"))
      yield* waitForTimers(2, "the call started")
      yield* TestClock.adjust("1900 millis")
      yield* expectRunning(fiber)
      yield* TestClock.adjust("100 millis")
      expectTimeout(yield* exitOf(fiber), "receive", "2 seconds")
    }))
})

describe("total, above the transport", () => {
  // A Layer that waits on something other than the server (a token store, a
  // shared breaker's or cache's store, a lock another process holds): the
  // call's deadline bounds that wait too, not only the hops.
  it.scoped("bounds what a Layer that waits outside waits for before it sends", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({ ok: true })]] })
      const base = yield* clientOn(server, "node", { timeouts: { total: "3 seconds" } })
      const Waiting = CourierClient.layerDecorate(
        (execute) => Effect.succeed((request: CourierRequest.CourierRequest) => Effect.zipRight(Effect.never, execute(request))),
        { waitsOutside: true }
      )
      const client = yield* Layer.build(Waiting.pipe(Layer.provide(Layer.succeed(CourierClient.CourierClient, base)))).pipe(
        Effect.map(Context.get(CourierClient.CourierClient))
      )
      const fiber = yield* Effect.fork(client.get("/ok"))
      yield* TestClock.adjust("2900 millis")
      yield* expectRunning(fiber)
      yield* TestClock.adjust("100 millis")
      expectTimeout(yield* exitOf(fiber), "total", "3 seconds")
      expect(yield* server.requests("/ok")).toHaveLength(0)
    }))

  it.scoped("bounds a read of a token store that is not one of Courier's (one that never answers)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({ ok: true })]] })
      const base = yield* clientOn(server, "node", { timeouts: { total: "3 seconds" } })
      const stalled: TokenStore.Service = { get: Effect.never, set: () => Effect.void, clear: Effect.void }
      const client = yield* Layer.build(
        Auth.layer({ refresh: () => Effect.never }).pipe(
          Layer.provide(Layer.succeed(CourierClient.CourierClient, base)),
          Layer.provide(Layer.succeed(TokenStore.TokenStore, stalled))
        )
      ).pipe(Effect.map(Context.get(CourierClient.CourierClient)))
      const fiber = yield* Effect.fork(client.get("/ok"))
      yield* TestClock.adjust("2900 millis")
      yield* expectRunning(fiber)
      yield* TestClock.adjust("100 millis")
      expectTimeout(yield* exitOf(fiber), "total", "3 seconds")
      expect(yield* server.requests("/ok")).toHaveLength(0)
    }))

  it.scoped("Courier's own memory stores add no whole-call timer; a store of another kind does", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({ ok: true })]] })
      const base = yield* clientOn(server, "node")
      const withStore = (store: Layer.Layer<TokenStore.TokenStore>) =>
        Layer.build(
          Auth.layer({ refresh: () => Effect.never }).pipe(
            Layer.provide(Layer.succeed(CourierClient.CourierClient, base)),
            Layer.provide(store)
          )
        ).pipe(Effect.map(Context.get(CourierClient.CourierClient)))
      expect(waitsRemotely(base)).toBe(false)
      expect(waitsRemotely(yield* withStore(TokenStore.layerMemory()))).toBe(false)
      const other: TokenStore.Service = { get: Effect.succeed(Option.none()), set: () => Effect.void, clear: Effect.void }
      expect(waitsRemotely(yield* withStore(Layer.succeed(TokenStore.TokenStore, other)))).toBe(true)
    }))
})
