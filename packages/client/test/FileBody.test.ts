import { Body, Retry } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import {
  clientOn,
  descriptorsOn,
  fileClosed,
  hasProc,
  largeFile,
  pattern,
  retryingClientOn,
  scratchDir,
  transports,
  virtualFile,
  waitForRequests,
  waitUntil
} from "./support.js"

// `Body.file`: a file from disk as the whole body, as a PUT to a presigned
// storage URL sends it. What arrives is compared byte for byte (by hash)
// with the file.

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const content = pattern(3 * 1024 * 1024 + 7, 5)

/** `content` written to a scratch folder. */
const onDisk = Effect.map(scratchDir, (dir) => {
  const path = Path.join(dir, "backup.bin")
  Fs.writeFileSync(path, content)
  return path
})

for (const kind of transports) {
  describe(`Body.file on ${kind}`, () => {
    it.scopedLive("sends the file whole, with its content type and (on node) its Content-Length", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/bucket/backup.bin", Reply.status(200)]] })
        const client = yield* clientOn(server, kind)
        const body = yield* Body.file(yield* onDisk, { contentType: "application/x-backup" })
        expect(Body.isReplayable(body)).toBe(true)
        yield* client.put("/bucket/backup.bin", { body, responseType: "none" })

        const [entry] = yield* server.journal
        expect(entry.bodyComplete).toBe(true)
        expect(entry.body.byteLength).toBe(content.byteLength)
        expect(sha256(entry.body)).toBe(sha256(content))
        expect(entry.headers["content-type"]).toBe("application/x-backup")
        // fetch streams every ReadableStream body chunked (the Fetch standard drops a set length).
        if (kind === "node") expect(entry.headers["content-length"]).toBe(String(content.byteLength))
        else expect(entry.headers["transfer-encoding"]).toBe("chunked")
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("after a 503 the retry reads the file again and sends it whole", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["PUT", "/bucket/backup.bin", Reply.sequence([Reply.status(503), Reply.status(200)])]]
        })
        const client = yield* retryingClientOn(server, kind)
        const body = yield* Body.file(yield* onDisk)
        yield* client.put("/bucket/backup.bin", { body, headers: Retry.idempotencyKey(), responseType: "none" })

        const entries = yield* server.journal
        expect(entries).toHaveLength(2)
        for (const entry of entries) expect(sha256(entry.body)).toBe(sha256(content))
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("upload progress reaches the file's size", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/bucket/backup.bin", Reply.status(200)]] })
        const client = yield* clientOn(server, kind)
        const seen: Array<readonly [number, number | undefined]> = []
        yield* client.put("/bucket/backup.bin", {
          body: yield* Body.file(yield* onDisk),
          responseType: "none",
          onUploadProgress: (p) => Effect.sync(() => seen.push([p.transferred, p.total]))
        })
        expect(seen.length).toBeGreaterThan(3)
        expect(seen[seen.length - 1]).toEqual([content.byteLength, content.byteLength])
        for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThan(seen[i - 1][0])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a file that grew since Body.file fails with Network(RequestBody) and is closed", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/bucket/backup.bin", Reply.status(200)]] })
        const client = yield* clientOn(server, kind)
        const path = yield* onDisk
        const body = yield* Body.file(path)
        Fs.appendFileSync(path, "one more line\n")
        const failure = yield* Effect.flip(client.put("/bucket/backup.bin", { body, responseType: "none" }))
        expect(failure).toMatchObject({ _tag: "Network", reason: "RequestBody" })
        if (hasProc) yield* fileClosed(path)
        for (const entry of yield* server.journal) expect(entry.bodyComplete).toBe(false)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a file read through another FileSystem that grew at a read's end fails before its last byte", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/bucket/data.bin", Reply.status(200)]] })
        const client = yield* clientOn(server, kind)
        const measured = content.subarray(0, 256 * 1024)
        // The measured size, then more, in a later read: sent at once, the
        // declared length would be complete and answered before the extra bytes show.
        const grown = Stream.concat(
          Stream.succeed(measured),
          Stream.fromEffect(Effect.as(Effect.sleep("300 millis"), new Uint8Array([1, 2, 3])))
        )
        const body = yield* Body.file("/courier-virtual/data.bin").pipe(
          Effect.provide(virtualFile(measured.byteLength, grown))
        )
        const failure = yield* Effect.flip(client.put("/bucket/data.bin", { body, responseType: "none" }))
        expect(failure).toMatchObject({ _tag: "Network", reason: "RequestBody" })
        for (const entry of yield* server.journal) expect(entry.body.byteLength).toBeLessThan(measured.byteLength)
      }))

    it.scopedLive("an interrupted upload closes the file", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["PUT", "/bucket/large.bin", Reply.stallReadingBody]] })
        const client = yield* clientOn(server, kind)
        const path = yield* largeFile
        const fiber = yield* Effect.fork(client.put("/bucket/large.bin", { body: yield* Body.file(path), responseType: "none" }))
        yield* waitForRequests(server, "/bucket/large.bin")
        if (hasProc) yield* waitUntil(Effect.sync(() => descriptorsOn(path) > 0), "the file is open")
        yield* Fiber.interrupt(fiber)
        if (hasProc) yield* fileClosed(path)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.effect("a missing file fails when the body is made, with the platform's typed error", () =>
      Effect.gen(function*() {
        const failure = yield* Effect.flip(Body.file("/nonexistent/courier/backup.bin"))
        expect(failure).toMatchObject({ _tag: "SystemError", reason: "NotFound" })
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })
}
