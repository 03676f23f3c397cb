/**
 * Bearer authentication with single-flight token refresh, as a Layer over
 * the client. Program code does not change when it is added.
 *
 * - The bearer header goes only to the protected origins (the base URL's
 *   by default): never to another host, never after a cross-origin redirect
 *   (the core drops it), never to the refresh call.
 * - On a 401 from a protected origin the request is replayed once with a
 *   fresh token. N concurrent 401s cause one refresh; requests starting
 *   while it runs wait for it; a request whose token was already replaced
 *   replays with the current one without refreshing again; a second 401 is
 *   `Unauthorized`, never a loop.
 * - A 401 from a hop that did not carry the token (a cross-origin redirect
 *   dropped it, see `Unauthorized.credentialsSent`) is returned as is,
 *   without a refresh.
 * - When the token endpoint rejects the refresh (400, 401, 403), every
 *   waiting request fails with `Unauthorized` reason `SessionExpired`
 *   carrying why, the tokens that failed are cleared (`clearIf`: not newer
 *   ones another writer stored) and `onSessionExpired` runs once, after the
 *   requests are released. If the store meanwhile holds another token
 *   (another process refreshed), that one is used instead.
 * - When the refresh cannot be done now (unreachable, timed out, 5xx, 429,
 *   any other failure of the call, or the new tokens could not be stored),
 *   the waiting requests fail with `Unauthorized` reason
 *   `RefreshUnavailable` and the stored tokens are kept.
 * - The refresh call goes through the client below this Layer, which has no
 *   refresh in it; if a Retry Layer is below, it retries the refresh POST
 *   after what the Retry Layer retries for any POST (connection refused, DNS,
 *   connect timeout) and after a 408, 429 or 503 answer, the statuses that
 *   say the server did not act on it. A reset, a receive timeout, 500, 502
 *   or 504 are not retried: the server may have rotated the refresh token
 *   already. The Layer's policy applies (retries, backoff, budget); a
 *   `shouldRetry` of the policy is replaced by this decision for this call.
 * - The refresh runs in the Layer's scope, bounded by `refreshTimeout`, so
 *   interrupting one waiting request does not cancel the refresh the others
 *   wait on. A waiting request leaves with `Timeout` (phase `total`) when
 *   its own deadline passes; the refresh goes on for the others.
 * - The replay carries the next attempt number (`request.attempt + 1`), so
 *   logs, spans and metrics show it as a second attempt.
 * - A request whose body is a one-shot stream is not replayed.
 *
 * @example
 * ```ts
 * import { Auth, TokenStore } from "@courier/client"
 * import { NodeTransport } from "@courier/client/node"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Client = Auth.layer({
 *   refresh: Auth.refreshJson({ path: "/auth/refresh" }),
 *   exclude: (request) => request.url.pathname === "/auth/login",
 *   onSessionExpired: () => Effect.logWarning("session expired: sign in again")
 * }).pipe(
 *   Layer.provide(NodeTransport.layerClient({ baseUrl: "https://api.example.com" })),
 *   Layer.provide(TokenStore.layerMemory())
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as internal from "./internal/auth.js"
import type * as TokenStore from "./TokenStore.js"

/**
 * What a refresh operation receives.
 *
 * @since 0.1.0
 */
export interface RefreshContext {
  /** The stored refresh token, if any. */
  readonly refreshToken: TokenStore.Tokens["refreshToken"]
  /** The client below the auth Layer: use it for the refresh call. */
  readonly client: CourierClient.Service
}

/**
 * @since 0.1.0
 */
export interface Options {
  /**
   * Gets new tokens. What a failure means:
   *
   * - the session ends (tokens cleared, `onSessionExpired` runs, waiters fail
   *   with `Unauthorized` reason `SessionExpired`) when the token endpoint
   *   rejects the refresh (`BadResponse` 400 or 403, or `Unauthorized`), when
   *   there is no refresh token, or when the refresh fails with a value that
   *   is not a Courier failure (a custom refresh saying no);
   * - otherwise (`Network`, `Timeout`, any other status, `Parse`, a refresh
   *   running past `refreshTimeout`) the tokens are kept and waiters fail
   *   with `Unauthorized` reason `RefreshUnavailable`; the next 401 refreshes
   *   again.
   */
  readonly refresh: (context: RefreshContext) => Effect.Effect<TokenStore.Tokens, unknown>
  /**
   * Runs once each time a refresh ends the session, after the tokens are
   * cleared and the waiting requests released: forked in the Layer's scope,
   * so a slow hook delays no request.
   */
  readonly onSessionExpired?: ((cause: unknown) => Effect.Effect<void>) | undefined
  /**
   * The longest a refresh (retries of the refresh call included) may run; it
   * is then interrupted and counts as `RefreshUnavailable`. A waiting request
   * leaves earlier when its own `total` deadline passes. Default 30 seconds.
   */
  readonly refreshTimeout?: Duration.DurationInput | undefined
  /** The authorization scheme. Default `Bearer`. */
  readonly scheme?: string | undefined
  /** Origins that receive the token. Default: the base URL's origin. */
  readonly origins?: ReadonlyArray<string> | undefined
  /** Requests never to authenticate (besides the refresh call itself). */
  readonly exclude?: ((request: CourierRequest.CourierRequest) => boolean) | undefined
}

/**
 * The auth Layer. It needs the client below it and a `TokenStore`.
 *
 * @since 0.1.0
 */
export const layer: (
  options: Options
) => Layer.Layer<CourierClient.CourierClient, never, CourierClient.CourierClient | TokenStore.TokenStore> =
  internal.layer

/**
 * The usual refresh: POST the refresh token as JSON to `path` (relative to
 * the base URL) and read the new tokens from the JSON answer. The default
 * request body is `{ "refreshToken": "..." }`; the answer may use
 * `accessToken`/`refreshToken` or `access_token`/`refresh_token`. A missing
 * refresh token in the answer keeps the old one.
 *
 * @since 0.1.0
 */
export const refreshJson: (options: {
  readonly path: string
  readonly body?: ((refreshToken: string) => unknown) | undefined
}) => Options["refresh"] = internal.refreshJson

/**
 * The schema of a token endpoint's answer accepted by `refreshJson`.
 *
 * @since 0.1.0
 */
export const TokenResponse: Schema.Schema<
  { readonly accessToken: string; readonly refreshToken: string | undefined },
  | { readonly accessToken: string; readonly refreshToken?: string | undefined }
  | { readonly access_token: string; readonly refresh_token?: string | undefined }
> = internal.TokenResponse
