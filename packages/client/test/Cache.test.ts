import { Auth, Cache, CourierClient, CourierError, Logging, Preset, Retry, TokenStore } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as TestClock from "effect/TestClock"
import { scratchDir, waitForRequests } from "./support.js"

// RFC 9111, rule by rule, on the wire: the server's journal counts what
// reached the origin, the `cache-status` header says what the cache did.
// Time is the TestClock's: the policy reads the Effect Clock.

const cachedClient = (server: TestServer.Service, options: Cache.Options = {}, retry = false) =>
  Effect.map(
    Layer.build(
      Layer.provide(
        retry ? Layer.provide(Cache.layer(options), Retry.layer({ baseDelay: 0, budget: false })) : Cache.layer(options),
        TestClient.layerFor(server, {}, "node")
      )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** GET `path` and keep what the cache said about it. */
const get = (client: CourierClient.Service, path: string, headers: Record<string, string> = {}) =>
  Effect.map(client.exchange("GET", path, { headers, responseType: "text" }), (exchange) => ({
    body: exchange.body,
    status: exchange.headers["cache-status"] ?? ""
  }))

const origin = (server: TestServer.Service, path: string) => Effect.map(server.requests(path), (entries) => entries.length)

/** 200 with `etag` and `cache-control`, or 304 when the request already has that ETag. */
const etagged = (etag: string, cacheControl: string, body = "v1") =>
  Reply.custom((request, response) => {
    request.resume()
    const headers = { etag, "cache-control": cacheControl, "content-type": "text/plain" }
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, headers)
      response.end()
      return
    }
    response.writeHead(200, headers)
    response.end(body)
  })

const text = (body: string, headers: Record<string, string>) => Reply.text(body, { headers })

