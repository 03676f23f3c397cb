import { CourierClient, CourierConfig, CourierError, Logging } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as ProxyRouting from "../src/node/internal/proxy.js"
import * as Proxy from "./proxy.js"
import { captureLogs } from "./recorders.js"
import { closedPort } from "./support.js"
import * as Tls from "./tls.js"

// Every request through a proxy is a CONNECT tunnel: the proxy sees the
// target's host and port and its own credentials, never the request.

const clientWith = (options: CourierConfig.Options, transport: NodeTransport.Options) =>
  Effect.map(
    Layer.build(NodeTransport.layerClient(options, transport)),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const hostOf = (url: string) => new URL(url).host

const hello = () => TestServer.make({ routes: [["GET", "/hello", Reply.json("hello")]] })

describe("NodeTransport through a proxy", () => {
  it.scopedLive("an http target: the request goes through the proxy's tunnel and arrives whole", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make()
      const client = yield* clientWith({ baseUrl: server.url }, { proxy: proxy.url })
      expect(yield* client.get("/hello")).toBe("hello")
      expect(proxy.requests.map((r) => [r.method, r.target])).toEqual([["CONNECT", hostOf(server.url)]])
      expect((yield* server.requests("/hello")).length).toBe(1)
    }))

  it.scopedLive("an https target: CONNECT, then TLS with the target inside the tunnel (its CA trusted)", () =>
    Effect.gen(function*() {
      const secure = yield* Tls.make((_, response) => response.end(JSON.stringify("secret page")))
      const proxy = yield* Proxy.make()
      const client = yield* clientWith({ baseUrl: secure.url }, { proxy: proxy.url, ca: Tls.certificate })
      expect(yield* client.get("/page")).toBe("secret page")
      expect(proxy.requests.map((r) => [r.method, r.target])).toEqual([["CONNECT", hostOf(secure.url)]])
      expect(secure.requests.map((r) => r.path)).toEqual(["/page"])
    }))

  it.scopedLive("credentials reach the proxy alone; Authorization reaches the target alone; no log line shows either", () =>
    Effect.gen(function*() {
      const secure = yield* Tls.make((_, response) => response.end(JSON.stringify("ok")))
      const proxy = yield* Proxy.make({ credentials: "courier:pr0xy-pa55" })
      const logs = captureLogs()
      const context = yield* Layer.build(
        Logging.layer({ mode: "development" }).pipe(
          Layer.provide(NodeTransport.layerClient(
            { baseUrl: secure.url, headers: { authorization: "Bearer target-t0ken" } },
            { proxy: Redacted.make(`http://courier:pr0xy-pa55@127.0.0.1:${proxy.port}`), ca: Tls.certificate }
          )),
          Layer.provideMerge(Layer.merge(logs.layer, Logger.minimumLogLevel(LogLevel.All)))
        )
      ).pipe(Effect.orDie)
      const client = Context.get(context, CourierClient.CourierClient)
      yield* client.get("/page").pipe(Effect.provide(context))
      const basic = `Basic ${Buffer.from("courier:pr0xy-pa55").toString("base64")}`
      expect(proxy.requests.map((r) => [r.method, r.proxyAuthorization, r.authorization])).toEqual([
        ["CONNECT", basic, undefined]
      ])
      expect(secure.requests[0]?.headers["authorization"]).toBe("Bearer target-t0ken")
      expect(secure.requests[0]?.headers["proxy-authorization"]).toBeUndefined()
      expect(logs.lines.length).toBeGreaterThan(0)
      const everything = logs.lines.flatMap((line) => line.rendered).join("\n")
      for (const secret of ["pr0xy-pa55", basic.slice(6), "target-t0ken"]) expect(everything).not.toContain(secret)
    }))

  it.scopedLive("a redirect to another origin through the proxy: Authorization stays with the first origin", () =>
    Effect.gen(function*() {
      const other = yield* hello()
      const first = yield* TestServer.make({ routes: [["GET", "/go", Reply.redirect(302, `${other.url}/hello`)]] })
      const proxy = yield* Proxy.make({ credentials: "courier:pr0xy-pa55" })
      const client = yield* clientWith(
        { baseUrl: first.url, headers: { authorization: "Bearer target-t0ken" } },
        { proxy: Redacted.make(`http://courier:pr0xy-pa55@127.0.0.1:${proxy.port}`) }
      )
      expect(yield* client.get("/go")).toBe("hello")
      const [atFirst] = yield* first.requests("/go")
      const [atOther] = yield* other.requests("/hello")
      expect(atFirst?.headers["authorization"]).toBe("Bearer target-t0ken")
      expect(atOther?.headers["authorization"]).toBeUndefined()
      for (const entry of [atFirst, atOther]) expect(entry?.headers["proxy-authorization"]).toBeUndefined()
      // One tunnel per origin, each with the proxy's credentials and nothing else.
      expect(proxy.requests.map((r) => [r.method, r.target, r.authorization])).toEqual([
        ["CONNECT", hostOf(first.url), undefined],
        ["CONNECT", hostOf(other.url), undefined]
      ])
      expect(proxy.requests.every((r) => r.proxyAuthorization !== undefined)).toBe(true)
    }))

  it.scopedLive("wrong proxy credentials: Network(Proxy) with the 407, naming the proxy without its credentials", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make({ credentials: "courier:right" })
      const client = yield* clientWith(
        { baseUrl: server.url },
        { proxy: Redacted.make(`http://courier:wr0ng@127.0.0.1:${proxy.port}`) }
      )
      const error = yield* Effect.flip(client.get("/hello"))
      expect(error).toBeInstanceOf(CourierError.Network)
      const network = error as CourierError.Network
      expect(network.reason).toBe("Proxy")
      expect(network.proxy).toEqual({ url: proxy.url, status: 407 })
      expect(network.nothingSent).toBe(true)
      expect(network.message).toContain(`the proxy ${proxy.url} refused the tunnel: proxy authentication required (407)`)
      expect(`${network.message} ${JSON.stringify(network)} ${String(network)}`).not.toContain("wr0ng")
      expect(yield* server.requests("/hello")).toEqual([])
    }))

  it.scopedLive("a proxy that can not reach the target: Network(Proxy) with the proxy's status", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const proxy = yield* Proxy.make()
      const client = yield* clientWith({ baseUrl: `http://127.0.0.1:${port}` }, { proxy: proxy.url })
      const error = (yield* Effect.flip(client.get("/hello"))) as CourierError.Network
      expect(error.reason).toBe("Proxy")
      expect(error.proxy?.url).toBe(proxy.url)
      expect(error.proxy?.status).toBeGreaterThanOrEqual(400)
    }))

  it.scopedLive("an unreachable proxy: Network(Proxy), its code, and the proxy named rather than the target", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const port = yield* closedPort
      const client = yield* clientWith(
        { baseUrl: server.url },
        { proxy: Redacted.make(`http://someone:s3cret@127.0.0.1:${port}`) }
      )
      const error = (yield* Effect.flip(client.get("/hello"))) as CourierError.Network
      expect(error._tag).toBe("Network")
      expect(error.reason).toBe("Proxy")
      expect(error.code).toBe("ECONNREFUSED")
      expect(error.proxy).toEqual({ url: `http://127.0.0.1:${port}`, status: undefined })
      expect(error.message).toContain(`the proxy http://127.0.0.1:${port} could not be reached`)
      expect(error.message).not.toContain("s3cret")
      expect(yield* server.requests("/hello")).toEqual([])
    }))
})

