import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Http from "node:http"
import * as Net from "node:net"

/** A failed node:http request: node's message and code. */
export interface GetError {
  readonly message: string
  readonly code: string | undefined
}

/** A GET through node:http, without a pool unless `agent` is given; interrupting it destroys the request. */
export const get = (url: string, agent: Http.Agent | false = false): Effect.Effect<{ readonly status: number; readonly body: string }, GetError> =>
  Effect.async((resume) => {
    const request = Http.get(url, { agent }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body })))
      response.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail({ message: error.message, code: error.code })))
    })
    request.on("error", (error: NodeJS.ErrnoException) => resume(Effect.fail({ message: error.message, code: error.code })))
    return Effect.sync(() => request.destroy())
  })

/** Whether a TCP connect to `port` succeeds, or the error code it fails with. */
export const connectOutcome = (port: number): Effect.Effect<string> =>
  Effect.async((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => resume(Effect.succeed("connected")))
    socket.once("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? "error")))
    return Effect.sync(() => socket.destroy())
  })

/** Polls `inFlight` until it is `n`; at most 2 s on the wall clock, also under TestClock. */
export const inFlightReaches = (server: { readonly inFlight: Effect.Effect<number> }, n: number): Effect.Effect<number> =>
  server.inFlight.pipe(
    Effect.filterOrFail((count) => count === n, () => "not yet"),
    Effect.retry(Schedule.spaced("10 millis")),
    Effect.timeout("2 seconds"),
    Effect.orDie,
    Effect.withClock(Clock.make())
  )
