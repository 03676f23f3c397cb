/**
 * The driver of the effect 4 clients: the bench's Effect driver
 * (`src/clients/effect.ts`) written against effect 4, since one module
 * cannot serve both majors: `concurrency` fibers in the client's own
 * runtime, taking the next request number until `count` are done or the
 * deadline has passed. And the schemas the Courier rows decode with.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import type { Session } from "../../../src/clients/session.js"
import { checkResult, type Path } from "../../../src/shared.js"

export const effectSession = <R, ER>(
  runtime: ManagedRuntime.ManagedRuntime<R, ER>,
  get: (path: Path) => Effect.Effect<unknown, unknown, R>,
  logFile?: string
): Session => ({
  logFile,
  close: () => runtime.dispose(),
  run: ({ concurrency, count, deadline, latencies, path }) => {
    let next = 0
    let errors = 0
    let firstError: string | undefined
    const worker = Effect.gen(function*() {
      // As the promise driver: no number is taken after the deadline, so the
      // numbers started have no gap and every one of them completes.
      while (performance.now() <= deadline) {
        const i = next++
        if (i >= count) return
        const start = performance.now()
        const exit = yield* Effect.exit(get(path))
        let ok = false
        if (Exit.isSuccess(exit)) {
          ok = checkResult(path, exit.value)
          if (!ok) firstError ??= "wrong decoded result"
        } else {
          firstError ??= Cause.pretty(exit.cause).slice(0, 500)
        }
        if (latencies !== undefined) latencies[i] = performance.now() - start
        if (!ok) errors++
      }
    })
    return runtime.runPromise(
      Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    ).then(() => ({ done: Math.min(next, count), errors, firstError }))
  }
})

const Post = Schema.Struct({ userId: Schema.Number, id: Schema.Number, title: Schema.String, body: Schema.String })

/** The decoded bodies, for the clients that validate with Schema (the same shapes as the effect 3 rows'). */
export const schemas = {
  "/small": Schema.Struct({ ok: Schema.Literal(true) }),
  "/posts": Schema.Array(Post)
} as const
