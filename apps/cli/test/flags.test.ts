/**
 * `courier flags list` / `watch` end to end against the demo API's OFREP
 * server: the table of flags, and a flip on the server printed by a running
 * `watch` without a restart.
 */
import { expect, layer } from "@effect/vitest"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { eventually, run, start, tempDir } from "./support/Courier.js"

layer(DemoApi.layer(), { excludeTestServices: true })("courier flags", (it) => {
  it.scoped("list prints one line per flag", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const result = yield* run(["flags", "list", "--base-url", api.url, "--targeting-key", "user-1"])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^enable_new_ui +false +\(STATIC, variant off\)$/m)
      expect(result.stdout).toMatch(/^max_items +20 /m)
    }))

  it.scoped("watch prints a flip announced on the event stream", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const configDir = yield* tempDir
      const watching = start(
        ["flags", "watch", "--base-url", api.url, "--events", "/flags/events", "--interval", "3600"],
        { configDir }
      )
      const exit = yield* Effect.fork(watching.exit)
      yield* eventually("the table", () => /welcome_message/.test(watching.stdout()))
      yield* Effect.promise(() =>
        fetch(`${api.url}/flags/welcome_message`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ value: "Hi" })
        })
      )
      yield* eventually("the change line", () => /welcome_message: "Welcome to Courier" .*-> "Hi"/.test(watching.stdout()))
      yield* Fiber.interrupt(exit)
    }))
})
