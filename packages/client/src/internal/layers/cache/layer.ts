import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Cache from "../../../Cache.js"
import * as Client from "../../core/client.js"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import * as Request from "../../core/request.js"
import type * as CourierResponse from "../../../CourierResponse.js"
import * as Rules from "../../redaction/rules.js"
import { message as logMessage } from "../logging.js"
import { forClient } from "../../redaction/rules.js"
import { runRequestHooks } from "../../core/send.js"
import * as Policy from "./policy.js"
import * as Store from "./store.js"
import { isLocal } from "../../core/localStore.js"

const defaultMaxEntryBytes = 1024 * 1024
const statusHeader = "cache-status"

/** @internal */
export const currentPolicy = globalValue(
  Symbol.for("@courier/client/Cache/currentPolicy"),
  () => FiberRef.unsafeMake<Cache.RequestPolicy>({})
)

/** @internal */
export const withPolicy = dual<
  (policy: Cache.RequestPolicy) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Cache.RequestPolicy) => Effect.Effect<A, E, R>
>(2, (effect, policy) => Effect.locally(effect, currentPolicy, policy))

/** @internal */
export const bypass = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  withPolicy(effect, { bypass: true })

type Outcome = Cache.Outcome

/** @internal */
export const lookups = Metric.counter("courier_http_client_cache", {
  description: "Lookups of the HTTP cache Layer, by outcome: hit, miss, revalidated, stale, bypass",
  incremental: true
})

/** @internal */
export const lookupsFor = (outcome: Outcome) => Metric.tagged(lookups, "outcome", outcome)

const count = (outcome: Outcome) => Metric.increment(lookupsFor(outcome))

const withStatus = (response: CourierResponse.CourierResponse, value: string): CourierResponse.CourierResponse => ({
  ...response,
  headers: { ...response.headers, [statusHeader]: value }
})

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** The request's `cache-control` with the per-call settings added, as the policy reads it. */
const requestDirectives = (request: CourierRequest.CourierRequest, policy: Cache.RequestPolicy): string | undefined => {
  const parts: Array<string> = []
  const own = request.headers["cache-control"]
  if (own !== undefined && own.trim() !== "") parts.push(own)
  if (policy.noCache === true) parts.push("no-cache")
  if (policy.onlyIfCached === true) parts.push("only-if-cached")
  if (policy.maxStale === true) parts.push("max-stale")
  else if (policy.maxStale !== undefined) {
    parts.push(`max-stale=${Math.floor(Duration.toSeconds(Duration.decode(policy.maxStale)))}`)
  }
  return parts.length === 0 ? undefined : parts.join(", ")
}

/**
 * The request as the policy sees it: the URL, and the headers the first hop
 * sends: with `host` (which the transport adds) and what the hop hooks add
 * below this Layer (a jar's `Cookie`), so `Vary: Cookie` compares the
 * cookies actually sent.
 */
const policyRequest = (
  request: CourierRequest.CourierRequest,
  directives: string | undefined
): Effect.Effect<Policy.PolicyRequest> =>
  Effect.map(
    request.hopHooks === undefined || request.hopHooks.length === 0
      ? Effect.succeed(request)
      : runRequestHooks(request, request.hopHooks),
    (sent) => {
      const headers: Record<string, string> = { ...sent.headers, host: request.url.host }
      if (directives === undefined) delete headers["cache-control"]
      else headers["cache-control"] = directives
      return { url: request.url.href, method: request.method, headers }
    }
  )

/** Statuses stored: the successes the client hands back as they are (not 206, a part of a body). */
const storableStatus = (status: number) => status >= 200 && status < 300 && status !== 206

/** Failures after which a stale entry may stand in (RFC 5861 `stale-if-error`). */
const isOriginFailure = (error: CourierError.CourierError) =>
  error._tag === "Network" || error._tag === "Timeout" || (error._tag === "BadResponse" && error.status >= 500)

const ttlOf = (policy: Policy.Policy) => Math.round(policy.maxAge() - policy.age())

