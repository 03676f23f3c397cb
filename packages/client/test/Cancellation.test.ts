import { Body } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import { clientOn, transports, waitForRequests, waitUntil } from "./support.js"

// Interrupting a call is how a program cancels it: the exit is an
// interruption (never a failure), the socket is closed so the server sees
// the client leave, and nothing Courier started keeps running. Under
// TestClock, so that a timer left behind would be seen firing.

/**
 * Shorter than the keep-alive timeout of both transports' pools (4 s), so a
 * socket merely put back in the pool cannot pass for a closed one.
 */
const closedWithin = Duration.seconds(2)

/** Forks `effect` under a supervisor that sees every fiber it starts, transports' body pumps included. */
const start = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const supervisor = yield* Supervisor.track
    const fiber = yield* Effect.supervised(Effect.fork(effect), supervisor)
    return { fiber, supervisor }
  })

/**
 * Interrupts the call and checks what it leaves: an interrupt exit, a
 * connection the server saw close, no fiber still running, and no timer that
 * fires later: an hour on, nothing more happened.
 */
const interruptAndCheck = <A, E>(
  server: TestServer.Service,
  call: {
    readonly fiber: Fiber.RuntimeFiber<A, E>
    readonly supervisor: Supervisor.Supervisor<Array<Fiber.RuntimeFiber<unknown, unknown>>>
  },
  options: { readonly serverSeesClose?: boolean } = {}
) =>
  Effect.gen(function*() {
    const exit = yield* Fiber.interrupt(call.fiber)
    expectInterrupted(exit)
    if (options.serverSeesClose !== false) {
      expect(yield* server.awaitIdle(closedWithin), "the server still has the connection open").toBe(true)
    }
    yield* waitUntil(Effect.map(call.supervisor.value, (fibers) => fibers.length === 0), "the call's fibers ended")
    const requests = (yield* server.journal).length
    yield* TestClock.adjust("1 hour")
    expectInterrupted(Option.getOrThrow(yield* Fiber.poll(call.fiber)))
    expect(yield* call.supervisor.value).toEqual([])
    expect((yield* server.journal).length, "nothing was sent again").toBe(requests)
    // Not checked: the server's connection count. After an abort, undici puts the
    // aborted request back in its queue, opens a new connection for it, then drops
    // it (nodejs/undici#5845); that one closes at once, and no request is sent on it.
    if (options.serverSeesClose !== false) {
      expect(yield* server.awaitIdle(closedWithin), "a connection is left open").toBe(true)
    }
  })

const expectInterrupted = <A, E>(exit: Exit.Exit<A, E>) => {
  const got = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "a success"
  expect(Exit.isInterrupted(exit), `expected an interruption, got ${got}`).toBe(true)
  if (Exit.isFailure(exit)) expect(Cause.isInterruptedOnly(exit.cause)).toBe(true)
}

/**
 * Waits until `count` Clock timers were armed: the way to see a timer that
 * I/O arms (the body's, once the headers arrived). TestClock keeps a timer
 * listed until its time comes, even when its fiber was interrupted.
 */
const waitForTimers = (count: number, what: string) =>
  waitUntil(Effect.map(TestClock.sleeps(), (sleeps) => sleeps.length >= count), what)

const slice = new Uint8Array(64 * 1024).fill(7)

/** A one-shot body from `source` that records whether its finalizers ran. */
const trackedBody = (source: Stream.Stream<Uint8Array>) => {
  let finalized = false
  const body = Body.stream(Stream.ensuring(source, Effect.sync(() => {
    finalized = true
  })))
  return { body, finalized: Effect.sync(() => finalized) }
}

/** `size` bytes in 64 KiB slices, then nothing, forever: an upload in progress. */
const stalledSource = (size: number) =>
  Stream.concat(Stream.fromIterable(Array.from({ length: size / slice.byteLength }, () => slice)), Stream.never)

const bodyBytesSeen = (server: TestServer.Service, path: string) =>
  Effect.map(server.requests(path), (entries) => entries[0]?.body.byteLength ?? 0)

