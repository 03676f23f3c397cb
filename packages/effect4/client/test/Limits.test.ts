import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as zlib from "node:zlib"
import { client } from "./support.js"

const big = "x".repeat(10_000)

describe("response limits", () => {
  it.live("a declared content-length over the limit is refused on the head, the body never awaited", () =>
    Effect.gen(function*() {
      // The server declares a large body and sends none of it: only a
      // refusal on the head can end this call before the receive timeout.
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.stallAfterHeaders({ declaredLength: 1_000_000 })]] })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 1000, timeouts: { receive: "20 seconds" } })
      const started = Date.now()
      const error = yield* Effect.flip(c.get("/"))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
      expect(error._tag === "LimitExceeded" && error.limit).toBe(1000)
      expect(Date.now() - started).toBeLessThan(10_000)
    }).pipe(Effect.scoped))

  it.live("a chunked body is cut as soon as it passes the limit", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.drip({ chunk: "y".repeat(600), interval: "5 millis", count: 1000 })]]
      })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 1000 })
      const error = yield* Effect.flip(c.get("/", { responseType: "text" }))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
      // Cut after the second chunk, not after a thousand.
      expect(yield* s.awaitNoRequestsInFlight("5 seconds")).toBe(true)
    }).pipe(Effect.scoped))

  it.live("per call maxResponseBytes; exactly the limit passes", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.text(big)]] })
      const c = yield* client({ baseUrl: s.url })
      expect((yield* c.get("/", { responseType: "text", maxResponseBytes: 10_000 })).length).toBe(10_000)
      const error = yield* Effect.flip(c.get("/", { responseType: "text", maxResponseBytes: 9_999 }))
      expect(error._tag === "LimitExceeded" && error.limit).toBe(9_999)
    }).pipe(Effect.scoped))

  it.live("a stream is limited on the bytes it hands on", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.drip({ chunk: "z".repeat(100), interval: "1 millis", count: 50 })]]
      })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 1000 })
      const error = yield* Effect.flip(Stream.runDrain(c.stream("GET", "/")))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
    }).pipe(Effect.scoped))
})

describe("content codings", () => {
  it.live("gzip, deflate, br and a chain of two are decoded", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/gzip", Reply.encoded(JSON.stringify({ c: "gzip" }), ["gzip"], { headers: { "content-type": "application/json" } })],
          ["GET", "/deflate", Reply.encoded(JSON.stringify({ c: "deflate" }), ["deflate"])],
          ["GET", "/br", Reply.encoded(JSON.stringify({ c: "br" }), ["br"])],
          ["GET", "/chain", Reply.encoded(JSON.stringify({ c: "chain" }), ["gzip", "br"])]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      for (const coding of ["gzip", "deflate", "br", "chain"]) {
        expect(yield* c.get(`/${coding}`)).toEqual({ c: coding })
        const streamed = yield* Stream.runCollect(c.stream("GET", `/${coding}`))
        const text = new TextDecoder().decode(new Uint8Array(streamed.flatMap((chunk) => [...chunk])))
        expect(JSON.parse(text)).toEqual({ c: coding })
      }
    }).pipe(Effect.scoped))

  it.live("the limit counts decoded bytes: a small gzip bomb stops at the limit", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.encoded(new Uint8Array(5_000_000), ["gzip"])]] })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 100_000 })
      const error = yield* Effect.flip(c.get("/", { responseType: "bytes" }))
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
      const streamed = yield* Effect.flip(Stream.runDrain(c.stream("GET", "/")))
      expect(streamed._tag === "LimitExceeded" && streamed.reason).toBe("ResponseTooLarge")
    }).pipe(Effect.scoped))

  it.live("a streamed bomb stops decoding at the limit even when nobody reads on", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({ routes: [["GET", "/", Reply.encoded(new Uint8Array(64_000_000), ["gzip"])]] })
      const c = yield* client({ baseUrl: s.url, maxResponseBytes: 1_000_000 })
      const before = process.memoryUsage().arrayBuffers
      // Take one chunk, then wait without reading: the decoders must not run on to 64 MB meanwhile.
      let first = true
      let peak = 0
      const error = yield* Stream.runForEach(c.stream("GET", "/"), () =>
        Effect.suspend(() => {
          if (!first) return Effect.void
          first = false
          return Effect.sleep("1 second").pipe(
            Effect.tap(() => Effect.sync(() => peak = process.memoryUsage().arrayBuffers - before))
          )
        })).pipe(Effect.flip)
      expect(error._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
      expect(peak).toBeLessThan(32_000_000)
    }).pipe(Effect.scoped))

  it.live("more codings than maxContentEncodings; a corrupt body is a Protocol failure", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [
          ["GET", "/three", Reply.encoded("x", ["gzip", "gzip", "gzip"])],
          ["GET", "/corrupt", Reply.bytes(new Uint8Array([1, 2, 3, 4]), { headers: { "content-encoding": "gzip" } })]
        ]
      })
      const c = yield* client({ baseUrl: s.url })
      const three = yield* Effect.flip(c.get("/three", { responseType: "text" }))
      expect(three._tag === "LimitExceeded" && three.reason).toBe("TooManyEncodings")
      expect(three._tag === "LimitExceeded" && three.limit).toBe(2)
      const corrupt = yield* Effect.flip(c.get("/corrupt", { responseType: "bytes" }))
      expect(corrupt._tag === "Network" && corrupt.reason).toBe("Protocol")
      const allowed = yield* client({ baseUrl: s.url, maxContentEncodings: 3 })
      expect(yield* allowed.get("/three", { responseType: "text" })).toBe("x")
    }).pipe(Effect.scoped))

  it.live("an error body is decoded for its excerpt", () =>
    Effect.gen(function*() {
      const s = yield* TestServer.make({
        routes: [["GET", "/", Reply.bytes(zlib.gzipSync("{\"why\":\"because\"}"), {
          status: 500,
          headers: { "content-encoding": "gzip", "content-type": "application/json" }
        })]]
      })
      const c = yield* client({ baseUrl: s.url })
      const error = yield* Effect.flip(c.get("/"))
      expect(error._tag === "BadResponse" && error.bodyExcerpt).toContain("because")
    }).pipe(Effect.scoped))
})
