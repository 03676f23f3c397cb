/**
 * The driver of Effect clients: `concurrency` fibers in the client's own
 * runtime, taking the next request number until `count` are done; and what
 * the Effect clients share (schemas, a file logger).
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { checkResult, type Path } from "../shared.js"
import type { Session } from "./session.js"

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

/** The decoded bodies, for the clients that validate with Schema. */
export const schemas = {
  "/small": Schema.Struct({ ok: Schema.Literal(true) }),
  "/posts": Schema.Array(Post)
} as const

/**
 * A logger writing logfmt lines to a file, replacing Effect's default
 * (console) logger: production logging without the console's cost.
 */
export const fileLogger = (file: string) => {
  const stream = fs.createWriteStream(file, { flags: "w" })
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.map(Logger.logfmtLogger, (line) => {
      stream.write(line + "\n")
    })
  )
  const close = () => new Promise<void>((resolve) => stream.end(resolve))
  return { layer, close }
}
