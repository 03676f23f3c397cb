/**
 * When an access token expires, and whether it is time to refresh it ahead
 * of that, so a busy program does not pay a 401 round trip per expiry.
 * Times are epoch milliseconds; the caller reads its clock.
 */

const decoder = new TextDecoder()

/**
 * The `exp` claim of a JWT (epoch milliseconds), read without verifying the
 * signature: the token is the server's to judge; only its expiry is used
 * here, to refresh before it. `undefined` for anything else.
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

/** What the tracker reads of a token: its value (revealed), its stored expiry, and whether it can be refreshed. */
export interface Token {
  readonly accessToken: string
  /** Epoch milliseconds, when the token endpoint said. */
  readonly expiresAt: number | undefined
  /** Whether a refresh token came with it: without one, nothing is refreshed ahead. */
  readonly refreshable: boolean
}

/**
 * Where the current access token stands: `fresh` (expiry unknown or far),
 * `ahead` (less than the lead remains: refresh now, while it still works),
 * `expired`. Only refreshable tokens are ever anything but `fresh`.
 */
export type State = "fresh" | "ahead" | "expired"

/** What the tracker remembers of the current token. */
export interface Seen {
  readonly value: string
  readonly stored: number | undefined
  readonly expiresAt: number | undefined
  readonly firstSeen: number
  retryAt: number
}

/** A tracker of the current token's expiry; see `makeTracker`. */
export interface Tracker {
  /** Records `token` as current at `now` (a no-op when it already is). */
  readonly seen: (token: Token, now: number) => Seen
  readonly state: (token: Token, now: number) => State
  /** A refresh ahead could not be done at `now`: the next one waits. */
  readonly failedAhead: (now: number) => void
}

/**
 * Tracks the current token's expiry (`expiresAt`, else a JWT `exp`) for the
 * refresh ahead of it. The lead is `ahead` milliseconds, at most half of the
 * life the token had left when first seen (`seen`, called by the refresh
 * that obtained it), so a token issued for less than twice `ahead` is not
 * refreshed on every call. After a refresh ahead that could not be done
 * (`failedAhead`), the next one waits half the time left, at least a second:
 * a token endpoint that is down is not asked once per request. Remembers one
 * token (the current one), so a JWT is decoded once.
 */
export const makeTracker = (ahead: number): Tracker => {
  let current: Seen | undefined
  const seen = (token: Token, now: number): Seen => {
    const value = token.accessToken
    if (current === undefined || current.value !== value || current.stored !== token.expiresAt) {
      current = { value, stored: token.expiresAt, expiresAt: token.expiresAt ?? jwtExpiry(value), firstSeen: now, retryAt: 0 }
    }
    return current
  }
  const state = (token: Token, now: number): State => {
    if (!token.refreshable) return "fresh"
    const { expiresAt, firstSeen, retryAt } = seen(token, now)
    if (expiresAt === undefined) return "fresh"
    if (now >= expiresAt) return "expired"
    const lead = Math.min(ahead, Math.max(0, (expiresAt - firstSeen) / 2))
    return now >= expiresAt - lead && now >= retryAt ? "ahead" : "fresh"
  }
  const failedAhead = (now: number): void => {
    if (current?.expiresAt !== undefined) current.retryAt = now + Math.max(1000, (current.expiresAt - now) / 2)
  }
  return { seen, state, failedAhead }
}
