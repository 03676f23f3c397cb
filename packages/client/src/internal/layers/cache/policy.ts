import CachePolicy from "http-cache-semantics"
import * as Schema from "effect/Schema"

/**
 * The time `http-cache-semantics` reads. The library takes "now" from its
 * `now()` method (documented as the hook to replace); every call into a
 * policy is synchronous, so setting this right before each one makes the
 * policy see the Effect `Clock` (and `TestClock` in tests) without touching
 * `Date.now`.
 */
let clockNow = 0

/** A policy whose "now" is the Clock time given to `at`. */
class ClockPolicy extends CachePolicy {
  // Not in the library's types, but the documented hook: see `clockNow`.
  now(): number {
    return clockNow
  }
}

/** Runs `f` with the policies' clock at `now` (Clock milliseconds). @internal */
export const at = <A>(now: number, f: () => A): A => {
  clockNow = now
  return f()
}

/** @internal */
export type Policy = CachePolicy

/** @internal */
export type PolicyRequest = CachePolicy.Request

/** @internal */
export const make = (request: PolicyRequest, response: CachePolicy.Response, shared: boolean): Policy =>
  new ClockPolicy(request, response, { shared })

// The fields `http-cache-semantics` restores. Its `fromObject` checks only
// `v`, and a policy missing the others throws from its methods later (a
// damaged file, a value in a shared store that this store did not write):
// a defect in the middle of a call instead of a miss.
const Headers = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String), Schema.Undefined) })
const Directives = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Boolean) })
const isStored = Schema.is(Schema.Struct({
  v: Schema.Literal(1),
  t: Schema.Number,
  sh: Schema.Boolean,
  ch: Schema.Number,
  imm: Schema.optional(Schema.Number),
  icc: Schema.optional(Schema.Boolean),
  st: Schema.Number,
  resh: Headers,
  rescc: Directives,
  m: Schema.String,
  u: Schema.String,
  h: Schema.optional(Schema.UndefinedOr(Schema.String)),
  a: Schema.Boolean,
  reqh: Schema.NullOr(Headers),
  reqcc: Directives
}))

/** A stored policy back, or undefined when it is not one (an older or damaged entry). @internal */
export const fromObject = (stored: unknown): Policy | undefined => {
  if (!isStored(stored)) return undefined
  try {
    return ClockPolicy.fromObject(stored as CachePolicy.CachePolicyObject)
  } catch {
    return undefined
  }
}

/** The stored status (4.x has `status()`; its types do not list it). @internal */
export const statusOf = (policy: Policy): number => (policy as unknown as { status(): number }).status()

/**
 * The policy as stored. The library keeps every request header when the
 * answer has a `Vary` (to compare them later), and it reads only the ones
 * `Vary` names: the others (`Authorization`, `Cookie`) are dropped, so an
 * entry, on disk too, holds no credential its `Vary` does not ask for.
 *
 * @internal
 */
export const toObject = (policy: Policy): unknown => {
  const object = policy.toObject()
  const all = object.reqh
  const vary = object.resh["vary"]
  if (all === null || all === undefined || typeof vary !== "string") return object
  const named = new Set(vary.trim().toLowerCase().split(/\s*,\s*/))
  const kept: CachePolicy.Headers = {}
  for (const name in all) {
    if (named.has(name)) kept[name] = all[name]
  }
  return { ...object, reqh: kept }
}

/** Only string values: what a policy gives back is what it was given, plain header strings. @internal */
export const stringHeaders = (headers: CachePolicy.Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (typeof value === "string") out[name] = value
    else if (Array.isArray(value)) out[name] = value.join(", ")
  }
  return out
}

const directive = (cacheControl: string | undefined, name: string): number | undefined => {
  if (cacheControl === undefined) return undefined
  for (const part of cacheControl.split(",")) {
    const [key, value] = part.trim().split("=", 2)
    if (key.toLowerCase() === name) {
      const seconds = Number((value ?? "").replace(/"/g, ""))
      return Number.isFinite(seconds) ? seconds : 0
    }
  }
  return undefined
}

/** Whether a request's `cache-control` names `name` (a bare directive such as `only-if-cached`). @internal */
export const hasDirective = (cacheControl: string | undefined, name: string): boolean =>
  directive(cacheControl, name) !== undefined

/**
 * RFC 5861: the stored response may be served stale for `stale-if-error`
 * seconds past its freshness when the origin fails. The library decides the
 * same only for an error *response*; this is the same sum for any failure.
 * Never when the answer forbids stale use (RFC 9111 4.2.4): `no-cache`,
 * `must-revalidate`, and in a shared cache `proxy-revalidate` or
 * `s-maxage`. A shared cache may store an answer to an `Authorization`
 * request because of `must-revalidate` or `s-maxage`: served stale, it would
 * reach another user without the origin checking their credentials.
 *
 * @internal
 */
export const allowsStaleIfError = (
  policy: Policy,
  storedHeaders: Readonly<Record<string, string>>,
  shared: boolean
): boolean => {
  const seconds = directive(storedHeaders["cache-control"], "stale-if-error")
  if (seconds === undefined || forbidsStale(storedHeaders, shared)) return false
  return policy.maxAge() + seconds > policy.age()
}

/**
 * Whether the stored answer forbids any stale use (RFC 9111 4.2.4):
 * `no-cache`, `must-revalidate`, and in a shared cache `proxy-revalidate` or
 * `s-maxage` (which carries proxy-revalidate, 5.2.2.10). The library honours
 * `must-revalidate` itself but not the shared-cache pair.
 *
 * @internal
 */
export const forbidsStale = (storedHeaders: Readonly<Record<string, string>>, shared: boolean): boolean => {
  const cacheControl = storedHeaders["cache-control"]
  const names = ["no-cache", "must-revalidate", ...(shared ? ["proxy-revalidate", "s-maxage"] : [])]
  return names.some((name) => directive(cacheControl, name) !== undefined)
}
