import { Body, Multipart } from "@courier/client"
import type { CourierClient } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { clientOn, transports } from "./support.js"

/** Records every progress report. */
const recorder = () => {
  const seen: Array<CourierClient.Progress> = []
  return { seen, onProgress: (p: CourierClient.Progress) => Effect.sync(() => void seen.push(p)) }
}

const expectMonotonicTo = (seen: ReadonlyArray<CourierClient.Progress>, last: number) => {
  expect(seen.length).toBeGreaterThan(0)
  for (let i = 1; i < seen.length; i++) expect(seen[i].transferred).toBeGreaterThanOrEqual(seen[i - 1].transferred)
  expect(seen[seen.length - 1].transferred).toBe(last)
}

for (const kind of transports) {
  describe(`progress on ${kind}`, () => {
    it.scopedLive("upload progress of a byte body reaches its total", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/up", Reply.status(204)]] })
        const client = yield* clientOn(server, kind)
        const { onProgress, seen } = recorder()
        const bytes = new Uint8Array(300_000).fill(1)
        yield* client.put("/up", { body: Body.bytes(bytes), responseType: "none", onUploadProgress: onProgress })
        expectMonotonicTo(seen, 300_000)
        expect(seen.every((p) => p.total === 300_000)).toBe(true)
        expect(seen.length).toBeGreaterThan(1)
      }))

    it.scopedLive("upload progress of a multipart body with a file from disk reaches the body's length", () =>
      Effect.gen(function*() {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-progress-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
        const file = Path.join(dir, "data.bin")
        Fs.writeFileSync(file, new Uint8Array(1024 * 1024).fill(7))
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.status(204)]] })
        const client = yield* clientOn(server, kind)
        const part = yield* Multipart.file("file", file).pipe(Effect.provide(NodeFileSystem.layer))
        const { onProgress, seen } = recorder()
        yield* client.post("/upload", {
          body: Multipart.body([Multipart.field("note", "hi"), part]),
          responseType: "none",
          onUploadProgress: onProgress
        })
        const [entry] = yield* server.journal
        expectMonotonicTo(seen, entry.body.byteLength)
        expect(seen[seen.length - 1].total).toBe(entry.body.byteLength)
      }))

    it.scopedLive("upload progress of a multipart body with a large part from memory advances through it", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.status(204)]] })
        const client = yield* clientOn(server, kind)
        const { onProgress, seen } = recorder()
        yield* client.post("/upload", {
          body: Multipart.body([Multipart.bytes("blob", new Uint8Array(1024 * 1024).fill(3))]),
          responseType: "none",
          onUploadProgress: onProgress
        })
        const [entry] = yield* server.journal
        expectMonotonicTo(seen, entry.body.byteLength)
        // Reported as it goes, not once at the end.
        expect(seen.length).toBeGreaterThan(3)
      }))

    it.scopedLive("upload progress of a stream of unknown length has no total", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/up", Reply.status(204)]] })
        const client = yield* clientOn(server, kind)
        const { onProgress, seen } = recorder()
        const chunks = Array.from({ length: 5 }, () => new Uint8Array(10_000))
        yield* client.post("/up", { body: Body.stream(Stream.fromIterable(chunks)), responseType: "none", onUploadProgress: onProgress })
        expectMonotonicTo(seen, 50_000)
        expect(seen.every((p) => p.total === undefined)).toBe(true)
      }))

    it.scopedLive("download progress reaches the Content-Length; without one the total is unknown", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/sized", Reply.bytes(new Uint8Array(200_000))],
            ["GET", "/chunked", Reply.drip({ chunk: "abcd", interval: "2 millis", count: 5 })]
          ]
        })
        const client = yield* clientOn(server, kind)
        const sized = recorder()
        yield* client.get("/sized", { responseType: "bytes", onDownloadProgress: sized.onProgress })
        expectMonotonicTo(sized.seen, 200_000)
        expect(sized.seen[sized.seen.length - 1].total).toBe(200_000)
        const chunked = recorder()
        yield* client.get("/chunked", { responseType: "text", onDownloadProgress: chunked.onProgress })
        expectMonotonicTo(chunked.seen, 20)
        expect(chunked.seen.every((p) => p.total === undefined)).toBe(true)
      }))

    it.scopedLive("a progress callback that dies does not break the transfer", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.bytes(new Uint8Array(100_000))]] })
        const client = yield* clientOn(server, kind)
        const bytes = yield* client.get("/x", { responseType: "bytes", onDownloadProgress: () => Effect.die("boom") })
        expect(bytes.byteLength).toBe(100_000)
      }))
  })
}