describe("NodeTransport: the proxy from the environment", () => {
  it.scopedLive("HTTP_PROXY is used when env is on, and NO_PROXY bypasses it", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make()
      const through = yield* clientWith({ baseUrl: server.url }, { env: { HTTP_PROXY: proxy.url } })
      yield* through.get("/hello")
      expect(proxy.requests.length).toBe(1)
      for (const noProxy of ["127.0.0.1", "localhost,127.0.0.0/8", "*"]) {
        const direct = yield* clientWith({ baseUrl: server.url }, { env: { HTTP_PROXY: proxy.url, NO_PROXY: noProxy } })
        yield* direct.get("/hello")
      }
      expect(proxy.requests.length).toBe(1)
      expect((yield* server.requests("/hello")).length).toBe(4)
    }))

  it.scopedLive("NO_PROXY: a port on an address entry is ignored, as on a name", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make()
      const direct = yield* clientWith({ baseUrl: server.url }, { env: { HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${server.port}` } })
      yield* direct.get("/hello")
      expect(proxy.requests.length).toBe(0)
      expect((yield* server.requests("/hello")).length).toBe(1)
      const v6 = ProxyRouting.parseNoProxy("[::1]:8080, [fd00::]/8")
      expect([v6.matches("::1"), v6.matches("[::1]"), v6.matches("fd00::5")]).toEqual([true, true, true])
    }))

  it.scopedLive("lower case wins over upper case; https_proxy is not used for an http target", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make()
      const port = yield* closedPort
      const client = yield* clientWith({ baseUrl: server.url }, {
        env: { http_proxy: proxy.url, HTTP_PROXY: `http://127.0.0.1:${port}`, https_proxy: `http://127.0.0.1:${port}` }
      })
      yield* client.get("/hello")
      expect(proxy.requests.length).toBe(1)
    }))

  it.scopedLive("COURIER_PROXY through Config; a bad value fails the Layer without showing it", () =>
    Effect.gen(function*() {
      const server = yield* hello()
      const proxy = yield* Proxy.make()
      const provider = (map: Record<string, string>) =>
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(map)), { pathDelim: "_" }))
      const context = yield* Layer.build(NodeTransport.layerClientConfig()).pipe(
        provider({ COURIER_BASE_URL: server.url, COURIER_PROXY: proxy.url }),
        Effect.orDie
      )
      const client = Context.get(context, CourierClient.CourierClient)
      yield* client.get("/hello")
      expect(proxy.requests.map((r) => r.method)).toEqual(["CONNECT"])
      const failure = yield* Effect.flip(Layer.build(NodeTransport.layerClientConfig())).pipe(
        provider({ COURIER_PROXY: "ftp://user:hunter2@proxy.example:21" })
      )
      expect(String(failure)).toContain("COURIER_PROXY: has the scheme ftp")
      expect(String(failure)).not.toContain("hunter2")
    }))
})

