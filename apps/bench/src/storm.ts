/**
 * The refresh storm: many concurrent requests through the recommended
 * preset meet an expired access token at once. The server counts the
 * refreshes (exactly one is expected) and stamps its first 401; this side
 * stamps the last success.
 */
import { CourierClient } from "@courier/client"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import { presetLayer } from "./clients/courier.js"
import { fileLogger } from "./clients/effect.js"
import { now, storm, type StormResult, type Task } from "./shared.js"

const Ok = Schema.Struct({ ok: Schema.Literal(true) })

export const run = async (task: Extract<Task, { kind: "storm" }>): Promise<StormResult> => {
  const logger = fileLogger(`${task.logDir}/courier-storm-${process.pid}.log`)
  const runtime = ManagedRuntime.make(
    Layer.merge(presetLayer(task.origin, storm.expiredToken), logger.layer)
  )
  try {
    const client = await runtime.runPromise(CourierClient.CourierClient)
    // Warm-up on an unprotected route, as many in flight as the storm, so the
    // connections exist and the code is compiled: the storm then measures
    // the refresh, not connection set-up. (The server does not check the
    // token there, so the expired one is never noticed.)
    await runtime.runPromise(
      Effect.forEach(Array.from({ length: task.requests }), () => client.get("/small", { schema: Ok }), {
        concurrency: "unbounded",
        discard: true
      })
    )
    let lastSuccessAt = 0
    const startedAt = now()
    const results = await runtime.runPromise(
      Effect.forEach(
        Array.from({ length: task.requests }),
        () =>
          client.get(storm.protectedPath, { schema: Ok }).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                lastSuccessAt = now()
              })
            ),
            Effect.either
          ),
        { concurrency: "unbounded" }
      )
    )
    const failures = results.filter(Either.isLeft)
    return {
      kind: "storm",
      requests: task.requests,
      succeeded: results.length - failures.length,
      firstError: failures.length === 0 ? undefined : String(failures[0].left),
      lastSuccessAt,
      startedAt
    }
  } finally {
    await runtime.dispose()
    await logger.close()
  }
}
