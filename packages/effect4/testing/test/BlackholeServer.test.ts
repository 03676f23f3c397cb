import { BlackholeServer } from "@courier/testing-effect4"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { dial } from "./helpers.js"

// That its connects hang is the engine's test (packages/core/test/testkit).
it.live("BlackholeServer: the port is refused at once after the scope that made it closes", () =>
  Effect.gen(function*() {
    const { port, url } = yield* Effect.scoped(BlackholeServer.make)
    expect(url).toBe(`http://127.0.0.1:${port}`)
    expect(yield* dial(port)).toBe("ECONNREFUSED")
  }))
