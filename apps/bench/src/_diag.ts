import { Auth, CourierClient, Logging, Metrics, Preset, Retry, TokenStore, Tracing } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Supervisor from "effect/Supervisor"
import * as fs from "node:fs"
import { schemas } from "./clients/effect.js"

class Counter extends Supervisor.AbstractSupervisor<void> {
  starts = 0
  get value() { return Effect.void }
  override onStart() { this.starts++ }
}
const origin = process.argv[2]!
const stream = fs.createWriteStream("/tmp/diag/log.txt")
const logger = Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (l) => { stream.write(l + "\n") }))
const base = () => NodeTransport.layerClient({ baseUrl: origin })
const tokens = () => TokenStore.layerMemory(TokenStore.tokens("T", "R"))
const presetWith = (o: Preset.Options) => Preset.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }, o).pipe(Layer.provide(base()), Layer.provide(tokens()))
const variants: Record<string, () => Layer.Layer<CourierClient.CourierClient, unknown>> = {
  "courier bare": () => base(),
  "+ auth only": () => Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(Layer.provide(base()), Layer.provide(tokens())),
  "+ retry only": () => Retry.layer().pipe(Layer.provide(base())),
  "+ tracing only": () => Tracing.layer().pipe(Layer.provide(base())),
  "+ logging only": () => Logging.layer({ mode: "production" }).pipe(Layer.provide(base())),
  "+ metrics only": () => Metrics.layer.pipe(Layer.provide(base())),
  "preset, tracing off": () => presetWith({ logging: { mode: "production" }, tracing: false }),
  "preset (all)": () => presetWith({ logging: { mode: "production" } })
}
const N = Number(process.argv[3] ?? 3000)
const measure = async (name: string, get: () => Effect.Effect<unknown, unknown, never>, runtime: ManagedRuntime.ManagedRuntime<any, any>) => {
  const counter = new Counter()
  const batch = (n: number) => Effect.forEach(Array.from({ length: n }), () => get(), { concurrency: 64, discard: true })
  await runtime.runPromise(batch(5000))
  const cpu = process.cpuUsage()
  await runtime.runPromise(Effect.supervised(batch(N), counter))
  const d = process.cpuUsage(cpu)
  console.log(`${name.padEnd(24)} ${((d.user + d.system) / N).toFixed(0).padStart(5)} µs CPU/req  ${(counter.starts / N).toFixed(1)} fibers/req`)
}
const which = process.argv[4]
if (which === "platform") {
  const rt = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const c0 = await rt.runPromise(HttpClient.HttpClient)
  await measure("platform bare", () => Effect.flatMap(c0.get(origin + "/posts"), (r) => r.json), rt)
  const c1 = c0.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(origin)), HttpClient.mapRequest(HttpClientRequest.bearerToken("T")), HttpClient.filterStatusOk, HttpClient.retryTransient({ times: 2 }))
  await measure("platform full", () => Effect.flatMap(c1.get("/posts"), HttpClientResponse.schemaBodyJson(schemas["/posts"])), rt)
  await rt.dispose()
} else {
  const layer = variants[which!]!()
  const rt = ManagedRuntime.make(Layer.merge(layer, logger))
  const client = await rt.runPromise(CourierClient.CourierClient)
  await measure(which!, () => client.get("/posts", { schema: schemas["/posts"] }), rt)
  await rt.dispose()
}
process.exit(0)
