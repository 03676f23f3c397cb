import { Auth, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { clientWith, hits } from "./layers.js"

// The file store on a real file system, in a directory removed afterwards.

const tempDir = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "courier-tokens-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
)

const accessOf = (tokens: Option.Option<TokenStore.Tokens>) =>
  Option.isSome(tokens) ? Redacted.value(tokens.value.accessToken) : undefined

describe("TokenStore.makeFile", () => {
  it.live("a 0600 file in a 0700 directory, keys side by side, seen by every store of the file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "config", "credentials.json")
      const a = yield* TokenStore.makeFile({ path, key: "https://a.example" })
      const b = yield* TokenStore.makeFile({ path, key: "https://b.example" })
      const alsoA = yield* TokenStore.makeFile({ path, key: "https://a.example" })
      expect(Option.isNone(yield* a.get)).toBe(true)
      yield* a.set(TokenStore.tokens("a-access-1", "a-refresh-1", 1234))
      yield* b.set(TokenStore.tokens("b-access-1"))
      expect((yield* Effect.promise(() => Fs.stat(path))).mode & 0o777).toBe(0o600)
      expect((yield* Effect.promise(() => Fs.stat(Path.dirname(path)))).mode & 0o777).toBe(0o700)
      const stored = Option.getOrThrow(yield* alsoA.get)
      expect([Redacted.value(stored.accessToken), Redacted.value(stored.refreshToken!), stored.expiresAt]).toEqual([
        "a-access-1",
        "a-refresh-1",
        1234
      ])
      expect(accessOf(yield* a.get)).toBe("a-access-1")
      yield* alsoA.set(TokenStore.tokens("a-access-2", "a-refresh-2"))
      // `a` read the file before: it sees the newer version now.
      expect(accessOf(yield* a.get)).toBe("a-access-2")
      expect(accessOf(yield* b.get)).toBe("b-access-1")
      // No temporary file left behind.
      expect(yield* Effect.promise(() => Fs.readdir(Path.dirname(path)))).toEqual(["credentials.json"])
    }))

  it.live("clearIf clears only the tokens it was given; a file that is not JSON fails reads, quoting none of it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "credentials.json")
      const store = yield* TokenStore.makeFile({ path, key: "k" })
      yield* store.set(TokenStore.tokens("old-access", "old-refresh"))
      yield* store.set(TokenStore.tokens("new-access", "new-refresh"))
      yield* store.clearIf!(TokenStore.tokens("old-access", "old-refresh"))
      expect(accessOf(yield* store.get)).toBe("new-access")
      yield* store.clearIf!(TokenStore.tokens("new-access", "new-refresh"))
      expect(Option.isNone(yield* store.get)).toBe(true)

      yield* Effect.promise(() => Fs.writeFile(path, `{"k":{"accessToken":"leaked-secret-9a8b"`))
      const error = yield* Effect.flip(store.get)
      expect(error._tag).toBe("TokenStoreError")
      expect(error.operation).toBe("read")
      expect([String(error), error.message, JSON.stringify(error), String(error.cause)].join(" ")).not.toContain("leaked-secret-9a8b")
    }))

  it.live("two clients on one token file: the second uses the token the first refreshed, without refreshing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "credentials.json")
      const server = yield* TestServer.make({
        routes: [
          [
            "GET",
            "/me",
            Reply.custom((request, response) => {
              const ok = request.headers.authorization === "Bearer file-fresh"
              response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
              response.end(ok ? `{"ok":true}` : `{}`)
            })
          ],
          ["POST", "/auth/refresh", Reply.json({ accessToken: "file-fresh" })]
        ]
      })
      const seed = yield* TokenStore.makeFile({ path, key: server.origin })
      yield* seed.set(TokenStore.tokens("file-stale", "file-refresh"))
      const auth = Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) })
      const first = yield* clientWith(server, auth, TokenStore.layerFile({ path, key: server.origin }))
      const second = yield* clientWith(server, auth, TokenStore.layerFile({ path, key: server.origin }))
      yield* first.client.get("/me")
      yield* second.client.get("/me")
      expect(yield* hits(server, "/auth/refresh")).toBe(1)
      expect((yield* server.requests("/me")).map((entry) => entry.headers["authorization"])).toEqual([
        "Bearer file-stale",
        "Bearer file-fresh",
        "Bearer file-fresh"
      ])
    }))
})
