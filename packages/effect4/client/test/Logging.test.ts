import { Body, Logging, Retry } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { capturingLogs, clientWith, type Line } from "./layers.js"

// What the logging Layer writes, read from a logger that keeps every line.

const httpLines = (lines: ReadonlyArray<Line>) => lines.filter((line) => line.message === Logging.message)

describe("Logging", () => {
  it.live("one line per call: method, redacted URL, status, outcome, attempt; routine success at Debug", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/items", Reply.json([])]] })
      const { client } = yield* clientWith(server, Logging.layer())
      const lines: Array<Line> = []
      yield* capturingLogs(lines, client.get("/items?page=2&api_key=k-123-secret&token=t-456-secret"))
      const [line, ...rest] = httpLines(lines)
      expect(rest).toEqual([])
      expect(line!.level).toBe("Debug")
      expect(line!.annotations).toMatchObject({
        "http.method": "GET",
        "http.status": 200,
        "http.outcome": "ok",
        "http.attempt": 1
      })
      expect(typeof line!.annotations["http.duration_ms"]).toBe("number")
      const url = String(line!.annotations["http.url"])
      expect(url).toContain("page=2")
      expect(url).not.toContain("k-123-secret")
      expect(url).not.toContain("t-456-secret")
      expect(line!.annotations["http.role"]).toBeUndefined()
    }))

  it.live("a failure warns with its tag and status; a success after a retry is Info; each attempt below Retry is a line", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/gone", Reply.json({ message: "no such thing: body-text-7c1" }, { status: 404 })],
          ["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.json({})])]
        ]
      })
      const { client } = yield* clientWith(
        server,
        Retry.layer({ baseDelay: 0, budget: false }).pipe(Layer.provide(Logging.layer()))
      )
      const lines: Array<Line> = []
      yield* capturingLogs(lines, Effect.flip(client.get("/gone")))
      yield* capturingLogs(lines, client.get("/flaky"))
      const logged = httpLines(lines)
      expect(logged.map((line) => [line.level, line.annotations["http.status"], line.annotations["http.attempt"]])).toEqual([
        ["Warn", 404, 1],
        ["Warn", 503, 1],
        ["Info", 200, 2]
      ])
      expect(logged[0]!.annotations["http.failure"]).toBe("BadResponse")
      // The failure's message (which quotes the body) is not logged.
      expect(JSON.stringify(lines)).not.toContain("body-text-7c1")
    }))

  it.live("under the minimum level nothing is written; Info shows every success when asked", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({})]] })
      const quiet = yield* clientWith(server, Logging.layer())
      const loud = yield* clientWith(server, Logging.layer({ level: "Info" }))
      const lines: Array<Line> = []
      const atInfo = <A, E, R>(effect: Effect.Effect<A, E, R>) => capturingLogs(lines, effect, "Info")
      yield* atInfo(quiet.client.get("/x"))
      expect(httpLines(lines)).toEqual([])
      yield* atInfo(loud.client.get("/x"))
      expect(httpLines(lines).map((line) => line.level)).toEqual(["Info"])
    }))

  it.live("development mode adds headers and bodies, redacted", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/me", Reply.json({}, { headers: { "set-cookie": "sid=cookie-9f8e; HttpOnly", "x-trace": "visible" } })],
          ["POST", "/login", Reply.json({ name: "ada", refresh_token: "answer-token-5a6b" })]
        ]
      })
      const { client } = yield* clientWith(server, Logging.layer({ mode: "development" }))
      const lines: Array<Line> = []
      yield* capturingLogs(
        lines,
        client.get("/me", { headers: { authorization: "Bearer bearer-1b2c", cookie: "sid=cookie-3d4e", "x-mine": "shown" } })
      )
      const detail = lines.find((line) => line.message === Logging.detailMessage)!
      const sent = detail.annotations["http.request.headers"] as Record<string, string>
      const received = detail.annotations["http.response.headers"] as Record<string, string>
      expect(sent["x-mine"]).toBe("shown")
      expect(received["x-trace"]).toBe("visible")
      const text = JSON.stringify(lines)
      for (const secret of ["bearer-1b2c", "cookie-3d4e", "cookie-9f8e"]) expect(text).not.toContain(secret)

      lines.length = 0
      yield* capturingLogs(lines, client.post("/login", { body: Body.json({ user: "ada", password: "pw-7c8d" }) }))
      const login = lines.find((line) => line.message === Logging.detailMessage)!
      expect(String(login.annotations["http.request.body"])).toContain("ada")
      expect(String(login.annotations["http.response.body"])).toContain("ada")
      const logged = JSON.stringify(lines)
      for (const secret of ["pw-7c8d", "answer-token-5a6b"]) expect(logged).not.toContain(secret)
    }))
})
