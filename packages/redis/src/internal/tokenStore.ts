import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { TokenStore } from "@courier/client"
import type * as RedisConnection from "../RedisConnection.js"

interface Stored {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
  readonly expiresAt?: number | undefined
}

const serialise = (tokens: TokenStore.Tokens): string =>
  JSON.stringify({
    accessToken: Redacted.value(tokens.accessToken),
    ...(tokens.refreshToken === undefined ? {} : { refreshToken: Redacted.value(tokens.refreshToken) }),
    ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt })
  } satisfies Stored)

const parse = (text: string | null): Option.Option<TokenStore.Tokens> => {
  if (text === null) return Option.none()
  try {
    const value = JSON.parse(text) as Partial<Record<keyof Stored, unknown>>
    if (typeof value.accessToken !== "string") return Option.none()
    return Option.some({
      accessToken: Redacted.make(value.accessToken),
      refreshToken: typeof value.refreshToken === "string" ? Redacted.make(value.refreshToken) : undefined,
      ...(typeof value.expiresAt === "number" && Number.isFinite(value.expiresAt) ? { expiresAt: value.expiresAt } : {})
    })
  } catch {
    return Option.none()
  }
}

// What a clear leaves: no tokens (a read finds none), but not an absent key.
// An absent key is one Redis lost (a restart without persistence), which a
// replica with a copy puts back; a cleared one is a session that ended (a
// rejected refresh, a sign-out) and must stay ended.
const cleared = JSON.stringify({ cleared: true })

// Compare-and-set: writes ARGV[2] only if the key still holds ARGV[1] ("" = absent).
const compareAndSet = `
local current = redis.call("GET", KEYS[1])
if (current == false and ARGV[1] == "") or current == ARGV[1] then
  if ARGV[2] == "" then redis.call("DEL", KEYS[1]) else redis.call("SET", KEYS[1], ARGV[2]) end
  return 1
end
return 0
`

// Clears the tokens (ARGV[3], the marker) only if they are still `expected`
// (access and refresh token compared; a different expiry still matches).
const compareAndClear = `
local current = redis.call("GET", KEYS[1])
if current == false then return 0 end
local ok, value = pcall(cjson.decode, current)
if ok and type(value) == "table" and value.accessToken == ARGV[1] and (value.refreshToken or "") == ARGV[2] then
  redis.call("SET", KEYS[1], ARGV[3])
  return 1
end
return 0
`

/**
 * Tokens in one Redis string (JSON), with a copy in this process. While
 * Redis is unavailable, reads serve the copy and writes change only the
 * copy; none of them fails. The first read that reaches Redis again writes
 * back what changed here meanwhile, unless another process stored newer
 * tokens there (compare-and-set on the value last seen in Redis), or puts
 * the copy back when Redis lost the key (a restart without persistence); a
 * key that was cleared holds `cleared`, which is not lost, and wins.
 *
 * @internal
 */
export const make = (connection: RedisConnection.Service): TokenStore.Service => {
  const key = connection.key("tokens")
  // What this process believes the tokens are, and the Redis value it last
  // saw (null: none): the base of the write-back after an outage.
  let local: Option.Option<TokenStore.Tokens> = Option.none()
  let seen: string | null = null
  let pending = false

  const casScript = (expected: string | null, next: string | null) =>
    connection.run("tokens.cas", (client) => client.eval(compareAndSet, 1, key, expected ?? "", next ?? ""))

  // One write-back at a time: the calls that read at once after an outage
  // would otherwise each try it, and judge by a value read before the first.
  const writeBack = Effect.unsafeMakeSemaphore(1)

  const adoptRemote = (remote: string | null) =>
    Effect.sync(() => {
      pending = false
      seen = remote
      local = parse(remote)
      return local
    })

  const reconcile = (remote: string | null): Effect.Effect<Option.Option<TokenStore.Tokens>> => {
    if (!pending) return adoptRemote(remote)
    return writeBack.withPermits(1)(Effect.suspend(() => {
      if (!pending) return Effect.succeed(local)
      const mine = Option.isSome(local) ? serialise(local.value) : cleared
      // Redis holds what it held before the outage, or lost the key: this
      // process's changes are the newest. Anything else was written by
      // another process meanwhile and wins.
      const base = remote === null ? null : seen
      return casScript(base, mine).pipe(
        Effect.flatMap((written) =>
          written === 1
            ? Effect.sync(() => {
              pending = false
              seen = mine
              return local
            })
            // The value changed since it was read: read it again and take it.
            : Effect.flatMap(connection.run("tokens.get", (client) => client.get(key)), adoptRemote)
        ),
        Effect.orElseSucceed(() => local)
      )
    }))
  }

  const get = connection.run("tokens.get", (client) => client.get(key)).pipe(
    Effect.flatMap(reconcile),
    Effect.catchTag("RedisUnavailable", () =>
      Effect.sync(() => {
        pending = true
        return local
      }))
  )

  const write = (next: Option.Option<TokenStore.Tokens>, command: Effect.Effect<unknown, RedisConnection.RedisUnavailable>) =>
    Effect.suspend(() => {
      local = next
      return command.pipe(
        // A whole write is the write-back of anything changed during an outage.
        Effect.tap(() =>
          Effect.sync(() => {
            seen = Option.isSome(next) ? serialise(next.value) : cleared
            pending = false
          })
        ),
        Effect.catchTag("RedisUnavailable", () =>
          Effect.sync(() => {
            pending = true
          }))
      )
    }).pipe(Effect.asVoid)

  return {
    get,
    set: (tokens) => write(Option.some(tokens), connection.run("tokens.set", (client) => client.set(key, serialise(tokens)))),
    clear: write(Option.none(), connection.run("tokens.clear", (client) => client.set(key, cleared))),
    clearIf: (expected) =>
      Effect.suspend(() => {
        if (Option.isSome(local) && TokenStore.sameTokens(local.value, expected)) local = Option.none()
        return connection.run("tokens.clearIf", (client) =>
          client.eval(
            compareAndClear,
            1,
            key,
            Redacted.value(expected.accessToken),
            expected.refreshToken === undefined ? "" : Redacted.value(expected.refreshToken),
            cleared
          )).pipe(
            // Whatever Redis holds now, the next read takes it as it is.
            Effect.zipRight(Effect.sync(() => {
              seen = null
              pending = false
            })),
            Effect.catchTag("RedisUnavailable", () =>
              Effect.sync(() => {
                pending = true
              }))
          )
      })
  }
}
