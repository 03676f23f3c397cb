import { BlackholeServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { connectOutcome } from "./helpers.js"

// Connects that hang are the engine's (packages/core/test/testkit); here, that the scope owns the port.
describe("BlackholeServer (effect 3 kit)", () => {
  it.scoped("the port is released when the scope closes", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(Effect.map(BlackholeServer.make, (blackhole) => blackhole.port))
      // The listener is gone: the kernel refuses at once instead of dropping the SYN.
      expect(yield* connectOutcome(port)).toBe("ECONNREFUSED")
    }))
})
