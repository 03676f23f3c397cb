/**
 * Where the preset's time goes: the CPU of `client.get("/small")` with the
 * client's `execute` stubbed to answer at once (no transport, no network),
 * for the stub alone, each Layer of the recommended preset over it, and the
 * whole preset over it, one stack after the other in this process. The
 * orchestrator subtracts the stub alone from the others.
 */
import { Auth, CourierClient, Logging, Metrics, Retry, Tracing } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import { presetAuth, presetStack, presetTokens } from "./clients/courier.js"
import { effectSession, fileLogger } from "./clients/effect.js"
import { countLines, cpuSecondsSince } from "./measure.js"
import type { LayerResult, LayersResult, LayerStack, Task } from "./shared.js"

const smallBody = new TextEncoder().encode(JSON.stringify({ ok: true }))

const answer: CourierClient.Execute = (request) =>
  Effect.succeed({
    request,
    status: 200,
    headers: { "content-type": "application/json", "content-length": String(smallBody.length) },
    body: { _tag: "Buffered", bytes: smallBody }
  })

/**
 * The client with its whole pipeline (redirects, timeouts, transport)
 * replaced by an immediate 200 with `/small`'s body. The base URL is never
 * dialled; it is there so that tracing and auth see requests to the base
 * origin, as they do in the preset client.
 */
const stub = CourierClient.layerDecorate(() => Effect.succeed(answer)).pipe(
  Layer.provide(NodeTransport.layerClient({ baseUrl: "http://127.0.0.1:9" }))
)

const tokens = presetTokens("static-access-token")

/** Each Layer as the preset builds it (the preset's options), over the stub. */
const stacks: Record<LayerStack, Layer.Layer<CourierClient.CourierClient, ConfigError.ConfigError>> = {
  stub,
  retry: Retry.layer().pipe(Layer.provide(stub)),
  tracing: Tracing.layer().pipe(Layer.provide(stub)),
  logging: Logging.layer({ mode: "production", level: LogLevel.Info }).pipe(Layer.provide(stub)),
  metrics: Metrics.layer.pipe(Layer.provide(stub)),
  auth: Auth.layer(presetAuth).pipe(Layer.provide(stub), Layer.provide(tokens)),
  preset: presetStack().pipe(Layer.provide(stub), Layer.provide(tokens))
}

type LayersTask = Extract<Task, { kind: "layers" }>

const runStack = async (stack: LayerStack, task: LayersTask, logFile: string): Promise<Omit<LayerResult, "logLines">> => {
  // Every stack logs through the preset client's file logger, so the
  // logging Layer's figure includes formatting and writing its lines.
  const logger = fileLogger(logFile)
  const runtime = ManagedRuntime.make(Layer.merge(stacks[stack], logger.layer))
  try {
    const client = await runtime.runPromise(CourierClient.CourierClient)
    const session = effectSession(runtime, () => client.get("/small"))
    const warm = await session.run({
      path: "/small",
      count: task.warmup,
      concurrency: task.concurrency,
      deadline: performance.now() + 120_000
    })
    const cpu = process.cpuUsage()
    const start = performance.now()
    const measured = await session.run({
      path: "/small",
      count: task.count,
      concurrency: task.concurrency,
      deadline: start + task.seconds * 1000
    })
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSecondsSince(cpu)
    return {
      stack,
      warmupDone: warm.done,
      count: measured.done,
      errors: warm.errors + measured.errors,
      firstError: warm.firstError ?? measured.firstError,
      seconds,
      cpuUsPerCall: (cpuSeconds * 1e6) / measured.done
    }
  } finally {
    await runtime.dispose()
    await logger.close()
  }
}

const measure = async (stack: LayerStack, task: LayersTask): Promise<LayerResult> => {
  const logFile = `${task.logDir}/courier-layers-${stack}-${process.pid}.log`
  const result = await runStack(stack, task, logFile)
  const logLines = countLines(logFile)
  fs.rmSync(logFile, { force: true })
  return { ...result, logLines }
}

export const run = async (task: LayersTask): Promise<LayersResult> => {
  const results: Array<LayerResult> = []
  for (const stack of task.stacks) results.push(await measure(stack, task))
  return { kind: "layers", stacks: results }
}
