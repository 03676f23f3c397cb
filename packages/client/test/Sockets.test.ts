import { CourierClient, CourierConfig, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Net from "node:net"

// Name resolution and sockets: a custom lookup, the address family, the
// local address and the per-origin connection limit, on real loopback sockets.

const clientWith = (options: CourierConfig.Options, transport: NodeTransport.Options) =>
  Effect.map(
    Layer.build(NodeTransport.layerClient(options, transport)),
    (context) => Context.get(context, CourierClient.CourierClient)
  )

interface Lookup {
  readonly hostname: string
  readonly family: unknown
}

/** A lookup that answers 127.0.0.1 for every name, and records what it was asked. */
const loopbackLookup = (asked: Array<Lookup>): Net.LookupFunction => (hostname, options, callback) => {
  asked.push({ hostname, family: options.family })
  if (options.all === true) {
    ;(callback as unknown as (e: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: "127.0.0.1", family: 4 }])
  } else {
    callback(null, "127.0.0.1", 4)
  }
}

describe("NodeTransport: DNS and sockets", () => {
  it.scopedLive("a custom lookup resolves the name; the Host header keeps it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/hello", Reply.json("hi")]] })
      const asked: Array<Lookup> = []
      const client = yield* Effect.orDie(clientWith(
        { baseUrl: `http://api.internal.test:${server.port}` },
        { lookup: loopbackLookup(asked) }
      ))
      expect(yield* client.get("/hello")).toBe("hi")
      expect(asked.map((a) => a.hostname)).toContain("api.internal.test")
      const [entry] = yield* server.requests("/hello")
      expect(entry?.headers["host"]).toBe(`api.internal.test:${server.port}`)
    }))

  it.scopedLive("family: 4 asks the lookup for IPv4 addresses", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/hello", Reply.json("hi")]] })
      const asked: Array<Lookup> = []
      const client = yield* Effect.orDie(clientWith(
        { baseUrl: `http://api.internal.test:${server.port}` },
        { lookup: loopbackLookup(asked), family: 4 }
      ))
      expect(yield* client.get("/hello")).toBe("hi")
      expect(asked.map((a) => a.family)).toEqual([4])
    }))

  it.scopedLive("a lookup that fails is still Network(DnsLookup), and nothing was sent", () =>
    Effect.gen(function*() {
      const failing: Net.LookupFunction = (hostname, _options, callback) =>
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), "", 4)
      const client = yield* Effect.orDie(clientWith({ baseUrl: "http://nowhere.internal.test" }, { lookup: failing }))
      const error = (yield* Effect.flip(client.get("/hello"))) as CourierError.Network
      expect(error).toBeInstanceOf(CourierError.Network)
      expect(error.reason).toBe("DnsLookup")
      expect(error.nothingSent).toBe(true)
    }))

  it.scopedLive("localAddress binds the socket: the server sees it as the peer", () =>
    Effect.gen(function*() {
      const peers: Array<string | undefined> = []
      const server = yield* TestServer.make({
        routes: [["GET", "/peer", Reply.custom((request, response) => {
          peers.push(request.socket.remoteAddress)
          response.setHeader("content-type", "application/json")
          response.end(JSON.stringify(request.socket.remoteAddress))
        })]]
      })
      // All of 127.0.0.0/8 is loopback on Linux: a second address proves the binding.
      const client = yield* Effect.orDie(clientWith({ baseUrl: server.url }, { localAddress: "127.0.0.2" }))
      expect(yield* client.get("/peer")).toMatch(/127\.0\.0\.2$/)
    }))

  it.scopedLive("connections: 1 sends concurrent calls one after another on one connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/slow", Reply.delay("100 millis", Reply.json("ok"))]] })
      const client = yield* Effect.orDie(clientWith({ baseUrl: server.url }, { connections: 1 }))
      yield* Effect.all([client.get("/slow"), client.get("/slow"), client.get("/slow")], { concurrency: "unbounded" })
      expect((yield* server.requests("/slow")).map((r) => r.connection)).toEqual([1, 1, 1])
      const unlimited = yield* Effect.orDie(clientWith({ baseUrl: server.url }, {}))
      yield* Effect.all([unlimited.get("/slow"), unlimited.get("/slow")], { concurrency: "unbounded" })
      const connections = (yield* server.requests("/slow")).slice(3).map((r) => r.connection)
      expect(new Set(connections).size).toBe(2)
    }))

  it.effect("invalid socket options fail the Layer with a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const build = (options: NodeTransport.Options) => Effect.flip(Effect.scoped(clientWith({}, options)))
      expect(String(yield* build({ localAddress: "not-an-ip" }))).toContain("localAddress")
      expect(String(yield* build({ family: 5 as 4 }))).toContain("family: is neither 4 nor 6")
      expect(String(yield* build({ connections: 0 }))).toContain("connections: is not a positive whole number")
      expect(String(yield* build({ keepAliveMaxTimeout: "soon" as Duration.DurationInput }))).toContain("keepAliveMaxTimeout")
    }))
})
