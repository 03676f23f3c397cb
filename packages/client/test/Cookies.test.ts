import { Cookies, CourierClient, CourierConfig, CourierRequest, Logging, Preset } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as TestClock from "effect/TestClock"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Jar from "../src/internal/layers/cookies/jar.js"
import { captureLogs } from "./recorders.js"
import * as Tls from "./tls.js"
import { scratchDir, transports } from "./support.js"

// RFC 6265 scoping, row by row, on the wire: what each server's journal saw.
// Two origins on two hosts: A is 127.0.0.1, B is localhost (cookies are scoped
// by host, not by port, so two ports of one host would share a jar).

type Decorator = Layer.Layer<CourierClient.CourierClient, unknown, CourierClient.CourierClient>

const build = (
  server: TestServer.Service,
  kind: TestClient.Transport,
  decorator: Decorator = Cookies.layer(),
  options: CourierConfig.Options = {}
) =>
  Effect.map(
    Layer.build(decorator.pipe(Layer.provide(TestClient.layerFor(server, options, kind)))),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

/** Two servers, A (127.0.0.1) and B (localhost), and a jar client based on A allowed to call B. */
const twoOrigins = (kind: TestClient.Transport, decorator?: Decorator) =>
  Effect.gen(function*() {
    const a = yield* TestServer.make()
    const b = yield* TestServer.make()
    const bUrl = `http://localhost:${b.port}`
    const client = yield* build(a, kind, decorator, { allowedOrigins: [bUrl] })
    return { a, b, bUrl, client }
  })

const sentCookie = (server: TestServer.Service, path: string) =>
  Effect.map(server.requests(path), (entries) => entries.map((entry) => entry.headers["cookie"] ?? null))

const setting = (path: string, setCookie: string | ReadonlyArray<string>) =>
  ["GET", path, Reply.json({ ok: true }, { headers: { "set-cookie": setCookie } })] as const

for (const kind of transports) {
  describe(`cookies on ${kind}`, () => {
    it.scopedLive("a host-only cookie goes back to its host, never to another", () =>
      Effect.gen(function*() {
        const { a, b, bUrl, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", "sid=A-1"))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* b.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        yield* client.get(`${bUrl}/check`)
        expect(yield* sentCookie(a, "/set")).toEqual([null])
        expect(yield* sentCookie(a, "/check")).toEqual(["sid=A-1"])
        expect(yield* sentCookie(b, "/check")).toEqual([null])
      }))

    it.scopedLive("several Set-Cookie lines are all kept", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", ["one=1", "two=2; Path=/", "three=3"]))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        const [sent] = yield* sentCookie(a, "/check")
        expect(String(sent).split("; ").sort()).toEqual(["one=1", "three=3", "two=2"])
      }))

    it.scopedLive("a Domain that does not cover the host that set it is ignored", () =>
      Effect.gen(function*() {
        const { a, b, bUrl, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", ["steal=1; Domain=localhost", "mine=1; Domain=127.0.0.1"]))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* b.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        yield* client.get(`${bUrl}/check`)
        expect(yield* sentCookie(a, "/check")).toEqual(["mine=1"])
        expect(yield* sentCookie(b, "/check")).toEqual([null])
      }))

    it.scopedLive("Path scopes a cookie: /a matches /a and /a/b, not /ab or /", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", "p=1; Path=/a"))
        for (const path of ["/a", "/a/b", "/ab", "/"]) yield* a.route("GET", path, Reply.json({}))
        yield* client.get("/set")
        for (const path of ["/a", "/a/b", "/ab", "/"]) yield* client.get(path)
        expect(yield* sentCookie(a, "/a")).toEqual(["p=1"])
        expect(yield* sentCookie(a, "/a/b")).toEqual(["p=1"])
        expect(yield* sentCookie(a, "/ab")).toEqual([null])
        expect(yield* sentCookie(a, "/")).toEqual([null])
      }))

    it.scopedLive("a Secure cookie is neither stored nor sent over plain http, loopback included", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", ["s=1; Secure", "plain=1"]))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        expect(yield* sentCookie(a, "/check")).toEqual(["plain=1"])
      }))

    it.scopedLive("HttpOnly and SameSite cookies are stored and sent (an HTTP client, no browsing context)", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", ["h=1; HttpOnly", "ss=1; SameSite=Strict"]))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        expect(yield* sentCookie(a, "/check")).toEqual(["h=1; ss=1"])
      }))

    it.scopedLive("Max-Age=0 deletes a stored cookie", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        yield* a.route(...setting("/set", ["k=1", "keep=1"]))
        yield* a.route(...setting("/del", "k=gone; Max-Age=0"))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/del")
        yield* client.get("/check")
        expect(yield* sentCookie(a, "/del")).toEqual(["k=1; keep=1"])
        expect(yield* sentCookie(a, "/check")).toEqual(["keep=1"])
      }))

    it.scoped("Max-Age and Expires expire on Effect's Clock (TestClock)", () =>
      Effect.gen(function*() {
        const { a, client } = yield* twoOrigins(kind)
        // TestClock starts at the epoch: an Expires in 1970 is still ahead.
        yield* a.route(...setting("/set", ["m=1; Max-Age=60", "e=1; Expires=Thu, 01 Jan 1970 00:10:00 GMT", "s=1"]))
        yield* a.route("GET", "/check", Reply.json({}))
        yield* client.get("/set")
        yield* client.get("/check")
        yield* TestClock.adjust("61 seconds")
        yield* client.get("/check")
        yield* TestClock.adjust("10 minutes")
        yield* client.get("/check")
        expect(yield* sentCookie(a, "/check")).toEqual(["m=1; e=1; s=1", "e=1; s=1", "s=1"])
      }))

    it.scopedLive("a cookie set on a 302 goes to the next hop on its origin, never to another origin", () =>
      Effect.gen(function*() {
        const { a, b, bUrl, client } = yield* twoOrigins(kind)
        yield* a.route("GET", "/login", Reply.redirect(302, "/home", { headers: { "set-cookie": "sid=A-302" } }))
        yield* a.route("GET", "/home", Reply.redirect(302, `${bUrl}/away`))
        yield* b.route("GET", "/away", Reply.redirect(302, `${a.url}/back`, { headers: { "set-cookie": "bsid=B-302" } }))
        yield* a.route("GET", "/back", Reply.json({}))
        yield* b.route("GET", "/check", Reply.json({}))
        yield* client.get("/login")
        yield* client.get(`${bUrl}/check`)
        expect(yield* sentCookie(a, "/login")).toEqual([null])
        expect(yield* sentCookie(a, "/home")).toEqual(["sid=A-302"])
        expect(yield* sentCookie(b, "/away")).toEqual([null])
        expect(yield* sentCookie(a, "/back")).toEqual(["sid=A-302"])
        expect(yield* sentCookie(b, "/check")).toEqual(["bsid=B-302"])
      }))

    it.scopedLive("a caller's Cookie header is dropped on a cross-origin hop; the jar adds only that origin's", () =>
      Effect.gen(function*() {
        const { a, b, bUrl, client } = yield* twoOrigins(kind)
        yield* b.route(...setting("/set", "bsid=B-1"))
        yield* a.route("GET", "/go", Reply.redirect(302, `${bUrl}/land`))
        yield* b.route("GET", "/land", Reply.json({}))
        yield* a.route(...setting("/seta", "asid=A-1"))
        yield* client.get(`${bUrl}/set`)
        yield* client.get("/seta")
        yield* client.get("/go", { headers: { cookie: "mine=CALLER" } })
        expect(yield* sentCookie(a, "/go")).toEqual(["mine=CALLER; asid=A-1"])
        expect(yield* sentCookie(b, "/land")).toEqual(["bsid=B-1"])
      }))

    it.scopedLive("every retried attempt reads the jar when it is sent", () =>
      Effect.gen(function*() {
        const a = yield* TestServer.make()
        // The 503 sets a cookie; the retry carries it.
        yield* a.route("GET", "/flaky", Reply.sequence([
          Reply.status(503, { headers: { "set-cookie": "n=1", "retry-after": "0" } }),
          Reply.json({})
        ]))
        const client = yield* build(a, kind, Preset.layerWithoutAuth({ cookies: true, retry: { baseDelay: 0 }, logging: false }))
        yield* client.get("/flaky")
        expect(yield* sentCookie(a, "/flaky")).toEqual([null, "n=1"])
      }))

    it.scopedLive("redirect × retry: a cookie set on the 302 goes to the failed hop and to every hop of the retry", () =>
      Effect.gen(function*() {
        const a = yield* TestServer.make()
        yield* a.route("GET", "/start", Reply.redirect(302, "/flaky", { headers: { "set-cookie": "r=1" } }))
        yield* a.route("GET", "/flaky", Reply.sequence([Reply.status(503, { headers: { "retry-after": "0" } }), Reply.json({})]))
        const client = yield* build(a, kind, Preset.layerWithoutAuth({ cookies: true, retry: { baseDelay: 0 }, logging: false }))
        yield* client.get("/start")
        expect(yield* sentCookie(a, "/start")).toEqual([null, "r=1"])
        expect(yield* sentCookie(a, "/flaky")).toEqual(["r=1", "r=1"])
      }))

    it.scopedLive("cookie values never reach logs or failures, BadResponse headers included", () => {
      const logs = captureLogs()
      return Effect.gen(function*() {
        const a = yield* TestServer.make()
        yield* a.route(...setting("/set", "sid=SECRET-COOKIE-1"))
        yield* a.route("GET", "/fail", Reply.status(500, { headers: { "set-cookie": "other=SECRET-COOKIE-2" } }))
        const client = yield* build(
          a,
          kind,
          Layer.provide(Logging.layer({ level: LogLevel.Debug }), Cookies.layer()) as Decorator
        )
        yield* client.get("/set")
        const failure = yield* Effect.flip(client.get("/fail", { headers: { cookie: "mine=SECRET-COOKIE-3" } }))
        expect(failure._tag).toBe("BadResponse")
        expect((yield* sentCookie(a, "/fail"))[0]).toContain("SECRET-COOKIE-1")
        const shown = [
          failure.message,
          String(failure),
          JSON.stringify(failure),
          JSON.stringify("headers" in failure ? failure.headers : {}),
          ...logs.lines.flatMap((line) => line.rendered)
        ]
        expect(logs.lines.length).toBeGreaterThan(0)
        for (const text of shown) expect(text).not.toMatch(/SECRET-COOKIE/)
      }).pipe(Effect.provide(logs.layer))
    })
    it.scopedLive("a failure body that echoes the jar's cookie shows it redacted", () =>
      Effect.gen(function*() {
        const a = yield* TestServer.make()
        yield* a.route(...setting("/set", "sid=SECRET-COOKIE-ECHO"))
        yield* a.route(
          "GET",
          "/echo-fail",
          Reply.custom((request, response) => {
            response.writeHead(500, { "content-type": "application/json" })
            response.end(JSON.stringify({ error: "bad", seen: request.headers["cookie"] ?? null }))
          })
        )
        const client = yield* build(a, kind)
        yield* client.get("/set")
        const failure = yield* Effect.flip(client.get("/echo-fail"))
        expect(failure._tag).toBe("BadResponse")
        expect((yield* sentCookie(a, "/echo-fail"))[0]).toBe("sid=SECRET-COOKIE-ECHO")
        const excerpt = "bodyExcerpt" in failure ? failure.bodyExcerpt : ""
        expect(excerpt).toContain("error")
        expect(`${excerpt} ${failure.message} ${JSON.stringify(failure)}`).not.toContain("SECRET-COOKIE-ECHO")
      }))
  })
}

