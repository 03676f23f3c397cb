import { AppHeaders, Body, CourierClient, CourierConfig, Download, FetchTransport, Retry } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Net from "node:net"
import * as Zlib from "node:zlib"
import { transports } from "./support.js"

// What the transports do with bodies that have no bytes, bodies that arrive
// in tiny pieces, and request options they would refuse too late.

/** Answers one request on a raw socket: `respond` gets the request head and writes what it likes. */
type Respond = (head: string, socket: Net.Socket) => void

/** A raw TCP loopback server (no node:http, which decides framing itself), closed with the scope. */
const rawServer = (respond: Respond) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: Net.Server; readonly sockets: Set<Net.Socket> }>((resume) => {
      const sockets = new Set<Net.Socket>()
      const server = Net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => {})
        let buffered = ""
        socket.on("data", (data) => {
          buffered += data.toString("latin1")
          let end = buffered.indexOf("\r\n\r\n")
          while (end !== -1) {
            const head = buffered.slice(0, end)
            buffered = buffered.slice(end + 4)
            respond(head, socket)
            end = buffered.indexOf("\r\n\r\n")
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as Net.AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server, sockets }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

const clientLayer = (url: string, kind: TestClient.Transport, options: CourierConfig.Options = {}) =>
  CourierClient.layer.pipe(
    Layer.provide(kind === "node" ? NodeTransport.layer() : FetchTransport.layer),
    Layer.provideMerge(CourierConfig.layer({ baseUrl: url, ...options }))
  )

/** A client (with the layers `over` it) on `kind` for `url`, scoped to the test. */
const clientAt = (
  url: string,
  kind: TestClient.Transport,
  options: CourierConfig.Options = {},
  over: Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError, CourierClient.CourierClient> = Layer.empty as never
) =>
  Effect.map(
    Layer.build(Layer.provideMerge(over, clientLayer(url, kind, options))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** Builds a client Layer that is expected to fail, and returns its failure. */
const buildFailure = <A, E>(layer: Layer.Layer<A, E>) => Effect.flip(Layer.build(layer))

/**
 * `body` as a chunked body of one byte per chunk, written in large socket
 * writes: the client's parser still reports every chunk on its own.
 */
const oneByteChunks = (socket: Net.Socket, head: string, body: Uint8Array) => {
  socket.write(head)
  const perWrite = 16 * 1024
  let offset = 0
  const writeMore = (): void => {
    while (offset < body.byteLength) {
      const end = Math.min(body.byteLength, offset + perWrite)
      const out = Buffer.allocUnsafe((end - offset) * 6)
      let at = 0
      for (let i = offset; i < end; i++) {
        out[at++] = 0x31 // "1"
        out[at++] = 0x0d
        out[at++] = 0x0a
        out[at++] = body[i]
        out[at++] = 0x0d
        out[at++] = 0x0a
      }
      offset = end
      if (!socket.write(out)) return void socket.once("drain", writeMore)
    }
    socket.write("0\r\n\r\n")
  }
  writeMore()
}

const MiB = 1024 * 1024

/** The peak resident memory of this process so far, in bytes (monotonic). */
const peakRss = () => process.resourceUsage().maxRSS * 1024

describe("a buffered body costs about its size in memory, however it arrives", () => {
  const size = 4 * MiB
  const body = new Uint8Array(size).map((_, i) => 97 + (i % 26))

  for (const kind of transports) {
    it.scopedLive(`4 MB in one-byte chunks on ${kind}`, () =>
      Effect.gen(function*() {
        const { url } = yield* rawServer((_head, socket) =>
          oneByteChunks(
            socket,
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n",
            body
          )
        )
        const client = yield* clientAt(url, kind)
        const before = peakRss()
        const bytes = yield* client.get("/", { responseType: "bytes" })
        const grown = peakRss() - before
        expect(bytes.byteLength).toBe(size)
        expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true)
        // Kept as millions of small arrays, 4 MB took about 500 MB.
        expect(grown).toBeLessThan(120 * MiB)
      }), 60_000)
  }

  it.scopedLive("4 MB decompressed from a gzip body in one-byte chunks", () =>
    Effect.gen(function*() {
      const gzipped = Zlib.gzipSync(body, { level: 1 })
      const { url } = yield* rawServer((_head, socket) =>
        oneByteChunks(
          socket,
          "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n",
          gzipped
        )
      )
      const client = yield* clientAt(url, "node")
      const before = peakRss()
      // Before, the decoder stalled on the thousands of one-byte pieces handed to it at once.
      const bytes = yield* client.get("/", { responseType: "bytes" }).pipe(Effect.timeout("30 seconds"))
      const grown = peakRss() - before
      expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true)
      expect(grown).toBeLessThan(120 * MiB)
    }), 60_000)
})

/** `body` as a chunked body cut into chunks of the given sizes, in turn. */
const chunkedAs = (socket: Net.Socket, head: string, body: Uint8Array, sizes: ReadonlyArray<number>) => {
  const parts: Array<Buffer> = [Buffer.from(head)]
  for (let offset = 0, i = 0; offset < body.byteLength; i++) {
    const end = Math.min(body.byteLength, offset + sizes[i % sizes.length])
    parts.push(Buffer.from(`${(end - offset).toString(16)}\r\n`), Buffer.from(body.subarray(offset, end)), Buffer.from("\r\n"))
    offset = end
  }
  parts.push(Buffer.from("0\r\n\r\n"))
  socket.write(Buffer.concat(parts))
}

describe("gathered bodies keep every byte, whatever the chunk sizes", () => {
  const body = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251)
  const sizes = [1, 3, 20_000, 1, 70_000, 500, 16_384, 2, 65_536, 1]

  for (const kind of transports) {
    it.scopedLive(`a body of mixed chunk sizes on ${kind}, and an error body's excerpt`, () =>
      Effect.gen(function*() {
        const text = new TextEncoder().encode("x".repeat(100) + "é".repeat(300))
        const { url } = yield* rawServer((head, socket) => {
          if (head.startsWith("GET /error")) {
            chunkedAs(socket, "HTTP/1.1 500 Oops\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n", text, [1])
          } else {
            chunkedAs(socket, "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n", body, sizes)
          }
        })
        const client = yield* clientAt(url, kind)
        const bytes = yield* client.get("/", { responseType: "bytes" })
        expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true)
        const error = yield* Effect.flip(client.get("/error"))
        expect(error).toMatchObject({ _tag: "BadResponse", status: 500 })
        if (error._tag === "BadResponse") expect(error.bodyExcerpt.startsWith("x".repeat(100) + "é".repeat(200))).toBe(true)
      }))
  }

  it.scopedLive("the same body gzipped, decoded on node", () =>
    Effect.gen(function*() {
      const { url } = yield* rawServer((_head, socket) =>
        chunkedAs(
          socket,
          "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n",
          Zlib.gzipSync(body),
          sizes
        )
      )
      const client = yield* clientAt(url, "node")
      const bytes = yield* client.get("/", { responseType: "bytes" })
      expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true)
    }))
})

