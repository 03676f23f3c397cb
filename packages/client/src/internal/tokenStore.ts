import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as TokenStore from "../TokenStore.js"
import { TokenStoreError } from "../TokenStore.js"

interface Stored {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
}

const dirname = (path: string): string => {
  const i = path.lastIndexOf("/")
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i)
}

const parse = (text: string): Record<string, Stored> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // V8's message quotes the text around the fault, and that text is tokens.
    throw new SyntaxError("the token file is not valid JSON")
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {}
  const out: Record<string, Stored> = Object.create(null)
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "object" || entry === null) continue
    const { accessToken, refreshToken } = entry as Record<string, unknown>
    if (typeof accessToken !== "string") continue
    out[key] = { accessToken, refreshToken: typeof refreshToken === "string" ? refreshToken : undefined }
  }
  return out
}

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

/** @internal */
export const makeFile = (options: { readonly path: string; readonly key: string }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { key, path } = options
    const dir = dirname(path)
    const lock = writeLock(path)
    let cache: Record<string, Stored> | undefined

    // Writes start from the file, never from the cache: another store (another
    // key) may have written since this one last read it.
    const load = fs.readFileString(path).pipe(
      Effect.map(parse),
      // A missing file is an empty store; an unreadable one is an error.
      Effect.catchIf(
        (error) => error._tag === "SystemError" && error.reason === "NotFound",
        () => Effect.succeed<Record<string, Stored>>(Object.create(null))
      ),
      Effect.catchAllDefect((defect) => Effect.fail(defect)),
      Effect.mapError((cause) => new TokenStoreError({ operation: "read", cause })),
      Effect.tap((all) => {
        cache = all
      })
    )

    const readAll = Effect.suspend(() => cache !== undefined ? Effect.succeed(cache) : load)

    const writeAll = (all: Record<string, Stored>, operation: "write" | "clear") =>
      Effect.gen(function*() {
        yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 })
        const tmp = `${path}.${crypto.randomUUID()}.tmp`
        yield* fs.writeFileString(tmp, JSON.stringify(all, null, 2) + "\n", { mode: 0o600 }).pipe(
          Effect.zipRight(fs.chmod(tmp, 0o600)),
          Effect.zipRight(fs.rename(tmp, path)),
          Effect.onError(() => Effect.ignore(fs.remove(tmp)))
        )
        cache = all
      }).pipe(Effect.mapError((cause) => new TokenStoreError({ operation, cause })))

    const service: TokenStore.Service = {
      get: Effect.map(readAll, (all) => {
        const entry = all[key]
        return entry === undefined ? Option.none() : Option.some({
          accessToken: Redacted.make(entry.accessToken),
          refreshToken: entry.refreshToken === undefined ? undefined : Redacted.make(entry.refreshToken)
        })
      }),
      set: (tokens) =>
        lock.withPermits(1)(Effect.flatMap(load, (all) =>
          writeAll({
            ...all,
            [key]: {
              accessToken: Redacted.value(tokens.accessToken),
              refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken)
            }
          }, "write"))),
      clear: lock.withPermits(1)(Effect.flatMap(load, (all) => {
        if (!(key in all)) return Effect.void
        const rest = { ...all }
        delete rest[key]
        return writeAll(rest, "clear")
      }))
    }
    return service
  })
