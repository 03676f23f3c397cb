import { Cache } from "@courier/client"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"
import type * as RedisConnection from "../RedisConnection.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * One value per entry, as the disk store writes its files: a 4-byte
 * big-endian length, the JSON of the key and policy, then the body. The key
 * is kept to tell a hash collision from a hit.
 */
const encode = (key: string, entry: Cache.Entry): Buffer => {
  const head = encoder.encode(JSON.stringify({ key, policy: entry.policy }))
  const out = Buffer.alloc(4 + head.byteLength + entry.body.byteLength)
  out.writeUInt32BE(head.byteLength, 0)
  out.set(head, 4)
  out.set(entry.body, 4 + head.byteLength)
  return out
}

const decode = (key: string, bytes: Buffer): Option.Option<Cache.Entry> => {
  if (bytes.byteLength < 4) return Option.none()
  const length = bytes.readUInt32BE(0)
  if (4 + length > bytes.byteLength) return Option.none()
  try {
    const head = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as { key?: unknown; policy?: unknown }
    if (head.key !== key) return Option.none()
    return Option.some({ policy: head.policy, body: new Uint8Array(bytes.subarray(4 + length)) })
  } catch {
    return Option.none()
  }
}

/** @internal */
export const make = (
  connection: RedisConnection.Service,
  options: { readonly ttl?: Duration.DurationInput | undefined } = {}
): Cache.Store => {
  const ttl = Math.max(1, Math.ceil(Duration.toMillis(Duration.decode(options.ttl ?? Duration.days(1)))))
  // Keys are `METHOD url`: hashed, so a URL (its query may carry anything)
  // is not a Redis key name anyone listing keys can read.
  const keyOf = (key: string) => connection.key("cache", createHash("sha256").update(key).digest("hex"))
  const fail = (operation: "get" | "set" | "delete") => (cause: unknown) => new Cache.StoreError({ operation, cause })
  return {
    get: (key) =>
      connection.run("cache.get", (client) => client.getBuffer(keyOf(key))).pipe(
        Effect.map((bytes) => bytes === null ? Option.none() : decode(key, bytes)),
        Effect.mapError(fail("get"))
      ),
    set: (key, entry) =>
      connection.run("cache.set", (client) => client.set(keyOf(key), encode(key, entry), "PX", ttl)).pipe(
        Effect.asVoid,
        Effect.mapError(fail("set"))
      ),
    delete: (key) =>
      connection.run("cache.delete", (client) => client.del(keyOf(key))).pipe(
        Effect.asVoid,
        Effect.mapError(fail("delete"))
      )
  }
}
