import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Body from "../src/Body.js"
import * as CourierClient from "../src/CourierClient.js"
import * as CourierConfig from "../src/CourierConfig.js"
import * as Transport from "../src/Transport.js"
import { client } from "./support.js"

const platformClient = (options: CourierConfig.Options) =>
  Effect.map(
    Layer.build(
      CourierClient.layer.pipe(
        Layer.provide(Transport.layerFromHttpClient()),
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(CourierConfig.layer(options))
      )
    ),
    (context) => Context.get(context, CourierClient.CourierClient)
  )

// The same cases over both transports: the client's rules do not depend on which one carries the hop.
const transports = [
  ["NodeTransport", client],
  ["layerFromHttpClient (fetch)", platformClient]
] as const

for (const [name, make] of transports) {
  describe(name, () => {
    it.live("sends the request as prepared and decodes the answer", () =>
      Effect.gen(function*() {
        const s = yield* TestServer.make({ routes: [["POST", "/echo", Reply.echo]] })
        const c = yield* make({ baseUrl: s.url, headers: { "x-app": "a" } })
        const echoed = yield* c.post("/echo", { query: { n: 1 }, body: Body.json({ hi: true }) })
        expect(echoed).toEqual(expect.objectContaining({ method: "POST", body: "{\"hi\":true}" }))
        const [entry] = yield* s.journal
        expect(entry!.headers["x-app"]).toBe("a")
        expect(entry!.headers["content-type"]).toBe("application/json")
        expect(entry!.path).toBe("/echo?n=1")
      }).pipe(Effect.scoped))

    it.live("a stream body is sent", () =>
      Effect.gen(function*() {
        const s = yield* TestServer.make({ routes: [["POST", "/", Reply.empty]] })
        const c = yield* make({ baseUrl: s.url })
        yield* c.post("/", { body: Body.stream(Stream.make(new TextEncoder().encode("a"), new TextEncoder().encode("b"))), responseType: "none" })
        expect((yield* s.journal)[0]!.bodyText).toBe("ab")
      }).pipe(Effect.scoped))

    it.live("redirects are the client's: credentials stay on their origin", () =>
      Effect.gen(function*() {
        const a = yield* TestServer.make()
        const b = yield* TestServer.make({ routes: [["GET", "/x", Reply.json({ ok: 1 })]] })
        yield* a.route("GET", "/start", Reply.redirect(302, `${b.url}/x`))
        const c = yield* make({ baseUrl: a.url })
        expect(yield* c.get("/start", { headers: { authorization: "Bearer abcdefgh", "x-api-key": "abcdefgh" } })).toEqual({ ok: 1 })
        const [x] = yield* b.journal
        expect(x!.headers["authorization"]).toBeUndefined()
        expect(x!.headers["x-api-key"]).toBeUndefined()
      }).pipe(Effect.scoped))

    it.live("status failures, limits and a gzip body", () =>
      Effect.gen(function*() {
        const s = yield* TestServer.make({
          routes: [
            ["GET", "/500", Reply.text("broken", { status: 500 })],
            ["GET", "/big", Reply.text("x".repeat(5000))],
            ["GET", "/gzip", Reply.gzip("{\"z\":1}", { headers: { "content-type": "application/json" } })]
          ]
        })
        const c = yield* make({ baseUrl: s.url, maxResponseBytes: 1000 })
        const bad = yield* Effect.flip(c.get("/500"))
        expect(bad._tag === "BadResponse" && bad.bodyExcerpt).toBe("broken")
        const big = yield* Effect.flip(c.get("/big", { responseType: "text" }))
        expect(big._tag === "LimitExceeded" && big.reason).toBe("ResponseTooLarge")
        expect(yield* c.get("/gzip")).toEqual({ z: 1 })
      }).pipe(Effect.scoped))

    it.live("receive and total timeouts", () =>
      Effect.gen(function*() {
        const s = yield* TestServer.make({
          routes: [
            ["GET", "/stall", Reply.stall],
            ["GET", "/drip", Reply.drip({ chunk: "a", interval: "50 millis", count: 10_000 })]
          ]
        })
        const c = yield* make({ baseUrl: s.url, timeouts: { receive: "300 millis", total: "20 seconds" } })
        const receive = yield* Effect.flip(c.get("/stall"))
        expect(receive._tag === "Timeout" && receive.phase).toBe("receive")
        const total = yield* Effect.flip(c.get("/drip", { responseType: "text", timeouts: { total: "500 millis" } }))
        expect(total._tag === "Timeout" && total.phase).toBe("total")
      }).pipe(Effect.scoped))

    it.live("timeouts longer than a timer holds (2^31-1 ms) are no timeout, not an immediate one", () =>
      Effect.gen(function*() {
        const s = yield* TestServer.make({ routes: [["*", "/", Reply.json({ ok: true })]] })
        const c = yield* make({ baseUrl: s.url, timeouts: { send: "30 days", receive: "30 days", total: "30 days" } })
        expect(yield* c.get("/")).toEqual({ ok: true })
        const body = Body.stream(Stream.make(new TextEncoder().encode("x")))
        expect(yield* c.post("/", { body })).toEqual({ ok: true })
      }).pipe(Effect.scoped))

    it.live("a refused connection is Network(ConnectionRefused)", () =>
      Effect.gen(function*() {
        const closed = yield* Effect.scoped(Effect.map(TestServer.make(), (other) => other.url))
        const c = yield* make({})
        const error = yield* Effect.flip(c.get(`${closed}/`))
        expect(error._tag === "Network" && error.reason).toBe("ConnectionRefused")
      }).pipe(Effect.scoped))
  })
}
