import { Bulkhead, CourierClient, CourierError } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as TestClock from "effect/TestClock"
import { gate, waitForRequests, waitUntil } from "./support.js"

// The bulkhead proven on the wire: a route that answers only when the test
// says so keeps calls in flight, and the journal shows which reached it.

const bulkheadClient = (server: TestServer.Service, options: Bulkhead.Options, config: CourierConfig.Options = {}) =>
  Effect.map(
    Layer.build(Bulkhead.layer(options).pipe(Layer.provide(TestClient.layerFor(server, config, "node")))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const count = (server: TestServer.Service, path: string) => Effect.map(server.requests(path), (r) => r.length)

const wallSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

describe("Bulkhead", () => {
  it.scoped("N calls in flight, a bounded queue, BulkheadFull beyond; queued calls go as slots free", () =>
    Effect.gen(function*() {
      const { release, reply } = gate()
      const server = yield* TestServer.make({ routes: [["GET", "/slow", reply]] })
      const client = yield* bulkheadClient(server, { maxConcurrent: 2, maxQueue: 1 })
      const before = (yield* Metric.value(Bulkhead.rejections)).count
      const first = yield* Effect.fork(Effect.all([client.get("/slow"), client.get("/slow"), client.get("/slow")], {
        concurrency: 3
      }))
      yield* waitForRequests(server, "/slow", 2)
      // Two in flight, one queued: a fourth call fails at once, nothing sent.
      const error = yield* Effect.flip(client.get("/slow"))
      expect(error).toBeInstanceOf(CourierError.BulkheadFull)
      expect(error).toMatchObject({ _tag: "BulkheadFull", key: server.origin, maxConcurrent: 2, maxQueue: 1 })
      expect((yield* Metric.value(Bulkhead.rejections)).count).toBe(before + 1)
      yield* wallSleep(50)
      expect(yield* count(server, "/slow")).toBe(2)
      // One slot frees: the queued call goes.
      yield* release(1)
      yield* waitForRequests(server, "/slow", 3)
      yield* release(2)
      expect(yield* Fiber.join(first)).toEqual([{}, {}, {}])
      // All slots free again.
      const again = yield* Effect.fork(Effect.all([client.get("/slow"), client.get("/slow")], { concurrency: 2 }))
      yield* waitForRequests(server, "/slow", 5)
      yield* release(2)
      yield* Fiber.join(again)
    }))

  it.scoped("a queued call waits no longer than its deadline: Timeout (total), nothing sent", () =>
    Effect.gen(function*() {
      const { release, reply } = gate()
      const server = yield* TestServer.make({ routes: [["GET", "/slow", reply]] })
      const client = yield* bulkheadClient(server, { maxConcurrent: 1, maxQueue: 1 }, { timeouts: { total: "2 seconds" } })
      const holder = yield* Effect.fork(client.get("/slow", { timeouts: { total: "1 minute" } }))
      yield* waitForRequests(server, "/slow", 1)
      const queued = yield* Effect.fork(client.get("/slow"))
      yield* waitUntil(Effect.map(TestClock.sleeps(), Chunk.some((end) => end === 2_000)), "the queued call's deadline")
      yield* TestClock.adjust("2 seconds")
      const error = yield* Effect.flip(Fiber.join(queued))
      expect(error).toMatchObject({ _tag: "Timeout", phase: "total" })
      expect(yield* count(server, "/slow")).toBe(1)
      // Its place in the queue is free again.
      const next = yield* Effect.fork(client.get("/slow", { timeouts: { total: "1 minute" } }))
      yield* release(1)
      yield* Fiber.join(holder)
      yield* waitForRequests(server, "/slow", 2)
      yield* release(1)
      yield* Fiber.join(next)
    }))

  it.scoped("with no queue the call beyond maxConcurrent fails; an interrupted call frees its slot", () =>
    Effect.gen(function*() {
      const { release, reply } = gate()
      const server = yield* TestServer.make({ routes: [["GET", "/slow", reply]] })
      const client = yield* bulkheadClient(server, { maxConcurrent: 1 })
      const holder = yield* Effect.fork(client.get("/slow"))
      yield* waitForRequests(server, "/slow", 1)
      expect(yield* Effect.flip(client.get("/slow"))).toMatchObject({ _tag: "BulkheadFull", maxQueue: 0 })
      yield* Fiber.interrupt(holder)
      const next = yield* Effect.fork(client.get("/slow"))
      yield* waitForRequests(server, "/slow", 2)
      yield* release(2)
      yield* Fiber.join(next)
    }))

  it.scoped("an interrupted queued call leaves the queue: its place goes to the next call", () =>
    Effect.gen(function*() {
      const { release, reply } = gate()
      const server = yield* TestServer.make({ routes: [["GET", "/slow", reply]] })
      const client = yield* bulkheadClient(server, { maxConcurrent: 1, maxQueue: 1 })
      const holder = yield* Effect.fork(client.get("/slow"))
      yield* waitForRequests(server, "/slow", 1)
      const queued = yield* Effect.fork(client.get("/slow"))
      yield* wallSleep(20)
      expect(yield* Effect.flip(client.get("/slow"))).toMatchObject({ _tag: "BulkheadFull" })
      yield* Fiber.interrupt(queued)
      const next = yield* Effect.fork(client.get("/slow"))
      yield* release(1)
      yield* Fiber.join(holder)
      yield* waitForRequests(server, "/slow", 2)
      yield* release(1)
      yield* Fiber.join(next)
      expect(yield* count(server, "/slow")).toBe(2)
    }))

  it.scoped("compartments are per origin: another origin is not held back", () =>
    Effect.gen(function*() {
      const { release, reply } = gate()
      const server = yield* TestServer.make({ routes: [["GET", "/slow", reply]] })
      const elsewhere = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ ok: true })]] })
      const client = yield* bulkheadClient(server, { maxConcurrent: 1 }, { allowedOrigins: [elsewhere.origin] })
      const holder = yield* Effect.fork(client.get("/slow"))
      yield* waitForRequests(server, "/slow", 1)
      expect(yield* client.get(`${elsewhere.url}/x`)).toEqual({ ok: true })
      yield* release(1)
      yield* Fiber.join(holder)
    }))
})
