import { TokenStore } from "@courier/client"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Util from "node:util"

// The file store on a real file system, in a temporary directory removed
// when the test's scope closes.

/** A fresh temporary directory, removed with everything in it when the scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-tokens-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** A file store, as programs build it: `layerFile` over `NodeFileSystem.layer`. */
const fileStore = (path: string, key: string) =>
  Effect.map(
    Layer.build(TokenStore.layerFile({ path, key }).pipe(Layer.provide(NodeFileSystem.layer))),
    (context) => Context.get(context, TokenStore.TokenStore)
  )

/** The plain values of what a store holds, for comparisons. */
const plain = (tokens: Option.Option<TokenStore.Tokens>) =>
  Option.map(tokens, (t) => ({
    accessToken: Redacted.value(t.accessToken),
    refreshToken: t.refreshToken === undefined ? undefined : Redacted.value(t.refreshToken)
  }))

const readJson = (path: string): unknown => JSON.parse(Fs.readFileSync(path, "utf8"))

const tmpFiles = (dir: string) => Fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))

describe("TokenStore", () => {
  describe("file store", () => {
    it.scoped("round trip: what is set is what a new store reads back", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        const store = yield* fileStore(path, "api")
        expect(yield* store.get).toEqual(Option.none())
        yield* store.set(TokenStore.tokens("access-1", "refresh-1"))
        expect(plain(yield* store.get)).toEqual(Option.some({ accessToken: "access-1", refreshToken: "refresh-1" }))
        yield* store.set(TokenStore.tokens("access-2"))
        const reopened = yield* fileStore(path, "api")
        expect(plain(yield* reopened.get)).toEqual(Option.some({ accessToken: "access-2", refreshToken: undefined }))
        expect(readJson(path)).toEqual({ api: { accessToken: "access-2" } })
      }))

    it.scoped("the file is 0600, its new directory 0700, and no temporary file is left", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "nested", "tokens.json")
        const store = yield* fileStore(path, "api")
        yield* store.set(TokenStore.tokens("a1", "r1"))
        expect(Fs.statSync(path).mode & 0o777).toBe(0o600)
        expect(Fs.statSync(Path.dirname(path)).mode & 0o777).toBe(0o700)
        yield* store.set(TokenStore.tokens("a2", "r2"))
        yield* store.clear
        expect(Fs.statSync(path).mode & 0o777).toBe(0o600)
        expect(tmpFiles(Path.dirname(path))).toEqual([])
        expect(tmpFiles(dir)).toEqual([])
      }))

    it.scoped("a file someone left readable by others is replaced by a 0600 one, its other keys kept", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        Fs.writeFileSync(path, JSON.stringify({ other: { accessToken: "o1" } }), { mode: 0o644 })
        Fs.chmodSync(path, 0o644)
        const store = yield* fileStore(path, "api")
        yield* store.set(TokenStore.tokens("a1", "r1"))
        expect(Fs.statSync(path).mode & 0o777).toBe(0o600)
        expect(readJson(path)).toEqual({ other: { accessToken: "o1" }, api: { accessToken: "a1", refreshToken: "r1" } })
      }))

    it.scoped("two keys in one file do not clobber each other, even when both stores read it first", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        const one = yield* fileStore(path, "https://one.example")
        const two = yield* fileStore(path, "https://two.example")
        // Both read the (missing) file before either writes.
        expect(yield* one.get).toEqual(Option.none())
        expect(yield* two.get).toEqual(Option.none())
        yield* one.set(TokenStore.tokens("one-a", "one-r"))
        yield* two.set(TokenStore.tokens("two-a", "two-r"))
        yield* one.set(TokenStore.tokens("one-a2", "one-r2"))
        expect(readJson(path)).toEqual({
          "https://one.example": { accessToken: "one-a2", refreshToken: "one-r2" },
          "https://two.example": { accessToken: "two-a", refreshToken: "two-r" }
        })
        const fresh = yield* fileStore(path, "https://two.example")
        expect(plain(yield* fresh.get)).toEqual(Option.some({ accessToken: "two-a", refreshToken: "two-r" }))
      }))

    it.scoped("clear removes only its own key", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        const one = yield* fileStore(path, "one")
        const two = yield* fileStore(path, "two")
        yield* one.set(TokenStore.tokens("one-a", "one-r"))
        yield* two.set(TokenStore.tokens("two-a", "two-r"))
        yield* one.clear
        expect(yield* one.get).toEqual(Option.none())
        expect(readJson(path)).toEqual({ two: { accessToken: "two-a", refreshToken: "two-r" } })
        expect(plain(yield* (yield* fileStore(path, "two")).get)).toEqual(
          Option.some({ accessToken: "two-a", refreshToken: "two-r" })
        )
        // Clearing a key that is not there leaves the file alone.
        yield* (yield* fileStore(path, "absent")).clear
        expect(readJson(path)).toEqual({ two: { accessToken: "two-a", refreshToken: "two-r" } })
        expect(tmpFiles(dir)).toEqual([])
      }))

    it.scoped("stores of two keys writing at the same time keep both", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        const one = yield* fileStore(path, "one")
        const two = yield* fileStore(path, "two")
        for (let i = 0; i < 10; i++) {
          yield* Effect.all([one.set(TokenStore.tokens(`one-${i}`)), two.set(TokenStore.tokens(`two-${i}`))], {
            concurrency: "unbounded"
          })
        }
        expect(readJson(path)).toEqual({ one: { accessToken: "one-9" }, two: { accessToken: "two-9" } })
        expect(tmpFiles(dir)).toEqual([])
      }))

    it.scoped("a corrupt file is a TokenStoreError on get, not a crash, and the error shows no token", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        // A hand-edited file: the value lost its quotes.
        Fs.writeFileSync(path, "{\"api\":{\"accessToken\":SECRET-ACCESS,\"refreshToken\":\"SECRET-REFRESH\"}}", {
          mode: 0o600
        })
        const store = yield* fileStore(path, "api")
        const error = yield* Effect.flip(store.get)
        expect(error).toBeInstanceOf(TokenStore.TokenStoreError)
        expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "read" })
        expect(error.message).toBe("the token store could not be read")
        for (
          const shown of [
            String(error),
            JSON.stringify(error),
            Util.inspect(error, { depth: 10 }),
            Cause.pretty(Cause.fail(error), { renderErrorCause: true })
          ]
        ) {
          expect(shown).not.toContain("SECRET")
        }
        // Not JSON at all, or truncated: the same typed failure.
        Fs.writeFileSync(path, "not json")
        expect(yield* Effect.flip((yield* fileStore(path, "api")).get)).toMatchObject({ _tag: "TokenStoreError" })
        Fs.writeFileSync(path, "{\"api\":{\"accessToken\":\"trunc")
        expect(yield* Effect.flip((yield* fileStore(path, "api")).get)).toMatchObject({ _tag: "TokenStoreError" })
      }))
  })

  describe("Redacted tokens", () => {
    it.scoped("never show their values in String(), JSON or inspection, also when read from a file", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const path = Path.join(dir, "tokens.json")
        const made = TokenStore.tokens("SECRET-ACCESS", "SECRET-REFRESH")
        const store = yield* fileStore(path, "api")
        yield* store.set(made)
        const read = Option.getOrThrow(yield* (yield* fileStore(path, "api")).get)
        for (const tokens of [made, read]) {
          for (
            const shown of [
              String(tokens.accessToken),
              `${tokens.refreshToken}`,
              JSON.stringify(tokens),
              JSON.stringify({ nested: { tokens } }),
              Util.inspect(tokens, { depth: 10 }),
              String(tokens)
            ]
          ) {
            expect(shown).not.toContain("SECRET")
          }
          expect(String(tokens.accessToken)).toBe("<redacted>")
        }
        expect(Redacted.value(read.accessToken)).toBe("SECRET-ACCESS")
        expect(Redacted.value(read.refreshToken!)).toBe("SECRET-REFRESH")
      }))
  })
})
