import { CourierError, Download } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import { createHash } from "node:crypto"
import type * as Http from "node:http"
import * as Zlib from "node:zlib"
import { clientOn, pattern, waitUntil } from "./support.js"

// Downloads to real files in a temporary folder (removed with each test's
// scope), from a real server, on the node transport. After every failure
// the folder is listed: no destination, no `.part` left behind.

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** A temporary folder, removed with the scope. */
const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "courier-download-" }))

/** The names in `dir`, sorted. */
const listing = (dir: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)).pipe(Effect.map((names) => [...names].sort()))

const readHash = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(path)).pipe(Effect.map(sha256))

/** Progress events into a Ref, for `onProgress`. */
const recorder = Effect.map(Ref.make<ReadonlyArray<Download.Progress>>([]), (ref) => ({
  ref,
  onProgress: (progress: Download.Progress) => Ref.update(ref, (all) => [...all, progress])
}))

const expectMonotonic = (events: ReadonlyArray<Download.Progress>) => {
  for (let i = 1; i < events.length; i++) {
    expect(events[i].transferred).toBeGreaterThanOrEqual(events[i - 1].transferred)
  }
}

/** Closes the socket after what was written is flushed: a body cut short. */
const cut = (request: Http.IncomingMessage) => {
  const socket = request.socket
  socket.end(() => socket.destroy())
}

interface RangeServer {
  /** Answer a `Range` + matching `If-Range` with a 206 of the rest (else 200 and the whole body). */
  readonly honourRange: boolean
  /** Cut the first response after this many bytes. */
  readonly cutFirstAt: number
  /** Replaces the answer to the n-th request (0-based), when it returns true. */
  readonly override?: (n: number, request: Http.IncomingMessage, response: Http.ServerResponse) => boolean
}

/** Serves `data` with an ETag, supporting `Range` / `If-Range` when told, cutting the first response short. */
const rangeServer = (data: Uint8Array, etag: string, options: RangeServer) => {
  let n = 0
  return Reply.custom((request, response) => {
    request.resume()
    const index = n++
    if (options.override?.(index, request, response) === true) return
    const range = /^bytes=(\d+)-$/.exec(String(request.headers["range"] ?? ""))
    if (options.honourRange && range !== null && request.headers["if-range"] === etag) {
      const start = Number(range[1])
      response.writeHead(206, {
        etag,
        "accept-ranges": "bytes",
        "content-length": data.byteLength - start,
        "content-range": `bytes ${start}-${data.byteLength - 1}/${data.byteLength}`
      })
      response.end(data.subarray(start))
      return
    }
    response.writeHead(200, { etag, "accept-ranges": "bytes", "content-length": data.byteLength })
    if (index === 0) {
      response.write(data.subarray(0, options.cutFirstAt))
      cut(request)
    } else {
      response.end(data)
    }
  })
}

