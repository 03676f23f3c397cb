/**
 * One replica of `pnpm demo:replicas`: a client of the demo API built with
 * `RedisPreset` (tokens and the refresh lock in Redis). It prints `@@ ready`,
 * waits for a line on stdin, makes its concurrent calls to `GET /me`, prints
 * `@@ {"ok":..,"failed":..}` and exits.
 */
import { Auth, CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { RedisConnection, RedisPreset } from "@courier/redis"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as ReadLine from "node:readline"

const Args = Schema.parseJson(Schema.Struct({
  name: Schema.String,
  baseUrl: Schema.String,
  redisPort: Schema.Number,
  calls: Schema.Number
}))
const args = Schema.decodeUnknownSync(Args)(process.argv[2])

const go = Effect.async<void>((resume) => {
  const lines = ReadLine.createInterface({ input: process.stdin })
  lines.once("line", () => {
    lines.close()
    resume(Effect.void)
  })
})

const Client = RedisPreset.layer(
  { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
  { logging: false, tracing: false, appHeaders: { appName: args.name, appVersion: "1.0.0" } }
).pipe(
  Layer.provide(NodeTransport.layerClient({ baseUrl: args.baseUrl, timeouts: { total: "30 seconds" } })),
  Layer.provide(RedisConnection.layer({ namespace: "demo-replicas", redis: { host: "127.0.0.1", port: args.redisPort } }))
)

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  console.log("@@ ready")
  yield* go
  const results = yield* Effect.forEach(
    Array.from({ length: args.calls }),
    () => Effect.either(client.get("/me")),
    { concurrency: "unbounded" }
  )
  const failed = results.filter((result) => result._tag === "Left").length
  console.log(`@@ ${JSON.stringify({ ok: results.length - failed, failed })}`)
})

Effect.runPromise(Effect.scoped(Effect.provide(program, Client))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
