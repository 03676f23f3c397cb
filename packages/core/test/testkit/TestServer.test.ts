import * as Http from "node:http"
import * as Net from "node:net"
import { describe, expect, it, onTestFinished } from "vitest"
import * as Reply from "../../src/testkit/Reply.js"
import * as TestServer from "../../src/testkit/TestServer.js"
import type { RawError } from "./helpers.js"
import { closing, connectOutcome, eventually, keepAliveAgent, raw, rejection } from "./helpers.js"

// The engine without an Effect kit around it: Promises to start and close,
// waits as Promises or callbacks with a cancel.

const start = (routes?: TestServer.Options["routes"]) => closing(TestServer.start(routes === undefined ? {} : { routes }))

/** A raw socket to `port`, connected, destroyed when the test ends. */
const openSocket = (port: number): Promise<Net.Socket> =>
  new Promise((resolve) => {
    const socket = Net.connect({ host: "127.0.0.1", port }, () => resolve(socket))
    socket.on("error", () => {})
    onTestFinished(() => {
      socket.destroy()
    })
  })

describe("testkit TestServer", () => {
  it("listens on 127.0.0.1 with an OS-chosen port", async () => {
    const server = await start()
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
  })

  it("journals method, path, headers and body", async () => {
    const server = await start([["POST", "/items", Reply.json({ ok: true }, { status: 201 })]])
    const response = await raw(`${server.url}/items?x=1&y=2`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Request-Id": "abc" },
      body: JSON.stringify({ name: "thing" })
    })
    expect(response.status).toBe(201)
    const journal = server.journal()
    expect(journal).toHaveLength(1)
    const entry = journal[0]!
    expect(entry.method).toBe("POST")
    expect(entry.path).toBe("/items?x=1&y=2")
    expect(entry.headers["content-type"]).toBe("application/json")
    expect(entry.headers["x-request-id"]).toBe("abc")
    expect(entry.rawHeaders).toContain("X-Request-Id")
    expect(entry.bodyText).toBe(`{"name":"thing"}`)
    expect(entry.body).toEqual(new TextEncoder().encode(`{"name":"thing"}`))
    expect(entry.bodyComplete).toBe(true)
    expect(entry.connection).toBe(1)
  })

  it("filters and clears the journal; snapshots do not change", async () => {
    const server = await start([["*", "/*", Reply.empty]])
    await raw(`${server.url}/a`)
    await raw(`${server.url}/b?q=1`)
    await raw(`${server.url}/b`, { method: "DELETE" })
    const before = server.journal()
    expect(server.requests("/b").map((entry) => [entry.method, entry.path])).toEqual([
      ["GET", "/b?q=1"],
      ["DELETE", "/b"]
    ])
    expect(server.requests()).toHaveLength(3)
    server.clearJournal()
    expect(server.journal()).toHaveLength(0)
    expect(before).toHaveLength(3)
  })

  it("routes: 404 by default, most specific match wins, later registration replaces", async () => {
    const server = await start([
      ["*", "/api/*", Reply.text("any api")],
      ["GET", "/api/users/*", Reply.text("users prefix")],
      ["get", "/api/users/me", Reply.text("me")],
      ["*", "/api/users/me", Reply.text("me, any method")]
    ])
    const body = async (path: string, method = "GET") => (await raw(`${server.url}${path}`, { method })).body.toString()

    const missing = await raw(`${server.url}/nope`)
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.body.toString())).toEqual({ error: "no route" })

    expect(await body("/api/users/me")).toBe("me")
    expect(await body("/api/users/me?full=1")).toBe("me")
    expect(await body("/api/users/me", "POST")).toBe("me, any method")
    expect(await body("/api/users/42")).toBe("users prefix")
    expect(await body("/api/users/42", "POST")).toBe("any api")
    expect(await body("/api/other")).toBe("any api")

    const head = await raw(`${server.url}/api/users/me`, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.headers["content-length"]).toBe("2")
    expect(head.body.length).toBe(0)

    server.route("GET", "/api/users/me", Reply.text("replaced"))
    expect(await body("/api/users/me")).toBe("replaced")
  })

  it("counts connections and shows keep-alive reuse", async () => {
    const server = await start([["GET", "/ping", Reply.text("pong")]])
    const agent = keepAliveAgent()
    await raw(`${server.url}/ping`, { agent })
    await raw(`${server.url}/ping`, { agent })
    await raw(`${server.url}/ping`)
    expect(server.journal().map((entry) => entry.connection)).toEqual([1, 1, 2])
    expect(server.totalConnections()).toBe(2)
    expect(server.openConnections()).toBe(1)
    agent.destroy()
    expect(await server.awaitNoConnections(2_000)).toBe(true)
    expect(server.openConnections()).toBe(0)
  })

  it("awaitNoConnections gives false when a connection stays open past the timeout", async () => {
    const server = await start()
    const socket = await openSocket(server.port)
    await eventually(server.openConnections, (open) => open === 1)
    expect(await server.awaitNoConnections(100)).toBe(false)
    socket.destroy()
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("requests(path?query) matches path and query as received; requests(path) any query", async () => {
    const server = await start([["GET", "/todos", Reply.json([])]])
    await raw(`${server.url}/todos?userId=1`)
    await raw(`${server.url}/todos?userId=2`)
    await raw(`${server.url}/todos?userId=1&done=true`)
    await raw(`${server.url}/todos`)
    expect(server.requests("/todos?userId=1").map((entry) => entry.path)).toEqual(["/todos?userId=1"])
    expect(server.requests("/todos?userId=1&done=true").map((entry) => entry.path)).toEqual(["/todos?userId=1&done=true"])
    expect(server.requests("/todos?userId=3")).toHaveLength(0)
    expect(server.requests("/todos")).toHaveLength(4)
  })

  it("awaitNoRequestsInFlight waits for the exchanges; awaitNoConnections for the sockets", async () => {
    const server = await start([["GET", "/ping", Reply.text("pong")], ["GET", "/stall", Reply.stall]])
    const agent = keepAliveAgent()
    await raw(`${server.url}/ping`, { agent })
    // The response is written, the keep-alive connection stays open.
    expect(server.inFlight()).toBe(0)
    expect(await server.awaitNoRequestsInFlight(2_000)).toBe(true)
    expect(server.openConnections()).toBe(1)
    expect(await server.awaitNoConnections(100)).toBe(false)

    // A stalled exchange is in flight until its connection goes.
    const abort = new AbortController()
    const stalled = rejection(raw(`${server.url}/stall`, { signal: abort.signal }))
    await eventually(server.inFlight, (n) => n === 1)
    expect(await server.awaitNoRequestsInFlight(100)).toBe(false)
    const waiting = server.awaitNoRequestsInFlight(5_000)
    agent.destroy()
    abort.abort()
    await stalled
    expect(await waiting).toBe(true)
    expect(server.inFlight()).toBe(0)
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("journals a request head at once and a partial body when the client aborts mid-upload", async () => {
    const server = await start([["POST", "/upload", Reply.text("done")]])
    const socket = await openSocket(server.port)
    socket.write("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\npartial")
    const [entry] = await eventually(() => server.requests("/upload"), (entries) => entries[0]?.bodyText === "partial")
    expect(entry?.bodyComplete).toBe(false)
    socket.destroy()
    expect(await server.awaitNoConnections(2_000)).toBe(true)
    const [after] = server.requests("/upload")
    expect(after?.bodyText).toBe("partial")
    expect(after?.bodyComplete).toBe(false)
  })

  it("close() ends stalled and dripping exchanges, settles pending waits, and closes the listener", async () => {
    const server = await TestServer.start({
      routes: [
        ["GET", "/ok", Reply.text("ok")],
        ["GET", "/stall", Reply.stall],
        ["GET", "/drip", Reply.drip({ chunk: "x", intervalMillis: 60_000, count: 2 })]
      ]
    })
    expect((await raw(`${server.url}/ok`)).status).toBe(200)
    expect(server.requests("/ok")).toHaveLength(1)
    const stalled = rejection(raw(`${server.url}/stall`))
    const dripping = rejection(raw(`${server.url}/drip`))
    await eventually(server.inFlight, (n) => n === 2)
    const settled: Array<boolean> = []
    server.whenNoRequestsInFlight(60_000, (done) => settled.push(done))
    await server.close()
    expect(((await stalled) as RawError).code).toBe("ECONNRESET")
    // The head went out, then the socket was destroyed under the body.
    const dripError = (await dripping) as RawError
    expect(dripError.code).toBe("ECONNRESET")
    expect(dripError.message).toBe("aborted")
    // The pending wait settled when the exchanges ended, not after its minute.
    expect(settled).toEqual([true])
    expect(server.openConnections()).toBe(0)
    expect(await connectOutcome(server.port)).toBe("ECONNREFUSED")
  })

  it("waits: a Promise with a timeout, and a callback that a cancel silences", async () => {
    const server = await start([["GET", "/stall", Reply.stall]])
    expect(await server.awaitNoRequestsInFlight()).toBe(true)
    const request = Http.get(`${server.url}/stall`, { agent: false })
    request.on("error", () => {})
    await eventually(server.inFlight, (n) => n === 1)
    expect(await server.awaitNoRequestsInFlight(50)).toBe(false)
    const called: Array<boolean> = []
    const cancel = server.whenNoRequestsInFlight(60_000, (settled) => called.push(settled))
    cancel()
    const waited = server.awaitNoConnections(5_000)
    request.destroy()
    expect(await waited).toBe(true)
    expect(server.inFlight()).toBe(0)
    expect(called).toEqual([])
  })
})