describe("Download", () => {
  it.scopedLive("a 5 MB file with Content-Length arrives byte for byte, progress monotonic up to the total", () =>
    Effect.gen(function*() {
      const data = pattern(5 * 1024 * 1024 + 3)
      const server = yield* TestServer.make({
        routes: [["GET", "/file", Reply.bytes(data, { headers: { "content-type": "application/x-test" } })]]
      })
      const client = yield* clientOn(server, "node")
      const dir = yield* tempDir
      const { onProgress, ref } = yield* recorder
      const path = `${dir}/file.bin`
      const result = yield* Download.toFile(client, "/file", { path, onProgress })
      expect(result).toEqual({ path, bytes: data.byteLength, contentType: "application/x-test", resumes: 0 })
      expect(yield* readHash(path)).toBe(sha256(data))
      expect(yield* listing(dir)).toEqual(["file.bin"])
      const events = yield* Ref.get(ref)
      expect(events.length).toBeGreaterThan(2)
      expect(events.every((e) => e.total === data.byteLength)).toBe(true)
      expect(events[0].transferred).toBe(0)
      expect(events[events.length - 1].transferred).toBe(data.byteLength)
      expectMonotonic(events)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scopedLive("a chunked body (no Content-Length): progress has no total, the file is complete", () =>
    Effect.gen(function*() {
      const chunk = pattern(100_000, 5)
      const server = yield* TestServer.make({
        routes: [["GET", "/chunked", Reply.drip({ chunk, interval: "5 millis", count: 10 })]]
      })
      const client = yield* clientOn(server, "node")
      const dir = yield* tempDir
      const { onProgress, ref } = yield* recorder
      const result = yield* Download.toFile(client, "/chunked", { path: `${dir}/out.bin`, onProgress })
      expect(result.bytes).toBe(1_000_000)
      const expected = new Uint8Array(1_000_000)
      for (let i = 0; i < 10; i++) expected.set(chunk, i * 100_000)
      expect(yield* readHash(`${dir}/out.bin`)).toBe(sha256(expected))
      const [entry] = yield* server.journal
      expect(entry.headers["range"]).toBeUndefined()
      const events = yield* Ref.get(ref)
      expect(events.every((e) => e.total === undefined)).toBe(true)
      expect(events[events.length - 1].transferred).toBe(1_000_000)
      expectMonotonic(events)
      expect(yield* listing(dir)).toEqual(["out.bin"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  describe("failures leave nothing behind", () => {
    it.scopedLive("a body cut short without a validator fails with Network: no file, no temp file", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/cut", Reply.closeMidBody({ declaredLength: 1_000_000, body: pattern(300_000, 3) })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const error = yield* Effect.flip(Download.toFile(client, "/cut", { path: `${dir}/out.bin` }))
        expect(error).toBeInstanceOf(CourierError.Network)
        expect(yield* listing(dir)).toEqual([])
        // No validator: nothing to resume with.
        expect(yield* server.requests("/cut")).toHaveLength(1)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("an existing destination is untouched by a failed download", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const server = yield* TestServer.make({
          routes: [["GET", "/cut", Reply.closeMidBody({ declaredLength: 1_000_000, body: pattern(300_000, 3) })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const path = `${dir}/report.pdf`
        yield* fs.writeFileString(path, "the previous version")
        const error = yield* Effect.flip(Download.toFile(client, "/cut", { path }))
        expect(error._tag).toBe("Network")
        expect(yield* fs.readFileString(path)).toBe("the previous version")
        expect(yield* listing(dir)).toEqual(["report.pdf"])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("interrupted mid-download: no file, no temp file, and the connection is closed", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/slow", Reply.drip({ chunk: pattern(16 * 1024), interval: "30 millis", count: 500 })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const { onProgress, ref } = yield* recorder
        const fiber = yield* Effect.fork(Download.toFile(client, "/slow", { path: `${dir}/slow.bin`, onProgress }))
        yield* waitUntil(
          Effect.map(Ref.get(ref), (events) => events.some((e) => e.transferred >= 64 * 1024)),
          "64 KiB arrived"
        )
        // Mid-download, the bytes are in a temp file next to the destination.
        const during = yield* listing(dir)
        expect(during).toHaveLength(1)
        expect(during[0]).toMatch(/^\.slow\.bin\.[0-9a-f]{8}\.part$/)
        yield* Fiber.interrupt(fiber)
        expect(yield* listing(dir)).toEqual([])
        expect(yield* server.awaitIdle("3 seconds")).toBe(true)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a 404 fails with BadResponse and creates no file", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make()
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const error = yield* Effect.flip(Download.toFile(client, "/missing", { path: `${dir}/out.bin` }))
        expect(error).toBeInstanceOf(CourierError.BadResponse)
        expect(error).toMatchObject({ _tag: "BadResponse", status: 404 })
        expect(yield* listing(dir)).toEqual([])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("maxResponseBytes caps the download: LimitExceeded, no file, the connection dropped", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/declared", Reply.bytes(pattern(2 * 1024 * 1024))],
            ["GET", "/undeclared", Reply.drip({ chunk: pattern(64 * 1024), interval: "2 millis", count: 40 })]
          ]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        for (const path of ["/declared", "/undeclared"]) {
          const error = yield* Effect.flip(
            Download.toFile(client, path, { path: `${dir}/out.bin`, maxResponseBytes: 1024 * 1024 })
          )
          expect(error).toBeInstanceOf(CourierError.LimitExceeded)
          expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "ResponseTooLarge", limit: 1024 * 1024 })
          expect(yield* listing(dir)).toEqual([])
          // The rest of the body is not read: the connection is given up.
          expect(yield* server.awaitIdle("3 seconds")).toBe(true)
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })

  describe("resume", () => {
    const data = pattern(2 * 1024 * 1024, 9)
    const etag = "\"v1-2097152\""
    const cutAt = 700 * 1024

    it.scopedLive("a body cut short resumes with Range and If-Range, and the file is byte for byte", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/file", rangeServer(data, etag, { honourRange: true, cutFirstAt: cutAt })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const { onProgress, ref } = yield* recorder
        const result = yield* Download.toFile(client, "/file", { path: `${dir}/file.bin`, onProgress })
        expect(result.resumes).toBe(1)
        expect(result.bytes).toBe(data.byteLength)
        expect(yield* readHash(`${dir}/file.bin`)).toBe(sha256(data))
        expect(yield* listing(dir)).toEqual(["file.bin"])

        const [first, second] = yield* server.requests("/file")
        expect(first.headers["range"]).toBeUndefined()
        expect(first.headers["if-range"]).toBeUndefined()
        const range = /^bytes=(\d+)-$/.exec(String(second.headers["range"]))
        expect(range).not.toBeNull()
        const offset = Number(range![1])
        expect(offset).toBeGreaterThan(0)
        expect(offset).toBeLessThanOrEqual(cutAt)
        expect(second.headers["if-range"]).toBe(etag)
        expect(yield* server.requests("/file")).toHaveLength(2)
        // Progress goes on from where it was; it never starts again.
        const events = yield* Ref.get(ref)
        expectMonotonic(events)
        expect(events[events.length - 1]).toEqual({ transferred: data.byteLength, total: data.byteLength })
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a server that ignores Range (200 again) makes it start over, the file still byte for byte", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/file", rangeServer(data, etag, { honourRange: false, cutFirstAt: cutAt })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const result = yield* Download.toFile(client, "/file", { path: `${dir}/file.bin` })
        expect(result.resumes).toBe(1)
        expect(result.bytes).toBe(data.byteLength)
        expect(yield* readHash(`${dir}/file.bin`)).toBe(sha256(data))
        expect(yield* listing(dir)).toEqual(["file.bin"])
        const entries = yield* server.requests("/file")
        expect(entries).toHaveLength(2)
        expect(entries[1].headers["range"]).toMatch(/^bytes=\d+-$/)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a 206 that does not continue the file is not written as the file: it starts over", () =>
      Effect.gen(function*() {
        // The second answer is a 206 of the first MiB: a server that ignored
        // If-Range, or a proxy answering another range. Writing it as the
        // whole file would pass the length check and leave a corrupt file.
        const server = yield* TestServer.make({
          routes: [["GET", "/file", rangeServer(data, etag, {
            honourRange: true,
            cutFirstAt: cutAt,
            override: (n, _, response) => {
              if (n !== 1) return false
              response.writeHead(206, {
                etag,
                "content-length": 1024 * 1024,
                "content-range": `bytes 0-${1024 * 1024 - 1}/${data.byteLength}`
              })
              response.end(data.subarray(0, 1024 * 1024))
              return true
            }
          })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const result = yield* Download.toFile(client, "/file", { path: `${dir}/file.bin` })
        expect(yield* readHash(`${dir}/file.bin`)).toBe(sha256(data))
        expect(result.bytes).toBe(data.byteLength)
        const entries = yield* server.requests("/file")
        expect(entries.map((e) => e.headers["range"] === undefined)).toEqual([true, false, true])
        expect(yield* listing(dir)).toEqual(["file.bin"])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("a weak ETag is never sent in If-Range; Last-Modified is used instead", () =>
      Effect.gen(function*() {
        const lastModified = "Tue, 02 Jan 2024 03:04:05 GMT"
        const server = yield* TestServer.make({
          routes: [["GET", "/file", rangeServer(data, etag, {
            honourRange: true,
            cutFirstAt: cutAt,
            override: (n, request, response) => {
              if (n !== 0) return false
              response.writeHead(200, { etag: "W/\"weak\"", "last-modified": lastModified, "content-length": data.byteLength })
              response.write(data.subarray(0, cutAt))
              cut(request)
              return true
            }
          })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        // The server answers the Last-Modified If-Range with the whole body: it starts over.
        const result = yield* Download.toFile(client, "/file", { path: `${dir}/file.bin` })
        expect(yield* readHash(`${dir}/file.bin`)).toBe(sha256(data))
        expect(result.resumes).toBe(1)
        const [, second] = yield* server.requests("/file")
        expect(second.headers["if-range"]).toBe(lastModified)
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    // fetch decodes the body itself and reports the cut as a reset (node's zlib, as a corrupt body):
    // on either, Range offsets would count decoded bytes against the coded representation.
    it.scopedLive.each(["node", "fetch"] as const)("a compressed body cut short is not resumed (%s transport)", (kind) =>
      Effect.gen(function*() {
        const text = new TextEncoder().encode("line of a log file\n".repeat(200_000))
        const gzipped = Zlib.gzipSync(text)
        const server = yield* TestServer.make({
          routes: [["GET", "/log", Reply.custom((request, response) => {
            request.resume()
            response.writeHead(200, { etag, "content-encoding": "gzip", "content-length": gzipped.byteLength })
            response.write(gzipped.subarray(0, gzipped.byteLength >> 1))
            cut(request)
          })]]
        })
        const client = yield* clientOn(server, kind)
        const dir = yield* tempDir
        const error = yield* Effect.flip(Download.toFile(client, "/log", { path: `${dir}/log.txt` }))
        expect(error._tag).toBe("Network")
        expect(yield* server.requests("/log")).toHaveLength(1)
        expect(yield* listing(dir)).toEqual([])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("maxResumes: 0 turns resuming off", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/file", rangeServer(data, etag, { honourRange: true, cutFirstAt: cutAt })]]
        })
        const client = yield* clientOn(server, "node")
        const dir = yield* tempDir
        const error = yield* Effect.flip(Download.toFile(client, "/file", { path: `${dir}/file.bin`, maxResumes: 0 }))
        expect(error._tag).toBe("Network")
        expect(yield* server.requests("/file")).toHaveLength(1)
        expect(yield* listing(dir)).toEqual([])
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })

  describe("Content-Disposition", () => {
    const body = new TextEncoder().encode("contents")
    const disposed = (value: string) => Reply.bytes(body, { headers: { "content-disposition": value } })

    /** root/parent/folder, so that what lands beside or above the folder shows. */
    const layout = Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const root = yield* tempDir
      const folder = `${root}/parent/folder`
      yield* fs.makeDirectory(folder, { recursive: true })
      return { root, parent: `${root}/parent`, folder }
    })

    it.scopedLive("is ignored by default: the caller's path is used", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/f", disposed("attachment; filename=\"../../etc/passwd\"")]]
        })
        const client = yield* clientOn(server, "node")
        const { folder, parent, root } = yield* layout
        const result = yield* Download.toFile(client, "/f", { path: `${folder}/mine.bin` })
        expect(result.path).toBe(`${folder}/mine.bin`)
        expect(yield* listing(folder)).toEqual(["mine.bin"])
        expect(yield* listing(parent)).toEqual(["folder"])
        expect(yield* listing(root)).toEqual(["parent"])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.scopedLive("with useContentDisposition, names are sanitised and nothing is written outside the folder", () =>
      Effect.gen(function*() {
        const long = "a".repeat(300) + ".bin"
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/passwd", disposed("attachment; filename=\"../../etc/passwd\"")],
            ["GET", "/bashrc", disposed("attachment; filename=\".bashrc\"")],
            ["GET", "/resume", disposed("attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")],
            ["GET", "/encoded-slash", disposed("attachment; filename*=UTF-8''..%2F..%2Fescape.txt")],
            ["GET", "/backslash", disposed("attachment; filename=\"..\\\\..\\\\win.ini\"")],
            ["GET", "/dots", disposed("attachment; filename=\"..\"")],
            ["GET", "/long", disposed(`attachment; filename="${long}"`)],
            ["GET", "/none", Reply.bytes(body)]
          ]
        })
        const client = yield* clientOn(server, "node")
        const { folder, parent, root } = yield* layout
        const fetched: Array<string> = []
        for (const path of ["/passwd", "/bashrc", "/resume", "/encoded-slash", "/backslash", "/long"]) {
          const result = yield* Download.toFile(client, path, { path: folder, useContentDisposition: true })
          fetched.push(result.path.slice(folder.length + 1))
        }
        const noName = yield* Download.toFile(client, "/none", { path: `${folder}/`, useContentDisposition: true })
        expect(noName.path).toBe(`${folder}/download`)
        yield* FileSystem.FileSystem.pipe(Effect.flatMap((fs) => fs.remove(noName.path)))
        const dots = yield* Download.toFile(client, "/dots", { path: folder, useContentDisposition: true })
        expect(dots.path).toBe(`${folder}/download`)

        expect(fetched.slice(0, 5)).toEqual(["passwd", "bashrc", "résumé.pdf", "escape.txt", "win.ini"])
        // A long name is cut to leave room for the temporary file's name, and keeps no path.
        expect(fetched[5]).toMatch(/^a+$|^a+\.bin$/)
        expect(Buffer.byteLength(fetched[5])).toBeLessThanOrEqual(200)
        expect(yield* listing(folder)).toEqual([...fetched, "download"].sort())
        expect(yield* listing(parent)).toEqual(["folder"])
        expect(yield* listing(root)).toEqual(["parent"])
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })
})

describe("Download.safeFilename", () => {
  it.each([
    [undefined, undefined],
    ["attachment", undefined],
    ["attachment; filename=\"report.pdf\"", "report.pdf"],
    ["attachment; filename=report.pdf", "report.pdf"],
    ["attachment; filename=\"../../etc/passwd\"", "passwd"],
    ["attachment; filename=\"/etc/passwd\"", "passwd"],
    ["attachment; filename=\"C:\\\\Windows\\\\evil.dll\"", "evil.dll"],
    ["attachment; filename=\".bashrc\"", "bashrc"],
    ["attachment; filename=\"..\"", undefined],
    ["attachment; filename=\"a\\\"b.txt\"", "a\"b.txt"],
    ["attachment; filename=\"new\r\nline.txt\"", "newline.txt"],
    ["attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", "résumé.pdf"],
    ["attachment; filename=\"fallback.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", "résumé.pdf"],
    ["attachment; filename*=utf-8'en'r%C3%A9sum%C3%A9.pdf", "résumé.pdf"],
    ["attachment; FILENAME*=Utf-8''%E2%82%AC.txt", "€.txt"],
    ["attachment; filename*=iso-8859-1'en'caf%E9.txt", "café.txt"],
    ["attachment; filename*=UTF-8''bad%ZZ; filename=\"fallback.pdf\"", "fallback.pdf"],
    ["attachment; FileName=\"upper.txt\"", "upper.txt"],
    ["attachment; filename*=UTF-8''..%2F..%2Fx.txt", "x.txt"],
    ["attachment; filename*=UTF-8''%00%01.hidden", "hidden"]
  ] as const)("%s → %s", (header, expected) => {
    expect(Download.safeFilename(header)).toBe(expected)
  })

  it("cuts a long name to at most 200 bytes of UTF-8, never inside a character", () => {
    const name = Download.safeFilename(`attachment; filename*=UTF-8''${"%E2%82%AC".repeat(100)}.txt`)!
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200)
    expect(name).toMatch(/^€+(\.txt)?$/)
    expect(name).not.toContain("\uFFFD")
  })
})