describe("Cache conformance (RFC 9111), counted at the origin", () => {
  it.scoped("a fresh entry is served without reaching the origin", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/fresh", text("one", { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server)
      const first = yield* get(client, "/fresh")
      yield* TestClock.adjust("30 seconds")
      const second = yield* get(client, "/fresh")
      expect(first.status).toBe("courier; fwd=miss; stored")
      expect(second).toEqual({ body: "one", status: "courier; hit; ttl=30" })
      expect(yield* origin(server, "/fresh")).toBe(1)
      // Past max-age it goes back to the origin.
      yield* TestClock.adjust("31 seconds")
      expect((yield* get(client, "/fresh")).status).toBe("courier; fwd=stale; stored")
      expect(yield* origin(server, "/fresh")).toBe(2)
    }))

  it.scoped("max-age=0 with an ETag revalidates; the 304 is served as the stored 200 and refreshes the entry", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/etag", etagged("\"v1\"", "max-age=0")]] })
      const client = yield* cachedClient(server)
      yield* get(client, "/etag")
      // The 304 says max-age=60 from now on: the entry takes it.
      yield* server.route("GET", "/etag", etagged("\"v1\"", "max-age=60"))
      const second = yield* get(client, "/etag")
      expect(second).toEqual({ body: "v1", status: "courier; fwd=stale; fwd-status=304" })
      const third = yield* get(client, "/etag")
      expect(third.status).toMatch(/^courier; hit; ttl=/)
      const entries = yield* server.requests("/etag")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, "\"v1\""])
    }))

  it.scoped("a 304 naming another ETag than the stored one is not served: the call fetches the body", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/other", etagged("\"a\"", "no-cache", "first")]] })
      const client = yield* cachedClient(server)
      yield* get(client, "/other")
      yield* server.route("GET", "/other", Reply.custom((request, response) => {
        request.resume()
        if (request.headers["if-none-match"] !== undefined) {
          response.writeHead(304, { etag: "\"b\"", "cache-control": "no-cache" })
          response.end()
        } else {
          response.writeHead(200, { etag: "\"b\"", "cache-control": "no-cache" })
          response.end("second")
        }
      }))
      const second = yield* get(client, "/other")
      expect(second).toEqual({ body: "second", status: "courier; fwd=miss; stored" })
      const entries = yield* server.requests("/other")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, "\"a\"", undefined])
    }))

  it.scoped("Last-Modified revalidates with If-Modified-Since", () =>
    Effect.gen(function*() {
      const lastModified = "Mon, 01 Jan 2024 00:00:00 GMT"
      const server = yield* TestServer.make({
        routes: [["GET", "/lm", Reply.custom((request, response) => {
          request.resume()
          const headers = { "last-modified": lastModified, "cache-control": "no-cache" }
          if (request.headers["if-modified-since"] === lastModified) {
            response.writeHead(304, headers)
            response.end()
          } else {
            response.writeHead(200, headers)
            response.end("dated")
          }
        })]]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/lm")
      const second = yield* get(client, "/lm")
      expect(second).toEqual({ body: "dated", status: "courier; fwd=stale; fwd-status=304" })
      const entries = yield* server.requests("/lm")
      expect(entries.map((e) => e.headers["if-modified-since"])).toEqual([undefined, lastModified])
    }))

  it.scoped("no-store is never stored", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ns", text("x", { "cache-control": "no-store", etag: "\"a\"" })]] })
      const client = yield* cachedClient(server)
      expect((yield* get(client, "/ns")).status).toBe("courier; fwd=miss")
      expect((yield* get(client, "/ns")).status).toBe("courier; fwd=miss")
      const entries = yield* server.requests("/ns")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, undefined])
    }))

  it.scoped("no-cache is stored but revalidated on every use", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/nc", etagged("\"n\"", "no-cache")]] })
      const client = yield* cachedClient(server)
      for (let i = 0; i < 3; i++) yield* get(client, "/nc")
      const entries = yield* server.requests("/nc")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, "\"n\"", "\"n\""])
    }))

  it.scoped("private is stored by a private cache, not by a shared one", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/p", text("mine", { "cache-control": "private, max-age=60" })]] })
      const sharedClient = yield* cachedClient(server, { shared: true })
      yield* get(sharedClient, "/p")
      yield* get(sharedClient, "/p")
      expect(yield* origin(server, "/p")).toBe(2)
      const privateClient = yield* cachedClient(server, { shared: false })
      yield* get(privateClient, "/p")
      expect((yield* get(privateClient, "/p")).status).toMatch(/^courier; hit/)
      expect(yield* origin(server, "/p")).toBe(3)
    }))

  it.scoped("a shared cache does not store an answer to an Authorization request unless it is public", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/auth", text("a", { "cache-control": "max-age=60" })],
          ["GET", "/auth-public", text("b", { "cache-control": "public, max-age=60" })]
        ]
      })
      const client = yield* cachedClient(server, { shared: true })
      const bearer = { authorization: "Bearer T1" }
      yield* get(client, "/auth", bearer)
      yield* get(client, "/auth", bearer)
      yield* get(client, "/auth-public", bearer)
      yield* get(client, "/auth-public", bearer)
      expect(yield* origin(server, "/auth")).toBe(2)
      expect(yield* origin(server, "/auth-public")).toBe(1)
    }))

  it.scoped("Vary: a request with another value of the header is a miss", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/vary", Reply.custom((request, response) => {
          request.resume()
          response.writeHead(200, { vary: "accept-language", "cache-control": "max-age=60" })
          response.end(String(request.headers["accept-language"]))
        })]]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/vary", { "accept-language": "en" })
      const again = yield* get(client, "/vary", { "accept-language": "en" })
      const french = yield* get(client, "/vary", { "accept-language": "fr" })
      expect(again.body).toBe("en")
      expect(again.status).toMatch(/^courier; hit/)
      expect(french.body).toBe("fr")
      expect(yield* origin(server, "/vary")).toBe(2)
    }))

  it.scoped("Expires gives the freshness when there is no max-age", () =>
    Effect.gen(function*() {
      const date = Date.UTC(2025, 0, 1)
      const server = yield* TestServer.make({
        routes: [["GET", "/expires", text("e", {
          date: new Date(date).toUTCString(),
          expires: new Date(date + 60_000).toUTCString()
        })]]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/expires")
      yield* TestClock.adjust("59 seconds")
      expect((yield* get(client, "/expires")).status).toBe("courier; hit; ttl=1")
      yield* TestClock.adjust("2 seconds")
      yield* get(client, "/expires")
      expect(yield* origin(server, "/expires")).toBe(2)
    }))

  it.scoped("heuristic freshness: a tenth of the time since Last-Modified", () =>
    Effect.gen(function*() {
      const date = Date.UTC(2025, 0, 1)
      const server = yield* TestServer.make({
        routes: [["GET", "/heuristic", text("h", {
          date: new Date(date).toUTCString(),
          "last-modified": new Date(date - 100_000).toUTCString()
        })]]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/heuristic")
      yield* TestClock.adjust("9 seconds")
      expect((yield* get(client, "/heuristic")).status).toBe("courier; hit; ttl=1")
      yield* TestClock.adjust("2 seconds")
      yield* get(client, "/heuristic")
      const entries = yield* server.requests("/heuristic")
      expect(entries.map((e) => e.headers["if-modified-since"])).toEqual([undefined, new Date(date - 100_000).toUTCString()])
    }))

  it.scoped("stale-while-revalidate: concurrent calls are served stale, one revalidation goes out", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/swr", etagged("\"s\"", "max-age=1, stale-while-revalidate=60")]]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/swr")
      // The revalidation answers late, so the calls below overlap it.
      yield* server.route("GET", "/swr", Reply.delay("300 millis", etagged("\"s\"", "max-age=60")))
      yield* TestClock.adjust("5 seconds")
      const calls = yield* Effect.all(Array.from({ length: 5 }, () => get(client, "/swr")), { concurrency: "unbounded" })
      for (const call of calls) {
        expect(call.body).toBe("v1")
        expect(call.status).toBe("courier; hit; ttl=-4; detail=stale-while-revalidate")
      }
      yield* waitForRequests(server, "/swr", 2)
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 500)))
      const entries = yield* server.requests("/swr")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, "\"s\""])
      // The 304 renewed the entry: fresh again.
      expect((yield* get(client, "/swr")).status).toMatch(/^courier; hit; ttl=/)
      expect(yield* origin(server, "/swr")).toBe(2)
    }))

  it.scoped("stale-if-error: a 503 or a reset after retries serves the stale entry; without it the failure stands", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/sie", etagged("\"e\"", "max-age=1, stale-if-error=60")],
          ["GET", "/plain", etagged("\"p\"", "max-age=1")]
        ]
      })
      const client = yield* cachedClient(server, {}, true)
      yield* get(client, "/sie")
      yield* get(client, "/plain")
      yield* server.route("GET", "/sie", Reply.status(503))
      yield* server.route("GET", "/plain", Reply.status(503))
      yield* TestClock.adjust("5 seconds")
      const served = yield* get(client, "/sie")
      expect(served).toEqual({ body: "v1", status: "courier; fwd=stale; fwd-status=503; detail=stale-if-error" })
      // Retry (below the cache) tried three times first.
      expect(yield* origin(server, "/sie")).toBe(4)
      yield* server.route("GET", "/sie", Reply.reset)
      expect((yield* get(client, "/sie")).status).toBe("courier; fwd=stale; detail=stale-if-error")
      const failed = yield* Effect.flip(get(client, "/plain"))
      expect(failed).toBeInstanceOf(CourierError.BadResponse)
      expect((failed as CourierError.BadResponse).status).toBe(503)
    }))

  it.scoped("a successful POST invalidates its URL and its same-origin Location", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/items", text("list", { "cache-control": "max-age=60" })],
          ["GET", "/items/1", text("item", { "cache-control": "max-age=60" })],
          ["POST", "/items", Reply.text("made", { status: 201, headers: { location: "/items/1" } })]
        ]
      })
      const client = yield* cachedClient(server)
      yield* get(client, "/items")
      yield* get(client, "/items/1")
      const posted = yield* client.exchange("POST", "/items", { responseType: "text" })
      expect(posted.headers["cache-status"]).toBe("courier; fwd=method")
      yield* get(client, "/items")
      yield* get(client, "/items/1")
      expect(yield* origin(server, "/items/1")).toBe(2)
      expect((yield* server.requests("/items")).filter((e) => e.method === "GET")).toHaveLength(2)
    }))

  it.scoped("only-if-cached: a miss fails with BadResponse 504 and sends nothing; a hit is served", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/oic", text("o", { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server)
      const failed = yield* Effect.flip(get(client, "/oic").pipe(Cache.withPolicy({ onlyIfCached: true })))
      expect(failed._tag).toBe("BadResponse")
      expect((failed as CourierError.BadResponse).status).toBe(504)
      const byHeader = yield* Effect.flip(get(client, "/oic", { "cache-control": "only-if-cached" }))
      expect((byHeader as CourierError.BadResponse).status).toBe(504)
      expect(yield* origin(server, "/oic")).toBe(0)
      yield* get(client, "/oic")
      expect((yield* get(client, "/oic").pipe(Cache.withPolicy({ onlyIfCached: true }))).body).toBe("o")
      expect(yield* origin(server, "/oic")).toBe(1)
    }))

  it.scoped("bypass: the call reaches the origin and is not stored", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/by", text("b", { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server)
      expect((yield* get(client, "/by").pipe(Cache.bypass)).status).toBe("courier; fwd=bypass")
      expect((yield* get(client, "/by")).status).toBe("courier; fwd=miss; stored")
      expect((yield* get(client, "/by").pipe(Cache.bypass)).status).toBe("courier; fwd=bypass")
      expect(yield* origin(server, "/by")).toBe(3)
    }))

  it.scoped("max-stale accepts a stale entry without the origin; without it the origin is asked", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/ms", text("m", { "cache-control": "max-age=1" })]] })
      const client = yield* cachedClient(server)
      yield* get(client, "/ms")
      yield* TestClock.adjust("10 seconds")
      expect((yield* get(client, "/ms").pipe(Cache.withPolicy({ maxStale: "60 seconds" }))).status).toBe("courier; hit; ttl=-9")
      expect((yield* get(client, "/ms", { "cache-control": "max-stale=60" })).status).toBe("courier; hit; ttl=-9")
      expect(yield* origin(server, "/ms")).toBe(1)
      yield* get(client, "/ms").pipe(Cache.withPolicy({ maxStale: "5 seconds" }))
      expect(yield* origin(server, "/ms")).toBe(2)
    }))

  it.scoped("an answer reached through a redirect is not stored under the first URL", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/old", Reply.redirect(302, "/new")],
          ["GET", "/new", text("moved", { "cache-control": "max-age=60" })]
        ]
      })
      const client = yield* cachedClient(server)
      expect(yield* get(client, "/old")).toEqual({ body: "moved", status: "courier; fwd=miss" })
      yield* get(client, "/old")
      expect(yield* origin(server, "/old")).toBe(2)
      // The final URL called directly is cached as usual.
      yield* get(client, "/new")
      expect((yield* get(client, "/new")).status).toMatch(/^courier; hit/)
      expect(yield* origin(server, "/new")).toBe(3)
    }))

  it.scoped("noCache per call, or cache-control: no-cache on the request, revalidates a fresh entry; only-if-cached refuses a stale one", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/rq", etagged("\"r\"", "max-age=60")]] })
      const client = yield* cachedClient(server)
      yield* get(client, "/rq")
      expect((yield* get(client, "/rq").pipe(Cache.withPolicy({ noCache: true }))).status).toBe(
        "courier; fwd=stale; fwd-status=304"
      )
      yield* get(client, "/rq", { "cache-control": "no-cache" })
      const entries = yield* server.requests("/rq")
      expect(entries.map((e) => e.headers["if-none-match"])).toEqual([undefined, "\"r\"", "\"r\""])
      yield* TestClock.adjust("61 seconds")
      const refused = yield* Effect.flip(get(client, "/rq").pipe(Cache.withPolicy({ onlyIfCached: true })))
      expect((refused as CourierError.BadResponse).status).toBe(504)
      expect(yield* origin(server, "/rq")).toBe(3)
    }))

  it.scoped("a caller changing the bytes it got does not change the stored entry", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/bytes", text("abc", { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server)
      const first = yield* client.get("/bytes", { responseType: "bytes" })
      first.fill(0)
      const second = yield* client.get("/bytes", { responseType: "bytes" })
      second.fill(0)
      expect(yield* client.get("/bytes", { responseType: "text" })).toBe("abc")
      expect(yield* origin(server, "/bytes")).toBe(1)
    }))

  it.scoped("the memory store evicts the least recently used entries past its bytes", () =>
    Effect.gen(function*() {
      const body = "x".repeat(1000)
      const headers = { "cache-control": "max-age=60" }
      const server = yield* TestServer.make({
        routes: [["GET", "/a", text(body, headers)], ["GET", "/b", text(body, headers)], ["GET", "/c", text(body, headers)]]
      })
      // Room for two entries (a body and its stored headers each), not three.
      const client = yield* cachedClient(server, { store: Cache.memoryStore({ maxBytes: 3000 }) })
      yield* get(client, "/a")
      yield* get(client, "/b")
      yield* get(client, "/a") // a is now the most recent
      yield* get(client, "/c") // evicts b
      expect((yield* get(client, "/a")).status).toMatch(/^courier; hit/)
      expect((yield* get(client, "/b")).status).toMatch(/^courier; fwd=miss/)
      expect([yield* origin(server, "/a"), yield* origin(server, "/b"), yield* origin(server, "/c")]).toEqual([1, 2, 1])
    }))

  it.scoped("an entry over maxEntryBytes is not stored", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/big", text("y".repeat(2000), { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server, { maxEntryBytes: 1000 })
      yield* get(client, "/big")
      expect((yield* get(client, "/big")).status).toBe("courier; fwd=miss")
      expect(yield* origin(server, "/big")).toBe(2)
    }))

  it.scoped("the disk store keeps entries for a new Layer on the same directory", () =>
    Effect.gen(function*() {
      const directory = yield* scratchDir
      const server = yield* TestServer.make({ routes: [["GET", "/disk", text("kept", { "cache-control": "max-age=60" })]] })
      const store = yield* Cache.diskStore({ directory }).pipe(Effect.provide(NodeFileSystem.layer))
      const first = yield* cachedClient(server, { store })
      yield* get(first, "/disk")
      const again = yield* Cache.diskStore({ directory }).pipe(Effect.provide(NodeFileSystem.layer))
      const second = yield* cachedClient(server, { store: again })
      expect(yield* get(second, "/disk")).toEqual({ body: "kept", status: "courier; hit; ttl=60" })
      expect(yield* origin(server, "/disk")).toBe(1)
    }))

  it.scoped("streaming calls pass through, neither read from nor written to the cache", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/s", text("stream", { "cache-control": "max-age=60" })]] })
      const client = yield* cachedClient(server)
      const streamed = yield* client.streamingResponse("GET", "/s")
      expect(streamed.headers["cache-status"]).toBe("courier; fwd=bypass; detail=streaming")
      yield* get(client, "/s")
      expect(yield* origin(server, "/s")).toBe(2)
    }))

  it.scoped("a background revalidation is interrupted with the Layer's scope", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/bg", etagged("\"b\"", "max-age=1, stale-while-revalidate=60")]] })
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const client = yield* cachedClient(server)
        yield* get(client, "/bg")
        yield* server.route("GET", "/bg", Reply.stall)
        yield* TestClock.adjust("5 seconds")
        yield* get(client, "/bg")
        yield* waitForRequests(server, "/bg", 2)
      })))
      yield* Fiber.join(fiber)
      expect(yield* server.awaitNoRequestsInFlight("5 seconds")).toBe(true)
    }))
})

