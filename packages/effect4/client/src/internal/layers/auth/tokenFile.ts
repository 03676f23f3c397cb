/**
 * The token store in a file (node:fs): the format of `@courier/core`'s
 * TokenFile, one file for several keys, mode 0600 in a 0700 directory,
 * every write a new file renamed over the old one.
 */
import * as TokenFile from "@courier/core/TokenFile"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Semaphore from "effect/Semaphore"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import type * as TokenStoreNs from "../../../TokenStore.js"
import { TokenStoreError } from "./tokenStore.js"

type Stored = TokenFile.Stored
type Entries = Record<string, Stored>

// Stores of different keys share one file. Each write reads the file, changes
// its own key and replaces the file; two of these interleaved would drop the
// other's key, so writes to one path are serialised within the process.
const writeLocks = new Map<string, Semaphore.Semaphore>()
const writeLock = (path: string): Semaphore.Semaphore => {
  let lock = writeLocks.get(path)
  if (lock === undefined) {
    lock = Semaphore.makeUnsafe(1)
    writeLocks.set(path, lock)
  }
  return lock
}

const notFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT"

const attempt = <A>(operation: "read" | "write" | "clear", run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new TokenStoreError({ operation, cause }) })

const toStored = (tokens: TokenStoreNs.Tokens): Stored => ({
  accessToken: Redacted.value(tokens.accessToken),
  refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken),
  ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt })
})

const fromStored = (entry: Stored): TokenStoreNs.Tokens => ({
  accessToken: Redacted.make(entry.accessToken),
  refreshToken: entry.refreshToken === undefined ? undefined : Redacted.make(entry.refreshToken),
  ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt })
})

/** @internal */
export const makeFile = (options: { readonly path: string; readonly key: string }): Effect.Effect<TokenStoreNs.Service> =>
  Effect.sync(() => {
    const { key, path } = options
    const lock = writeLock(path)
    // The file as last read, and the stamp of the version it was read from:
    // another store (another key, or this key in another process) may replace
    // the file at any time.
    let cache: Entries | undefined
    let cachedStamp: string | undefined

    // Writes start from the file, never from the cache. A missing file is an empty store.
    const load = (operation: "read" | "write" | "clear") =>
      attempt(operation, async (): Promise<Entries> => {
        try {
          return TokenFile.parse(await Fs.readFile(path, "utf8"))
        } catch (error) {
          if (notFound(error)) return Object.create(null)
          throw error
        }
      })

    // The stat comes before the read: a write landing between the two leaves
    // an old stamp on new content, which the next read corrects.
    const readAll = Effect.flatMap(
      attempt("read", async () => {
        try {
          const info = await Fs.stat(path)
          return `${info.ino}:${info.size}:${info.mtimeMs}`
        } catch (error) {
          if (notFound(error)) return undefined
          throw error
        }
      }),
      (stamp): Effect.Effect<Entries, TokenStoreError> => {
        if (stamp === undefined) {
          cache = undefined
          cachedStamp = undefined
          return Effect.succeed(Object.create(null))
        }
        if (cache !== undefined && cachedStamp === stamp) return Effect.succeed(cache)
        return Effect.map(load("read"), (all) => {
          cache = all
          cachedStamp = stamp
          return all
        })
      }
    )

    const writeAll = (all: Entries, operation: "write" | "clear") =>
      Effect.andThen(
        attempt(operation, async () => {
          await Fs.mkdir(Path.dirname(path), { recursive: true, mode: 0o700 })
          const tmp = `${path}.${crypto.randomUUID()}.tmp`
          try {
            await Fs.writeFile(tmp, TokenFile.serialize(all), { mode: 0o600 })
            // The mode given at creation is masked by the umask; chmod is not.
            await Fs.chmod(tmp, 0o600)
            await Fs.rename(tmp, path)
          } catch (error) {
            await Fs.rm(tmp, { force: true }).catch(() => undefined)
            throw error
          }
        }),
        Effect.sync(() => {
          // The next read stats the file and reads it again once.
          cache = undefined
          cachedStamp = undefined
        })
      )

    const remove = (matches: (entry: Stored) => boolean) =>
      lock.withPermits(1)(Effect.flatMap(load("clear"), (all) => {
        const entry = all[key]
        if (entry === undefined || !matches(entry)) return Effect.void
        const rest: Entries = { ...all }
        delete rest[key]
        return writeAll(rest, "clear")
      }))

    return {
      get: Effect.map(readAll, (all) => Option.map(Option.fromNullishOr(all[key]), fromStored)),
      set: (tokens) =>
        lock.withPermits(1)(Effect.flatMap(load("write"), (all) => writeAll({ ...all, [key]: toStored(tokens) }, "write"))),
      clear: remove(() => true),
      clearIf: (expected) => {
        const wanted = toStored(expected)
        return remove((entry) => TokenFile.holds(entry, wanted))
      }
    }
  })
