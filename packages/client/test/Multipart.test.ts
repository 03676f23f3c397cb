import { Auth, Body, CourierClient, CourierError, Multipart, Retry, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import Busboy from "busboy"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import type * as Http from "node:http"
import * as Path from "node:path"
import { clientOn, descriptorsOn, retryingClientOn, virtualFile, fileClosed, hasProc, largeFile, pattern, scratchDir, transports, waitForRequests, waitUntil } from "./support.js"

// What a real multipart parser (busboy, the one behind multer and fastify)
// makes of the bytes Courier puts on the wire: the parts, their names and
// filenames as the server sees them, the file contents, the length.

const encoder = new TextEncoder()
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** One part as busboy delivered it. */
interface ReceivedPart {
  readonly kind: "field" | "file"
  readonly name: string
  /** The text of a field. */
  readonly value: string | undefined
  readonly filename: string | undefined
  readonly mimeType: string
  readonly size: number
  readonly sha256: string
}

/** One request as the server parsed it. */
interface Upload {
  readonly headers: Http.IncomingHttpHeaders
  /** Bytes of body that reached the server. */
  readonly received: number
  readonly parts: ReadonlyArray<ReceivedPart>
  /** Set when busboy refused the body. */
  readonly error: string | undefined
}

/**
 * Parses a request with busboy, keeping the names as sent: `preservePath`
 * (no basename applied to filenames) and UTF-8 parameters, as browsers send them.
 */
const parse = (request: Http.IncomingMessage): Promise<Upload> =>
  new Promise((resolve) => {
    const parts: Array<ReceivedPart> = []
    const pending: Array<Promise<void>> = []
    let received = 0
    let error: string | undefined
    request.on("data", (chunk: Buffer) => {
      received += chunk.byteLength
    })
    const done = () =>
      void Promise.all(pending).then(() => resolve({ headers: request.headers, received, parts, error }))
    let parser: Busboy.Busboy
    try {
      parser = Busboy({ headers: request.headers, preservePath: true, defParamCharset: "utf8" })
    } catch (e) {
      error = String(e)
      request.resume()
      request.on("end", done)
      return
    }
    parser.on("field", (name, value, info) => {
      const bytes = encoder.encode(value)
      parts.push({
        kind: "field",
        name,
        value,
        filename: undefined,
        mimeType: info.mimeType,
        size: bytes.byteLength,
        sha256: sha256(bytes)
      })
    })
    parser.on("file", (name, file, info) => {
      const hash = createHash("sha256")
      let size = 0
      const index = parts.length
      parts.push({ kind: "file", name, value: undefined, filename: info.filename, mimeType: info.mimeType, size: 0, sha256: "" })
      pending.push(
        new Promise<void>((fileDone) => {
          file.on("data", (chunk: Buffer) => {
            size += chunk.byteLength
            hash.update(chunk)
          })
          file.on("end", () => {
            parts[index] = { ...parts[index], size, sha256: hash.digest("hex") }
            fileDone()
          })
        })
      )
    })
    parser.on("error", (e) => {
      error = String(e)
      request.unpipe(parser)
      request.resume()
      if (request.readableEnded) done()
      else request.on("end", done)
    })
    parser.on("close", done)
    request.pipe(parser)
  })

/**
 * A route that parses every request with busboy, records it in `uploads`,
 * then answers what `answer` says for it (200 `{ ok: true }` by default).
 */
const parsingReply = (
  uploads: Array<Upload>,
  answer: (upload: Upload, index: number) => number = () => 200
) =>
  Reply.custom((request, response) => {
    void parse(request).then((upload) => {
      uploads.push(upload)
      const status = answer(upload, uploads.length - 1)
      const body = JSON.stringify(status === 200 ? { ok: true } : { error: status })
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      response.end(body)
    })
  })

const big = pattern(3 * 1024 * 1024 + 13)
const bigHash = sha256(big)

/** A temporary folder (removed with the scope) holding `big.bin`, the 3 MB file. */
const bigFile = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "courier-multipart-" })
  const path = `${dir}/big.bin`
  yield* fs.writeFile(path, big)
  return path
})

