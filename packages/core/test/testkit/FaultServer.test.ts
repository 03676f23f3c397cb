import * as Http from "node:http"
import * as Net from "node:net"
import { describe, expect, it } from "vitest"
import * as Fault from "../../src/testkit/Fault.js"
import * as FaultServer from "../../src/testkit/FaultServer.js"
import { closing, connectOutcome, eventually, rejection } from "./helpers.js"

// The fault server's bytes, read with a raw socket: nothing between the
// test and the wire, so what a fault writes is exactly what is checked.

interface Seen {
  readonly text: string
  /** How the connection ended: the server closed it (FIN), reset it, or was still open after `waitMillis`. */
  readonly ended: "closed" | "reset" | "open"
}

/** Connects, writes `parts` (spaced by 20 ms), and collects what comes back until the server closes or `waitMillis` passes. */
const exchange = (port: number, parts: ReadonlyArray<string>, waitMillis = 500): Promise<Seen> =>
  new Promise((resolve) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const chunks: Array<Buffer> = []
    let reset = false
    let done = false
    const finish = (ended: Seen["ended"]): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ text: Buffer.concat(chunks).toString("latin1"), ended })
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
  })

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`

const start = (options?: FaultServer.Options) => closing(FaultServer.start(options))

describe("testkit FaultServer", () => {
  it("journals a chunked upload decoded, and serves a second request on the same connection", async () => {
    const server = await start({ routes: [["*", "/up", Fault.json({ ok: true })]] })
    const upload = "POST /up?x=1 HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nidempotency-key: k1\r\n\r\n"
    const seen = await exchange(server.port, [upload, "5\r\nhello\r\n", "6;ext=1\r\n world\r\n0\r\n\r\n", get("/up")])
    expect(seen.text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2)
    expect(seen.ended).toBe("open")
    const journal = server.journal()
    expect(journal.map((e) => [e.method, e.path, e.bodyText, e.bodyComplete, e.connection])).toEqual([
      ["POST", "/up?x=1", "hello world", true, 1],
      ["GET", "/up", "", true, 1]
    ])
    expect(journal[0]!.headers["idempotency-key"]).toBe("k1")
    expect(await server.awaitNoConnections(2_000)).toBe(true)
    expect(server.totalConnections()).toBe(1)
  })

  it.each([
    ["truncated", Fault.truncated({ declared: 64, sent: 10 }), /content-length: 64\r\n\r\n {10}$/, "closed"],
    ["chunkedCut", Fault.chunkedCut(["abc"]), /transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n$/, "closed"],
    ["badChunkSize", Fault.badChunkSize, /\r\n\r\nzz\r\n/, "closed"],
    ["malformedStatusLine", Fault.malformedStatusLine(), /^HTTP\/1\.1 2OO OK\r\n/, "closed"],
    ["oversizedHeaders", Fault.oversizedHeaders(20_000), /x-filler: a{20000}\r\n/, "closed"],
    ["stallBody", Fault.stallBody({ declared: 64, sent: 8 }), /content-length: 64\r\n\r\n {8}$/, "open"],
    ["stallHeaders", Fault.stallHeaders, /^$/, "open"],
    ["reset", Fault.reset, /^$/, "reset"],
    ["keepAliveThenClose", Fault.keepAliveThenClose(), /connection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n\{"ok":true\}$/, "closed"]
  ] as const)("%s writes what it says", async (_name, fault, pattern, ended) => {
    const server = await start({ routes: [["GET", "/f", fault]] })
    const seen = await exchange(server.port, [get("/f")], 300)
    expect(seen.text).toMatch(pattern)
    expect(seen.ended).toBe(ended)
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("drips one byte per interval, then keeps the connection", async () => {
    const server = await start({ routes: [["GET", "/d", Fault.drip(30, "abcd")]] })
    const started = performance.now()
    const seen = await exchange(server.port, [get("/d")], 400)
    expect(seen.text).toMatch(/content-length: 4\r\n.*\r\n\r\nabcd$/s)
    expect(performance.now() - started).toBeGreaterThanOrEqual(100)
    expect(seen.ended).toBe("open")
  })

  it("endlessHeaders never ends the head, and stops when the client goes", async () => {
    const server = await start({ routes: [["GET", "/h", Fault.endlessHeaders({ intervalMillis: 10 })]] })
    const seen = await exchange(server.port, [get("/h")], 200)
    expect(seen.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(seen.text).toMatch(/x-endless-5: e+\r\n/)
    expect(seen.text).not.toContain("\r\n\r\n")
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("answerEarly answers before the body, closes, and the journal shows the body unread", async () => {
    const server = await start({ routes: [["POST", "/up", Fault.answerEarly(413)]] })
    const head = "POST /up HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n"
    const seen = await exchange(server.port, [head, "x".repeat(1000)], 1000)
    expect(seen.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n.*connection: close\r\n/s)
    expect(seen.ended).toBe("closed")
    const [entry] = server.journal()
    expect(entry!.bodyComplete).toBe(false)
    expect(entry!.body.byteLength).toBe(0)
  })

  it("retryAfter with inMillis writes an HTTP date computed when answering; sequence then moves on", async () => {
    const fault = Fault.sequence([Fault.retryAfter(503, { inMillis: 60_000 }), Fault.json({ ok: true })])
    const server = await start({ routes: [["GET", "/r", fault]] })
    const seen = await exchange(server.port, [get("/r"), get("/r")], 300)
    const date = /retry-after: (.+)\r\n/.exec(seen.text)?.[1]
    expect(date).toMatch(/GMT$/)
    const ahead = Date.parse(date!) - Date.now()
    expect(ahead).toBeGreaterThan(55_000)
    expect(ahead).toBeLessThanOrEqual(60_000)
    expect(seen.text).toMatch(/^HTTP\/1\.1 503 .*HTTP\/1\.1 200 OK/s)
  })

  it("dynamic decides per request with the body in hand; journal: false keeps nothing", async () => {
    const bodies: Array<string> = []
    const fault = Fault.dynamic((request) => {
      bodies.push(request.bodyText)
      return request.bodyText === "teapot" ? Fault.status(418) : Fault.json({ ok: true })
    })
    const server = await start({ journal: false, routes: [["POST", "/*", fault]] })
    const post = (body: string) => `POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`
    const seen = await exchange(server.port, [post("teapot"), post("fine")], 300)
    expect(seen.text).toMatch(/^HTTP\/1\.1 418 .*HTTP\/1\.1 200 OK/s)
    expect(bodies).toEqual(["teapot", "fine"])
    expect(server.journal()).toEqual([])
  })

  it("answers 404 to an unknown route and 400 to a malformed request, then closes", async () => {
    const server = await start()
    expect((await exchange(server.port, [get("/nothing")], 200)).text).toMatch(/^HTTP\/1\.1 404 /)
    const bad = await exchange(server.port, ["NOT HTTP\r\n\r\n"], 500)
    expect(bad.text).toMatch(/^HTTP\/1\.1 400 /)
    expect(bad.ended).toBe("closed")
  })

  it("close() ends a stalled exchange and the listener", async () => {
    const server = await FaultServer.start({
      routes: [["GET", "/ok", Fault.json({ ok: true })], ["GET", "/stall", Fault.stallHeaders]]
    })
    const status = (path: string) =>
      new Promise<number>((resolve, reject) =>
        Http.get(`${server.url}${path}`, { agent: false }, (response) => {
          response.resume()
          response.on("end", () => resolve(response.statusCode ?? 0))
        }).on("error", reject)
      )
    expect(await status("/ok")).toBe(200)
    const stalled = rejection(status("/stall"))
    await eventually(server.inFlight, (n) => n === 1)
    await server.close()
    expect(((await stalled) as NodeJS.ErrnoException).code).toBe("ECONNRESET")
    expect(server.journal().map((entry) => entry.path)).toEqual(["/ok", "/stall"])
    expect(await connectOutcome(server.port)).toBe("ECONNREFUSED")
  })
})
