import { FaultServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"

// The fault server's bytes, read with a raw socket: nothing between the
// test and the wire, so what a fault writes is exactly what is checked.

interface Seen {
  readonly text: string
  /** How the connection ended: the server closed it (FIN), reset it, or was still open after `waitMillis`. */
  readonly ended: "closed" | "reset" | "open"
}

/** Connects, writes `parts` (spaced by 20 ms), and collects what comes back until the server closes or `waitMillis` passes. */
const exchange = (port: number, parts: ReadonlyArray<string>, waitMillis = 500): Effect.Effect<Seen> =>
  Effect.callback<Seen>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    let reset = false
    let done = false
    const finish = (ended: Seen["ended"]): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.succeed({ text: Buffer.concat(chunks).toString("latin1"), ended }))
    }
    const timer = setTimeout(() => finish("open"), waitMillis)
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET") reset = true
    })
    socket.on("close", () => finish(reset ? "reset" : "closed"))
    parts.forEach((part, i) => {
      setTimeout(() => {
        if (!done) socket.write(part)
      }, i * 20)
    })
    return Effect.sync(() => finish("open"))
  })

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`

describe("FaultServer", () => {
  it.live("journals a chunked upload decoded, and serves a second request on the same connection", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["*", "/up", FaultServer.json({ ok: true })]] })
      const upload = "POST /up?x=1 HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nidempotency-key: k1\r\n\r\n"
      const seen = yield* exchange(server.port, [upload, "5\r\nhello\r\n", "6;ext=1\r\n world\r\n0\r\n\r\n", get("/up")])
      expect(seen.text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2)
      expect(seen.ended).toBe("open")
      const journal = yield* server.journal
      expect(journal.map((e) => [e.method, e.path, e.bodyText, e.bodyComplete, e.connection])).toEqual([
        ["POST", "/up?x=1", "hello world", true, 1],
        ["GET", "/up", "", true, 1]
      ])
      expect(journal[0]!.headers["idempotency-key"]).toBe("k1")
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      expect(yield* server.totalConnections).toBe(1)
    }))

  it.live.each([
    ["truncated", FaultServer.truncated({ declared: 64, sent: 10 }), /content-length: 64\r\n\r\n {10}$/, "closed"],
    ["chunkedCut", FaultServer.chunkedCut(["abc"]), /transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n$/, "closed"],
    ["badChunkSize", FaultServer.badChunkSize, /\r\n\r\nzz\r\n/, "closed"],
    ["malformedStatusLine", FaultServer.malformedStatusLine(), /^HTTP\/1\.1 2OO OK\r\n/, "closed"],
    ["oversizedHeaders", FaultServer.oversizedHeaders(20_000), /x-filler: a{20000}\r\n/, "closed"],
    ["stallBody", FaultServer.stallBody({ declared: 64, sent: 8 }), /content-length: 64\r\n\r\n {8}$/, "open"],
    ["stallHeaders", FaultServer.stallHeaders, /^$/, "open"],
    ["reset", FaultServer.reset, /^$/, "reset"],
    ["keepAliveThenClose", FaultServer.keepAliveThenClose(), /connection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n\{"ok":true\}$/, "closed"]
  ] as const)("%s writes what it says", ([, fault, pattern, ended]) =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["GET", "/f", fault]] })
      const seen = yield* exchange(server.port, [get("/f")], 300)
      expect(seen.text).toMatch(pattern)
      expect(seen.ended).toBe(ended)
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("drips one byte per interval, then keeps the connection", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["GET", "/d", FaultServer.drip("30 millis", "abcd")]] })
      const start = performance.now()
      const seen = yield* exchange(server.port, [get("/d")], 400)
      expect(seen.text).toMatch(/content-length: 4\r\n.*\r\n\r\nabcd$/s)
      expect(performance.now() - start).toBeGreaterThanOrEqual(100)
      expect(seen.ended).toBe("open")
    }))

  it.live("endlessHeaders never ends the head, and stops when the client goes", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["GET", "/h", FaultServer.endlessHeaders({ interval: "10 millis" })]] })
      const seen = yield* exchange(server.port, [get("/h")], 200)
      expect(seen.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      expect(seen.text).toMatch(/x-endless-5: e+\r\n/)
      expect(seen.text).not.toContain("\r\n\r\n")
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("answerEarly answers before the body, closes, and the journal shows the body unread", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make({ routes: [["POST", "/up", FaultServer.answerEarly(413)]] })
      const head = "POST /up HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n"
      const seen = yield* exchange(server.port, [head, "x".repeat(1000)], 1000)
      expect(seen.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n.*connection: close\r\n/s)
      expect(seen.ended).toBe("closed")
      const [entry] = yield* server.journal
      expect(entry!.bodyComplete).toBe(false)
      expect(entry!.body.byteLength).toBe(0)
    }))

  it.live("retryAfter with inMillis writes an HTTP date computed when answering; sequence then moves on", () =>
    Effect.gen(function*() {
      const fault = FaultServer.sequence([FaultServer.retryAfter(503, { inMillis: 60_000 }), FaultServer.json({ ok: true })])
      const server = yield* FaultServer.make({ routes: [["GET", "/r", fault]] })
      const seen = yield* exchange(server.port, [get("/r"), get("/r")], 300)
      const date = /retry-after: (.+)\r\n/.exec(seen.text)?.[1]
      expect(date).toMatch(/GMT$/)
      const ahead = Date.parse(date!) - Date.now()
      expect(ahead).toBeGreaterThan(55_000)
      expect(ahead).toBeLessThanOrEqual(60_000)
      expect(seen.text).toMatch(/^HTTP\/1\.1 503 .*HTTP\/1\.1 200 OK/s)
    }))

  it.live("dynamic decides per request with the body in hand; journal: false keeps nothing", () =>
    Effect.gen(function*() {
      const bodies: Array<string> = []
      const fault = FaultServer.dynamic((request) => {
        bodies.push(request.bodyText)
        return request.bodyText === "teapot" ? FaultServer.status(418) : FaultServer.json({ ok: true })
      })
      const server = yield* FaultServer.make({ journal: false, routes: [["POST", "/*", fault]] })
      const post = (body: string) => `POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`
      const seen = yield* exchange(server.port, [post("teapot"), post("fine")], 300)
      expect(seen.text).toMatch(/^HTTP\/1\.1 418 .*HTTP\/1\.1 200 OK/s)
      expect(bodies).toEqual(["teapot", "fine"])
      expect(yield* server.journal).toEqual([])
    }))

  it.live("answers 404 to an unknown route and 400 to a malformed request, then closes", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make()
      expect((yield* exchange(server.port, [get("/nothing")], 200)).text).toMatch(/^HTTP\/1\.1 404 /)
      const bad = yield* exchange(server.port, ["NOT HTTP\r\n\r\n"], 500)
      expect(bad.text).toMatch(/^HTTP\/1\.1 400 /)
      expect(bad.ended).toBe("closed")
    }))
})
