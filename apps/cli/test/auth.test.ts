/**
 * `courier login` / `logout` end to end against the demo API: the token file,
 * the bearer token on later commands, the transparent refresh after the
 * access token expires, and exit 5 once logged out.
 */
import { expect, layer } from "@effect/vitest"
import { DemoApi } from "demo-api"
import * as Effect from "effect/Effect"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { run, tempDir } from "./support/Courier.js"

layer(DemoApi.layer(), { excludeTestServices: true })("courier login", (it) => {
  it.scoped("login, /me, refresh on expiry, logout", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const configDir = yield* tempDir
      const me = run(["get", "/me", "--base-url", api.url], { configDir })

      const login = yield* run(["login", api.url, "--user", "demo", "--password-stdin"], {
        configDir,
        stdin: "courier\n"
      })
      expect(login.stdout).toBe("")
      expect(login.stderr).toContain(`courier: logged in to ${api.url} as demo`)
      expect(login.code).toBe(0)
      const tokenFile = join(configDir, "tokens.json")
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
      const stored = JSON.parse(readFileSync(tokenFile, "utf8")) as Record<string, { accessToken: string }>
      expect(Object.keys(stored)).toEqual([api.url])

      const first = yield* me
      expect(first.stderr).toBe("")
      expect(first.code).toBe(0)
      const user = JSON.parse(first.stdout) as { readonly id: number; readonly username: string }
      expect(typeof user.username).toBe("string")

      yield* api.resetStats
      yield* api.expireAccessTokens
      const refreshed = yield* me
      expect(refreshed.stderr).toBe("")
      expect(refreshed.code).toBe(0)
      expect(JSON.parse(refreshed.stdout)).toEqual(user)
      const stats = yield* api.stats
      expect(stats.refreshes).toBe(1)
      expect(stats.unauthorized).toBe(1)
      // The rotated tokens were written back.
      const rotated = JSON.parse(readFileSync(tokenFile, "utf8")) as Record<string, { accessToken: string }>
      expect(rotated[api.url].accessToken).not.toBe(stored[api.url].accessToken)

      const logout = yield* run(["logout", api.url], { configDir })
      expect(logout.code).toBe(0)
      expect(logout.stderr).toBe(`courier: logged out of ${api.url}\n`)

      const after = yield* me
      expect(after.code).toBe(5)
      expect(after.stdout).toBe("")
      expect(after.stderr).toMatch(/^courier: GET .*\/me: 401 Unauthorized; log in with: courier login/)
    }), 60_000)

  it.scoped("a wrong password exits 5 and stores nothing; no terminal and no --password-stdin exits 2", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.DemoApi
      const configDir = yield* tempDir
      const [wrong, noTerminal] = yield* Effect.all([
        run(["login", api.url, "--user", "demo", "--password-stdin"], { configDir, stdin: "nope\n" }),
        run(["login", api.url, "--user", "demo"], { configDir })
      ], { concurrency: 2 })
      expect(wrong.code).toBe(5)
      expect(wrong.stderr).toBe(`courier: ${api.url} rejected the login of demo: wrong user name or password\n`)
      expect(noTerminal.code).toBe(2)
      expect(noTerminal.stderr).toMatch(/^courier: no terminal to ask for the password on; pipe it in with --password-stdin\n$/)
      expect(() => statSync(join(configDir, "tokens.json"))).toThrow()
    }), 60_000)
})
