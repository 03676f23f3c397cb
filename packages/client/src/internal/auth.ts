import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Auth from "../Auth.js"
import * as Body from "../Body.js"
import * as CourierClient from "../CourierClient.js"
import * as CourierError from "../CourierError.js"
import * as CourierRequest from "../CourierRequest.js"
import * as TokenStore from "../TokenStore.js"
import { currentRole } from "./callRole.js"
import * as Metrics from "./metrics.js"
import { parseOrigin } from "./config.js"
import * as Headers from "./headers.js"

type Token = Redacted.Redacted<string> | undefined

const sameToken = (a: Token, b: Token): boolean =>
  a === b || (a !== undefined && b !== undefined && Redacted.value(a) === Redacted.value(b))

const originOf = (info: CourierError.RequestInfo): string | undefined => {
  try {
    return new URL(info.url).origin
  } catch {
    return undefined
  }
}

/** @internal */
export const layer = (options: Auth.Options) =>
  Layer.scoped(
    CourierClient.CourierClient,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const below = yield* CourierClient.CourierClient
      const store = yield* TokenStore.TokenStore
      const scheme = options.scheme ?? "Bearer"
      const origins = new Set<string>()
      for (const origin of options.origins ?? []) {
        const parsed = parseOrigin(origin)
        if (parsed !== undefined) origins.add(parsed)
      }
      if (options.origins === undefined && below.config.baseUrl !== undefined) origins.add(below.config.baseUrl.origin)

      // The one refresh in flight, if any; every 401 and every new request joins it.
      let inflight: Deferred.Deferred<Token, CourierError.Unauthorized> | undefined
      // Counts finished refreshes. A store read may return a value it found before
      // a refresh ended; a read that spans one is repeated, or it would see the
      // old token as current and start a second refresh.
      let generation = 0

      const readToken = Effect.map(
        Effect.orElseSucceed(store.get, () => Option.none<TokenStore.Tokens>()),
        (tokens): Token => Option.isSome(tokens) ? tokens.value.accessToken : undefined
      )

      const unauthorized = (error: CourierError.Unauthorized, cause: unknown) =>
        new CourierError.Unauthorized({ ...error, request: error.request, cause })

      /** A waiter fails as its own request, with the refresh's reason, not as the request that started it. */
      const awaitRefresh = (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>, own: CourierError.Unauthorized) =>
        Effect.catchAll(Deferred.await(deferred), (error) => Effect.fail(unauthorized(own, error.cause)))

      /** The token to send now: waits for a refresh in flight instead of leaving with a stale one. */
      const currentToken = (request: CourierRequest.CourierRequest) =>
        Effect.suspend(() =>
          inflight === undefined ? readToken : awaitRefresh(
            inflight,
            new CourierError.Unauthorized({ request: request.info, status: 401, headers: {}, bodyExcerpt: "" })
          )
        )

      const runRefresh = (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>, trigger: CourierError.Unauthorized) =>
        Effect.gen(function*() {
          yield* Metric.increment(Metrics.refreshes)
          const tokens = yield* Effect.orElseSucceed(store.get, () => Option.none<TokenStore.Tokens>())
          const refreshToken = Option.isSome(tokens) ? tokens.value.refreshToken : undefined
          const exit = yield* Effect.exit(
            refreshToken === undefined
              ? Effect.fail("there is no refresh token")
              : Effect.locally(options.refresh({ refreshToken, client: below }), currentRole, "refresh")
          )
          if (Exit.isSuccess(exit)) {
            const fresh = exit.value
            // Stored, a token that cannot be sent would fail every later request
            // offline and the session would never be seen to end.
            if (!Headers.isFieldValue(`${scheme} ${Redacted.value(fresh.accessToken)}`)) {
              yield* expire(
                deferred,
                trigger,
                "the refresh returned an access token that is not a valid header value (it contains CR, LF or another control character)"
              )
              return
            }
            const next: TokenStore.Tokens = { accessToken: fresh.accessToken, refreshToken: fresh.refreshToken ?? refreshToken }
            const saved = yield* Effect.exit(store.set(next))
            if (Exit.isSuccess(saved)) {
              yield* Deferred.succeed(deferred, next.accessToken)
              return
            }
            yield* expire(deferred, trigger, saved.cause)
            return
          }
          yield* expire(deferred, trigger, exit.cause)
        }).pipe(Effect.ensuring(Effect.suspend(() => {
          generation += 1
          if (inflight === deferred) inflight = undefined
          // Released even if the refresh died or was interrupted (its scope closed),
          // so no request waits forever; a no-op when it is already done.
          return Deferred.fail(deferred, unauthorized(trigger, "the refresh ended without an answer"))
        })))

      const expire = (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>, trigger: CourierError.Unauthorized, cause: unknown) =>
        Effect.gen(function*() {
          yield* Metric.increment(Metrics.refreshFailures)
          yield* Effect.catchAllCause(store.clear, () => Effect.void)
          // A defect in the callback must not replace why the session ended.
          if (options.onSessionExpired !== undefined) {
            yield* Effect.catchAllCause(options.onSessionExpired(cause), () => Effect.void)
          }
          yield* Deferred.fail(deferred, unauthorized(trigger, cause))
        })

      /**
       * A token newer than `used`: the current one if someone already
       * refreshed, the result of the refresh in flight, or a new refresh.
       * The check-and-start runs with no yield in between, so two fibers
       * can never both start one.
       */
      const freshToken = (used: Token, trigger: CourierError.Unauthorized): Effect.Effect<Token, CourierError.Unauthorized> =>
        Effect.suspend(() => {
          const before = generation
          return Effect.flatMap(readToken, (current) =>
            Effect.suspend(() => {
              if (inflight !== undefined) return awaitRefresh(inflight, trigger)
              if (generation !== before) return freshToken(used, trigger)
              if (current !== undefined && !sameToken(current, used)) return Effect.succeed<Token>(current)
              if (current === undefined && used === undefined) return Effect.fail(trigger)
              // The tokens were cleared since this request left: the session already
              // ended (and onSessionExpired ran); there is nothing to refresh with.
              if (current === undefined) {
                return Effect.fail(unauthorized(trigger, "the session has ended: the token store is empty"))
              }
              const deferred = Deferred.unsafeMake<Token, CourierError.Unauthorized>(undefined as never)
              inflight = deferred
              return Effect.zipRight(Effect.forkIn(runRefresh(deferred, trigger), scope), Deferred.await(deferred))
            }))
        })

      const withToken = (request: CourierRequest.CourierRequest, token: Token) => {
        if (token === undefined) return Effect.succeed(request)
        const next = CourierRequest.setHeader(request, "authorization", `${scheme} ${Redacted.value(token)}`)
        return next === undefined
          ? Effect.fail(
            new CourierError.Unauthorized({
              request: request.info,
              status: 401,
              headers: {},
              bodyExcerpt: "",
              cause: "the token is not a valid header value (it contains CR, LF or another control character)"
            })
          )
          : Effect.succeed(next)
      }

      const applies = (request: CourierRequest.CourierRequest) =>
        origins.has(request.url.origin) && request.headers["authorization"] === undefined &&
        !(options.exclude?.(request) ?? false)

      return CourierClient.decorate(below, (execute) => (request) => {
        if (!applies(request)) return execute(request)
        return Effect.flatMap(currentToken(request), (used) =>
          Effect.flatMap(withToken(request, used), (authed) =>
            Effect.catchTag(execute(authed), "Unauthorized", (error) => {
              const origin = originOf(error.request)
              if (origin === undefined || !origins.has(origin)) return Effect.fail(error)
              if (!CourierRequest.isReplayable(request)) {
                return Effect.fail(unauthorized(error, "the request body is a one-shot stream and cannot be replayed"))
              }
              return Effect.flatMap(
                freshToken(used, error),
                (fresh) =>
                  Effect.flatMap(withToken(request, fresh), (replay) => Effect.locally(execute(replay), currentRole, "replay"))
              )
            })))
      })
    })
  )