for (const kind of transports) {
  describe(`cancellation on ${kind}`, () => {
    it.scoped("while waiting for the headers", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.stall]] })
        const client = yield* clientOn(server, kind)
        const call = yield* start(client.get("/slow"))
        yield* waitForRequests(server, "/slow")
        yield* interruptAndCheck(server, call)
      }))

    it.scoped("while reading the body", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/body", Reply.stallAfterHeaders()]] })
        const client = yield* clientOn(server, kind, { timeouts: { total: Duration.infinity } })
        const call = yield* start(client.get("/body", { responseType: "text" }))
        yield* waitForRequests(server, "/body")
        // No total timer: the first timer waits for the headers, the second for the body.
        yield* waitForTimers(2, "the headers arrived and the body read began")
        yield* interruptAndCheck(server, call)
      }))

    it.scoped("a stream consumer that stops early closes the socket", () =>
      Effect.gen(function*() {
        const drip = Reply.drip({ chunk: "tick\n", interval: "20 millis", count: 10_000 })
        const server = yield* TestServer.make({ routes: [["GET", "/events", drip]] })
        const client = yield* clientOn(server, kind)
        const supervisor = yield* Supervisor.track
        const first = yield* client.stream("GET", "/events").pipe(
          Stream.take(1),
          Stream.runCollect,
          Effect.supervised(supervisor)
        )
        expect(new TextDecoder().decode(Chunk.unsafeHead(first))).toBe("tick\n")
        expect(yield* server.awaitIdle(closedWithin), "the server still has the connection open").toBe(true)
        yield* waitUntil(Effect.map(supervisor.value, (fibers) => fibers.length === 0), "the stream's fibers ended")
        yield* TestClock.adjust("1 hour")
        expect(yield* supervisor.value).toEqual([])
        expect((yield* server.journal).length).toBe(1)
      }))

    it.scoped("a stream interrupted while it waits for the next chunk", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/events", Reply.stallAfterHeaders()]] })
        const client = yield* clientOn(server, kind, { timeouts: { total: Duration.infinity } })
        const call = yield* start(Stream.runDrain(client.stream("GET", "/events")))
        yield* waitForRequests(server, "/events")
        yield* waitForTimers(2, "the headers arrived and the body read began")
        yield* interruptAndCheck(server, call)
      }))

    it.scoped("during an upload", () =>
      Effect.gen(function*() {
        // Reply.stall reads the whole body and never answers, so the server
        // sees the client leave as soon as it does.
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.stall]] })
        const client = yield* clientOn(server, kind)
        const { body, finalized } = trackedBody(stalledSource(1024 * 1024))
        const call = yield* start(client.post("/upload", { body, responseType: "none" }))
        yield* waitUntil(
          Effect.map(bodyBytesSeen(server, "/upload"), (n) => n >= 1024 * 1024),
          "the first MiB of the upload arrived"
        )
        yield* interruptAndCheck(server, call)
        // The body stream was stopped, its finalizers run (a file it reads is closed).
        expect(yield* finalized).toBe(true)
        const [entry] = yield* server.requests("/upload")
        expect(entry.bodyComplete).toBe(false)
      }))

    it.scoped("during an upload stuck on a full socket", () =>
      Effect.gen(function*() {
        // The server never reads, so the socket buffers fill and the upload
        // waits for them to drain; the interruption must still end the call.
        // The server cannot see this client leave (its FIN queues behind the
        // bytes the server never reads, see Reply.ignoreBody), so this test
        // checks the client side only: the exit, and nothing left running.
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.stallReadingBody]] })
        const client = yield* clientOn(server, kind)
        // An endless source: read to its end after the abort, it would never stop.
        const { body, finalized } = trackedBody(Stream.repeatValue(slice))
        const call = yield* start(client.post("/upload", { body, responseType: "none" }))
        yield* waitForRequests(server, "/upload")
        // Give the upload time to fill the socket buffers and block.
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        yield* interruptAndCheck(server, call, { serverSeesClose: false })
        expect(yield* finalized).toBe(true)
      }))
  })
}
