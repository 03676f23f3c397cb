import * as TokenFile from "@courier/core/TokenFile"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as TokenStoreNs from "../../../TokenStore.js"
import { writeAtomic } from "../../util/atomicFile.js"
import { markLocal } from "../../core/localStore.js"

/**
 * Reading or writing the store failed.
 *
 * @since 0.1.0
 */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  readonly operation: "read" | "write" | "clear"
  readonly cause: unknown
}> {
  override get message(): string {
    return `the token store could not ${this.operation === "read" ? "be read" : this.operation === "write" ? "be written" : "be cleared"}`
  }
}

/**
 * The token store tag.
 *
 * @since 0.1.0
 */
export class TokenStore extends Context.Tag("@courier/client/TokenStore")<TokenStore, TokenStoreNs.Service>() {}

type Stored = TokenFile.Stored

// Stores of different keys share one file. Each write reads the file, changes
// its own key and replaces the file; two of these interleaved would drop the
// other's key, so writes to one path are serialised within the process.
const writeLocks = new Map<string, Effect.Semaphore>()

const writeLock = (path: string): Effect.Semaphore => {
  let lock = writeLocks.get(path)
  if (lock === undefined) {
    lock = Effect.unsafeMakeSemaphore(1)
    writeLocks.set(path, lock)
  }
  return lock
}

/** What identifies one version of the file: every write renames a new file over it. */
const stampOf = (info: FileSystem.File.Info): string =>
  `${Option.getOrElse(info.ino, () => -1)}:${String(info.size)}:${
    Option.match(info.mtime, { onNone: () => -1, onSome: (date) => date.getTime() })
  }`

const toStored = (tokens: TokenStoreNs.Tokens): Stored => ({
  accessToken: Redacted.value(tokens.accessToken),
  refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken),
  ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt })
})

/** @internal */
export const makeFile = (options: { readonly path: string; readonly key: string }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { key, path } = options
    const lock = writeLock(path)
    // The file as last read, and the stamp of the version it was read from:
    // another store (another key, or the same key in another process) may
    // replace the file at any time.
    let cache: Record<string, Stored> | undefined
    let cachedStamp: string | undefined

    const notFound = (error: { readonly _tag: string; readonly reason?: string }) =>
      error._tag === "SystemError" && error.reason === "NotFound"

    // Writes start from the file, never from the cache.
    const load = fs.readFileString(path).pipe(
      Effect.map(TokenFile.parse),
      // A missing file is an empty store; an unreadable one is an error.
      Effect.catchIf(notFound, () => Effect.succeed<Record<string, Stored>>(Object.create(null))),
      Effect.catchAllDefect((defect) => Effect.fail(defect)),
      Effect.mapError((cause) => new TokenStoreError({ operation: "read", cause }))
    )

    // The stat comes before the read: a write landing between the two leaves
    // an old stamp on new content, which the next read corrects; the other
    // order could keep old content under a new stamp.
    const readAll = Effect.gen(function*() {
      const info = yield* fs.stat(path).pipe(
        Effect.map(Option.some),
        Effect.catchIf(notFound, () => Effect.succeed(Option.none<FileSystem.File.Info>())),
        Effect.mapError((cause) => new TokenStoreError({ operation: "read", cause }))
      )
      if (Option.isNone(info)) {
        const none: Record<string, Stored> = Object.create(null)
        cache = none
        cachedStamp = undefined
        return none
      }
      const stamp = stampOf(info.value)
      if (cache !== undefined && cachedStamp === stamp) return cache
      const all = yield* load
      cache = all
      cachedStamp = stamp
      return all
    })

    const writeAll = (all: Record<string, Stored>, operation: "write" | "clear") =>
      Effect.gen(function*() {
        yield* writeAtomic(fs, path, TokenFile.serialize(all))
        // The next read stats the file and reads it again once.
        cache = undefined
        cachedStamp = undefined
      }).pipe(Effect.mapError((cause) => new TokenStoreError({ operation, cause })))

    const remove = (matches: (entry: Stored) => boolean) =>
      lock.withPermits(1)(Effect.flatMap(load, (all) => {
        const entry = all[key]
        if (entry === undefined || !matches(entry)) return Effect.void
        const rest = { ...all }
        delete rest[key]
        return writeAll(rest, "clear")
      }))

    const service: TokenStoreNs.Service = {
      get: Effect.map(readAll, (all) => {
        const entry = all[key]
        return entry === undefined ? Option.none() : Option.some({
          accessToken: Redacted.make(entry.accessToken),
          refreshToken: entry.refreshToken === undefined ? undefined : Redacted.make(entry.refreshToken),
          ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt })
        })
      }),
      set: (tokens) => lock.withPermits(1)(Effect.flatMap(load, (all) => writeAll({ ...all, [key]: toStored(tokens) }, "write"))),
      clear: remove(() => true),
      clearIf: (expected) => {
        const wanted = toStored(expected)
        return remove((entry) => TokenFile.holds(entry, wanted))
      }
    }
    return markLocal(service)
  })