describe("answers without a body are never decoded", () => {
  // The content-encoding and content-length of these answers describe the
  // body a GET would have had (RFC 9110 8.6, 15.3.5, 15.4.5): there is none to gunzip.
  const answer = (status: string) =>
    `HTTP/1.1 ${status}\r\ncontent-encoding: gzip\r\ncontent-length: 1234\r\ncontent-type: application/json\r\n\r\n`
  const server = rawServer((head, socket) => {
    const [method, path] = head.split(" ")
    if (method === "HEAD") socket.write(answer("200 OK"))
    else if (path === "/no-content") socket.write(`HTTP/1.1 204 No Content\r\ncontent-encoding: gzip\r\n\r\n`)
    else socket.write(`HTTP/1.1 304 Not Modified\r\ncontent-encoding: gzip\r\netag: "a"\r\n\r\n`)
  })

  for (const kind of transports) {
    it.scopedLive(`HEAD with content-encoding on ${kind}`, () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const client = yield* clientAt(url, kind)
        expect(yield* client.head("/file", { responseType: "bytes" })).toEqual(new Uint8Array(0))
        expect(yield* client.head("/file", { responseType: "text" })).toBe("")
      }))

    it.scopedLive(`204 with content-encoding on ${kind}`, () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const client = yield* clientAt(url, kind)
        expect(yield* client.delete("/no-content", { responseType: "text" })).toBe("")
      }))

    it.scopedLive(`304 with content-encoding on ${kind} is the status, not a network failure`, () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const client = yield* clientAt(url, kind)
        const error = yield* Effect.flip(client.get("/cached", { headers: { "if-none-match": "\"a\"" } }))
        expect(error).toMatchObject({ _tag: "BadResponse", status: 304, bodyExcerpt: "" })
      }))
  }
})

