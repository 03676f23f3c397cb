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
import type * as Redacted from "effect/Redacted"
import type * as CourierClient from "./CourierClient.js"
import type * as CourierRequest from "./CourierRequest.js"
import * as internal from "./internal/layers/auth/layer.js"
import * as oauth2 from "./internal/layers/auth/oauth2.js"
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
   * cleared and the waiting requests released, forked in the Layer's scope:
   * a hook still running when that scope closes is interrupted, so a
   * program that closes the client's Layer right after the failing call
   * (a one-shot command) should wait for what the hook signals, as the
   * guide's token-refresh example does with a `Deferred`.
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
  /**
   * Makes the refresh single-flight across processes that share the token
   * store: before refreshing, the Layer takes the coordinator's lock.
   * Holding it, it reads the store again and uses a token another process
   * stored meanwhile instead of refreshing; otherwise it refreshes, stores
   * the tokens, then releases the lock. When another process holds the lock,
   * it waits for the lock to go and reads the store again, up to twice the
   * lock's time to live (`refreshTimeout` plus 2 seconds), then counts as
   * `RefreshUnavailable`; each waiting request leaves at its own deadline.
   * Default: none, the refresh is single-flight within this Layer only.
   */
  readonly coordinator?: RefreshCoordinator | undefined
}

/**
 * What `acquire` answers: the lock is this Layer's until `release` runs (or
 * its time to live passes), or another holder has it.
 *
 * @since 0.1.0
 */
export type RefreshLease =
  | { readonly _tag: "Acquired"; readonly release: Effect.Effect<void> }
  | { readonly _tag: "Held" }

/**
 * A lock shared by the processes that share a token store, taken around a
 * refresh (see `Options.coordinator`). Neither Effect fails: a coordinator
 * that cannot reach its backend answers `Acquired` (each process then
 * refreshes on its own, once) and stops waiting.
 *
 * @since 0.1.0
 */
export interface RefreshCoordinator {
  /** Takes the lock with a time to live of `ttl`, so a holder that dies frees it within `ttl`. */
  readonly acquire: (ttl: Duration.Duration) => Effect.Effect<RefreshLease>
  /** Waits until no one holds the lock, at most `max`. */
  readonly awaitRelease: (max: Duration.Duration) => Effect.Effect<void>
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

/**
 * The options of `refreshOAuth2`.
 *
 * @since 0.1.0
 */
export interface OAuth2Options {
  /**
   * The token endpoint, an absolute URL. It may be on another origin than the
   * base URL: the refresh call alone may reach it (the client's
   * `allowedOrigins` stay as they are for every other call), and it never
   * carries the bearer token nor the default headers the configuration names
   * in `credentialHeaders`.
   */
  readonly tokenUrl: string
  /** The client identifier, if the endpoint authenticates the client. */
  readonly clientId?: string | undefined
  /** The client secret (confidential clients). */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /**
   * Where the client credentials go (RFC 6749 section 2.3.1): `basic`, an
   * `Authorization: Basic` header of the form-encoded id and secret (the
   * default), or `body`, `client_id` and `client_secret` form fields.
   */
  readonly clientAuth?: "basic" | "body" | undefined
  /** Sent as `scope` when given (it may only narrow the original grant). */
  readonly scope?: string | undefined
}

/**
 * The OAuth 2.0 refresh (RFC 6749 section 6): POST
 * `grant_type=refresh_token&refresh_token=...` (plus `scope`, and the client
 * credentials as `clientAuth` says) as `application/x-www-form-urlencoded` to
 * `tokenUrl`, and read `access_token`, `refresh_token`, `expires_in` and
 * `token_type` from the JSON answer.
 *
 * - A rotated `refresh_token` replaces the stored one; none keeps it.
 * - `expires_in` (seconds, a number or a numeric string) is stored as
 *   `Tokens.expiresAt`, which the auth Layer refreshes ahead of.
 * - A `token_type` other than `Bearer` (compared case-insensitively) fails
 *   the refresh and ends the session: such a token cannot be sent.
 * - An error answer `{ error, error_description }` is decoded into the
 *   failure's `BadResponse.errorBody`. A 400 (`invalid_grant`, ...) or 401
 *   ends the session, except a 400 saying `temporarily_unavailable` or
 *   `server_error`, which keeps it (`RefreshUnavailable`).
 * - A redirect is not followed (the body holds the refresh token and maybe
 *   the secret); it counts as `RefreshUnavailable`.
 *
 * @example
 * ```ts
 * import { Auth } from "@courier/client-effect4"
 * import * as Redacted from "effect/Redacted"
 *
 * const refresh = Auth.refreshOAuth2({
 *   tokenUrl: "https://login.example.com/oauth2/token",
 *   clientId: "notes-cli",
 *   clientSecret: Redacted.make("s3cret")
 * })
 * ```
 *
 * @since 0.1.0
 */
export const refreshOAuth2: (options: OAuth2Options) => Options["refresh"] = oauth2.refreshOAuth2
