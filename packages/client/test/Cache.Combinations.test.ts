import { Cache, Cookies, CourierClient, HttpClientFace, Preset } from "@courier/client"
import * as HttpClient from "@effect/platform/HttpClient"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The cache in combination with the Layers below it, on the wire.

type Decorator = Layer.Layer<CourierClient.CourierClient, unknown, CourierClient.CourierClient>

const built = (server: TestServer.Service, decorator: Decorator) =>
  Effect.map(
    Layer.build(decorator.pipe(Layer.provide(TestClient.layerFor(server, {}, "node")))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const stacks: ReadonlyArray<readonly [string, Decorator]> = [
  ["the jar above the cache", Cookies.layer().pipe(Layer.provide(Cache.layer()))],
  ["the preset with cookies and a cache", Preset.layerWithoutAuth({ cookies: true, cache: {}, retry: false, logging: false, tracing: false, metrics: false })]
]

describe.each(stacks)("cache and cookie jar: %s", (_, decorator) => {
  it.scoped("Vary: Cookie compares the cookies the jar sends, not the caller's headers alone", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/login", Reply.json({}, { headers: { "set-cookie": "sid=alice" } })],
          ["GET", "/me", Reply.custom((request, response) => {
            request.resume()
            response.writeHead(200, { vary: "cookie", "cache-control": "max-age=60", "content-type": "text/plain" })
            response.end(String(request.headers["cookie"] ?? "anonymous"))
          })]
        ]
      })
      const client = yield* built(server, decorator)
      const me = Effect.map(
        client.exchange("GET", "/me", { responseType: "text" }),
        (exchange) => ({ body: exchange.body, status: exchange.headers["cache-status"] ?? "" })
      )
      const before = yield* me
      const again = yield* me
      yield* client.get("/login")
      const after = yield* me
      const afterAgain = yield* me
      expect(before.body).toBe("anonymous")
      expect(again.status).toMatch(/^courier; hit/)
      // Logged in: the jar now sends `sid=alice`, so the anonymous answer does not hold.
      expect(after.body).toBe("sid=alice")
      expect(afterAgain.body).toBe("sid=alice")
      expect(afterAgain.status).toMatch(/^courier; hit/)
      expect((yield* server.requests("/me")).length).toBe(2)
    }))
})

describe("what an entry keeps", () => {
  it.scoped("an answer with Vary keeps the named request headers only: no Authorization, no Cookie", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/varies", Reply.custom((request, response) => {
          request.resume()
          response.writeHead(200, { vary: "Accept-Language", "cache-control": "private, max-age=60" })
          response.end(String(request.headers["accept-language"]))
        })]]
      })
      const memory = Cache.memoryStore()
      const written: Array<string> = []
      const store: Cache.Store = {
        get: memory.get,
        delete: memory.delete,
        set: (key, entry) => Effect.zipRight(Effect.sync(() => written.push(JSON.stringify(entry.policy))), memory.set(key, entry))
      }
      const client = yield* built(server, Cache.layer({ store }))
      const headers = { authorization: "Bearer token-of-alice", cookie: "sid=cookie-of-alice", "accept-language": "en" }
      yield* client.exchange("GET", "/varies", { headers, responseType: "text" })
      const again = yield* client.exchange("GET", "/varies", { headers, responseType: "text" })
      const french = yield* client.exchange("GET", "/varies", { headers: { ...headers, "accept-language": "fr" }, responseType: "text" })
      expect(written.length).toBeGreaterThan(0)
      for (const text of written) {
        expect(text).not.toContain("token-of-alice")
        expect(text).not.toContain("cookie-of-alice")
        expect(text).toMatch(/"reqh":\{"accept-language":"(en|fr)"\}/)
      }
      // Vary still works from what is kept.
      expect(again.headers["cache-status"]).toMatch(/^courier; hit/)
      expect(french.body).toBe("fr")
    }))
})

