/**
 * The refresh-ahead tracker of `@courier/core` over the `Tokens` of a
 * `TokenStore`: the access token is revealed only to compare it and read a
 * JWT `exp`, never kept anywhere else.
 */
import * as TokenExpiry from "@courier/core/TokenExpiry"
import * as Redacted from "effect/Redacted"
import type * as TokenStore from "../../../TokenStore.js"

/** @internal */
export type State = TokenExpiry.State

const view = (tokens: TokenStore.Tokens): TokenExpiry.Token => ({
  accessToken: Redacted.value(tokens.accessToken),
  expiresAt: tokens.expiresAt,
  refreshable: tokens.refreshToken !== undefined
})

/**
 * Tracks the current token's expiry for the refresh ahead of it, with a
 * lead of `ahead` milliseconds (see `TokenExpiry.makeTracker`).
 *
 * @internal
 */
export const makeTracker = (ahead: number) => {
  const tracker = TokenExpiry.makeTracker(ahead)
  return {
    seen: (tokens: TokenStore.Tokens, now: number) => tracker.seen(view(tokens), now),
    state: (tokens: TokenStore.Tokens, now: number): State => tracker.state(view(tokens), now),
    failedAhead: tracker.failedAhead
  } as const
}