const boundaryOf = (upload: Upload): string => {
  const match = /boundary=(\S+)$/.exec(String(upload.headers["content-type"]))
  expect(match).not.toBeNull()
  return match![1]
}

/**
 * The body's length reached the wire as declared. undici sends the
 * `Content-Length` Courier computed; fetch streams every `ReadableStream`
 * body chunked and drops a `Content-Length` set by hand (the Fetch standard
 * forbids it), so there the length only shows in what arrived.
 */
const expectDeclared = (upload: Upload, kind: TestClient.Transport) => {
  if (kind === "node") {
    expect(upload.headers["content-length"]).toBe(String(upload.received))
    expect(upload.headers["transfer-encoding"]).toBeUndefined()
  } else {
    expect(upload.headers["content-length"]).toBeUndefined()
    expect(upload.headers["transfer-encoding"]).toBe("chunked")
  }
}

/** A field as busboy reports it (the hash is compared separately). */
const field = (name: string, value: string): ReceivedPart => ({
  kind: "field",
  name,
  value,
  filename: undefined,
  mimeType: "text/plain",
  size: encoder.encode(value).byteLength,
  sha256: ""
})

/** A file as busboy reports it (the hash is compared separately). */
const file = (name: string, filename: string, mimeType: string, size: number): ReceivedPart => ({
  kind: "file",
  name,
  value: undefined,
  filename,
  mimeType,
  size,
  sha256: ""
})

const withoutHash = (part: ReceivedPart) => ({ ...part, sha256: undefined })


