import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it, layer } from "@effect/vitest"

import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Fiber from "effect/Fiber"

import * as Http from "node:http"
import * as Net from "node:net"
import { eventually, raw } from "./helpers.js"

describe("TestServer", () => {
  it.live("listens on 127.0.0.1 with an OS-chosen port", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      expect(server.port).toBeGreaterThan(0)
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.origin).toBe(server.url)
    }))

  it.live("journals method, path, headers and body", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/items", Reply.json({ ok: true }, { status: 201 })]] })
      const response = yield* raw(`${server.url}/items?x=1&y=2`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Request-Id": "abc" },
        body: JSON.stringify({ name: "thing" })
      })
      expect(response.status).toBe(201)
      const journal = yield* server.journal
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
    }))

  it.live("filters and clears the journal; snapshots do not change", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["*", "/*", Reply.empty]] })
      yield* raw(`${server.url}/a`)
      yield* raw(`${server.url}/b?q=1`)
      yield* raw(`${server.url}/b`, { method: "DELETE" })
      const before = yield* server.journal
      expect((yield* server.requests("/b")).map((entry) => [entry.method, entry.path])).toEqual([
        ["GET", "/b?q=1"],
        ["DELETE", "/b"]
      ])
      expect(yield* server.requests()).toHaveLength(3)
      yield* server.clearJournal
      expect(yield* server.journal).toHaveLength(0)
      expect(before).toHaveLength(3)
    }))

  it.live("routes: 404 by default, most specific match wins, later registration replaces", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["*", "/api/*", Reply.text("any api")],
          ["GET", "/api/users/*", Reply.text("users prefix")],
          ["get", "/api/users/me", Reply.text("me")],
          ["*", "/api/users/me", Reply.text("me, any method")]
        ]
      })
      const body = (path: string, method = "GET") =>
        raw(`${server.url}${path}`, { method }).pipe(Effect.map((response) => response.body.toString()))

      const missing = yield* raw(`${server.url}/nope`)
      expect(missing.status).toBe(404)
      expect(JSON.parse(missing.body.toString())).toEqual({ error: "no route" })

      expect(yield* body("/api/users/me")).toBe("me")
      expect(yield* body("/api/users/me?full=1")).toBe("me")
      expect(yield* body("/api/users/me", "POST")).toBe("me, any method")
      expect(yield* body("/api/users/42")).toBe("users prefix")
      expect(yield* body("/api/users/42", "POST")).toBe("any api")
      expect(yield* body("/api/other")).toBe("any api")

      const head = yield* raw(`${server.url}/api/users/me`, { method: "HEAD" })
      expect(head.status).toBe(200)
      expect(head.headers["content-length"]).toBe("2")
      expect(head.body.length).toBe(0)

      yield* server.route("GET", "/api/users/me", Reply.text("replaced"))
      expect(yield* body("/api/users/me")).toBe("replaced")
    }))

  it.live("counts connections and shows keep-alive reuse", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ping", Reply.text("pong")]] })
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Http.Agent({ keepAlive: true, maxSockets: 1 })),
        (agent) => Effect.sync(() => agent.destroy())
      )
      yield* raw(`${server.url}/ping`, { agent })
      yield* raw(`${server.url}/ping`, { agent })
      yield* raw(`${server.url}/ping`)
      const journal = yield* server.journal
      expect(journal.map((entry) => entry.connection)).toEqual([1, 1, 2])
      expect(yield* server.totalConnections).toBe(2)
      expect(yield* server.openConnections).toBe(1)
      agent.destroy()
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      expect(yield* server.openConnections).toBe(0)
    }))

  it.live("awaitIdle gives false when a connection stays open past the timeout", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const socket = yield* Effect.acquireRelease(
        Effect.callback<Net.Socket>((resume) => {
          const socket = Net.connect({ host: "127.0.0.1", port: server.port }, () => resume(Effect.succeed(socket)))
        }),
        (socket) => Effect.sync(() => socket.destroy())
      )
      yield* eventually(server.openConnections, (open) => open === 1)
      expect(yield* server.awaitIdle("100 millis")).toBe(false)
      socket.destroy()
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("requests(path?query) matches path and query as received; requests(path) any query", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/todos", Reply.json([])]] })
      yield* raw(`${server.url}/todos?userId=1`)
      yield* raw(`${server.url}/todos?userId=2`)
      yield* raw(`${server.url}/todos?userId=1&done=true`)
      yield* raw(`${server.url}/todos`)
      expect((yield* server.requests("/todos?userId=1")).map((entry) => entry.path)).toEqual(["/todos?userId=1"])
      expect((yield* server.requests("/todos?userId=1&done=true")).map((entry) => entry.path)).toEqual([
        "/todos?userId=1&done=true"
      ])
      expect(yield* server.requests("/todos?userId=3")).toHaveLength(0)
      expect(yield* server.requests("/todos")).toHaveLength(4)
    }))

  it.live("awaitNoRequestsInFlight waits for the exchanges; awaitIdle for the sockets", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/ping", Reply.text("pong")], ["GET", "/stall", Reply.stall]]
      })
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Http.Agent({ keepAlive: true, maxSockets: 1 })),
        (agent) => Effect.sync(() => agent.destroy())
      )
      yield* raw(`${server.url}/ping`, { agent })
      // The response is written, the keep-alive connection stays open.
      expect(yield* server.inFlight).toBe(0)
      expect(yield* server.awaitNoRequestsInFlight("2 seconds")).toBe(true)
      expect(yield* server.openConnections).toBe(1)
      expect(yield* server.awaitIdle("100 millis")).toBe(false)

      // A stalled exchange is in flight until its connection goes.
      const stalled = yield* Effect.forkChild(raw(`${server.url}/stall`))
      yield* eventually(server.inFlight, (n) => n === 1)
      expect(yield* server.awaitNoRequestsInFlight("100 millis")).toBe(false)
      const waiting = yield* Effect.forkChild(server.awaitNoRequestsInFlight("5 seconds"))
      agent.destroy()
      yield* Fiber.interrupt(stalled)
      expect(yield* Fiber.join(waiting)).toBe(true)
      expect(yield* server.inFlight).toBe(0)
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
    }))

  it.live("journals a request head at once and a partial body when the client aborts mid-upload", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["POST", "/upload", Reply.text("done")]] })
      const socket = Net.connect({ host: "127.0.0.1", port: server.port })
      socket.on("error", () => {})
      socket.write("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\npartial")
      const [entry] = yield* eventually(server.requests("/upload"), (entries) => entries[0]?.bodyText === "partial")
      expect(entry?.bodyComplete).toBe(false)
      socket.destroy()
      expect(yield* server.awaitIdle("2 seconds")).toBe(true)
      const [after] = yield* server.requests("/upload")
      expect(after?.bodyText).toBe("partial")
      expect(after?.bodyComplete).toBe(false)
    }))

  it.live("closing the scope destroys open connections, pending timers and the listener", () =>
    Effect.gen(function*() {
      const { drip, port, stall } = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/stall", Reply.stall],
            ["GET", "/drip", Reply.drip({ chunk: "x", interval: "10 seconds", count: 3 })]
          ]
        })
        const stall = yield* Effect.forkChild(Effect.result(raw(`${server.url}/stall`)))
        const drip = yield* Effect.forkChild(Effect.result(raw(`${server.url}/drip`)))
        yield* eventually(server.journal, (journal) => journal.length === 2)
        return { drip, port: server.port, stall }
      }))
      const stalled = yield* Fiber.join(stall)
      expect(Result.isFailure(stalled) && stalled.failure.code).toBe("ECONNRESET")
      const dripped = yield* Fiber.join(drip)
      expect(Result.isFailure(dripped) && dripped.failure.message).toBe("aborted")
      // The listener is gone: a connect is refused. (A count of process-wide
      // listeners raced with other tests' servers closing.)
      const refused = yield* Effect.callback<string>((resume) => {
        const socket = Net.connect({ host: "127.0.0.1", port })
        socket.on("connect", () => {
          socket.destroy()
          resume(Effect.succeed("connected"))
        })
        socket.on("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? "error")))
      })
      expect(refused).toBe("ECONNREFUSED")
    }))
})

layer(TestServer.layer({ routes: [["GET", "/hello", Reply.text("hi")]] }))("TestServer.layer", (it) => {
  it.effect("provides a running server", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      const response = yield* raw(`${server.url}/hello`)
      expect(response.body.toString()).toBe("hi")
    }))

  it.effect("shares it across the suite", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      expect((yield* server.requests("/hello")).length).toBe(1)
    }))
})
