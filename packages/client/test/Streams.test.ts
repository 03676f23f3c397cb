import { CourierError, Ndjson, ServerSentEvents } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import { clientOn, transports } from "./support.js"

// Streaming bodies read as they arrive: a scripted server writes chunks with
// pauses between them, and the tests check what the consumer saw, when.

/** One step of a scripted response. */
type Step =
  | { readonly write: string | Uint8Array }
  | { readonly wait: number }
  /** Wait for this promise before going on. */
  | { readonly until: () => Promise<unknown> }
  | { readonly run: () => void }
  /** Stop writing and leave the response open. */
  | { readonly stall: true }

const write = (chunk: string | Uint8Array): Step => ({ write: chunk })
const wait = (millis: number): Step => ({ wait: millis })
const stall: Step = { stall: true }

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** A 200 with `headers` (chunked), then the steps in order, then the end of the body. */
const scripted = (headers: Http.OutgoingHttpHeaders, steps: ReadonlyArray<Step>) =>
  Reply.custom((request, response) => {
    request.resume()
    response.writeHead(200, headers)
    response.flushHeaders()
    void (async () => {
      for (const step of steps) {
        if (response.destroyed) return
        if ("write" in step) response.write(step.write)
        else if ("wait" in step) await sleep(step.wait)
        else if ("until" in step) await step.until()
        else if ("run" in step) step.run()
        else return
      }
      if (!response.destroyed) response.end()
    })()
  })

const ndjsonHeaders = { "content-type": "application/x-ndjson" }
const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" }

const Item = Schema.Struct({ id: Schema.Number, name: Schema.String })
const Stamped = Schema.Struct({ id: Schema.Number, at: Schema.Date })

const lines = (...items: ReadonlyArray<unknown>) => items.map((item) => JSON.stringify(item) + "\n").join("")