describe("Secure over https (a TLS server from the fixture certificate)", () => {
  it.scopedLive("a Secure cookie set over https goes back over https, never over http to the same host", () =>
    Effect.gen(function*() {
      const secure = yield* Tls.make((request, response) => {
        if (request.url === "/set") response.setHeader("set-cookie", ["s=1; Secure", "p=1"])
        response.setHeader("content-type", "application/json")
        response.end("{}")
      })
      const plain = yield* TestServer.make({ routes: [["GET", "/check", Reply.json({})]] })
      const client = yield* Effect.map(
        Layer.build(
          Cookies.layer().pipe(
            Layer.provide(CourierClient.layer),
            Layer.provide(NodeTransport.layer({ ca: Tls.certificate })),
            Layer.provide(CourierConfig.layer({ baseUrl: secure.url, allowedOrigins: [plain.url] }))
          )
        ),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      yield* client.get("/set")
      yield* client.get("/check")
      // Same host, 127.0.0.1: cookies are scoped by host, so the plain one goes; the Secure one does not.
      yield* client.get(`${plain.url}/check`)
      expect(secure.requests.map((entry) => entry.headers["cookie"] ?? null)).toEqual([null, "s=1; p=1"])
      expect(yield* sentCookie(plain, "/check")).toEqual(["p=1"])
    }))
})

describe("cookie file", () => {
  it.scopedLive("survives a new Layer instance, written 0600 through a rename", () =>
    Effect.gen(function*() {
      const dir = yield* scratchDir
      const path = Path.join(dir, "jar", "cookies.json")
      const a = yield* TestServer.make({ routes: [setting("/set", "sid=KEPT; Max-Age=3600"), ["GET", "/check", Reply.json({})]] })
      const fileJar = () =>
        Cookies.layerFile({ path }).pipe(Layer.provide(NodeFileSystem.layer)) as Decorator
      const first = yield* build(a, "node", fileJar())
      yield* first.get("/set")
      expect(Fs.statSync(path).mode & 0o777).toBe(0o600)
      expect(Fs.readdirSync(Path.dirname(path))).toEqual(["cookies.json"])
      const second = yield* build(a, "node", fileJar())
      yield* second.get("/check")
      expect(yield* sentCookie(a, "/check")).toEqual(["sid=KEPT"])
    }))

  it.scopedLive("a file that is not a jar fails the Layer without showing its content", () =>
    Effect.gen(function*() {
      const dir = yield* scratchDir
      const path = Path.join(dir, "cookies.json")
      Fs.writeFileSync(path, "{ sid=SECRET-IN-FILE")
      const a = yield* TestServer.make()
      const error = yield* Effect.flip(
        Layer.build(
          Cookies.layerFile({ path }).pipe(
            Layer.provide(TestClient.layerFor(a, {}, "node")),
            Layer.provide(NodeFileSystem.layer)
          )
        )
      )
      expect(error._tag).toBe("CookieJarError")
      expect(`${error.message} ${String(error)}`).not.toContain("SECRET-IN-FILE")
    }))
})

describe("public suffixes (the jar itself: loopback has no domains)", () => {
  it.effect("a Domain that is a public suffix is refused; a registrable one is shared with subdomains", () =>
    Effect.gen(function*() {
      const jar = Jar.empty()
      const from = new URL("http://api.example.com/")
      expect(yield* jar.store(from, ["wide=1; Domain=com"])).toBe(false)
      expect(yield* jar.store(new URL("http://shop.example.co.uk/"), ["uk=1; Domain=co.uk"])).toBe(false)
      expect(yield* jar.store(from, ["site=1; Domain=example.com", "host=1"])).toBe(true)
      expect(yield* jar.header(new URL("http://www.example.com/"))).toBe("site=1")
      expect(yield* jar.header(new URL("http://api.example.com/"))).toBe("site=1; host=1")
      expect(yield* jar.header(new URL("http://other.com/"))).toBeUndefined()
    }))
})

describe("hop hooks (the seam the jar uses)", () => {
  it.scopedLive("a hook runs on every hop; what it adds is not carried to the next hop", () =>
    Effect.gen(function*() {
      const a = yield* TestServer.make()
      const b = yield* TestServer.make()
      const bUrl = `http://localhost:${b.port}`
      yield* a.route("GET", "/one", Reply.redirect(302, "/two"))
      yield* a.route("GET", "/two", Reply.redirect(307, `${bUrl}/three`))
      yield* b.route("GET", "/three", Reply.json({}))
      const seen: Array<string> = []
      // Adds a header on the first origin only, and records each hop's answer.
      const hook: CourierRequest.HopHook = {
        onRequest: (request) =>
          Effect.succeed(
            request.url.origin === a.origin ? CourierRequest.setHeader(request, "x-hop-only", "a") : request
          ),
        onResponse: (request, response) => Effect.sync(() => void seen.push(`${request.url.pathname} ${response.status}`))
      }
      const Hooked = CourierClient.layerDecorate((execute) =>
        Effect.succeed((request: CourierRequest.CourierRequest) => execute(CourierRequest.addHopHook(request, hook)))
      )
      const client = yield* build(a, "node", Hooked, { allowedOrigins: [bUrl] })
      yield* client.get("/one")
      expect(seen).toEqual(["/one 302", "/two 307", "/three 200"])
      const header = (entries: ReadonlyArray<TestServer.JournalEntry>) => entries.map((e) => e.headers["x-hop-only"] ?? null)
      expect(header(yield* a.requests("/one"))).toEqual(["a"])
      expect(header(yield* a.requests("/two"))).toEqual(["a"])
      expect(header(yield* b.requests("/three"))).toEqual([null])
    }))
})
