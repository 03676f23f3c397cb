import * as FailureText from "@courier/core/FailureText"
import * as TokenRefresh from "@courier/core/TokenRefresh"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../../../Auth.js"
import * as CourierClient from "../../../CourierClient.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import type * as TokenStore from "../../../TokenStore.js"
import { TokenStore as Store } from "./tokenStore.js"
import { type AttemptCell, CurrentRole, LastAttempt } from "../callRole.js"
import * as Deadline from "../deadline.js"
import * as Metrics from "../metrics.js"
import * as Resend from "../resend.js"
import * as Retry from "../retry.js"
import * as Expiry from "./expiry.js"
import * as Header from "./header.js"
import * as RefreshCoordination from "./refreshCoordination.js"
import * as RefreshFailure from "./refreshFailure.js"
import * as SessionEnd from "./sessionEnd.js"

type Token = Redacted.Redacted<string> | undefined
type Waiting = Deferred.Deferred<Token, CourierError.Unauthorized>

const sameToken = (a: Token, b: Token): boolean =>
  a === b || (a !== undefined && b !== undefined && Redacted.value(a) === Redacted.value(b))

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin
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
  Layer.effect(
    CourierClient.CourierClient,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const below = yield* CourierClient.CourierClient
      const store = yield* Store
      const scheme = options.scheme ?? "Bearer"
      const refreshTimeout = Duration.fromInputUnsafe(options.refreshTimeout ?? defaultRefreshTimeout)
      const origins = new Set<string>()
      for (const origin of options.origins ?? []) {
        const parsed = originOf(origin)
        if (parsed !== undefined && parsed !== "null") origins.add(parsed)
      }
      const baseOrigin = below.config.baseUrl?.origin
      if (options.origins === undefined && baseOrigin !== undefined) origins.add(baseOrigin)

      // The one refresh in flight, if any; every 401 and every new request joins it.
      let inflight: Waiting | undefined
      // Refreshes no 401 started (the token was about to expire or had
      // expired): a request whose token still works does not wait for one.
      const ahead = new WeakSet<Waiting>()
      const expiry = options.refreshAhead === false
        ? undefined
        : Expiry.makeTracker(Duration.toMillis(Duration.fromInputUnsafe(options.refreshAhead ?? defaultRefreshAhead)))
      // Counts finished refreshes. A store read may return a value it found
      // before a refresh ended; a read that spans one is repeated, or it would
      // see the old token as current and start a second refresh.
      let generation = 0
      const announceEnd = SessionEnd.makeAnnouncer(options.onSessionExpired, scope)

      const readTokens = Effect.orElseSucceed(store.get, () => Option.none<TokenStore.Tokens>())
      const readToken = Effect.map(readTokens, (tokens): Token => Option.isSome(tokens) ? tokens.value.accessToken : undefined)

      const unauthorized = (
        error: CourierError.Unauthorized,
        cause: unknown,
        reason: CourierError.UnauthorizedReason | undefined
      ) => new CourierError.Unauthorized({ ...error, cause, reason })

      /**
       * A waiter fails as its own request, with the refresh's reason, and
       * leaves when its own deadline passes. Leaving only stops waiting: the
       * refresh goes on for the others.
       */
      const awaitRefresh = (deferred: Waiting, own: CourierError.Unauthorized, request: CourierRequest.CourierRequest) =>
        Deadline.within(
          request,
          Effect.catch(Deferred.await(deferred), (error) => Effect.fail(unauthorized(own, error.cause, error.reason)))
        )

      /** The trigger of a refresh no 401 started: what its waiters fail with. */
      const noAnswer = (request: CourierRequest.CourierRequest) =>
        new CourierError.Unauthorized({ request: request.info, status: 401, headers: {}, bodyExcerpt: "" })

      /**
       * The token to send now. A refresh in flight after a 401 is waited for.
       * With a known expiry: a token about to expire goes as it is while one
       * refresh runs in the background; an expired one waits for the refresh.
       * The check-and-start runs with no yield in between.
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
          const now = clock.currentTimeMillisUnsafe()
          // The usual case starts nothing, so it needs no mask.
          if (generation === before && (inflight === undefined || ahead.has(inflight)) && Option.isSome(tokens)) {
            const state = expiry.state(tokens.value, now)
            if (state === "fresh" || (state === "ahead" && inflight !== undefined)) {
              return Effect.succeed<Token>(tokens.value.accessToken)
            }
          }
          return Effect.uninterruptibleMask((restore) => {
            if (generation !== before || (inflight !== undefined && !ahead.has(inflight))) {
              return restore(tokenNow(request, clock))
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
                  : startRefresh(noAnswer(request), token, (d) => restore(awaitRefresh(d, noAnswer(request), request)), true)
            }
          })
        })
      }

      /**
       * The refresh call: bounded by `refreshTimeout`, marked as the refresh
       * (logging shows it), under the Retry Layer below (if any) with the
       * decision of `shouldRetryRefresh`. A per-call policy of the request
       * that happened to start the refresh does not apply to it.
       */
      const callRefresh = (refreshToken: Redacted.Redacted<string>) =>
        options.refresh({ refreshToken, client: below }).pipe(
          Effect.provideService(CurrentRole, "refresh"),
          Retry.withPolicy({ shouldRetry: RefreshFailure.shouldRetryRefresh }),
          Effect.timeoutOrElse({
            duration: refreshTimeout,
            orElse: () => Effect.fail(new RefreshFailure.RefreshTimedOut({ duration: refreshTimeout }))
          })
        )

      const refreshNow = (deferred: Waiting, trigger: CourierError.Unauthorized) =>
        Effect.gen(function*() {
          yield* Metric.update(Metrics.refreshes, 1)
          const stored = Option.getOrUndefined(yield* readTokens)
          const refreshToken = stored?.refreshToken
          const exit = yield* Effect.exit(
            refreshToken === undefined ? Effect.fail("there is no refresh token") : callRefresh(refreshToken)
          )
          if (Exit.isSuccess(exit)) {
            const fresh = exit.value
            // Stored, a token that cannot be sent would fail every later request
            // and the session would never be seen to end.
            if (!TokenRefresh.isSendableAccessToken(scheme, Redacted.value(fresh.accessToken))) {
              return yield* expire(
                deferred,
                trigger,
                FailureText.auth.refreshedTokenNotHeaderValue,
                stored
              )
            }
            const next: TokenStore.Tokens = {
              accessToken: fresh.accessToken,
              refreshToken: fresh.refreshToken ?? refreshToken,
              ...(fresh.expiresAt === undefined ? {} : { expiresAt: fresh.expiresAt })
            }
            const saved = yield* Effect.exit(store.set(next))
            if (Exit.isFailure(saved)) return yield* unavailable(deferred, trigger, saved.cause)
            // Its life is counted from now, not from the first request that uses it.
            if (expiry !== undefined) expiry.seen(next, yield* Clock.currentTimeMillis)
            yield* Deferred.succeed(deferred, next.accessToken)
            return
          }
          if (!RefreshFailure.endsSession(exit.cause)) return yield* unavailable(deferred, trigger, exit.cause)
          // Another writer of the store may have refreshed meanwhile, rotating
          // the refresh token this one sent: its tokens are the session now.
          const now = Option.getOrUndefined(yield* readTokens)
          if (now !== undefined && (stored === undefined || !sameToken(now.accessToken, stored.accessToken))) {
            yield* Deferred.succeed(deferred, now.accessToken)
            return
          }
          yield* expire(deferred, trigger, exit.cause, stored)
        })

      /** Shared with other processes through the coordinator when there is one (see refreshCoordination.ts). */
      const runRefresh = (deferred: Waiting, trigger: CourierError.Unauthorized, replacing: Token) =>
        (options.coordinator === undefined ? refreshNow(deferred, trigger) : RefreshCoordination.run({
          coordinator: options.coordinator,
          refreshTimeout,
          readTokens,
          replacing,
          refresh: refreshNow(deferred, trigger),
          adopt: (tokens) =>
            Option.isNone(tokens)
              ? expire(deferred, trigger, FailureText.auth.sessionEndedElsewhere, undefined, replacing)
              : Effect.gen(function*() {
                if (expiry !== undefined) expiry.seen(tokens.value, yield* Clock.currentTimeMillis)
                yield* Deferred.succeed(deferred, tokens.value.accessToken)
              }),
          unavailable: (cause) => unavailable(deferred, trigger, cause)
        })).pipe(
          Effect.ensuring(Effect.suspend(() => {
            generation += 1
            if (inflight === deferred) inflight = undefined
            // Released even if the refresh died or was interrupted (the scope
            // closed), so no request waits forever; a no-op once it is done.
            return Deferred.fail(deferred, unauthorized(trigger, FailureText.auth.refreshNoAnswer, "RefreshUnavailable"))
          }))
        )

      /** The refresh could not be done now: the tokens stay, the waiters fail, a later 401 refreshes again. */
      const unavailable = (deferred: Waiting, trigger: CourierError.Unauthorized, cause: unknown) =>
        Effect.gen(function*() {
          yield* Metric.update(Metrics.refreshFailures, 1)
          if (ahead.has(deferred) && expiry !== undefined) expiry.failedAhead(yield* Clock.currentTimeMillis)
          yield* Deferred.fail(deferred, unauthorized(trigger, cause, "RefreshUnavailable"))
        })

      /**
       * The session ended: clears the tokens that failed (never newer ones
       * another writer stored), releases the waiters, then runs the hook in
       * the Layer's scope so a slow hook holds no request.
       */
      const expire = (
        deferred: Waiting,
        trigger: CourierError.Unauthorized,
        cause: unknown,
        failed: TokenStore.Tokens | undefined,
        ended: Token = failed?.accessToken
      ) =>
        Effect.gen(function*() {
          yield* Metric.update(Metrics.refreshFailures, 1)
          if (failed !== undefined) {
            yield* Effect.ignore(store.clearIf === undefined ? store.clear : store.clearIf(failed))
          }
          yield* Deferred.fail(deferred, unauthorized(trigger, cause, "SessionExpired"))
          yield* announceEnd(ended, cause)
        })

      /**
       * A token newer than `used`: the current one if someone already
       * refreshed, the result of the refresh in flight, or a new refresh.
       * The check-and-start runs with no yield in between, so two fibers can
       * never both start one.
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
              // The tokens were cleared since this request left: the session
              // already ended; there is nothing to refresh with.
              if (current === undefined) {
                const cause = FailureText.auth.sessionEnded
                return Effect.andThen(announceEnd(used, cause), Effect.fail(unauthorized(trigger, cause, "SessionExpired")))
              }
              return startRefresh(trigger, current, (d) => restore(awaitRefresh(d, trigger, request)), false)
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
        wait: (deferred: Waiting) => Effect.Effect<A, E>,
        startedAhead: boolean
      ): Effect.Effect<A, E> => {
        const deferred = Deferred.makeUnsafe<Token, CourierError.Unauthorized>()
        inflight = deferred
        if (startedAhead) ahead.add(deferred)
        // The refresh itself stays interruptible: refreshTimeout and the scope's close stop it.
        return Effect.andThen(Effect.forkIn(Effect.interruptible(runRefresh(deferred, trigger, replacing)), scope), wait(deferred))
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
        const origin = originOf(error.request.url)
        return origin !== undefined && origins.has(origin) && error.credentialsSent !== false
      }

      return CourierClient.decorate(below, (execute) => (request) => {
        if (!applies(request)) return execute(request)
        return Effect.withFiber((fiber) => {
          const clock = fiber.getRef(Clock.Clock)
          return Effect.flatMap(tokenNow(request, clock), (used) => {
            const authed = withToken(request, used)
            if (authed === undefined) return Header.unsendable(request)
            // The retry Layer below writes each attempt it sends again here.
            const cell: AttemptCell = { last: undefined }
            return Effect.catchTag(Effect.provideService(execute(authed), LastAttempt, cell), "Unauthorized", (error) => {
              if (!aboutOurToken(error)) return Effect.fail(error)
              // A 401 after a redirect: the first hop was already sent and
              // answered, so only an idempotent call is sent again. No refresh
              // either: the next call that meets a 401 on its first hop refreshes.
              if (!Resend.mayResend(request, error)) {
                return Effect.fail(unauthorized(
                  error,
                  FailureText.auth.noReplayAfterRedirect,
                  undefined
                ))
              }
              if (!Resend.isReplayable(request)) {
                return Effect.fail(unauthorized(error, FailureText.auth.noReplayOneShotBody, undefined))
              }
              // The replay is another attempt of the same call, numbered after
              // the last one sent (a Retry Layer below may have sent several).
              const replay = { ...request, attempt: Math.max(request.attempt, cell.last ?? request.attempt) + 1 }
              return Effect.flatMap(freshToken(used, error, request), (fresh) => {
                const again = withToken(replay, fresh)
                return again === undefined
                  ? Header.unsendable(replay)
                  : Effect.provideService(execute(again), CurrentRole, "replay")
              })
            })
          })
        })
      })
    })
  )