/** @internal */
export const layer = (options: Cache.Options = {}) =>
  Layer.scoped(
    Client.CourierClient,
    Effect.gen(function*() {
      const client = yield* Client.CourierClient
      const maxEntryBytes = options.maxEntryBytes ?? defaultMaxEntryBytes
      if (!(maxEntryBytes >= 0)) {
        return yield* Effect.fail(ConfigError.InvalidData(["cache", "maxEntryBytes"], "expected a number of bytes, at least 0"))
      }
      const store = options.store ?? Store.memory()
      const shared = options.shared === true
      const scope = yield* Effect.scope
      const redactor = forClient(yield* Rules.Redaction, client.config.credentialHeaders)
      // Background revalidations running, by key: at most one each.
      const revalidating = new Set<string>()

      return Client.decorateWaiting(client, !isLocal(store), (execute) => {
        const storeGet = (key: string) =>
          Effect.map(Effect.option(store.get(key)), (found) => Option.flatten(found))
        const storeSet = (key: string, entry: Cache.Entry) => Effect.ignore(store.set(key, entry))
        const storeDelete = (key: string) => Effect.ignore(store.delete(key))

        /** Sends the request on, its lines in the `Logging` Layer below annotated with why. */
        const forward = (request: CourierRequest.CourierRequest, why: string) =>
          Effect.annotateLogs(execute(request), "http.cache", why)

        /** A line for an answer that never reached the origin, so the log shows every call. */
        const logServed = (request: CourierRequest.CourierRequest, status: number, what: string) =>
          Effect.annotateLogs(Effect.logDebug(logMessage), {
            "http.method": request.method,
            "http.url": redactor.url(request.url),
            "http.status": status,
            "http.outcome": "ok",
            "http.cache": what
          })

        const served = (
          request: CourierRequest.CourierRequest,
          policy: Policy.Policy,
          body: Uint8Array,
          now: number
        ): CourierResponse.CourierResponse => ({
          request,
          status: Policy.at(now, () => Policy.statusOf(policy)),
          headers: Policy.stringHeaders(Policy.at(now, () => policy.responseHeaders())),
          // A copy: a caller that changes the bytes it got must not change the entry.
          body: { _tag: "Buffered", bytes: body.slice() }
        })

        /** Stores what the origin answered when the rules allow it; says whether it did. */
        const keep = (
          key: string,
          view: Policy.PolicyRequest,
          response: CourierResponse.CourierResponse,
          now: number
        ): Effect.Effect<boolean> => {
          if (response.body._tag !== "Buffered" || !storableStatus(response.status)) return Effect.succeed(false)
          // Redirects are followed below this Layer, so it sees the last hop's
          // answer only: stored under the first URL, it would skip a redirect
          // that may change (a 302) on the next call.
          if (response.request.url.href !== view.url) return Effect.succeed(false)
          const bytes = response.body.bytes
          if (bytes.byteLength > maxEntryBytes) return Effect.succeed(false)
          const policy = Policy.at(now, () => Policy.make(view, { status: response.status, headers: { ...response.headers } }, shared))
          if (!Policy.at(now, () => policy.storable())) return Effect.succeed(false)
          return Effect.as(storeSet(key, { policy: Policy.toObject(policy), body: bytes.slice() }), true)
        }

        const miss = (key: string, request: CourierRequest.CourierRequest, view: Policy.PolicyRequest, why: string) =>
          Effect.zipRight(
            count("miss"),
            Effect.flatMap(forward(request, `fwd=${why}`), (response) =>
              Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Effect.map(keep(key, view, response, now), (stored) =>
                  withStatus(response, `courier; fwd=${why}${stored ? "; stored" : ""}`))))
          )

        /**
         * Asks the origin whether the stored entry still holds: a 304 renews
         * it and serves the stored body; a new answer replaces it.
         */
        const revalidate = (
          key: string,
          request: CourierRequest.CourierRequest,
          view: Policy.PolicyRequest,
          policy: Policy.Policy,
          body: Uint8Array,
          conditional: Readonly<Record<string, string>>
        ) => {
          const headers: Record<string, string> = { ...request.headers }
          if (conditional["if-none-match"] !== undefined) headers["if-none-match"] = conditional["if-none-match"]
          if (conditional["if-modified-since"] !== undefined) headers["if-modified-since"] = conditional["if-modified-since"]
          const accept = request.acceptStatus
          const asked: CourierRequest.CourierRequest = {
            ...request,
            headers,
            acceptStatus: (status) => status === 304 || accept?.(status) === true
          }
          return Effect.flatMap(forward(asked, "fwd=stale"), (response) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => {
              if (response.status !== 304) {
                return Effect.zipRight(
                  count("miss"),
                  Effect.map(keep(key, view, response, now), (stored) =>
                    withStatus({ ...response, request }, `courier; fwd=stale; fwd-status=${response.status}${stored ? "; stored" : ""}`))
                )
              }
              // A 304 from a redirect's target speaks for that URL, not for the
              // stored one (the same ETag there proves nothing about it).
              if (response.request.url.href !== view.url) {
                return Effect.zipRight(storeDelete(key), miss(key, request, view, "miss"))
              }
              const renewed = Policy.at(now, () =>
                policy.revalidatedPolicy(view, { status: 304, headers: { ...response.headers } }))
              if (!renewed.matches) {
                // A 304 for another representation than the stored one (another
                // ETag): the stored body cannot be served; fetched whole instead.
                return Effect.zipRight(storeDelete(key), miss(key, request, view, "miss"))
              }
              return Effect.zipRight(
                Effect.zipRight(count("revalidated"), storeSet(key, { policy: Policy.toObject(renewed.policy), body })),
                Effect.succeed(withStatus(served(response.request, renewed.policy, body, now), "courier; fwd=stale; fwd-status=304"))
              )
            }))
        }

        const onlyIfCachedMiss = (request: CourierRequest.CourierRequest, why: string) =>
          Effect.zipRight(
            count("miss"),
            Effect.fail(
              new CourierError.BadResponse({
                request: request.info,
                status: 504,
                headers: { [statusHeader]: `courier; fwd=${why}; detail=only-if-cached` },
                bodyExcerpt: "",
                errorBody: Option.none()
              })
            )
          )

        const cached = (request: CourierRequest.CourierRequest, policyOfCall: Cache.RequestPolicy) =>
          Effect.gen(function*() {
            const key = `${request.method} ${request.url.href}`
            const directives = requestDirectives(request, policyOfCall)
            const onlyIfCached = Policy.hasDirective(directives, "only-if-cached")
            const view = yield* policyRequest(request, directives)
            const found = yield* storeGet(key)
            const now = yield* Clock.currentTimeMillis
            const policy = Option.flatMap(found, (entry) => Option.fromNullable(Policy.fromObject(entry.policy)))
            if (Option.isNone(found) || Option.isNone(policy)) {
              return yield* onlyIfCached ? onlyIfCachedMiss(request, "miss") : miss(key, request, view, "miss")
            }
            const body = found.value.body
            const stored = policy.value
            const storedHeaders = Policy.stringHeaders(Policy.at(now, () => stored.responseHeaders()))
            const evaluated = Policy.at(now, () => stored.evaluateRequest(view))
            // Stale, and the answer forbids stale use (max-stale and
            // stale-while-revalidate included): only a revalidation serves it.
            const verdict = evaluated.response !== undefined && Policy.at(now, () => stored.stale()) &&
                Policy.forbidsStale(storedHeaders, shared)
              ? { response: undefined, revalidation: { headers: Policy.at(now, () => stored.revalidationHeaders(view)), synchronous: true } }
              : evaluated
            if (verdict.response !== undefined && verdict.revalidation === undefined) {
              const ttl = Policy.at(now, () => ttlOf(stored))
              yield* count(ttl < 0 ? "stale" : "hit")
              yield* logServed(request, Policy.statusOf(stored), "hit")
              return withStatus(served(request, stored, body, now), `courier; hit; ttl=${ttl}`)
            }
            const conditional = Policy.stringHeaders(verdict.revalidation?.headers ?? {})
            if (verdict.response !== undefined && verdict.revalidation?.synchronous === false) {
              // stale-while-revalidate: the stale answer now, one revalidation behind it.
              if (!revalidating.has(key)) {
                revalidating.add(key)
                yield* revalidate(key, request, view, stored, body, conditional).pipe(
                  Effect.ignore,
                  Effect.ensuring(Effect.sync(() => revalidating.delete(key))),
                  Effect.forkIn(scope)
                )
              }
              yield* count("stale")
              yield* logServed(request, Policy.statusOf(stored), "stale-while-revalidate")
              return withStatus(
                served(request, stored, body, now),
                `courier; hit; ttl=${Policy.at(now, () => ttlOf(stored))}; detail=stale-while-revalidate`
              )
            }
            if (onlyIfCached) return yield* onlyIfCachedMiss(request, "stale")
            const canValidate = conditional["if-none-match"] !== undefined || conditional["if-modified-since"] !== undefined
            // Without a validator the stored answer cannot be confirmed: fetched again whole.
            const refetch = canValidate
              ? revalidate(key, request, view, stored, body, conditional)
              : miss(key, request, view, Policy.hasDirective(directives, "no-cache") ? "request" : "stale")
            return yield* refetch.pipe(
              Effect.catchIf(
                (error) => isOriginFailure(error) && Policy.at(now, () => Policy.allowsStaleIfError(stored, storedHeaders, shared)),
                (error) =>
                  Effect.gen(function*() {
                    const at = yield* Clock.currentTimeMillis
                    yield* count("stale")
                    yield* logServed(request, Policy.statusOf(stored), "stale-if-error")
                    const status = error._tag === "BadResponse" ? `; fwd-status=${error.status}` : ""
                    return withStatus(served(request, stored, body, at), `courier; fwd=stale${status}; detail=stale-if-error`)
                  })
              )
            )
          })

        /** A POST, PUT, PATCH or DELETE that succeeded makes what was stored for its URLs old. */
        const invalidate = (request: CourierRequest.CourierRequest, response: CourierResponse.CourierResponse) => {
          if (response.status < 200 || response.status >= 400) return Effect.void
          const urls = [request.url.href]
          for (const name of ["location", "content-location"]) {
            const value = response.headers[name]
            if (value === undefined) continue
            try {
              const url = new URL(value, response.request.url)
              if (url.origin === request.url.origin) urls.push(url.href)
            } catch {
              // Not a URL: nothing to invalidate.
            }
          }
          return Effect.forEach(urls, (url) => Effect.zipRight(storeDelete(`GET ${url}`), storeDelete(`HEAD ${url}`)), { discard: true })
        }

        return (request) =>
          Effect.flatMap(FiberRef.get(currentPolicy), (policyOfCall) => {
            if (unsafeMethods.has(request.method)) {
              return Effect.flatMap(forward(request, "fwd=method"), (response) =>
                Effect.as(invalidate(request, response), withStatus(response, "courier; fwd=method")))
            }
            if (request.method !== "GET" && request.method !== "HEAD") {
              return Effect.map(forward(request, "fwd=method"), (response) => withStatus(response, "courier; fwd=method"))
            }
            const ownValidators = "if-none-match" in request.headers || "if-modified-since" in request.headers ||
              "range" in request.headers
            const streaming = Request.isStreaming(request)
            if (streaming || policyOfCall.bypass === true || ownValidators) {
              const detail = streaming ? "; detail=streaming" : ownValidators ? "; detail=conditional" : ""
              return Effect.zipRight(
                count("bypass"),
                Effect.map(forward(request, "fwd=bypass"), (response) => withStatus(response, `courier; fwd=bypass${detail}`))
              )
            }
            return cached(request, policyOfCall)
          })
      })
    })
  )
