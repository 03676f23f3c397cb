import * as FailureText from "@courier/core/FailureText"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../../../Auth.js"
import * as Client from "../../core/client.js"
import * as Deadline from "../../core/deadline.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import * as Request from "../../core/request.js"
import type * as TokenStore from "../../../TokenStore.js"
import { currentRole, lastAttempt } from "../../core/callRole.js"
import * as Expiry from "./expiry.js"
import * as Header from "./header.js"
import * as Metrics from "../metrics.js"
import * as RefreshCoordination from "./refreshCoordination.js"
import * as RefreshFailure from "./refreshFailure.js"
import * as Retry from "../retry.js"
import { parseOrigin } from "../../core/config.js"
import * as TokenRefresh from "@courier/core/TokenRefresh"
import * as Resend from "../../core/resend.js"
import * as SessionEnd from "./sessionEnd.js"
import * as Store from "./tokenStore.js"
import { isLocal } from "../../core/localStore.js"

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
export const defaultRefreshTimeout = Duration.seconds(30)

/** @internal */
export const defaultRefreshAhead = Duration.seconds(30)

/** @internal */
export const layer = (options: Auth.Options) =>
  Layer.scoped(
    Client.CourierClient,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const below = yield* Client.CourierClient
      const store = yield* Store.TokenStore
      const scheme = options.scheme ?? "Bearer"
      const refreshTimeout = options.refreshTimeout === undefined
        ? defaultRefreshTimeout
        : Duration.decode(options.refreshTimeout)
      const origins = new Set<string>()
      for (const origin of options.origins ?? []) {
        const parsed = parseOrigin(origin)
        if (parsed !== undefined) origins.add(parsed)
      }
      if (options.origins === undefined && below.config.baseUrl !== undefined) origins.add(below.config.baseUrl.origin)

      // The one refresh in flight, if any; every 401 and every new request joins it.
      let inflight: Deferred.Deferred<Token, CourierError.Unauthorized> | undefined
      // Refreshes no 401 started (the token was about to expire or had expired):
      // a request whose token still works does not wait for one.
      const ahead = new WeakSet<Deferred.Deferred<Token, CourierError.Unauthorized>>()
      const expiry = options.refreshAhead === false
        ? undefined
        : Expiry.makeTracker(Duration.toMillis(Duration.decode(options.refreshAhead ?? defaultRefreshAhead)))
      // Counts finished refreshes. A store read may return a value it found before
      // a refresh ended; a read that spans one is repeated, or it would see the
      // old token as current and start a second refresh.
      let generation = 0
      const announceEnd = SessionEnd.makeAnnouncer(options.onSessionExpired, scope)

      const readTokens = Effect.orElseSucceed(store.get, () => Option.none<TokenStore.Tokens>())
      const readToken = Effect.map(readTokens, (tokens): Token => Option.isSome(tokens) ? tokens.value.accessToken : undefined)

      const unauthorized = (
        error: CourierError.Unauthorized,
        cause: unknown,
        reason: CourierError.UnauthorizedReason | undefined
      ) => new CourierError.Unauthorized({ ...error, request: error.request, cause, reason })

      /**
       * A waiter fails as its own request, with the refresh's reason, not as
       * the request that started it; and it leaves when its own deadline
       * passes (the `total` timeout bounds the wait for a refresh too).
       * Leaving only stops waiting: the refresh goes on for the others.
       */
      const awaitRefresh = (
        deferred: Deferred.Deferred<Token, CourierError.Unauthorized>,
        own: CourierError.Unauthorized,
        request: CourierRequest.CourierRequest
      ): Effect.Effect<Token, CourierError.Unauthorized | CourierError.Timeout> => {
        const wait = Effect.catchAll(
          Deferred.await(deferred),
          (error) => Effect.fail(unauthorized(own, error.cause, error.reason))
        )
        return Deadline.within(request, wait)
      }

      /** The trigger of a refresh no 401 started: what its waiters fail with. */
      const noAnswer = (request: CourierRequest.CourierRequest) =>
        new CourierError.Unauthorized({ request: request.info, status: 401, headers: {}, bodyExcerpt: "" })

      /**
       * The token to send now. A refresh in flight after a 401 is waited for
       * (the token it replaces was refused). With a known expiry: a token
       * about to expire goes as it is while one refresh runs in the
       * background (it still works; nobody waits, and a refresh that cannot
       * be done now costs no call anything); an expired one waits for the
       * refresh. The check-and-start runs with no yield in between, and a
       * read that spans a finished refresh is repeated (see `freshToken`).
       */
      const tokenNow = (
        request: CourierRequest.CourierRequest,
        clock: Clock.Clock
      ): Effect.Effect<Token, CourierError.Unauthorized | CourierError.Timeout> => {
        if (expiry === undefined || (inflight !== undefined && !ahead.has(inflight))) {
          return inflight === undefined ? readToken : awaitRefresh(inflight, noAnswer(request), request)
        }
        const before = generation
        return Effect.flatMap(readTokens, (tokens) => {
          const now = clock.unsafeCurrentTimeMillis()
          // The usual case starts nothing, so it needs no mask.
          if (generation === before && (inflight === undefined || ahead.has(inflight)) && Option.isSome(tokens)) {
            const state = expiry.state(tokens.value, now)
            if (state === "fresh" || (state === "ahead" && inflight !== undefined)) {
              return Effect.succeed<Token>(tokens.value.accessToken)
            }
          }
          return Effect.uninterruptibleMask((restore) => {
            if (generation !== before || (inflight !== undefined && !ahead.has(inflight))) {
              return restore(currentToken(request))
            }
            if (Option.isNone(tokens)) return Effect.succeed<Token>(undefined)
            const token = tokens.value.accessToken
            switch (expiry.state(tokens.value, now)) {
              case "fresh":
                return Effect.succeed<Token>(token)
              case "ahead":
                return inflight !== undefined
                  ? Effect.succeed<Token>(token)
                  : startRefresh(noAnswer(request), token, () => Effect.succeed<Token>(token), true)
              case "expired":
                return inflight !== undefined
                  ? restore(awaitRefresh(inflight, noAnswer(request), request))
                  : startRefresh(
                    noAnswer(request),
                    token,
                    (deferred) => restore(awaitRefresh(deferred, noAnswer(request), request)),
                    true
                  )
            }
            })
        })
      }

      const currentToken = (request: CourierRequest.CourierRequest) => Effect.clockWith((clock) => tokenNow(request, clock))

      /**
       * The refresh call: bounded by `refreshTimeout`, and under the Retry
       * Layer below (if any) with the decision of `shouldRetryRefresh`, the
       * Layer's own policy otherwise; a per-call policy of the request that
       * happened to start the refresh does not apply to it.
       */
      const callRefresh = (refreshToken: Redacted.Redacted<string>) =>
        options.refresh({ refreshToken, client: below }).pipe(
          Effect.locally(currentRole, "refresh"),
          Retry.withPolicy({ shouldRetry: RefreshFailure.shouldRetryRefresh }),
          Effect.timeoutFail({
            duration: refreshTimeout,
            onTimeout: () => new RefreshFailure.RefreshTimedOut({ duration: refreshTimeout })
          })
        )

      const refreshNow = (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>, trigger: CourierError.Unauthorized) =>
        Effect.gen(function*() {
          yield* Metric.increment(Metrics.refreshes)
          const stored = Option.getOrUndefined(yield* readTokens)
          const refreshToken = stored?.refreshToken
          const exit = yield* Effect.exit(
            refreshToken === undefined ? Effect.fail("there is no refresh token") : callRefresh(refreshToken)
          )
          if (Exit.isSuccess(exit)) {
            const fresh = exit.value
            // Stored, a token that cannot be sent would fail every later request
            // offline and the session would never be seen to end.
            if (!TokenRefresh.isSendableAccessToken(scheme, Redacted.value(fresh.accessToken))) {
              yield* expire(
                deferred,
                trigger,
                FailureText.auth.refreshedTokenNotHeaderValue,
                stored
              )
              return
            }
            const next: TokenStore.Tokens = {
              accessToken: fresh.accessToken,
              refreshToken: fresh.refreshToken ?? refreshToken,
              ...(fresh.expiresAt === undefined ? {} : { expiresAt: fresh.expiresAt })
            }
            const saved = yield* Effect.exit(store.set(next))
            if (Exit.isSuccess(saved)) {
              // Its life is counted from now, not from the first request that uses it.
              if (expiry !== undefined) expiry.seen(next, yield* Clock.currentTimeMillis)
              yield* Deferred.succeed(deferred, next.accessToken)
              return
            }
            yield* unavailable(deferred, trigger, saved.cause)
            return
          }
          if (!RefreshFailure.endsSession(exit.cause)) {
            yield* unavailable(deferred, trigger, exit.cause)
            return
          }
          // Another writer of the store (another process on the same file) may
          // have refreshed meanwhile, rotating the refresh token this one sent:
          // its tokens are the session now.
          const now = Option.getOrUndefined(yield* readTokens)
          if (now !== undefined && (stored === undefined || !sameToken(now.accessToken, stored.accessToken))) {
            yield* Deferred.succeed(deferred, now.accessToken)
            return
          }
          yield* expire(deferred, trigger, exit.cause, stored)
        })

      /** Shared with other processes through the coordinator when there is one (see refreshCoordination.ts). */
      const runRefresh = (
        deferred: Deferred.Deferred<Token, CourierError.Unauthorized>,
        trigger: CourierError.Unauthorized,
        replacing: Token
      ) =>
        (options.coordinator === undefined ? refreshNow(deferred, trigger) : RefreshCoordination.run({
          coordinator: options.coordinator,
          refreshTimeout,
          readTokens,
          replacing,
          refresh: refreshNow(deferred, trigger),
          adopt: (tokens) =>
            Option.isNone(tokens)
              ? expire(deferred, trigger, FailureText.auth.sessionEndedElsewhere, undefined, replacing)
              : Effect.zipRight(
                expiry === undefined ? Effect.void : Effect.map(Clock.currentTimeMillis, (now) => expiry.seen(tokens.value, now)),
                Deferred.succeed(deferred, tokens.value.accessToken)
              ),
          unavailable: (cause) => unavailable(deferred, trigger, cause)
        })).pipe(Effect.ensuring(Effect.suspend(() => {
          generation += 1
          if (inflight === deferred) inflight = undefined
          // Released even if the refresh died or was interrupted (its scope closed),
          // so no request waits forever; a no-op when it is already done.
          return Deferred.fail(deferred, unauthorized(trigger, FailureText.auth.refreshNoAnswer, "RefreshUnavailable"))
        })))

      /** The refresh could not be done now: the tokens stay, the waiters fail, a later 401 refreshes again. */
      const unavailable = (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>, trigger: CourierError.Unauthorized, cause: unknown) =>
        Effect.zipRight(
          Effect.zipRight(
            Metric.increment(Metrics.refreshFailures),
            ahead.has(deferred) && expiry !== undefined
              ? Effect.map(Clock.currentTimeMillis, expiry.failedAhead)
              : Effect.void
          ),
          Deferred.fail(deferred, unauthorized(trigger, cause, "RefreshUnavailable"))
        )

      /**
       * The session ended: clears the tokens that failed (never newer ones
       * another writer stored), releases the waiters, then runs the hook in
       * the Layer's scope so a slow hook holds no request.
       */
      const expire = (
        deferred: Deferred.Deferred<Token, CourierError.Unauthorized>,
        trigger: CourierError.Unauthorized,
        cause: unknown,
        failed: TokenStore.Tokens | undefined,
        ended: Token = failed?.accessToken
      ) =>
        Effect.gen(function*() {
          yield* Metric.increment(Metrics.refreshFailures)
          if (failed !== undefined) {
            yield* Effect.catchAllCause(
              store.clearIf === undefined ? store.clear : store.clearIf(failed),
              () => Effect.void
            )
          }
          yield* Deferred.fail(deferred, unauthorized(trigger, cause, "SessionExpired"))
          yield* announceEnd(ended, cause)
        })

      /**
       * A token newer than `used`: the current one if someone already
       * refreshed, the result of the refresh in flight, or a new refresh.
       * The check-and-start runs with no yield in between, so two fibers
       * can never both start one.
       */
      const freshToken = (
        used: Token,
        trigger: CourierError.Unauthorized,
        request: CourierRequest.CourierRequest
      ): Effect.Effect<Token, CourierError.Unauthorized | CourierError.Timeout> =>
        Effect.suspend(() => {
          const before = generation
          return Effect.flatMap(readToken, (current) =>
            Effect.uninterruptibleMask((restore) => {
              if (inflight !== undefined) return restore(awaitRefresh(inflight, trigger, request))
              if (generation !== before) return restore(freshToken(used, trigger, request))
              if (current !== undefined && !sameToken(current, used)) return Effect.succeed<Token>(current)
              if (current === undefined && used === undefined) return Effect.fail(trigger)
              // The tokens were cleared since this request left: the session already
              // ended, here or in another process sharing the store (then the hook
              // runs here too, once); there is nothing to refresh with.
              if (current === undefined) {
                const cause = FailureText.auth.sessionEnded
                return Effect.zipRight(announceEnd(used, cause), Effect.fail(unauthorized(trigger, cause, "SessionExpired")))
              }
              return startRefresh(trigger, current, (deferred) => restore(awaitRefresh(deferred, trigger, request)), false)
            }))
        })

      /**
       * Starts the one refresh and waits on it with `wait`. Called, with no
       * yield since the check that none is in flight, inside an
       * `uninterruptibleMask`: the refresh is forked before any interruption,
       * since one marked in flight that never ran would hold every request.
       */
      const startRefresh = <A, E>(
        trigger: CourierError.Unauthorized,
        replacing: Token,
        wait: (deferred: Deferred.Deferred<Token, CourierError.Unauthorized>) => Effect.Effect<A, E>,
        startedAhead: boolean
      ): Effect.Effect<A, E> => {
        const deferred = Deferred.unsafeMake<Token, CourierError.Unauthorized>(undefined as never)
        inflight = deferred
        if (startedAhead) ahead.add(deferred)
        // The refresh itself stays interruptible: refreshTimeout and the scope's close stop it.
        return Effect.zipRight(Effect.forkIn(Effect.interruptible(runRefresh(deferred, trigger, replacing)), scope), wait(deferred))
      }

      const withToken = Header.withToken(scheme)

      const applies = (request: CourierRequest.CourierRequest) =>
        origins.has(request.url.origin) && request.headers["authorization"] === undefined &&
        !(options.exclude?.(request) ?? false)

      /**
       * Whether a 401 is about the token this Layer sent: it came from a
       * protected origin, on a hop that still carried the header (a
       * cross-origin redirect drops it, and a refresh cannot fix that).
       */
      const aboutOurToken = (error: CourierError.Unauthorized) => {
        const origin = originOf(error.request)
        return origin !== undefined && origins.has(origin) && error.credentialsSent !== false
      }

      // A store or lock outside the process may keep a call waiting: the
      // client then bounds each call as a whole by its deadline.
      const remote = !isLocal(store) || options.coordinator !== undefined
      return Client.decorateWaiting(below, remote, (execute) => (request) => {
        if (!applies(request)) return execute(request)
        return Effect.withFiberRuntime((fiber) => {
          // The retry Layer below marks each attempt it sends again; a mark
          // other than this one, after the call, is this call's last attempt.
          const before = fiber.getFiberRef(lastAttempt)
          return Effect.flatMap(tokenNow(request, Context.get(fiber.currentDefaultServices, Clock.Clock)), (used) => {
            const authed = withToken(request, used)
            if (authed === undefined) return Header.unsendable(request)
            return Effect.catchTag(execute(authed), "Unauthorized", (error) => {
              if (!aboutOurToken(error)) return Effect.fail(error)
              // A 401 after a redirect: the first hop was already sent and answered (a
              // POST answered 303 did its work), so only an idempotent call is sent
              // again. No refresh either: nothing would use the token; the next call
              // that meets a 401 on its first hop refreshes.
              if (!Resend.mayResend(request, error)) {
                return Effect.fail(
                  unauthorized(
                    error,
                    FailureText.auth.noReplayAfterRedirect,
                    undefined
                  )
                )
              }
              if (!Request.isReplayable(request)) {
                return Effect.fail(unauthorized(error, FailureText.auth.noReplayOneShotBody, undefined))
              }
              // The replay is another attempt of the same call: logs, spans
              // and metrics below show it with the number after the last one
              // sent (a Retry Layer below may have sent several).
              const mark = fiber.getFiberRef(lastAttempt)
              const last = mark !== before && mark !== undefined ? mark.attempt : request.attempt
              const replay = { ...request, attempt: Math.max(request.attempt, last) + 1 }
              return Effect.flatMap(freshToken(used, error, request), (fresh) => {
                const again = withToken(replay, fresh)
                return again === undefined ? Header.unsendable(replay) : Effect.locally(execute(again), currentRole, "replay")
              })
            })
          })
        })
      })
    })
  )
