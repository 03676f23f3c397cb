/**
 * When an access token expires, and whether it is time to refresh it ahead
 * of that, so a busy program does not pay a 401 round trip per expiry.
 */
import * as Redacted from "effect/Redacted"
import type * as TokenStore from "../../../TokenStore.js"

const decoder = new TextDecoder()

/**
 * The `exp` claim of a JWT (epoch milliseconds), read without verifying the
 * signature: the token is the server's to judge; only its expiry is used
 * here, to refresh before it. `undefined` for anything else.
 *
 * @internal
 */
export const jwtExpiry = (token: string): number | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1]!.length === 0) return undefined
  try {
    const base64 = parts[1]!.replace(/-/g, "+").replace(/_/g, "/")
    const binary = atob(base64.padEnd(base64.length + (4 - base64.length % 4) % 4, "="))
    const claims: unknown = JSON.parse(decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))))
    if (typeof claims !== "object" || claims === null) return undefined
    const exp = (claims as Record<string, unknown>)["exp"]
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/**
 * Where the stored access token stands: `fresh` (expiry unknown or far),
 * `ahead` (less than the lead remains: refresh now, while it still works),
 * `expired`. Only tokens that come with a refresh token are ever anything
 * but `fresh`.
 *
 * @internal
 */
export type State = "fresh" | "ahead" | "expired"

/**
 * Tracks the current token's expiry (`expiresAt`, else a JWT `exp`) for the
 * refresh ahead of it. The lead is `ahead` milliseconds, at most half of the
 * life the token had left when first seen (`seen`, called by the refresh
 * that obtained it), so a token issued for less than twice `ahead` is not
 * refreshed on every call. After a refresh ahead that could not be done
 * (`failedAhead`), the next one waits half the time left, at least a second:
 * a token endpoint that is down is not asked once per request. Remembers one
 * token (the current one), so a JWT is decoded once.
 *
 * @internal
 */
export const makeTracker = (ahead: number) => {
  let current: {
    readonly value: string
    readonly stored: number | undefined
    readonly expiresAt: number | undefined
    readonly firstSeen: number
    retryAt: number
  } | undefined
  const seen = (tokens: TokenStore.Tokens, now: number) => {
    const value = Redacted.value(tokens.accessToken)
    if (current === undefined || current.value !== value || current.stored !== tokens.expiresAt) {
      current = { value, stored: tokens.expiresAt, expiresAt: tokens.expiresAt ?? jwtExpiry(value), firstSeen: now, retryAt: 0 }
    }
    return current
  }
  const state = (tokens: TokenStore.Tokens, now: number): State => {
    if (tokens.refreshToken === undefined) return "fresh"
    const { expiresAt, firstSeen, retryAt } = seen(tokens, now)
    if (expiresAt === undefined) return "fresh"
    if (now >= expiresAt) return "expired"
    const lead = Math.min(ahead, Math.max(0, (expiresAt - firstSeen) / 2))
    return now >= expiresAt - lead && now >= retryAt ? "ahead" : "fresh"
  }
  const failedAhead = (now: number) => {
    if (current?.expiresAt !== undefined) current.retryAt = now + Math.max(1000, (current.expiresAt - now) / 2)
  }
  return { seen, state, failedAhead } as const
}
