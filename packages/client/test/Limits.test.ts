import type { CourierClient } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { clientOn, transports, waitUntil } from "./support.js"

// Response limits are on by default (32 MiB, 2 content encodings) and are
// counted on what the program would buffer: after decompression.

const MiB = 1024 * 1024
const defaultLimit = 32 * MiB

const Doc = Schema.Struct({ name: Schema.String, tags: Schema.Array(Schema.String) })
const doc = { name: "courier", tags: ["a", "b", "é"] }

/**
 * Runs `effect` without ever moving the TestClock and returns its failure. If
 * it needed time (a body that never comes, a timeout), it would not settle:
 * after a few wall-clock seconds the test dies saying so.
 */
const failsWithoutWaiting = <A, E>(effect: Effect.Effect<A, E>, what: string) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* waitUntil(Effect.map(Fiber.poll(fiber), Option.isSome), what, 300)
    return yield* Effect.flip(Fiber.join(fiber))
  })

/** A chunked response (no content-length) that writes `total` bytes and then never ends. */
const endlessChunked = (total: number) =>
  Reply.custom((_request, response) => {
    response.writeHead(200, { "content-type": "application/octet-stream" })
    const chunk = new Uint8Array(64 * 1024).fill(120)
    for (let sent = 0; sent < total; sent += chunk.byteLength) response.write(chunk)
  })

// 20 MB of zeros compress to about 20 KB.
const bomb = Reply.gzip(new Uint8Array(20_000_000))

const encodedDoc = (encodings: ReadonlyArray<Reply.Encoding>) =>
  Reply.encoded(JSON.stringify(doc), encodings, { headers: { "content-type": "application/json" } })

const tooLarge = (limit: number) => ({ _tag: "LimitExceeded", reason: "ResponseTooLarge", limit })

