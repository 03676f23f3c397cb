import { CourierClient } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import type * as Http from "node:http"

/** Waits on the wall clock (so also under TestClock) until `check` holds; dies after `attempts` tries of 10 ms. */
export const waitUntil = (check: Effect.Effect<boolean>, what: string, attempts = 500): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < attempts; i++) {
      if (yield* check) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return yield* Effect.dieMessage(`timed out waiting until ${what}`)
  })

/** Waits until some fiber sleeps on the TestClock until `at` (milliseconds). */
export const waitForSleepUntil = (at: number) =>
  waitUntil(Effect.map(TestClock.sleeps(), Chunk.some((end) => end === at)), `a sleep until ${at}`)

/** A scripted OFREP flag server: state the test changes, answers with ETags. */
export interface FlagServer {
  readonly server: TestServer.Service
  readonly state: {
    flags: Record<string, unknown>
    version: number
    /** When set, the next bulk evaluations answer this instead. */
    override: ((response: Http.ServerResponse) => void) | undefined
    down: boolean
  }
  readonly set: (key: string, value: unknown) => void
}

const body = (request: Http.IncomingMessage, then: () => void) => {
  request.on("data", () => {})
  request.on("end", then)
}

export const flagServer = (flags: Record<string, unknown>) =>
  Effect.gen(function*() {
    const state: FlagServer["state"] = { flags: { ...flags }, version: 1, override: undefined, down: false }
    const server = yield* TestServer.make({
      routes: [["POST", "/ofrep/v1/evaluate/flags", Reply.custom((request, response) => {
        if (state.down) {
          request.socket.destroy()
          return
        }
        body(request, () => {
          if (state.override !== undefined) return state.override(response)
          const etag = `"v${state.version}"`
          if (request.headers["if-none-match"] === etag) {
            response.writeHead(304, { etag })
            response.end()
            return
          }
          response.writeHead(200, { "content-type": "application/json", etag })
          response.end(JSON.stringify({
            flags: Object.entries(state.flags).map(([key, value]) => ({ key, value, reason: "STATIC", variant: String(value) }))
          }))
        })
      })]]
    })
    const set = (key: string, value: unknown) => {
      state.flags[key] = value
      state.version++
    }
    return { server, state, set } satisfies FlagServer
  })

/** A client pointed at `server`, scoped to the test. */
export const clientOn = (server: TestServer.Service) =>
  Effect.map(
    Layer.build(TestClient.layerFor(server)),
    (context) => Context.get(context, CourierClient.CourierClient)
  ).pipe(Effect.orDie)
