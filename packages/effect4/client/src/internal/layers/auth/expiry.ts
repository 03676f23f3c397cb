/**
 * The refresh-ahead tracker of `@courier/core` over the `Tokens` of a
 * `TokenStore`: the access token is revealed only to compare it and read a
 * JWT `exp`, never kept anywhere else.
 */
import * as TokenExpiry from "@courier/core/TokenExpiry"
import * as Redacted from "effect/Redacted"
import type * as TokenStore from "../../../TokenStore.js"

const view = (tokens: TokenStore.Tokens): TokenExpiry.Token => ({
  accessToken: Redacted.value(tokens.accessToken),
  expiresAt: tokens.expiresAt,
  refreshable: tokens.refreshToken !== undefined
})

/** @internal */
export interface Tracker {
  readonly seen: (tokens: TokenStore.Tokens, now: number) => void
  readonly state: (tokens: TokenStore.Tokens, now: number) => TokenExpiry.State
  readonly failedAhead: (now: number) => void
}

/** Tracks the current token's expiry with a lead of `ahead` milliseconds. @internal */
export const makeTracker = (ahead: number): Tracker => {
  const tracker = TokenExpiry.makeTracker(ahead)
  return {
    seen: (tokens, now) => {
      tracker.seen(view(tokens), now)
    },
    state: (tokens, now) => tracker.state(view(tokens), now),
    failedAhead: tracker.failedAhead
  }
}
