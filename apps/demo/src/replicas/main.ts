/**
 * `pnpm demo:replicas`: one client run as 4 processes sharing Redis meets
 * one expired token. It starts `redis-server` on a free loopback port (no
 * persistence), the demo API, logs in, stores the tokens in Redis, expires
 * the access token on the server, then lets 4 replicas make 250 concurrent
 * calls each. The refresh count is the demo API's own. Everything it starts
 * is stopped when it ends.
 */
import { Body, CourierClient, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { RedisConnection, RedisTokenStore } from "@courier/redis"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Processes from "./processes.js"

const replicas = 4
const callsEach = 250
const Login = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.String })
const replicaScript = fileURLToPath(new URL("./replica.ts", import.meta.url))
const appDir = Path.resolve(Path.dirname(replicaScript), "../..")

interface Outcome {
  readonly ok: number
  readonly failed: number
}

const run = Effect.gen(function*() {
  const redisServer = Processes.which("redis-server")
  if (redisServer === undefined) {
    console.log("replicas: redis-server is not installed (apt-get install -y redis-server), so this demo cannot run")
    return
  }
  const redisPort = yield* Processes.startRedis(redisServer)
  const api = yield* DemoApi.make()

  // One login, its tokens in Redis for every replica; then the server
  // expires the access token, so all of them meet it expired.
  const login = yield* Effect.flatMap(
    CourierClient.CourierClient,
    (client) => client.post("/auth/login", { body: Body.json({ username: "demo", password: "courier" }), schema: Login })
  ).pipe(Effect.provide(NodeTransport.layerClient({ baseUrl: api.url })))
  yield* Effect.flatMap(RedisTokenStore.make, (store) => store.set(TokenStore.tokens(login.accessToken, login.refreshToken)))
    .pipe(Effect.provide(RedisConnection.layer({ namespace: "demo-replicas", redis: { host: "127.0.0.1", port: redisPort } })))
  yield* api.expireAccessTokens
  yield* api.resetStats

  const started = yield* Effect.forEach(Array.from({ length: replicas }, (_, i) => `replica-${i + 1}`), (name) =>
    Processes.spawnNode(appDir, replicaScript, JSON.stringify({ name, baseUrl: api.url, redisPort, calls: callsEach })))
  for (const replica of started) {
    const ready = yield* replica.waitFor((line) => line === "@@ ready", "60 seconds")
    if (ready === undefined) return yield* Effect.fail(`a replica did not start: ${replica.stderr()}`)
  }
  for (const replica of started) replica.send("go")
  const outcomes = yield* Effect.forEach(
    started,
    (replica) =>
      Effect.map(
        replica.waitFor((line) => line.startsWith("@@ {"), "90 seconds"),
        (line): Outcome => line === undefined ? { ok: 0, failed: callsEach } : JSON.parse(line.slice(3)) as Outcome
      ),
    { concurrency: "unbounded" }
  )
  const calls = outcomes.reduce((sum, o) => sum + o.ok + o.failed, 0)
  const failed = outcomes.reduce((sum, o) => sum + o.failed, 0)
  const { refreshes } = yield* api.stats
  console.log(
    `replicas: ${started.length} processes, ${calls} calls, ${refreshes} refresh${refreshes === 1 ? "" : "es"}, ${failed} failed`
  )
})

Effect.runPromise(Effect.scoped(run)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("replicas:", error)
    process.exit(1)
  }
)
