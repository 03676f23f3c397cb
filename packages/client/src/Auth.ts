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
 * - When the refresh fails, every waiting request fails with `Unauthorized`
 *   carrying why, the tokens are cleared and `onSessionExpired` runs once.
 * - The refresh runs in the Layer's scope, so interrupting one waiting
 *   request does not cancel the refresh the others wait on; it goes through
 *   the client below this Layer, which has no refresh in it.
 * - A request whose body is a one-shot stream is not replayed.
 * - A request listing 401 in `acceptStatus` gets its 401 as an answer: no
 *   refresh, no replay.
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
  /** Gets new tokens. Any failure ends the session. */
  readonly refresh: (context: RefreshContext) => Effect.Effect<TokenStore.Tokens, unknown>
  /** Runs once each time a refresh fails (the tokens are already cleared). */
  readonly onSessionExpired?: ((cause: unknown) => Effect.Effect<void>) | undefined
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