// Also a wrapped platform client under Courier through the explicit adapter.
for (const kind of [...transports, "platform"] as const) {
  describe(`response limits on ${kind}`, () => {
    describe("size", () => {
      it.scoped("a declared Content-Length over the limit fails before any body byte is read", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [
              ["GET", "/default", Reply.stallAfterHeaders({ declaredLength: defaultLimit + 1 })],
              ["GET", "/small", Reply.stallAfterHeaders({ declaredLength: 1001 })]
            ]
          })
          // TestClock: no timeout can fire, so only the headers can settle these calls.
          const client = yield* clientOn(server, kind)
          const error = yield* failsWithoutWaiting(client.get("/default"), "the default limit failed on the headers")
          expect(error).toMatchObject(tooLarge(defaultLimit))
          expect(error.message).toContain("raise maxResponseBytes")
          const small = yield* clientOn(server, kind, { maxResponseBytes: 1000 })
          expect(yield* failsWithoutWaiting(small.get("/small"), "a configured limit failed on the headers"))
            .toMatchObject(tooLarge(1000))
          // The unread body is dropped now: the connection closes without waiting for GC.
          expect(yield* server.awaitIdle("3 seconds")).toBe(true)
        }))

      it.scoped("a chunked body over the limit fails once the limit is passed, without waiting for its end", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/default", endlessChunked(defaultLimit + MiB)], ["GET", "/small", endlessChunked(2 * MiB)]]
          })
          const client = yield* clientOn(server, kind)
          expect(yield* failsWithoutWaiting(client.get("/default", { responseType: "bytes" }), "the default limit failed mid-body"))
            .toMatchObject(tooLarge(defaultLimit))
          const small = yield* clientOn(server, kind, { maxResponseBytes: MiB })
          expect(yield* failsWithoutWaiting(small.get("/small", { responseType: "bytes" }), "1 MiB failed mid-body"))
            .toMatchObject(tooLarge(MiB))
        }))

      it.scopedLive("a dripped chunked body exactly at the limit passes, one byte over fails", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/drip", Reply.drip({ chunk: new Uint8Array(1024).fill(97), interval: "1 millis", count: 16 })]]
          })
          const at = yield* clientOn(server, kind, { maxResponseBytes: 16 * 1024 })
          expect((yield* at.get("/drip", { responseType: "bytes" })).byteLength).toBe(16 * 1024)
          const under = yield* clientOn(server, kind, { maxResponseBytes: 16 * 1024 - 1 })
          expect(yield* Effect.flip(under.get("/drip", { responseType: "text" }))).toMatchObject(tooLarge(16 * 1024 - 1))
          expect((yield* server.requests("/drip")).every((e) => e.headers["content-length"] === undefined)).toBe(true)
        }))

      it.scopedLive("a body of known length exactly at the limit passes, one byte over fails", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/b", Reply.bytes(new Uint8Array(5000))]] })
          const at = yield* clientOn(server, kind, { maxResponseBytes: 5000 })
          expect((yield* at.get("/b", { responseType: "bytes" })).byteLength).toBe(5000)
          const under = yield* clientOn(server, kind, { maxResponseBytes: 4999 })
          expect(yield* Effect.flip(under.get("/b", { responseType: "bytes" }))).toMatchObject(tooLarge(4999))
        }))

      it.scopedLive("a gzip bomb is counted after decompression", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/bomb", bomb]] })
          expect(bomb._tag === "Respond" && bomb.body.byteLength).toBeLessThan(64 * 1024)
          const client = yield* clientOn(server, kind, { maxResponseBytes: MiB })
          expect(yield* Effect.flip(client.get("/bomb", { responseType: "bytes" }))).toMatchObject(tooLarge(MiB))
        }))

      it.scopedLive("the per-request maxResponseBytes overrides the client's, both ways", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/b", Reply.bytes(new Uint8Array(2000))], ["GET", "/bomb", bomb]]
          })
          const strict = yield* clientOn(server, kind, { maxResponseBytes: 1000 })
          const options: CourierClient.RequestOptions = { maxResponseBytes: 2000 }
          expect((yield* strict.get("/b", { ...options, responseType: "bytes" })).byteLength).toBe(2000)
          expect(yield* Effect.flip(strict.get("/b", { responseType: "bytes" }))).toMatchObject(tooLarge(1000))
          const client = yield* clientOn(server, kind)
          expect(yield* Effect.flip(client.get("/b", { maxResponseBytes: 1999, responseType: "bytes" })))
            .toMatchObject(tooLarge(1999))
          expect(yield* Effect.flip(client.get("/bomb", { maxResponseBytes: MiB, responseType: "bytes" })))
            .toMatchObject(tooLarge(MiB))
        }))

      it.scopedLive("the content-length of a HEAD answer describes no body, so it is not over the limit", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({
            routes: [["GET", "/file", Reply.status(200, { headers: { "content-length": String(defaultLimit * 4) } })]]
          })
          const client = yield* clientOn(server, kind)
          const response = yield* client.response("HEAD", "/file")
          expect(response.status).toBe(200)
          expect(response.headers["content-length"]).toBe(String(defaultLimit * 4))
          expect(yield* client.head("/file", { responseType: "none" })).toBeUndefined()
        }))
    })

    describe("content encodings", () => {
      it.scopedLive.each([[["gzip"]], [["deflate"]], [["br"]], [["gzip", "br"]], [["br", "deflate"]]] as const)(
        "%j decodes to the JSON body",
        ([encodings]) =>
          Effect.gen(function*() {
            const server = yield* TestServer.make({ routes: [["GET", "/doc", encodedDoc(encodings)]] })
            const client = yield* clientOn(server, kind)
            expect(yield* client.get("/doc", { schema: Doc })).toEqual(doc)
            const [entry] = yield* server.journal
            if (kind === "node") expect(entry.headers["accept-encoding"]).toBe("gzip, deflate, br")
          })
      )

      it.scopedLive("three stacked encodings are LimitExceeded(TooManyEncodings) by default", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/doc", encodedDoc(["gzip", "br", "deflate"])]] })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.get("/doc", { schema: Doc }))
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyEncodings", limit: 2 })
          expect(error.message).toContain("more than 2 content encodings")
          const raised = yield* clientOn(server, kind, { maxContentEncodings: 3 })
          expect(yield* raised.get("/doc", { schema: Doc })).toEqual(doc)
        }))
    })
  })
}
