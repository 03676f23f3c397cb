import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"
import * as Seed from "../Seed.js"
import { decodeBody, InvalidCredentials, json, Unauthorized } from "./http.js"
import type { StatsStore } from "./stats.js"

interface Grant {
  readonly userId: number
  readonly expiresAt: number
  /** What the token may do; the OAuth2 endpoint grants and narrows it. */
  readonly scope: string
}

interface Sessions {
  readonly access: HashMap.HashMap<string, Grant>
  readonly refresh: HashMap.HashMap<string, Grant>
}

/** @internal What login and refresh answer. */
export interface TokenResponse {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresIn: number
  readonly tokenType: "Bearer"
}

/** @internal The two ways to get tokens, shared by `/auth/*` and the OAuth2 token endpoint. */
export interface Grants {
  /** Checks a password and mints a token pair. */
  readonly password: (username: string, password: string, scope: string) => Effect.Effect<TokenResponse & { readonly scope: string }, InvalidCredentials>
  /**
   * Uses a refresh token once and mints a new pair; `narrow` picks the new
   * pair's scope from the granted one (or fails, leaving the token usable).
   */
  readonly refresh: <E>(
    refreshToken: string,
    narrow: (granted: string) => Effect.Effect<string, E>
  ) => Effect.Effect<TokenResponse & { readonly scope: string }, InvalidCredentials | E>
}

/** @internal */
export interface AuthStore {
  /** The user whose access token the current request carries. */
  readonly authenticate: Effect.Effect<Seed.User, Unauthorized, HttpServerRequest.HttpServerRequest>
  readonly expireAccessTokens: Effect.Effect<void>
}

// Redacted from the moment the body is decoded, so no log or error shows them.
const LoginBody = Schema.Struct({ username: Schema.String, password: Schema.Redacted(Schema.String) })
const RefreshBody = Schema.Struct({ refreshToken: Schema.Redacted(Schema.String) })

const newToken = Effect.sync(() => Crypto.randomBytes(32).toString("base64url"))

const findUser = (username: string): Option.Option<Seed.User> => {
  const wanted = username.toLowerCase()
  const id = wanted === Seed.demoUsername ? 1 : undefined
  return Option.fromNullable(
    Seed.users.find((user) => user.id === id || user.username.toLowerCase() === wanted)
  )
}

const live = (now: number) => (grant: Grant): boolean => now < grant.expiresAt

/** @internal The token store and the `/auth/*` routes. */
export const make = (options: {
  readonly accessTokenTtl: Duration.Duration
  readonly refreshTokenTtl: Duration.Duration
  readonly stats: StatsStore
}) =>
  Effect.gen(function*() {
    const { stats } = options
    const accessMillis = Duration.toMillis(options.accessTokenTtl)
    const refreshMillis = Duration.toMillis(options.refreshTokenTtl)
    const sessions = yield* Ref.make<Sessions>({ access: HashMap.empty(), refresh: HashMap.empty() })

    // Mints a token pair; `consume` (a refresh token) is removed in the same
    // update, so two concurrent refreshes with one token cannot both succeed.
    const issue = (userId: number, scope: string, consume?: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const accessToken = yield* newToken
        const refreshToken = yield* newToken
        const issued = yield* Ref.modify(sessions, (current): [boolean, Sessions] => {
          if (consume !== undefined) {
            const grant = HashMap.get(current.refresh, consume)
            if (Option.isNone(grant) || !live(now)(grant.value) || grant.value.userId !== userId) {
              return [false, { ...current, refresh: HashMap.remove(current.refresh, consume) }]
            }
          }
          const refresh = consume === undefined ? current.refresh : HashMap.remove(current.refresh, consume)
          return [true, {
            // Pruning here keeps the maps as small as the live sessions.
            access: HashMap.set(HashMap.filter(current.access, live(now)), accessToken, {
              userId,
              expiresAt: now + accessMillis,
              scope
            }),
            refresh: HashMap.set(HashMap.filter(refresh, live(now)), refreshToken, {
              userId,
              expiresAt: now + refreshMillis,
              scope
            })
          }]
        })
        if (!issued) {
          return yield* new InvalidCredentials({ error: "invalid refresh token" })
        }
        return {
          accessToken,
          refreshToken,
          expiresIn: accessMillis / 1000,
          tokenType: "Bearer" as const,
          scope
        }
      })

    const passwordGrant: Grants["password"] = (username, password, scope) =>
      Effect.gen(function*() {
        const user = findUser(username)
        if (Option.isNone(user) || password !== Seed.password) {
          return yield* new InvalidCredentials({ error: "invalid credentials" })
        }
        const tokens = yield* issue(user.value.id, scope)
        yield* stats.login
        return tokens
      })

    const refreshGrant: Grants["refresh"] = (token, narrow) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const grant = HashMap.get((yield* Ref.get(sessions)).refresh, token).pipe(Option.filter(live(now)))
        if (Option.isNone(grant)) {
          return yield* new InvalidCredentials({ error: "invalid refresh token" })
        }
        const scope = yield* narrow(grant.value.scope)
        const tokens = yield* issue(grant.value.userId, scope, token)
        yield* stats.refresh
        return tokens
      }).pipe(Effect.tapError(() => stats.refreshFailure))

    const withoutScope = ({ scope: _, ...tokens }: TokenResponse & { readonly scope: string }): TokenResponse => tokens

    const login = Effect.gen(function*() {
      const body = yield* decodeBody(LoginBody)
      return json(withoutScope(yield* passwordGrant(body.username, Redacted.value(body.password), Seed.oauthScope)))
    })

    const refresh = Effect.gen(function*() {
      const body = yield* decodeBody(RefreshBody)
      return json(withoutScope(yield* refreshGrant(Redacted.value(body.refreshToken), Effect.succeed)))
    }).pipe(Effect.tapErrorTag("BadRequest", () => stats.refreshFailure))

    const authenticate = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const match = /^Bearer +(\S+) *$/i.exec(request.headers["authorization"] ?? "")
      if (match === null) {
        return yield* new Unauthorized({ reason: "missing" })
      }
      const grant = HashMap.get((yield* Ref.get(sessions)).access, match[1]!)
      if (Option.isNone(grant)) {
        return yield* new Unauthorized({ reason: "unknown" })
      }
      if (!live(yield* Clock.currentTimeMillis)(grant.value)) {
        return yield* new Unauthorized({ reason: "expired" })
      }
      const user = Seed.users.find((user) => user.id === grant.value.userId)
      return user ?? (yield* new Unauthorized({ reason: "unknown" }))
    })

    const expireAccessTokens = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.update(sessions, (current) => ({
        ...current,
        access: HashMap.map(current.access, (grant) => ({ ...grant, expiresAt: Math.min(grant.expiresAt, now) }))
      })))

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/auth/login", login),
      HttpRouter.post("/auth/refresh", refresh)
    )

    const store: AuthStore = { authenticate, expireAccessTokens }
    const grants: Grants = { password: passwordGrant, refresh: refreshGrant }
    return { store, router, grants } as const
  })
