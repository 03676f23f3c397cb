import { BlackholeServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"

type Outcome = "connected" | "refused" | "pending"

/** Tries a TCP connect and reports how it stands after `millis`. */
const tryConnect = (port: number, millis: number): Effect.Effect<Outcome> =>
  Effect.callback<Outcome>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const settle = (outcome: Outcome): void => {
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.succeed(outcome))
    }
    const timer = setTimeout(() => settle("pending"), millis)
    socket.once("connect", () => settle("connected"))
    socket.once("error", () => settle("refused"))
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

describe("BlackholeServer", () => {
  it.live("a connect to it neither completes nor fails", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      expect(blackhole.url).toBe(`http://127.0.0.1:${blackhole.port}`)
      expect(yield* tryConnect(blackhole.port, 500)).toBe("pending")
    }))

  it.live("fetch to it does not get an answer before the client gives up", () =>
    Effect.gen(function*() {
      const blackhole = yield* BlackholeServer.make
      const error = yield* Effect.flip(
        Effect.tryPromise({
          try: () => fetch(`${blackhole.url}/`, { signal: AbortSignal.timeout(300) }),
          catch: (error) => error
        })
      )
      expect((error as Error).name).toBe("TimeoutError")
    }))

  it.live("the port is released when the scope closes", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(Effect.map(BlackholeServer.make, (blackhole) => blackhole.port))
      // The listener is gone: the kernel refuses at once instead of dropping the SYN.
      expect(yield* tryConnect(port, 1_000)).toBe("refused")
    }))
})
