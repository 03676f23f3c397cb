/**
 * A local REST API to point Courier at, served by `@effect/platform`'s HTTP
 * server on Node the way a user's Effect backend would be: JSONPlaceholder-
 * style resources, bearer auth with expiring access tokens and rotating
 * refresh tokens, multipart uploads, ranged downloads and scripted faults.
 * It listens on `127.0.0.1` only.
 *
 * Routes (JSON unless noted; unknown routes and ids answer 404
 * `{ "error": "not found" }`):
 *
 * - `GET /users`, `/users/:id`, `/posts`, `/posts/:id`, `/posts/:id/comments`,
 *   `/comments`, `/todos`. Lists filter by any field (`?userId=1`,
 *   `?completed=true`, repeat a parameter for several values) and paginate
 *   with `_page` / `_limit`, answering `x-total-count` and `link`.
 *   `GET /posts/:id` answers an `etag` with `cache-control: no-cache`, and
 *   304 to an `If-None-Match` naming the current one.
 * - `POST /auth/login` `{ username, password }` (a seeded username or
 *   `"demo"`, password `"courier"`) and `POST /auth/refresh`
 *   `{ refreshToken }` answer `{ accessToken, refreshToken, expiresIn, tokenType }`;
 *   a refresh token works once.
 * - On its own origin (`authUrl`, another port), an OAuth 2.0 authorization
 *   server: `POST /oauth/token`, form-encoded, for the client
 *   `Seed.oauthClient` (HTTP Basic or `client_id` / `client_secret` fields),
 *   with `grant_type=password` (`username`, `password`) or
 *   `grant_type=refresh_token` (`refresh_token`, optional `scope` narrowing
 *   `Seed.oauthScope`). It answers `{ access_token, token_type, expires_in,
 *   refresh_token, scope }` or an RFC 6749 error: 400 `invalid_grant` (a
 *   dead refresh token or a wrong password), `invalid_request`,
 *   `unsupported_grant_type`, `invalid_scope`, 401 `invalid_client`. Its
 *   tokens are the same as `/auth/*`'s: the API accepts them.
 * - With `Authorization: Bearer <accessToken>`: `GET /me`, `GET /me/todos`,
 *   `POST /posts`, `PUT` / `PATCH` / `DELETE /posts/:id`. Otherwise 401
 *   `{ "error": "unauthorized" }` with `www-authenticate: Bearer ...`.
 * - `POST /upload` (multipart) echoes `{ fields, files: [{ field, filename, contentType, size, sha256 }] }`.
 * - `GET` / `HEAD /files/:size`: `size` bytes where the byte at offset `o` is
 *   `o % 256`, with `etag`, `Range` and `If-Range`.
 * - Feature flags over OFREP: `POST /ofrep/v1/evaluate/flags` (bulk, with
 *   `etag`; a matching `If-None-Match` answers 304) and
 *   `POST /ofrep/v1/evaluate/flags/:key` (404 `FLAG_NOT_FOUND` for an
 *   unknown key); `GET /flags/events`, a server-sent event stream with one
 *   `flags-changed` event per change (id = version), starting with one for
 *   the current version unless `Last-Event-ID` is already at it; `POST /flags/:key/flip`
 *   (booleans) and `PUT /flags/:key` `{ value }` change a flag. Seeded with
 *   `enable_new_ui: false`, `welcome_message`, `max_items: 20` and `theme`.
 * - `/fault/latency?ms=`, `/fault/stall`, `/fault/drip?chunks=&interval=&bytes=`,
 *   `/fault/flaky?key=&failures=&status=`, `/fault/ratelimit?key=&retryAfter=`,
 *   `/fault/status/:code`, `/fault/redirect?to=&status=`, `/fault/bad-json`,
 *   `/fault/html`, `/fault/error-rate?rate=`, on any method.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DemoApi } from "demo-api"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* DemoApi.DemoApi
 *   // ... point a client at `${api.url}/posts?userId=1` ...
 *   yield* api.expireAccessTokens // the token expires mid-run
 *   return (yield* api.stats).refreshes
 * }).pipe(Effect.provide(DemoApi.layer({ accessTokenTtl: "5 seconds" })))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/server.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The port on `127.0.0.1`. Default `0`: the OS picks a free one. */
  readonly port?: number
  /** How long an access token works. Default 60 seconds. Measured with effect's `Clock`. */
  readonly accessTokenTtl?: Duration.DurationInput
  /** How long an unused refresh token works. Default 1 hour. */
  readonly refreshTokenTtl?: Duration.DurationInput
  /**
   * Faults for every resource route (`/users*`, `/posts*`, `/comments`,
   * `/todos`, `/me*`), not for auth, uploads, files or `/fault/*`.
   * Default: none.
   */
  readonly faults?: {
    /** Wait this long before answering. */
    readonly latency?: Duration.DurationInput
    /** Answer 503 with this probability (0 to 1), drawn from effect's `Random`. */
    readonly errorRate?: number
  }
}

/**
 * Counters since the server started or since `resetStats`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** Successful logins (`/auth/login` and the OAuth2 password grant). */
  readonly logins: number
  /** Successful refreshes (`/auth/refresh` and the OAuth2 refresh grant). */
  readonly refreshes: number
  /** Refresh calls answered with an error (a dead token or a bad body). */
  readonly refreshFailures: number
  /** Every 401 answered, on any route. */
  readonly unauthorized: number
  /**
   * Matched requests by `"METHOD /route-pattern"`, e.g. `"GET /posts/:id"`.
   * A `HEAD` served by a `GET` route counts as `"HEAD ..."`; requests that
   * match no route are not counted.
   */
  readonly requests: Readonly<Record<string, number>>
}

/**
 * A running demo API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly port: number
  /**
   * The authorization server, `http://127.0.0.1:OTHER_PORT`: another origin
   * serving only `POST /oauth/token`.
   */
  readonly authUrl: string
  readonly stats: Effect.Effect<Stats>
  /**
   * Every access token issued so far is expired from now on; tokens issued
   * later are not affected. For demos of "the token expires mid-run".
   */
  readonly expireAccessTokens: Effect.Effect<void>
  /** Sets every counter back to zero. */
  readonly resetStats: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class DemoApi extends Context.Tag("demo-api/DemoApi")<DemoApi, Service>() {}

/**
 * Starts the server; it closes (dropping open connections) with the scope.
 * Fails with `ServeError` when the port is taken.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, HttpServerError.ServeError, Scope.Scope> =
  internal.make

/**
 * The server as a Layer. A port that cannot be bound is a defect.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<DemoApi> => Layer.orDie(Layer.scoped(DemoApi, make(options)))
