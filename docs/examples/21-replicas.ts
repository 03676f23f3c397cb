/**
 * Many replicas: two clients, each with its own Redis connection as two
 * processes would have, meet one expired token and refresh it once between
 * them; then Redis stops and every call still succeeds, each replica on its
 * own copy of the state. Run it with `pnpm docs:example 21`. It starts a throwaway
 * `redis-server` on a free loopback port (without one installed it says so
 * and exits).
 */
import { Auth, Body, CourierClient, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { RedisConnection, RedisPreset, RedisTokenStore } from "@courier/redis"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"

const Login = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })

// ── One replica: the preset with its shared state in Redis. In production
// each replica is a process; here, two in one process, each with its own
// connection (so nothing is shared but what goes through Redis).
const replica = (baseUrl: string, port: number) =>
  Effect.map(
    Layer.build(
      RedisPreset.layer(
        { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
        { logging: false, circuitBreaker: {} }
      ).pipe(
        Layer.provide(NodeTransport.layerClient({ baseUrl })),
        Layer.provide(RedisConnection.layer({ namespace: "notes-api", redis: { host: "127.0.0.1", port } }))
      )
    ),
    Context.get(CourierClient.CourierClient)
  )

const program = (port: number, stopRedis: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const api = yield* DemoApi.DemoApi
    // A login; its tokens go to Redis, where every replica reads them.
    const login = yield* Effect.flatMap(
      CourierClient.CourierClient,
      (client) => client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Login })
    ).pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: api.url })))
    yield* Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens(login.accessToken, login.refreshToken))).pipe(
      Effect.provide(RedisConnection.layer({ namespace: "notes-api", redis: { host: "127.0.0.1", port } }))
    )
    const replicas = [yield* replica(api.url, port), yield* replica(api.url, port)]
    const calls = (n: number) =>
      Effect.forEach(
        replicas,
        (client) => Effect.forEach(Array.from({ length: n }), () => Effect.either(client.get("/me")), { concurrency: "unbounded" }),
        { concurrency: "unbounded" }
      ).pipe(Effect.map((results) => results.flat().filter((result) => result._tag === "Left").length))

    // The access token expires on the server: both replicas meet it at once.
    yield* api.expireAccessTokens
    yield* api.resetStats
    const failed = yield* calls(50)
    yield* Console.log(`expired token, 2 replicas x 50 calls: ${failed} failed, ${(yield* api.stats).refreshes} refresh`)

    // Redis stops: each replica goes on with its own copy of the tokens and
    // its own breaker state (a warning is logged once per connection).
    yield* stopRedis
    yield* Console.log(`Redis stopped, 2 replicas x 50 calls: ${yield* calls(50)} failed`)
  })

// ── A throwaway redis-server on a free loopback port, stopped at the end.
const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})
const redisServer = (port: number) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess.ChildProcess | undefined>((resume) => {
      const child = ChildProcess.spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", ""])
      child.once("error", () => resume(Effect.succeed(undefined)))
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("Ready to accept connections")) resume(Effect.succeed(child))
      })
    }),
    (child) => Effect.sync(() => child?.kill("SIGKILL"))
  )

Effect.gen(function*() {
  const port = yield* freePort
  const redis = yield* redisServer(port)
  if (redis === undefined) return yield* Console.log("redis-server is not installed (apt-get install -y redis-server)")
  yield* program(port, Effect.sync(() => redis.kill("SIGKILL")))
}).pipe(
  Effect.scoped,
  Effect.provide(DemoApi.layer()),
  NodeRuntime.runMain
)