const capture = () => {
  const lines: Array<Record<string, unknown>> = []
  const logger = Logger.make<unknown, void>((options) => {
    const message = Array.isArray(options.message) ? options.message[0] : options.message
    if (message === Logging.message) lines.push(Object.fromEntries(HashMap.toEntries(options.annotations)))
  })
  return { lines, layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.Debug)) }
}

const lookups = (outcome: Cache.Outcome) => Effect.map(Metric.value(Cache.lookupsFor(outcome)), (state) => state.count)

describe("Cache in the preset", () => {
  it.scopedLive("shared, below Auth and above Retry: a bearer answer is not stored, a retried miss logs each attempt with http.cache", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/api/posts", Reply.sequence([Reply.status(503), etagged("\"p\"", "no-cache")])]]
      })
      const client = yield* Effect.map(
        Layer.build(
          Preset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { retry: { baseDelay: 0 }, cache: { shared: true } }
          ).pipe(
            Layer.provide(TestClient.layerFor(server, { baseUrl: `${server.url}/api` }, "node")),
            Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
          )
        ),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      const hitsBefore = yield* lookups("revalidated")
      yield* get(client, "/posts")
      // Auth is above the cache, so the cache sees the bearer token: a shared
      // cache does not store the answer, and the next call is a miss again,
      // not a revalidation.
      const second = yield* get(client, "/posts")
      expect(second.status).toBe("courier; fwd=miss")
      // Retry is below the cache: the 503 and the 200 of the first call are two attempts, one miss.
      expect(lines.map((l) => [l["http.status"], l["http.attempt"], l["http.cache"]])).toEqual([
        [503, 1, "fwd=miss"],
        [200, 2, "fwd=miss"],
        [200, 1, "fwd=miss"]
      ])
      expect(yield* lookups("revalidated")).toBe(hitsBefore)
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a private cache in the preset revalidates bearer requests and logs the hit it serves itself", () => {
    const { layer, lines } = capture()
    return Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/api/posts", etagged("\"p\"", "max-age=0")],
          ["GET", "/api/fresh", text("f", { "cache-control": "max-age=60" })]
        ]
      })
      const client = yield* Effect.map(
        Layer.build(
          Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }, { cache: {} }).pipe(
            Layer.provide(TestClient.layerFor(server, { baseUrl: `${server.url}/api` }, "node")),
            Layer.provide(TokenStore.layerMemory(TokenStore.tokens("T1", "R1")))
          )
        ),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      const revalidated = yield* lookups("revalidated")
      const hits = yield* lookups("hit")
      yield* get(client, "/posts")
      expect((yield* get(client, "/posts")).status).toBe("courier; fwd=stale; fwd-status=304")
      yield* get(client, "/fresh")
      expect((yield* get(client, "/fresh")).status).toMatch(/^courier; hit/)
      expect(lines.map((l) => [l["http.status"], l["http.cache"]])).toEqual([
        [200, "fwd=miss"],
        [304, "fwd=stale"],
        [200, "fwd=miss"],
        [200, "hit"]
      ])
      const entries = yield* server.requests("/api/posts")
      expect(entries.map((e) => [e.headers["authorization"], e.headers["if-none-match"]])).toEqual([
        ["Bearer T1", undefined],
        ["Bearer T1", "\"p\""]
      ])
      expect(yield* lookups("revalidated")).toBe(revalidated + 1)
      expect(yield* lookups("hit")).toBe(hits + 1)
    }).pipe(Effect.provide(layer))
  })
})