for (const kind of transports) {
  describe(`Ndjson on ${kind}`, () => {
    it.scopedLive("items are decoded one by one as they arrive, the first before the server wrote the last", () =>
      Effect.gen(function*() {
        const log = yield* Ref.make<ReadonlyArray<string>>([])
        const sawFirst = yield* Deferred.make<void>()
        const note = (entry: string) => Effect.runSync(Ref.update(log, (all) => [...all, entry]))
        const server = yield* TestServer.make({
          routes: [["GET", "/events", scripted(ndjsonHeaders, [
            write(lines({ id: 1, at: "2024-01-01T00:00:00.000Z" })),
            // The rest waits until the consumer has item 1 (or 5 s, and the test fails).
            {
              until: () =>
                Effect.runPromise(Effect.timeoutOption(Deferred.await(sawFirst), "5 seconds")).then((waited) =>
                  note(Option.isSome(waited) ? "server: consumer had item 1" : "server: gave up waiting")
                )
            },
            wait(20),
            write(lines({ id: 2, at: "2024-01-02T00:00:00.000Z" })),
            wait(20),
            { run: () => note("server: writing the last line") },
            write(lines({ id: 3, at: "2024-01-03T00:00:00.000Z" }))
          ])]]
        })
        const client = yield* clientOn(server, kind)
        const items = yield* Ndjson.stream(client, "GET", "/events", { schema: Stamped }).pipe(
          Stream.tap((item) =>
            Effect.zipRight(
              Ref.update(log, (all) => [...all, `consumer: item ${item.id}`]),
              item.id === 1 ? Deferred.succeed(sawFirst, undefined) : Effect.void
            )
          ),
          Stream.runCollect
        )
        expect(Chunk.toReadonlyArray(items)).toEqual([
          { id: 1, at: new Date("2024-01-01T00:00:00.000Z") },
          { id: 2, at: new Date("2024-01-02T00:00:00.000Z") },
          { id: 3, at: new Date("2024-01-03T00:00:00.000Z") }
        ])
        const entries = yield* Ref.get(log)
        expect(entries.slice(0, 2)).toEqual(["consumer: item 1", "server: consumer had item 1"])
        expect(entries.indexOf("consumer: item 1")).toBeLessThan(entries.indexOf("server: writing the last line"))
        expect(entries.indexOf("consumer: item 3")).toBeGreaterThan(entries.indexOf("server: writing the last line"))
      }))

    it.scopedLive("blank lines are skipped; CRLF, a line split across chunks and a split UTF-8 character are read", () =>
      Effect.gen(function*() {
        const e = new TextEncoder().encode("é")
        const server = yield* TestServer.make({
          routes: [["GET", "/items", scripted(ndjsonHeaders, [
            write("{\"id\":1,\"name\":\"crlf\"}\r\n\r\n"),
            wait(20),
            write("{\"id\":2,\"na"),
            wait(20),
            write("me\":\"split\"}\r"),
            wait(20),
            write("\n   \n\t\n\n{\"id\":3,\"name\":\"caf"),
            write(e.subarray(0, 1)),
            wait(20),
            write(e.subarray(1)),
            write("\"}\n"),
            write("{\"id\":4,\"name\":\"no final newline\"}")
          ])]]
        })
        const client = yield* clientOn(server, kind)
        const items = yield* Stream.runCollect(Ndjson.stream(client, "GET", "/items", { schema: Item }))
        expect(Chunk.toReadonlyArray(items)).toEqual([
          { id: 1, name: "crlf" },
          { id: 2, name: "split" },
          { id: 3, name: "café" },
          { id: 4, name: "no final newline" }
        ])
      }))

    it.scopedLive("a line that is not JSON fails with Parse InvalidJson, shown as its size like a body that is not JSON", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/items", Reply.text(`${lines({ id: 1, name: "a" })}{"id":2, oops}\n${lines({ id: 3, name: "c" })}`)]]
        })
        const client = yield* clientOn(server, kind)
        const seen = yield* Ref.make<ReadonlyArray<number>>([])
        const error = yield* Ndjson.stream(client, "GET", "/items", { schema: Item }).pipe(
          Stream.runForEach((item) => Ref.update(seen, (all) => [...all, item.id])),
          Effect.flip
        )
        expect(yield* Ref.get(seen)).toEqual([1])
        expect(error).toBeInstanceOf(CourierError.Parse)
        expect(error).toMatchObject({
          _tag: "Parse",
          reason: "InvalidJson",
          status: 200,
          contentType: "application/x-ndjson",
          bodyExcerpt: "<14 bytes of invalid JSON>",
          issues: []
        })
      }))

    it.scopedLive("a line that does not match the schema fails with Parse SchemaMismatch, carrying the line and the issue", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/items", Reply.text(lines({ id: 1, name: "a" }, { id: "two", name: "b" }, { id: 3, name: "c" }))]]
        })
        const client = yield* clientOn(server, kind)
        const error = yield* Effect.flip(Stream.runDrain(Ndjson.stream(client, "GET", "/items", { schema: Item })))
        expect(error).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch", bodyExcerpt: "{\"id\":\"two\",\"name\":\"b\"}" })
        if (error._tag === "Parse") {
          expect(error.issues).toHaveLength(1)
          expect(error.issues[0].path).toEqual(["id"])
        }
      }))

    describe("maxLineBytes", () => {
      const limit = 1000
      /** A JSON line of exactly `bytes` UTF-8 bytes (newline excluded), its name made of `char`. */
      const lineOf = (bytes: number, char = "x") => {
        const overhead = JSON.stringify({ id: 1, name: "" }).length
        const size = new TextEncoder().encode(char).byteLength
        return JSON.stringify({ id: 1, name: char.repeat((bytes - overhead) / size) })
      }

      it.scopedLive("a line of exactly maxLineBytes is read", () =>
        Effect.gen(function*() {
          const line = lineOf(limit)
          expect(line.length).toBe(limit)
          const server = yield* TestServer.make({ routes: [["GET", "/items", Reply.text(`${line}\n${line}`)]] })
          const client = yield* clientOn(server, kind)
          const items = yield* Stream.runCollect(Ndjson.stream(client, "GET", "/items", { schema: Item, maxLineBytes: limit }))
          expect(items.length).toBe(2)
        }))

      it.scopedLive.each([
        [
          "arriving whole in one chunk, after a good line",
          [write(lines({ id: 1, name: "a" }) + lineOf(limit + 1) + "\n" + lines({ id: 2, name: "b" }))],
          [1]
        ],
        ["as the last line, without a newline", [write(lines({ id: 1, name: "a" })), wait(20), write(lineOf(limit + 1))], [1]],
        ["counted in bytes, not characters", [write(lineOf(limit + 10, "é") + "\n")], []],
        ["that never ends", Array.from({ length: 200 }, () => [write("x".repeat(100)), wait(5)]).flat(), []]
      ] as const)("a longer line fails with LimitExceeded: %s", ([what, steps, before]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["GET", "/items", scripted(ndjsonHeaders, steps)]] })
          const client = yield* clientOn(server, kind)
          const seen = yield* Ref.make<ReadonlyArray<number>>([])
          const error = yield* Ndjson.stream(client, "GET", "/items", { schema: Item, maxLineBytes: limit }).pipe(
            Stream.runForEach((item) => Ref.update(seen, (all) => [...all, item.id])),
            Effect.flip
          )
          // The items before the long line are delivered first.
          expect(yield* Ref.get(seen)).toEqual(before)
          expect(error).toBeInstanceOf(CourierError.LimitExceeded)
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge", limit })
          // Given up mid-body, not read to the end: the connection goes away.
          if (what === "that never ends") expect(yield* server.awaitIdle("3 seconds")).toBe(true)
        }))
    })

    it.scopedLive("the receive timeout applies between chunks: a server stalling after 2 lines fails with Timeout(receive)", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/items", scripted(ndjsonHeaders, [
            write(lines({ id: 1, name: "a" })),
            wait(250),
            write(lines({ id: 2, name: "b" })),
            stall
          ])]]
        })
        const client = yield* clientOn(server, kind)
        const seen = yield* Ref.make<ReadonlyArray<number>>([])
        const started = Date.now()
        // 250 ms between the lines is under the 400 ms receive timeout; the stall is not.
        const error = yield* Ndjson.stream(client, "GET", "/items", { schema: Item, timeouts: { receive: "400 millis" } }).pipe(
          Stream.runForEach((item) => Ref.update(seen, (all) => [...all, item.id])),
          Effect.flip
        )
        expect(yield* Ref.get(seen)).toEqual([1, 2])
        expect(error).toBeInstanceOf(CourierError.Timeout)
        expect(error).toMatchObject({ _tag: "Timeout", phase: "receive" })
        // It fired after the stall, not on the first chunk's clock.
        expect(Date.now() - started).toBeGreaterThanOrEqual(600)
        expect(yield* server.awaitIdle("3 seconds")).toBe(true)
      }))
  })

  describe(`ServerSentEvents on ${kind}`, () => {
    it.scopedLive("event, data, id and retry fields; multi-line data; comments; no dispatch without a final blank line", () =>
      Effect.gen(function*() {
        const bom = new Uint8Array([0xef, 0xbb, 0xbf])
        const server = yield* TestServer.make({
          routes: [["GET", "/sse", scripted(sseHeaders, [
            write(bom),
            write(": a comment first\n"),
            write("retry: 3000\nid: 1\nevent: greeting\ndata: hello\n\n"),
            wait(20),
            write("data: line one\ndata: line"),
            wait(20),
            write(" two\ndata:no space\n\n"),
            write(": keep-alive\n\n"),
            write("id: 2\ndata:  two spaces\n\n"),
            write("event: nothing-to-say\n\n"),
            write("data\n\n"),
            write("retry: soon\nfoo: bar\nid: bad\u0000id\ndata: {\"json\":true}\r\n\r\n"),
            write("id: 3\rdata: cr only\r\r"),
            write("event: unfinished\ndata: never dispatched\n")
          ])]]
        })
        const client = yield* clientOn(server, kind)
        const events = yield* Stream.runCollect(ServerSentEvents.stream(client, "/sse"))
        expect(Chunk.toReadonlyArray(events)).toEqual([
          { event: "greeting", data: "hello", id: "1", retry: 3000 },
          { event: "message", data: "line one\nline two\nno space", id: "1", retry: 3000 },
          { event: "message", data: " two spaces", id: "2", retry: 3000 },
          // An event with no data is not dispatched, and its type does not carry over.
          { event: "message", data: "", id: "2", retry: 3000 },
          { event: "message", data: "{\"json\":true}", id: "2", retry: 3000 },
          { event: "message", data: "cr only", id: "3", retry: 3000 }
        ])
        const [entry] = yield* server.journal
        expect(entry.headers["accept"]).toBe("text/event-stream")
      }))

    it.scopedLive("keep-alive comments keep the receive timeout from firing; silence does not", () =>
      Effect.gen(function*() {
        const pings = Array.from({ length: 8 }, () => [write(": ping\n"), wait(100)]).flat()
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/pinging", scripted(sseHeaders, [...pings, write("data: done\n\n")])],
            ["GET", "/silent", scripted(sseHeaders, [wait(800), write("data: done\n\n")])]
          ]
        })
        const client = yield* clientOn(server, kind)
        const timeouts = { receive: "300 millis" } as const
        const events = yield* Stream.runCollect(ServerSentEvents.stream(client, "/pinging", { timeouts }))
        expect(Chunk.toReadonlyArray(events)).toEqual([{ event: "message", data: "done", id: undefined, retry: undefined }])
        const error = yield* Effect.flip(Stream.runDrain(ServerSentEvents.stream(client, "/silent", { timeouts })))
        expect(error).toMatchObject({ _tag: "Timeout", phase: "receive" })
      }))

    it.scopedLive("an event larger than maxEventBytes fails with LimitExceeded, in one line or in many", () =>
      Effect.gen(function*() {
        const dataLine = `data: ${"x".repeat(94)}\n` // 101 bytes
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/long-line", scripted(sseHeaders, [write(`data: ${"x".repeat(2000)}\n\n`)])],
            ["GET", "/many-lines", scripted(sseHeaders, Array.from({ length: 100 }, () => [write(dataLine), wait(2)]).flat())],
            ["GET", "/fits", scripted(sseHeaders, [write(dataLine.repeat(9) + "\n"), write(dataLine.repeat(9) + "\n")])]
          ]
        })
        const client = yield* clientOn(server, kind)
        const options = { maxEventBytes: 1000 }
        for (const path of ["/long-line", "/many-lines"]) {
          const error = yield* Effect.flip(Stream.runDrain(ServerSentEvents.stream(client, path, options)))
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge", limit: 1000 })
        }
        const events = yield* Stream.runCollect(ServerSentEvents.stream(client, "/fits", options))
        expect(Chunk.toReadonlyArray(events).map((e) => e.data.length)).toEqual([9 * 95 - 1, 9 * 95 - 1])
      }))
  })
}

describe("ServerSentEvents.fromLines", () => {
  it.effect("strips one byte order mark at the start, and only there", () =>
    Effect.gen(function*() {
      const events = yield* Stream.runCollect(
        ServerSentEvents.fromLines(Stream.make("\uFEFFdata: a", "", "\uFEFFdata: b", ""))
      )
      expect(Chunk.toReadonlyArray(events).map((e) => e.data)).toEqual(["a"])
    }))

  it.effect("an event type without data is dropped and reset", () =>
    Effect.gen(function*() {
      const events = yield* Stream.runCollect(
        ServerSentEvents.fromLines(Stream.make("event: a", "", "data: x", "", "event: b", "data: y", "data: z", ""))
      )
      expect(Chunk.toReadonlyArray(events).map((e) => [e.event, e.data])).toEqual([["message", "x"], ["b", "y\nz"]])
    }))
})