describe("no_proxy, as curl reads it", () => {
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    ["example.com", "example.com", true],
    ["example.com", "api.example.com", true],
    [".example.com", "api.example.com", true],
    ["*.example.com", "example.com", true],
    ["example.com", "notexample.com", false],
    ["example.com:8080", "example.com", true],
    ["EXAMPLE.com", "Example.COM", true],
    ["127.0.0.1", "127.0.0.1", true],
    ["127.0.0.1", "127.0.0.2", false],
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.1.2.3", false],
    ["::1", "[::1]", true],
    ["[fd00::]/8", "fd12::1", true],
    ["a.test, b.test example.com", "b.test", true],
    ["*", "anything.at.all", true],
    ["", "example.com", false]
  ]
  for (const [list, host, bypass] of cases) {
    it(`${JSON.stringify(list)} ${bypass ? "bypasses" : "does not bypass"} ${host}`, () => {
      expect(ProxyRouting.parseNoProxy(list).matches(host)).toBe(bypass)
    })
  }

  it("a proxy URL's credentials never reach its display name; an unsupported scheme is named, the value is not", () => {
    const parsed = ProxyRouting.parseProxy("http://user:p%40ss@proxy.example:3128")
    expect(parsed).toMatchObject({ _tag: "Right", right: { uri: "http://proxy.example:3128", display: "http://proxy.example:3128" } })
    expect(ProxyRouting.parseProxy("proxy.example:3128")).toMatchObject({ right: { uri: "http://proxy.example:3128" } })
    const socks = ProxyRouting.parseProxy("socks5://user:hunter2@proxy.example:1080")
    expect(JSON.stringify(socks)).not.toContain("hunter2")
  })
})
