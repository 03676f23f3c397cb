/**
 * `--session NAME` end to end: a cookie set on the demo API's login
 * redirect is kept in the session's file and sent by a later run.
 */
import { expect, layer } from "@effect/vitest"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { run, tempDir } from "./support/Courier.js"

layer(DemoApi.layer(), { excludeTestServices: true })("courier --session", (it) => {
  it.scoped("a cookie set on a redirect survives to the next run, in a 0600 file", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const configDir = yield* tempDir
      const args = ["--base-url", api.url, "--body-only"]

      const start = yield* run(["post", "/session/start", "--session", "work", ...args], { configDir })
      expect(start.stderr).toBe("")
      expect(JSON.parse(start.stdout)).toEqual({ session: true, visits: 1 })

      const file = join(configDir, "sessions", "work.json")
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(readFileSync(file, "utf8")).toContain("demo_session")

      const later = yield* run(["get", "/session", "--session", "work", ...args], { configDir })
      expect(JSON.parse(later.stdout)).toEqual({ session: true, visits: 2 })

      // Another session, or none, has no cookie.
      const other = yield* run(["get", "/session", "--session", "other", ...args], { configDir })
      expect(JSON.parse(other.stdout)).toEqual({ session: false })
      const none = yield* run(["get", "/session", ...args], { configDir })
      expect(JSON.parse(none.stdout)).toEqual({ session: false })
    }))

  it.scoped("a session name that is not a plain name is a usage error; nothing is sent", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const configDir = yield* tempDir
      const result = yield* run(["get", "/session", "--session", "../escape", "--base-url", api.url], { configDir })
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^courier: --session must be/)
    }))
})
