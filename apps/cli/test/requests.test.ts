/**
 * `courier <method>` end to end: the real command against the demo API (and
 * a TestServer for the redirect loop), asserting stdout, stderr and the exit
 * code of every row of the table in src/ExitCode.ts.
 */
import * as Reply from "@courier/testing/Reply"
import * as TestServer from "@courier/testing/TestServer"
import { describe, expect, layer } from "@effect/vitest"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:net"
import { run } from "./support/Courier.js"

const Servers = Layer.merge(
  DemoApi.layer(),
  TestServer.layer({ routes: [["GET", "/loop", Reply.redirect(302, "/loop")]] })
)

/** A loopback port nothing listens on: bound by the OS, then closed. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A failure prints exactly one line, on stderr, and nothing on stdout. */
const expectOneLine = (result: { stdout: string; stderr: string }, pattern: RegExp) => {
  expect(result.stdout).toBe("")
  const lines = result.stderr.split("\n").filter((line) => line !== "")
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^courier: /)
  expect(lines[0]).toMatch(pattern)
}

// Each test spawns its own command against servers it does not change: they run concurrently.
describe.concurrent("courier <method>", () => {
layer(Servers, { excludeTestServices: true })((it) => {
  it.effect("prints the body on stdout, raw when stdout is not a terminal; 0", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/posts/1", "--base-url", api.url])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ id: 1, userId: 1 })
      // Raw: exactly the server's bytes, not re-indented.
      expect(result.stdout.includes("\n  ")).toBe(false)
    }), 30_000)

  it.effect("--verbose logs the redacted exchange and the status line on stderr", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run([
        "get",
        `${api.url}/posts`,
        "userId==2",
        "_limit==1",
        "Authorization:Bearer secret-value",
        "--verbose"
      ])
      expect(result.code).toBe(0)
      const posts = JSON.parse(result.stdout) as ReadonlyArray<{ userId: number }>
      expect(posts).toHaveLength(1)
      expect(posts[0].userId).toBe(2)
      expect(result.stderr).toContain(`> GET ${api.url}/posts?userId=2&_limit=1`)
      expect(result.stderr).toContain("> authorization: <redacted>")
      expect(result.stderr).not.toContain("secret-value")
      expect(result.stderr).toContain("< HTTP 200 OK")
      expect(result.stderr.trimEnd().split("\n").at(-1)).toBe("HTTP 200 OK")
    }), 30_000)

  it.effect("2: a header with CR LF is refused before sending", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/todos", "--base-url", api.url, "Bad\r\nHeader:x"])
      expect(result.code).toBe(2)
      expectOneLine(result, /refused before sending \(InvalidHeader\)/)
      expect((yield* api.stats).requests["GET /todos"]).toBeUndefined()
    }), 30_000)

  it.effect("2: a URL escaping the base URL is refused; so is a malformed item or command", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const other = yield* TestServer.TestServer
      const [origin, path, item, usage] = yield* Effect.all([
        run(["get", `${other.url}/elsewhere`, "--base-url", api.url]),
        run(["get", "../users", "--base-url", `${api.url}/posts`]),
        run(["get", "/posts/1", "--base-url", api.url, "no-separator"]),
        run(["get"])
      ], { concurrency: 2 })
      expect(origin.code).toBe(2)
      expectOneLine(origin, /EscapesBaseUrl/)
      expect(path.code).toBe(2)
      expectOneLine(path, /EscapesBaseUrl/)
      expect(item.code).toBe(2)
      expectOneLine(item, /not a request item/)
      expect(usage.code).toBe(2)
      expectOneLine(usage, /Missing argument <url>/)
      expect(yield* other.requests("/elsewhere")).toHaveLength(0)
    }), 40_000)

  it.effect("2: a bad COURIER_* variable is named in the message", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const [baseUrl, timeout] = yield* Effect.all([
        run(["get", "/todos/1"], { env: { COURIER_BASE_URL: "not a url" } }),
        run(["get", "/todos/1", "--base-url", api.url], { env: { COURIER_TIMEOUT_RECEIVE: "soon" } })
      ], { concurrency: 2 })
      expect(baseUrl.code).toBe(2)
      expectOneLine(baseUrl, /^courier: invalid configuration: COURIER_BASE_URL: "not a url" is not an absolute URL$/)
      expect(timeout.code).toBe(2)
      expectOneLine(timeout, /^courier: invalid configuration: COURIER_TIMEOUT_RECEIVE: "soon" is not a duration/)
    }), 30_000)

  it.effect("3: connection refused", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const result = yield* run(["get", `http://127.0.0.1:${port}/posts`, "--retries", "0"])
      expect(result.code).toBe(3)
      expectOneLine(result, /connection was refused/)
    }), 30_000)

  it.effect("4: a stalled server and --timeout 1", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/fault/stall", "--base-url", api.url, "--timeout", "1"])
      expect(result.code).toBe(4)
      expectOneLine(result, /total timeout.*--timeout/)
    }), 30_000)

  it.effect("5: /me without logging in", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/me", "--base-url", api.url])
      expect(result.code).toBe(5)
      expectOneLine(result, new RegExp(`401 Unauthorized; log in with: courier login ${api.url} --user NAME`))
    }), 30_000)

  it.effect("6: a 500", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/fault/status/500", "--base-url", api.url, "--retries", "0"])
      expect(result.code).toBe(6)
      expectOneLine(result, /unexpected status 500/)
    }), 30_000)

  it.effect("7: a JSON content type with a body that is not JSON", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["get", "/fault/bad-json", "--base-url", api.url])
      expect(result.code).toBe(7)
      expectOneLine(result, /not valid JSON/)
    }), 30_000)

  it.effect("8: a redirect loop with --max-redirects 2", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServer
      const result = yield* run(["get", `${server.url}/loop`, "--max-redirects", "2"])
      expect(result.code).toBe(8)
      expectOneLine(result, /more than 2 redirects; raise --max-redirects/)
      // The first request and two redirects, then the third redirect is refused.
      expect(yield* server.requests("/loop")).toHaveLength(3)
    }), 30_000)
})
})
