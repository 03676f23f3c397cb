/**
 * When an access token expires, and whether it is time to refresh it ahead
 * of that, so a busy program does not pay a 401 round trip per expiry.
 */
import * as Redacted from "effect/Redacted"
import type * as TokenStore from "../TokenStore.js"

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
 * Decides whether the stored tokens should be refreshed before the next
 * request (`isDue`): their expiry is known (`expiresAt`, else a JWT `exp`),
 * there is a refresh token to do it with, and less than `ahead`
 * milliseconds remain. The lead is at most half of the life the token had
 * left when first seen (`seen`, called by the refresh that obtained it), so
 * a token issued for less than twice `ahead` is not refreshed on every
 * call. Remembers one token (the current one), so a JWT is decoded once.
 *
 * @internal
 */
export const makeTracker = (ahead: number) => {
  let current: {
    readonly value: string
    readonly stored: number | undefined
    readonly expiresAt: number | undefined
    readonly firstSeen: number
  } | undefined
  const seen = (tokens: TokenStore.Tokens, now: number) => {
    const value = Redacted.value(tokens.accessToken)
    if (current === undefined || current.value !== value || current.stored !== tokens.expiresAt) {
      current = { value, stored: tokens.expiresAt, expiresAt: tokens.expiresAt ?? jwtExpiry(value), firstSeen: now }
    }
    return current
  }
  const isDue = (tokens: TokenStore.Tokens, now: number): boolean => {
    if (tokens.refreshToken === undefined) return false
    const { expiresAt, firstSeen } = seen(tokens, now)
    if (expiresAt === undefined) return false
    const lead = Math.min(ahead, Math.max(0, (expiresAt - firstSeen) / 2))
    return now >= expiresAt - lead
  }
  return { seen, isDue } as const
}
