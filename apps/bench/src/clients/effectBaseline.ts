/**
 * The Effect baseline: the reference undici call (`pool.request` on a
 * keep-alive `Pool`, `body.json()`), wrapped in `Effect.tryPromise` and run
 * by the same Effect driver as the Effect clients. What it costs over the
 * reference is Effect's runtime; what Courier costs over it is Courier.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Pool } from "undici"
import { effectSession } from "./effect.js"
import type { MakeSession } from "./session.js"

export const make: MakeSession = async (origin) => {
  const pool = new Pool(origin)
  const runtime = ManagedRuntime.make(Layer.empty)
  const session = effectSession(runtime, (path) =>
    Effect.tryPromise(async (signal) => {
      const { body, statusCode } = await pool.request({ path, method: "GET", signal })
      if (statusCode !== 200) {
        await body.dump()
        throw new Error(`status ${statusCode}`)
      }
      return body.json()
    }))
  return { ...session, close: () => session.close().then(() => pool.close()) }
}