describe("headers the transport owns are refused before any I/O", () => {
  const owned = [
    ["transfer-encoding", "chunked"],
    ["upgrade", "websocket"],
    ["keep-alive", "timeout=5"],
    ["connection", "close"],
    ["expect", "100-continue"],
    ["te", "trailers"],
    ["trailer", "x-sum"]
  ] as const

  for (const kind of transports) {
    it.scopedLive.each(owned)(`a per-call %s header on ${kind}, under the retry Layer`, ([name, value]) =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
        const client = yield* clientAt(server.url, kind, {}, Retry.layer({ baseDelay: 0 }))
        const error = yield* Effect.flip(client.get("/x", { headers: { [name.toUpperCase()]: value } }))
        expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidHeader" })
        expect(error.message).toContain(name)
        expect(yield* server.journal).toHaveLength(0)
      }))
  }

  for (const kind of transports) {
    it.scopedLive(`a per-call content-length that is not a number on ${kind}`, () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["POST", "/x", Reply.json({})]] })
        const client = yield* clientAt(server.url, kind, {}, Retry.layer({ baseDelay: 0 }))
        const error = yield* Effect.flip(
          client.post("/x", { body: Body.text("abc"), headers: { "content-length": "three", "idempotency-key": "k1" } })
        )
        expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidHeader" })
        expect(yield* server.journal).toHaveLength(0)
      }))
  }

  it.scopedLive("undefined still removes such a header (nothing to refuse)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const client = yield* clientAt(server.url, "node")
      yield* client.get("/x", { headers: { connection: undefined } })
      expect(yield* server.journal).toHaveLength(1)
    }))

  it.scoped("in the client's default headers: a configuration error", () =>
    Effect.gen(function*() {
      const error = yield* buildFailure(clientLayer("http://127.0.0.1:1", "node", { headers: { Connection: "close" } }))
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(error)).toContain("connection")
    }))

  it.scoped("as app headers: the same rule", () =>
    Effect.gen(function*() {
      const error = yield* buildFailure(
        AppHeaders.layer({ extra: { "Keep-Alive": "timeout=5" } }).pipe(
          Layer.provideMerge(clientLayer("http://127.0.0.1:1", "node"))
        )
      )
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(error)).toContain("keep-alive")
    }))
})

describe("a refusal names the URL the call would have reached", () => {
  it.scopedLive("under a base URL with a path", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [] })
      const client = yield* clientAt(server.url, "node", { baseUrl: `${server.url}/api/v1` })
      const missing = yield* Effect.flip(client.get("/posts/{id}", { query: { token: "s3cret" } }))
      expect(missing).toMatchObject({ _tag: "RequestRefused", reason: "InvalidPathParameter" })
      expect(missing.request.url).toBe(`${server.url}/api/v1/posts/%7Bid%7D`)
      expect(missing.message).toContain(`${server.url}/api/v1/posts/`)
      const invalid = yield* Effect.flip(client.request("BAD METHOD", "x?token=s3cret"))
      expect(invalid.request.url).toBe(`${server.url}/api/v1/x?token=<redacted>`)
      expect(yield* server.journal).toHaveLength(0)
    }))
})

describe("a duration that is not one is a typed failure, not a defect", () => {
  const notDurations = ["ten seconds", -5, Number.NaN, {}, null] as const

  it.scopedLive.each(notDurations)("per call: timeouts.total %s is RequestRefused(InvalidOption)", (value) =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const client = yield* clientAt(server.url, "node")
      const error = yield* Effect.flip(client.get("/x", { timeouts: { total: value as never } }))
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidOption" })
      expect(error.message).toContain("timeouts.total")
      expect(yield* server.journal).toHaveLength(0)
    }))

  it.scoped("in the client configuration: a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const error = yield* buildFailure(clientLayer("http://127.0.0.1:1", "node", { timeouts: { receive: "soon" as never } }))
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(error)).toContain("timeouts.receive")
    }))

  it.scoped("in the retry policy: a ConfigError naming the field", () =>
    Effect.gen(function*() {
      const error = yield* buildFailure(
        Retry.layer({ maxDelay: "a while" as never }).pipe(Layer.provideMerge(clientLayer("http://127.0.0.1:1", "node")))
      )
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(error)).toContain("maxDelay")
    }))

  it.scoped("in the Node transport's keepAliveTimeout: a ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* buildFailure(
        CourierClient.layer.pipe(
          Layer.provide(NodeTransport.layer({ keepAliveTimeout: "long" as never })),
          Layer.provideMerge(CourierConfig.layer({}))
        )
      )
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(error)).toContain("keepAliveTimeout")
    }))

  it.scopedLive("in a download's timeouts: RequestRefused(InvalidOption), not a throw from toFile", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/file", Reply.text("x")]] })
      const client = yield* clientAt(server.url, "node")
      const error = yield* Effect.flip(
        Effect.suspend(() => Download.toFile(client, "/file", { path: "/nonexistent/out.bin", timeouts: { total: "soon" as never } }))
      )
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidOption" })
      expect(yield* server.journal).toHaveLength(0)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scopedLive("in a per-call retry override: RequestRefused(InvalidOption) before any I/O", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.status(503)]] })
      const client = yield* clientAt(server.url, "node", {}, Retry.layer({ baseDelay: 0 }))
      const error = yield* Effect.flip(client.get("/x").pipe(Retry.withPolicy({ baseDelay: "soon" as never })))
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "InvalidOption" })
      expect(error.message).toContain("baseDelay")
      expect(yield* server.journal).toHaveLength(0)
    }))
})
