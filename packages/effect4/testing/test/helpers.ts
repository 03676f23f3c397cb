import * as Effect from "effect/Effect"
import * as Net from "node:net"

/** What `fetch` rejected with: its message, and the code of its cause when it has one. */
export interface FetchFailure {
  readonly message: string
  readonly cause: string | undefined
}

const failure = (error: unknown): FetchFailure => {
  const cause = (error as { readonly cause?: { readonly code?: unknown } }).cause?.code
  return { message: String((error as Error).message), cause: typeof cause === "string" ? cause : undefined }
}

/**
 * Fetches `url` and reads its body as text; the fetch is aborted when the
 * fiber is interrupted, so a stalled call can be given up.
 */
export const fetchText = (url: string, init?: RequestInit): Effect.Effect<{ readonly status: number; readonly text: string }, FetchFailure> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { ...init, signal })
      return { status: response.status, text: await response.text() }
    },
    catch: failure
  })

/** "connected", or the code a TCP connect to `port` on 127.0.0.1 failed with. */
export const dial = (port: number): Effect.Effect<string> =>
  Effect.callback<string>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => resume(Effect.succeed("connected")))
    socket.once("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? "error")))
    return Effect.sync(() => socket.destroy())
  })

/**
 * Re-reads `count` until it equals `n`, for at most 2 s; the pauses are
 * real timers, so this works under `TestClock` too.
 */
export const until = (count: Effect.Effect<number>, n: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      if ((yield* count) === n) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 10)))
    }
    return yield* Effect.die(new Error(`until: the count did not reach ${n} within 2 seconds`))
  })
