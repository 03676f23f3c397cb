/**
 * Bearer authentication with single-flight token refresh, as a Layer over
 * the client. Program code does not change when it is added.
 *
 * - The bearer header goes only to the protected origins (the base URL's
 *   by default): never to another host, never after a cross-origin redirect
 *   (the client core drops it), never to the refresh call.
 * - On a 401 from a protected origin the request is replayed once with a
 *   fresh token. N concurrent 401s cause one refresh; requests starting
 *   while it runs wait for it; a request whose token was already replaced
 *   replays with the current one without refreshing again; a second 401 is
 *   `Unauthorized`, never a loop.
 * - When the token's expiry is known (`Tokens.expiresAt`, or the `exp` of a
 *   JWT access token), it is refreshed `refreshAhead` (default 30 seconds)
 *   before it, in the background while the token still works; an expired
 *   token is not sent but waits for the refresh.
 * - When the token endpoint rejects the refresh (400, 401, 403), every
 *   waiting request fails with `Unauthorized` reason `SessionExpired`, the
 *   tokens that failed are cleared (`clearIf`: not newer ones another writer
 *   stored) and `onSessionExpired` runs once, after the requests are
 *   released.
 * - When the refresh cannot be done now (unreachable, timed out, 5xx, 429,
 *   any other failure of the call, or the new tokens could not be stored),
 *   the waiting requests fail with `Unauthorized` reason
 *   `RefreshUnavailable` and the stored tokens are kept.
 * - The refresh call goes through the client below this Layer, which has no
 *   refresh in it; if a Retry Layer is below, it sends the refresh POST
 *   again after what it retries for any POST (nothing was sent) and after a
 *   408, 429 or 503 answer.
 * - The refresh runs in the Layer's scope, bounded by `refreshTimeout`, so
 *   interrupting one waiting request does not cancel the refresh the others
 *   wait on. A waiting request leaves with `Timeout` (phase `total`) when
 *   its own deadline passes.
 * - The replay carries the next attempt number, so logs, spans and metrics
 *   show it as another attempt.
 * - A request whose body is a one-shot stream is not replayed; neither is a
 *   request that is not idempotent when the 401 comes after a redirect.
 *
 * The token is `Redacted` throughout: failures and log lines never show it.
 *
 * @example
 * ```ts
 * import { Auth, TokenStore } from "@courier/client-effect4"
 * import * as Layer from "effect/Layer"
 *
 * const Authenticated = Auth.layer({ refresh: Auth.refreshJson({ path: "/auth/refresh" }) }).pipe(
 *   Layer.provide(TokenStore.layerMemory())
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as internal from "./internal/layers/auth/layer.js"
import * as refreshJsonInternal from "./internal/layers/auth/refreshJson.js"
import type * as TokenStore from "./TokenStore.js"

/**
 * What a refresh operation receives.
 *
 * @since 0.1.0
 */
export interface RefreshContext {
  /** The stored refresh token. */
  readonly refreshToken: NonNullable<TokenStore.Tokens["refreshToken"]>
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
   *   rejects the refresh (`BadResponse` 400 or 403, except a 400 whose
   *   decoded `errorBody` has the OAuth2 `error` `temporarily_unavailable` or
   *   `server_error`; or `Unauthorized`), when there is no refresh token, or
   *   when the refresh fails with a value that is not a Courier failure;
   * - otherwise (`Network`, `Timeout`, any other status, `Parse`, a refresh
   *   running past `refreshTimeout`) the tokens are kept and waiters fail
   *   with `Unauthorized` reason `RefreshUnavailable`.
   */
  readonly refresh: (context: RefreshContext) => Effect.Effect<TokenStore.Tokens, unknown>
  /**
   * Runs once each time a refresh ends the session, after the tokens are
   * cleared and the waiting requests released, forked in the Layer's scope.
   */
  readonly onSessionExpired?: ((cause: unknown) => Effect.Effect<void>) | undefined
  /** The longest a refresh (retries included) may run. Default 30 seconds. */
  readonly refreshTimeout?: Duration.Input | undefined
  /**
   * Refresh this long before the access token expires, when its expiry is
   * known; at most half the life the token had left when first seen. Needs
   * a stored refresh token. `false`: refresh on a 401 only. Default 30 seconds.
   */
  readonly refreshAhead?: Duration.Input | false | undefined
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
 * `accessToken`/`refreshToken` or `access_token`/`refresh_token`, and
 * `expires_in` (seconds) sets `Tokens.expiresAt`. A missing refresh token in
 * the answer keeps the old one. A redirect is not followed (it would carry
 * the refresh token on): it counts as `RefreshUnavailable`.
 *
 * @since 0.1.0
 */
export const refreshJson: (options: {
  readonly path: string
  readonly body?: ((refreshToken: string) => unknown) | undefined
}) => Options["refresh"] = refreshJsonInternal.refreshJson
