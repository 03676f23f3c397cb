import * as Effect from "effect/Effect"
import * as Http from "node:http"

/** What a raw node:http request saw. */
export interface RawResponse {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
  /** ms from sending the request to each body chunk. */
  readonly chunkTimes: ReadonlyArray<number>
  readonly headersAt: number
  readonly endAt: number
}

/** The error a raw request failed with, with node's code and syscall. */
export interface RawError {
  readonly message: string
  readonly code: string | undefined
  readonly syscall: string | undefined
}

export interface RawOptions {
  readonly method?: string
  readonly headers?: Http.OutgoingHttpHeaders
  readonly body?: string | Uint8Array
  readonly agent?: Http.Agent | false
}

/**
 * A request through node:http without a pooled agent (unless given), so the
 * bytes are exactly what the server sent: no decompression, no retries.
 */
export const raw = (url: string, options: RawOptions = {}): Effect.Effect<RawResponse, RawError> =>
  Effect.callback<RawResponse, RawError>((resume) => {
    const started = performance.now()
    const request = Http.request(url, {
      method: options.method ?? "GET",
      headers: options.headers ?? {},
      agent: options.agent ?? false
    })
    const fail = (error: NodeJS.ErrnoException): void =>
      resume(Effect.fail({ message: error.message, code: error.code, syscall: error.syscall }))
    request.on("error", fail)
    request.on("response", (response) => {
      const headersAt = performance.now() - started
      const chunks: Array<Buffer> = []
      const chunkTimes: Array<number> = []
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk)
        chunkTimes.push(performance.now() - started)
      })
      response.on("error", fail)
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          chunkTimes,
          headersAt,
          endAt: performance.now() - started
        })))
    })
    request.end(options.body)
    return Effect.sync(() => request.destroy())
  })

/** `fetch` as an Effect; a rejection is kept as the error value. */
export const fetchEffect = (url: string, init?: RequestInit): Effect.Effect<Response, unknown> =>
  Effect.tryPromise({ try: () => fetch(url, init), catch: (error) => error })

/** Reads a fetch body as text; a rejection is kept as the error value. */
export const textOf = (response: Response): Effect.Effect<string, unknown> =>
  Effect.tryPromise({ try: () => response.text(), catch: (error) => error })

const pause = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/**
 * Re-runs `self` every 10 ms until `predicate` holds, dying after 2 s; the
 * pauses are real timers, so this works under `TestClock` too.
 */
export const eventually = <A>(self: Effect.Effect<A>, predicate: (a: A) => boolean): Effect.Effect<A> =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      const value = yield* self
      if (predicate(value)) return value
      yield* pause(10)
    }
    return yield* Effect.die(new Error("eventually: the condition did not hold within 2 seconds"))
  })
