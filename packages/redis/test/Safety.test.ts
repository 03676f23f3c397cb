/**
 * What a hostile Redis can do to a call: a value in one of this client's
 * keys that it did not write, a Redis that stops answering, a lock command
 * that lands after it timed out, a malformed URL. None of them may fail a
 * call with a defect, hold it past its deadline, or print a secret.
 */
import { CircuitBreaker, CourierClient, RateLimiter } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RedisConnection, RedisStores } from "../src/index.js"
import { redisServer, skipReason, startRedis } from "./support.js"

const connect = (port: number, namespace: string, extra: Partial<RedisConnection.Options> = {}) =>
  RedisConnection.make({ namespace, redis: { host: "127.0.0.1", port }, ...extra })

const provideConnection = (connection: RedisConnection.Service) =>
  Effect.provideService(RedisConnection.RedisConnection, connection)

describe.skipIf(redisServer !== undefined)("Redis safety", () => {
  it.skip(skipReason, () => {})
})

describe.skipIf(redisServer === undefined)("Redis safety", () => {
  it.scopedLive("a foreign value in a breaker or limiter key is ignored and replaced: the call succeeds", () =>
    Effect.gen(function*() {
      const redis = yield* startRedis
      const server = yield* TestServer.make({ routes: [["GET", "/ok", Reply.json({ ok: true })]] })
      const connection = yield* connect(redis.port, "foreign")
      const breakerKey = `courier:foreign:breaker:${server.origin}`
      const limiterKey = `courier:foreign:rate-limit:${server.origin}`
      const [breakerStore, limiterStore] = yield* provideConnection(connection)(
        Effect.all([RedisStores.circuitBreaker(), RedisStores.rateLimiter()])
      )
      const client = yield* Effect.map(
        Layer.build(
          CircuitBreaker.layer({ store: breakerStore }).pipe(
            Layer.provide(RateLimiter.layer({ store: limiterStore, limit: { requests: 1000, per: "1 second" } })),
            Layer.provide(NodeTransport.layerClient({ baseUrl: server.url }))
          )
        ),
        Context.get(CourierClient.CourierClient)
      )
      // Another program's data, an older format, a value typed by hand.
      const foreign = ["null", "{}", "[1,2]", "\"Open\"", "42", "{\"_tag\":\"Open\",\"until\":\"later\"}", "{\"tokens\":\"many\"}"]
      for (const raw of foreign) {
        yield* connection.run("set", (client) => client.mset(breakerKey, raw, limiterKey, raw))
        const exit = yield* Effect.exit(client.get("/ok"))
        expect({ raw, exit: exit._tag }).toEqual({ raw, exit: "Success" })
        // Replaced by the state of the call just made.
        const [breaker, limiter] = yield* connection.run("get", (client) => client.mget(breakerKey, limiterKey))
        expect(JSON.parse(breaker!)).toMatchObject({ _tag: "Closed" })
        expect(JSON.parse(limiter!)).toMatchObject({ tokens: expect.any(Number) })
      }
      expect(yield* server.requests("/ok")).toHaveLength(foreign.length)
    }), 60_000)
})