const Camel = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.optional(Schema.String) })
const Snake = Schema.Struct({ access_token: Schema.String, refresh_token: Schema.optional(Schema.String) })
const Answer = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.UndefinedOr(Schema.String) })

/** @internal */
export const TokenResponse = Schema.transform(Schema.Union(Camel, Snake), Answer, {
  strict: true,
  decode: (wire) =>
    "accessToken" in wire
      ? { accessToken: wire.accessToken, refreshToken: wire.refreshToken }
      : { accessToken: wire.access_token, refreshToken: wire.refresh_token },
  encode: (answer) =>
    answer.refreshToken === undefined
      ? { accessToken: answer.accessToken }
      : { accessToken: answer.accessToken, refreshToken: answer.refreshToken }
})

/** @internal */
export const refreshJson = (options: {
  readonly path: string
  readonly body?: ((refreshToken: string) => unknown) | undefined
}): Auth.Options["refresh"] =>
({ client, refreshToken }) =>
  refreshToken === undefined
    ? Effect.fail("there is no refresh token")
    : Effect.map(
      client.post(options.path, {
        body: Body.json((options.body ?? ((token: string) => ({ refreshToken: token })))(Redacted.value(refreshToken))),
        schema: TokenResponse
      }),
      (answer): TokenStore.Tokens => ({
        accessToken: Redacted.make(answer.accessToken),
        refreshToken: answer.refreshToken === undefined ? undefined : Redacted.make(answer.refreshToken)
      })
    )