describe("cache and redirects", () => {
  it.scoped("a 304 from a redirect's target does not renew the entry of the first URL", () =>
    Effect.gen(function*() {
      let moved = false
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/a", Reply.custom((request, response) => {
            request.resume()
            if (moved) {
              response.writeHead(302, { location: "/b" })
              response.end()
              return
            }
            response.writeHead(200, { etag: "\"1\"", "cache-control": "no-cache", "content-type": "text/plain" })
            response.end("A")
          })],
          // Another resource that happens to use the same ETag (a version number).
          ["GET", "/b", Reply.custom((request, response) => {
            request.resume()
            const headers = { etag: "\"1\"", "cache-control": "no-cache", "content-type": "text/plain" }
            if (request.headers["if-none-match"] === "\"1\"") {
              response.writeHead(304, headers)
              response.end()
              return
            }
            response.writeHead(200, headers)
            response.end("B")
          })]
        ]
      })
      const client = yield* built(server, Cache.layer())
      const first = yield* client.exchange("GET", "/a", { responseType: "text" })
      moved = true
      const second = yield* client.exchange("GET", "/a", { responseType: "text" })
      expect(first.body).toBe("A")
      // /a now answers with /b's body: the stored "A" was not confirmed by /a.
      expect(second.body).toBe("B")
    }))
})

describe("stale-if-error and the directives that forbid stale answers", () => {
  const answered = (cacheControl: string) =>
    Effect.gen(function*() {
      let failing = false
      const server = yield* TestServer.make({
        routes: [["GET", "/account", Reply.custom((request, response) => {
          request.resume()
          if (failing) {
            response.writeHead(503, { "content-type": "text/plain" })
            response.end("down")
            return
          }
          response.writeHead(200, { "cache-control": cacheControl, "content-type": "text/plain" })
          response.end(`account of ${String(request.headers["authorization"])}`)
        })]]
      })
      const client = yield* built(server, Cache.layer({ shared: true }))
      const call = (token: string) =>
        client.exchange("GET", "/account", { headers: { authorization: `Bearer ${token}` }, responseType: "text" })
      const alice = yield* call("alice")
      failing = true
      const bob = yield* Effect.either(call("bob"))
      const bobAcceptingStale = yield* Effect.either(call("bob").pipe(Cache.withPolicy({ maxStale: true })))
      return { alice: alice.body, bob, bobAcceptingStale }
    })

  it.scoped("s-maxage in a shared cache: not stale even for a caller that accepts stale answers (max-stale)", () =>
    Effect.gen(function*() {
      const { bobAcceptingStale } = yield* answered("s-maxage=0")
      expect(bobAcceptingStale._tag).toBe("Left")
    }))

  it.scoped("must-revalidate: a shared cache never hands one user's stored answer to another when the origin fails", () =>
    Effect.gen(function*() {
      const { alice, bob } = yield* answered("max-age=0, must-revalidate, stale-if-error=300")
      expect(alice).toBe("account of Bearer alice")
      expect(bob._tag).toBe("Left")
      if (bob._tag === "Left") expect(bob.left._tag).toBe("BadResponse")
    }))

  it.scoped("s-maxage (proxy-revalidate for a shared cache): no stale answer on error either", () =>
    Effect.gen(function*() {
      const { bob } = yield* answered("s-maxage=0, stale-if-error=300")
      expect(bob._tag).toBe("Left")
    }))

  it.scoped("must-revalidate or s-maxage (shared): no stale-while-revalidate answer either", () =>
    Effect.gen(function*() {
      for (const cacheControl of ["max-age=0, must-revalidate, stale-while-revalidate=300", "s-maxage=0, stale-while-revalidate=300"]) {
        const { bob } = yield* answered(cacheControl)
        expect(bob._tag).toBe("Left")
      }
    }))
})

describe("cache under the platform face", () => {
  it.scoped("a platform GET is streamed, so the cache passes it through (bypass), never serving or storing it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [["GET", "/fresh", Reply.text("x", { headers: { "cache-control": "max-age=60" } })]]
      })
      const face = yield* Effect.map(
        Layer.build(HttpClientFace.layer.pipe(Layer.provide(Cache.layer()), Layer.provide(TestClient.layerFor(server, {}, "node")))),
        (context) => Context.get(context, HttpClient.HttpClient)
      ).pipe(Effect.orDie)
      const statuses: Array<string | undefined> = []
      for (let i = 0; i < 2; i++) {
        const response = yield* face.get(`${server.url}/fresh`).pipe(Effect.orDie)
        yield* response.text.pipe(Effect.orDie)
        statuses.push(response.headers["cache-status"])
      }
      expect(statuses).toEqual(["courier; fwd=bypass; detail=streaming", "courier; fwd=bypass; detail=streaming"])
      expect((yield* server.requests("/fresh")).length).toBe(2)
    }))
})