for (const kind of transports) {
  describe(`Multipart on ${kind}`, () => {
    describe("what the server's parser receives", () => {
      it.scopedLive("fields, a file from bytes, a file from a path, several files under one key", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
          const client = yield* clientOn(server, kind)
          const path = yield* bigFile
          const onDisk = yield* Multipart.file("archive", path, { contentType: "application/x-archive" })
          const small = encoder.encode("hello, world\n")
          const json = encoder.encode("{\"a\":1}")
          const body = Multipart.body([
            Multipart.field("title", "Quarterly report – draft"),
            Multipart.field("count", 3),
            Multipart.field("flag", true),
            Multipart.bytes("note", small, { filename: "note.txt", contentType: "text/plain" }),
            onDisk,
            Multipart.bytes("docs", small, { filename: "a.txt", contentType: "text/plain" }),
            Multipart.bytes("docs", json, { filename: "b.json", contentType: "application/json" }),
            Multipart.bytes("blob", new Uint8Array([0, 1, 2, 255]))
          ])
          expect(yield* client.post("/upload", { body })).toEqual({ ok: true })

          expect(uploads).toHaveLength(1)
          const [upload] = uploads
          expect(upload.error).toBeUndefined()
          expect(upload.parts.map(withoutHash)).toEqual([
            field("title", "Quarterly report – draft"),
            field("count", "3"),
            field("flag", "true"),
            file("note", "note.txt", "text/plain", small.byteLength),
            file("archive", "big.bin", "application/x-archive", big.byteLength),
            file("docs", "a.txt", "text/plain", small.byteLength),
            file("docs", "b.json", "application/json", json.byteLength),
            file("blob", "blob", "application/octet-stream", 4)
          ].map(withoutHash))
          expect(upload.parts[3].sha256).toBe(sha256(small))
          expect(upload.parts[4].sha256).toBe(bigHash)
          expect(upload.parts[6].sha256).toBe(sha256(json))
          expect(upload.parts[7].sha256).toBe(sha256(new Uint8Array([0, 1, 2, 255])))

          // Every size was known: the length is computed, and it is exactly what arrived.
          expect(upload.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=courier-[0-9a-f]{32}$/)
          // Prepared again, with a new boundary of the same length.
          const prepared = yield* client.prepare("POST", "/upload", { body })
          expect(prepared.body).toMatchObject({ _tag: "Stream", replayable: true })
          expect(prepared.body._tag === "Stream" && prepared.body.contentLength).toBe(upload.received)
          expectDeclared(upload, kind)
          const [entry] = yield* server.journal
          expect(entry.body.byteLength).toBe(upload.received)
          expect(entry.bodyComplete).toBe(true)
          // The body closes with the final delimiter.
          expect(entry.bodyText.endsWith(`--${boundaryOf(upload)}--\r\n`)).toBe(true)
        }).pipe(Effect.provide(NodeFileSystem.layer)))

      it.scopedLive("a file from a one-shot stream arrives whole, sent chunked when its size is unknown", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
          const client = yield* clientOn(server, kind)
          const content = pattern(600_000, 11)
          const chunks = Array.from({ length: 6 }, (_, i) => content.subarray(i * 100_000, (i + 1) * 100_000))
          yield* client.post("/upload", {
            body: Multipart.body([
              Multipart.field("kind", "stream"),
              Multipart.stream("video", Stream.fromIterable(chunks), { filename: "clip.mp4", contentType: "video/mp4" })
            ])
          })
          const [upload] = uploads
          expect(upload.error).toBeUndefined()
          expect(upload.parts.map(withoutHash)).toEqual(
            [field("kind", "stream"), file("video", "clip.mp4", "video/mp4", content.byteLength)].map(withoutHash)
          )
          expect(upload.parts[1].sha256).toBe(sha256(content))
          expect(upload.headers["content-length"]).toBeUndefined()
          expect(upload.headers["transfer-encoding"]).toBe("chunked")
          const prepared = yield* client.prepare("POST", "/upload", {
            body: Multipart.body([Multipart.stream("video", Stream.empty)])
          })
          expect(prepared.body._tag === "Stream" && prepared.body.contentLength).toBeUndefined()

          // With its size given, the length is known again.
          yield* client.post("/upload", {
            body: Multipart.body([
              Multipart.stream("video", Stream.fromIterable(chunks), { filename: "clip.mp4", size: content.byteLength })
            ])
          })
          const second = uploads[1]
          expect(second.parts[0].sha256).toBe(sha256(content))
          expectDeclared(second, kind)
        }))
    })

    describe("hostile names", () => {
      // The escaping of the WHATWG form-data encoding, as browsers send it: `"` as %22,
      // CR as %0D, LF as %0A. (Browsers first turn a lone CR or LF into CRLF; Courier
      // keeps a name's own line breaks, escaped one for one.)
      const names: ReadonlyArray<readonly [sent: string, seen: string]> = [
        ["quote\"d", "quote%22d"],
        ["cr\rhere", "cr%0Dhere"],
        ["lf\nhere", "lf%0Ahere"],
        ["x\r\nContent-Type: text/html\r\n\r\ninjected", "x%0D%0AContent-Type: text/html%0D%0A%0D%0Ainjected"],
        ["a; name=\"x\"", "a; name=%22x%22"],
        ["x\"; filename=\"evil.sh", "x%22; filename=%22evil.sh"],
        ["ünïcødé 名前 🎉", "ünïcødé 名前 🎉"],
        ["../../etc/passwd", "../../etc/passwd"]
      ]

      it.scopedLive("field names and filenames arrive escaped as browsers send them: no extra part, no extra header", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
          const client = yield* clientOn(server, kind)
          const parts = names.flatMap(([sent], i) => [
            Multipart.field(sent, `value ${i}`),
            Multipart.bytes(sent, encoder.encode(`file ${i}`), { filename: sent, contentType: "text/plain" })
          ])
          yield* client.post("/upload", { body: Multipart.body(parts) })

          const [upload] = uploads
          expect(upload.error).toBeUndefined()
          expect(upload.parts.map((part) => [part.kind, part.name, part.filename, part.value])).toEqual(
            names.flatMap(([, seen], i) => [
              ["field", seen, undefined, `value ${i}`],
              ["file", seen, seen, undefined]
            ])
          )
          expect(upload.parts.filter((p) => p.kind === "file").map((p) => p.mimeType)).toEqual(names.map(() => "text/plain"))

          // On the wire: one delimiter per part, and each part's head holds
          // exactly its Content-Disposition (and Content-Type for a file).
          const [entry] = yield* server.journal
          const sections = entry.bodyText.split(`--${boundaryOf(upload)}`)
          expect(sections).toHaveLength(parts.length + 2)
          expect(sections[0]).toBe("")
          expect(sections[sections.length - 1]).toBe("--\r\n")
          sections.slice(1, -1).forEach((section, i) => {
            const head = section.slice(2, section.indexOf("\r\n\r\n"))
            const lines = head.split("\r\n")
            expect(lines).toHaveLength(i % 2 === 0 ? 1 : 2)
            expect(lines[0]).toMatch(/^Content-Disposition: form-data; name="[^"\r\n]*"(; filename="[^"\r\n]*")?$/)
            if (i % 2 === 1) expect(lines[1]).toBe("Content-Type: text/plain")
          })
        }))

      it.scopedLive.each([
        ["CR LF", "text/plain\r\nX-Injected: yes"],
        ["LF", "text/plain\nX-Injected: yes"],
        ["CR", "text/plain\rX-Injected: yes"],
        ["NUL", "text/plain\u0000"],
        ["empty", ""]
      ])("a content type with %s is refused before anything is sent", ([, contentType]) =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.echo]] })
          const client = yield* clientOn(server, kind)
          const error = yield* Effect.flip(client.post("/upload", {
            body: Multipart.body([
              Multipart.field("a", "1"),
              Multipart.bytes("f", encoder.encode("x"), { filename: "f.txt", contentType })
            ])
          }))
          expect(error).toBeInstanceOf(CourierError.RequestRefused)
          expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidBody" })
          // Nothing of the value leaks into the message.
          expect(error.message).not.toContain("X-Injected")
          expect(yield* server.journal).toEqual([])
          expect(yield* server.totalConnections).toBe(0)
        }))
    })

    describe("boundaries", () => {
      it.scopedLive("each request gets its own boundary, and Math.random is never used", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
          const client = yield* clientOn(server, kind)
          const path = yield* bigFile
          const onDisk = yield* Multipart.file("f", path)
          const body = Multipart.body([Multipart.field("a", "1"), onDisk, Multipart.bytes("b", encoder.encode("b"))])
          const original = Math.random
          const send = Effect.gen(function*() {
            Math.random = () => {
              throw new Error("Math.random is not a cryptographic source")
            }
            yield* client.post("/upload", { body })
            yield* client.post("/upload", { body })
          }).pipe(Effect.ensuring(Effect.sync(() => {
            Math.random = original
          })))
          yield* send
          expect(Math.random).toBe(original)
          expect(uploads).toHaveLength(2)
          expect(uploads.every((u) => u.error === undefined && u.parts[1].sha256 === bigHash)).toBe(true)
          const [first, second] = uploads.map(boundaryOf)
          expect(first).toMatch(/^courier-[0-9a-f]{32}$/)
          expect(second).toMatch(/^courier-[0-9a-f]{32}$/)
          expect(first).not.toBe(second)
        }).pipe(Effect.provide(NodeFileSystem.layer)))
    })

    describe("files from disk", () => {
      it.scopedLive.each(["grew", "shrank"] as const)(
        "a file that %s after Multipart.file fails with Network(RequestBody), is closed, and never arrives as complete",
        (change) =>
          Effect.gen(function*() {
            const uploads: Array<Upload> = []
            const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
            const client = yield* clientOn(server, kind)
            const path = Path.join(yield* scratchDir, "data.bin")
            Fs.writeFileSync(path, pattern(1024 * 1024))
            const part = yield* Multipart.file("file", path)
            if (change === "grew") Fs.appendFileSync(path, "more")
            else Fs.truncateSync(path, 1024 * 1024 - 4)

            const failure = yield* Effect.flip(client.post("/upload", { body: Multipart.body([part]) }))
            expect(failure).toMatchObject({ _tag: "Network", reason: "RequestBody" })
            if (hasProc) yield* fileClosed(path)
            for (const entry of yield* server.journal) expect(entry.bodyComplete).toBe(false)
            expect(uploads.filter((upload) => upload.error === undefined && upload.parts.length > 0)).toEqual([])
          }).pipe(Effect.provide(NodeFileSystem.layer))
      )

      it.scopedLive("a file removed after Multipart.file fails with Network(RequestBody)", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.status(204)]] })
          const client = yield* clientOn(server, kind)
          const path = Path.join(yield* scratchDir, "gone.bin")
          Fs.writeFileSync(path, pattern(1000))
          const part = yield* Multipart.file("file", path)
          Fs.rmSync(path)
          const failure = yield* Effect.flip(client.post("/upload", { body: Multipart.body([part]), responseType: "none" }))
          expect(failure).toMatchObject({ _tag: "Network", reason: "RequestBody" })
        }).pipe(Effect.provide(NodeFileSystem.layer)))

      it.scopedLive("a part measured on another FileSystem is read through it, not from the disk", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({ routes: [["POST", "/upload", parsingReply(uploads)]] })
          const client = yield* clientOn(server, kind)
          const content = pattern(300_000, 11)
          // No such file on disk: only this file system knows it.
          const virtual = virtualFile(content.byteLength, Stream.succeed(content))
          const part = yield* Multipart.file("file", "/courier-virtual/data.bin").pipe(Effect.provide(virtual))
          expect(yield* client.post("/upload", { body: Multipart.body([part]) })).toEqual({ ok: true })
          expect(uploads.map((u) => u.parts.map((p) => [p.filename, p.size, p.sha256]))).toEqual([
            [["data.bin", content.byteLength, sha256(content)]]
          ])
        }))

      /** Reads 2 MiB of the body, then resets the connection. */
      const resetMidBody = Reply.custom((request) => {
        let received = 0
        request.on("data", (chunk: Buffer) => {
          received += chunk.byteLength
          if (received >= 2 * 1024 * 1024) request.socket.resetAndDestroy()
        })
      })

      it.scopedLive.each(["a send timeout", "an interruption", "a reset"] as const)(
        "after %s mid-upload the file is closed",
        (fault) =>
          Effect.gen(function*() {
            const server = yield* TestServer.make({
              routes: [["POST", "/upload", fault === "a reset" ? resetMidBody : Reply.stallReadingBody]]
            })
            const client = yield* clientOn(server, kind, { timeouts: { send: "300 millis" } })
            const path = yield* largeFile
            const call = client.post("/upload", {
              body: Multipart.body([Multipart.field("a", "1"), yield* Multipart.file("file", path)]),
              responseType: "none",
              timeouts: fault === "an interruption" ? { send: "1 minute" } : {}
            })
            const fiber = yield* Effect.fork(call)
            yield* waitForRequests(server, "/upload")
            if (fault === "an interruption") {
              if (hasProc) yield* waitUntil(Effect.sync(() => descriptorsOn(path) > 0), "the file is open")
              yield* Fiber.interrupt(fiber)
            } else {
              const failure = yield* Effect.flip(Fiber.join(fiber))
              expect(failure).toMatchObject(
                fault === "a send timeout" ? { _tag: "Timeout", phase: "send" } : { _tag: "Network" }
              )
            }
            if (hasProc) yield* fileClosed(path)
          }).pipe(Effect.provide(NodeFileSystem.layer))
      )
    })

    describe("replay", () => {
      const retrying = (server: TestServer.Service) => retryingClientOn(server, kind)

      const authed = (server: TestServer.Service) =>
        Effect.map(
          Layer.build(
            Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
              Layer.provide(TestClient.layerFor(server, {}, kind)),
              Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
            )
          ),
          (context) => Context.get(context, CourierClient.CourierClient)
        ).pipe(Effect.orDie)

      const onlyT2 = (upload: Upload) => upload.headers["authorization"] === "Bearer T2" ? 200 : 401

      it.scopedLive("after a 503 the retry sends the file from the path again, whole", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({
            routes: [["POST", "/upload", parsingReply(uploads, (_, i) => i === 0 ? 503 : 200)]]
          })
          const client = yield* retrying(server)
          const path = yield* bigFile
          const body = Multipart.body([Multipart.field("name", "big"), yield* Multipart.file("file", path)])
          expect(Body.isReplayable(body)).toBe(true)
          expect(yield* client.post("/upload", { body, headers: Retry.idempotencyKey() })).toEqual({ ok: true })

          expect(uploads).toHaveLength(2)
          for (const upload of uploads) {
            expect(upload.error).toBeUndefined()
            expect(upload.parts.map((p) => [p.name, p.size, p.sha256])).toEqual([
              ["name", 3, sha256(encoder.encode("big"))],
              ["file", big.byteLength, bigHash]
            ])
            expectDeclared(upload, kind)
          }
          expect(uploads[0].headers["idempotency-key"]).toBeDefined()
          expect(uploads[1].headers["idempotency-key"]).toBe(uploads[0].headers["idempotency-key"])
        }).pipe(Effect.provide(NodeFileSystem.layer)))

      it.scopedLive("after a 401 the auth Layer refreshes and sends the file again, whole", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({
            routes: [
              ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
              ["POST", "/upload", parsingReply(uploads, onlyT2)]
            ]
          })
          const client = yield* authed(server)
          const path = yield* bigFile
          const body = Multipart.body([yield* Multipart.file("file", path), Multipart.field("after", "file")])
          expect(yield* client.post("/upload", { body })).toEqual({ ok: true })

          expect(uploads.map((u) => u.headers["authorization"])).toEqual(["Bearer T1", "Bearer T2"])
          for (const upload of uploads) {
            expect(upload.error).toBeUndefined()
            expect(upload.parts.map((p) => [p.name, p.size, p.sha256])).toEqual([
              ["file", big.byteLength, bigHash],
              ["after", 4, sha256(encoder.encode("file"))]
            ])
          }
          expect(yield* server.requests("/auth/refresh")).toHaveLength(1)
        }).pipe(Effect.provide(NodeFileSystem.layer)))

      it.scopedLive("a one-shot stream part is sent once: no retry after a 503, no replay after a 401", () =>
        Effect.gen(function*() {
          const uploads: Array<Upload> = []
          const server = yield* TestServer.make({
            routes: [
              ["POST", "/auth/refresh", Reply.json({ accessToken: "T2", refreshToken: "R2" })],
              ["POST", "/retry", parsingReply(uploads, () => 503)],
              ["POST", "/auth", parsingReply(uploads, onlyT2)]
            ]
          })
          const oneShot = () =>
            Multipart.body([
              Multipart.field("a", "1"),
              Multipart.stream("s", Stream.make(encoder.encode("once")), { filename: "s.txt" })
            ])
          expect(Body.isReplayable(oneShot())).toBe(false)

          const retryClient = yield* retrying(server)
          const retried = yield* Effect.flip(retryClient.post("/retry", { body: oneShot(), headers: Retry.idempotencyKey() }))
          expect(retried).toMatchObject({ _tag: "BadResponse", status: 503 })
          expect(yield* server.requests("/retry")).toHaveLength(1)

          const authClient = yield* authed(server)
          const refused = yield* Effect.flip(authClient.post("/auth", { body: oneShot() }))
          expect(refused._tag).toBe("Unauthorized")
          expect(yield* server.requests("/auth")).toHaveLength(1)

          // Both single attempts carried the whole body.
          expect(uploads.map((u) => u.parts.map((p) => [p.name, p.size]))).toEqual([
            [["a", 1], ["s", 4]],
            [["a", 1], ["s", 4]]
          ])
        }))
    })
  })
}

describe("Multipart.boundary", () => {
  it("1000 boundaries are distinct, 128 random bits in hex", () => {
    const all = Array.from({ length: 1000 }, () => Multipart.boundary())
    expect(new Set(all).size).toBe(1000)
    for (const b of all) expect(b).toMatch(/^courier-[0-9a-f]{32}$/)
    // Every hex digit position varies: not a counter, not a timestamp.
    for (let i = 0; i < 32; i++) {
      expect(new Set(all.map((b) => b["courier-".length + i])).size).toBeGreaterThan(8)
    }
  })

  it("does not call Math.random", () => {
    const original = Math.random
    Math.random = () => {
      throw new Error("Math.random is not a cryptographic source")
    }
    try {
      expect(Multipart.boundary()).toMatch(/^courier-[0-9a-f]{32}$/)
    } finally {
      Math.random = original
    }
  })
})
