import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Cache from "../../../Cache.js"
import { markLocal } from "../../core/localStore.js"

/**
 * A store failed (a disk or network error). The cache treats a failed read
 * as a miss and a failed write or delete as not done: a call never fails
 * because of its store.
 *
 * @since 0.1.0
 */
export class StoreError extends Data.TaggedError("CacheStoreError")<{
  readonly operation: "get" | "set" | "delete"
  readonly cause: unknown
}> {}

const defaultMaxBytes = 16 * 1024 * 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What an entry costs: its body and its serialised policy (headers mostly). */
const sizeOf = (entry: Cache.Entry): number => entry.body.byteLength + JSON.stringify(entry.policy).length

/** @internal */
export const memory = (options: { readonly maxBytes?: number | undefined } = {}): Cache.Store => {
  const maxBytes = options.maxBytes ?? defaultMaxBytes
  // A Map iterates in insertion order: re-inserting on every read keeps the
  // least recently used entry first.
  const entries = new Map<string, { readonly entry: Cache.Entry; readonly size: number }>()
  let total = 0
  const remove = (key: string) => {
    const found = entries.get(key)
    if (found === undefined) return
    entries.delete(key)
    total -= found.size
  }
  return markLocal<Cache.Store>({
    get: (key) =>
      Effect.sync(() => {
        const found = entries.get(key)
        if (found === undefined) return Option.none()
        entries.delete(key)
        entries.set(key, found)
        return Option.some(found.entry)
      }),
    set: (key, entry) =>
      Effect.sync(() => {
        remove(key)
        const size = sizeOf(entry)
        if (size > maxBytes) return
        entries.set(key, { entry, size })
        total += size
        for (const oldest of entries.keys()) {
          if (total <= maxBytes) break
          remove(oldest)
        }
      }),
    delete: (key) => Effect.sync(() => remove(key))
  })
}

/** SHA-256 of the key, in hex: a file name of fixed length whatever the URL. */
const fileNameOf = (key: string): Effect.Effect<string> =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", encoder.encode(key))).pipe(
    Effect.map((digest) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""))
  )

/**
 * One file per entry: a 4-byte big-endian length, the JSON of the key and
 * policy, then the body. The key is kept to tell a hash collision from a hit.
 */
const encode = (key: string, entry: Cache.Entry): Uint8Array => {
  const head = encoder.encode(JSON.stringify({ key, policy: entry.policy }))
  const out = new Uint8Array(4 + head.byteLength + entry.body.byteLength)
  new DataView(out.buffer).setUint32(0, head.byteLength)
  out.set(head, 4)
  out.set(entry.body, 4 + head.byteLength)
  return out
}

const decode = (key: string, bytes: Uint8Array): Option.Option<Cache.Entry> => {
  if (bytes.byteLength < 4) return Option.none()
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
  if (4 + length > bytes.byteLength) return Option.none()
  try {
    const head = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as { key?: unknown; policy?: unknown }
    if (head.key !== key) return Option.none()
    return Option.some({ policy: head.policy, body: bytes.slice(4 + length) })
  } catch {
    // A damaged file is a miss; the next answer replaces it.
    return Option.none()
  }
}

const notFound = (error: { readonly _tag: string; readonly reason?: string }) =>
  error._tag === "SystemError" && error.reason === "NotFound"

/** @internal */
export const disk = (options: { readonly directory: string }): Effect.Effect<Cache.Store, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): Cache.Store => {
    const pathOf = (key: string) => Effect.map(fileNameOf(key), (name) => `${options.directory}/${name}`)
    return markLocal<Cache.Store>({
      get: (key) =>
        Effect.flatMap(pathOf(key), (path) => fs.readFile(path)).pipe(
          Effect.map((bytes) => decode(key, bytes)),
          Effect.catchIf(notFound, () => Effect.succeed(Option.none())),
          Effect.mapError((cause) => new StoreError({ operation: "get", cause }))
        ),
      set: (key, entry) =>
        Effect.flatMap(pathOf(key), (path) => {
          const tmp = `${path}.${crypto.randomUUID()}.tmp`
          return fs.makeDirectory(options.directory, { recursive: true, mode: 0o700 }).pipe(
            Effect.zipRight(fs.writeFile(tmp, encode(key, entry), { mode: 0o600 })),
            Effect.zipRight(fs.rename(tmp, path)),
            Effect.onError(() => Effect.ignore(fs.remove(tmp)))
          )
        }).pipe(Effect.mapError((cause) => new StoreError({ operation: "set", cause }))),
      delete: (key) =>
        Effect.flatMap(pathOf(key), (path) => fs.remove(path)).pipe(
          Effect.catchIf(notFound, () => Effect.void),
          Effect.mapError((cause) => new StoreError({ operation: "delete", cause }))
        )
    })
  })
