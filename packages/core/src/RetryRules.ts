/**
 * Which failures are worth sending a call again, and when sending it again
 * is safe. The Layers of both lines map their typed failures onto `Failure`
 * and add what only they know (the policy's own decision, the budget).
 */

/** Idempotent methods (RFC 9110 9.2.2): sending one twice has the effect of sending it once. */
export const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])

/** An idempotent method, or any method with an `Idempotency-Key` (lower-cased header names). */
export const isIdempotent = (method: string, headers: Readonly<Record<string, string>>): boolean =>
  idempotentMethods.has(method) || headers["idempotency-key"] !== undefined

/** The statuses retried by default: the server did not act, or failed transiently. */
export const defaultStatuses: ReadonlyArray<number> = [408, 429, 500, 502, 503, 504]

/** What the decision reads of a failure. */
export type Failure =
  | {
    readonly kind: "Network"
    readonly reason: string
    readonly code: string | undefined
    /** The failure proves no byte of the call was sent (on its first hop). */
    readonly nothingSent: boolean
  }
  | {
    readonly kind: "Timeout"
    readonly phase: string
    /** The hop that timed out came after a redirect, so the first hop was sent. */
    readonly afterRedirect: boolean
  }
  | { readonly kind: "Status"; readonly status: number }
  | { readonly kind: "Other" }

/** What the decision knows of the call and the policy. */
export interface Context {
  /** The call may be sent twice (see `isIdempotent`). */
  readonly safe: boolean
  readonly statuses: ReadonlyArray<number>
  readonly timeoutPhases: ReadonlyArray<string>
}

/**
 * Whether `failure` is worth another attempt of the call. A failure that
 * proves nothing was sent may be retried whatever the method; otherwise
 * only a safe call is. Only lookups that may succeed later (`EAI_AGAIN`)
 * are retried among DNS failures; a connect timeout proves nothing was
 * sent on the first hop only.
 */
export const isTransient = (failure: Failure, context: Context): boolean => {
  switch (failure.kind) {
    case "Network": {
      const transient = failure.reason !== "DnsLookup" || failure.code === "EAI_AGAIN"
      if (failure.nothingSent) return transient
      if (!context.safe) return false
      switch (failure.reason) {
        case "ConnectionRefused":
        case "DnsLookup":
        case "Unreachable":
          return transient
        case "ConnectionReset":
        case "IncompleteBody":
        case "Unknown":
          return true
        default:
          return false
      }
    }
    case "Timeout":
      if (!context.timeoutPhases.includes(failure.phase)) return false
      return (failure.phase === "connect" && !failure.afterRedirect) || context.safe
    case "Status":
      return context.safe && context.statuses.includes(failure.status)
    case "Other":
      return false
  }
}

/**
 * Full jitter: the delay before retry number `retry` (0 for the first), drawn
 * from `random` in [0, 1) between 0 and `baseMillis * 2^retry`, capped at
 * `maxMillis`. Spreading the retries of many clients over the whole window
 * keeps them from hitting a recovering server in step.
 */
export const fullJitter = (baseMillis: number, maxMillis: number, retry: number, random: number): number =>
  Math.floor(random * Math.min(maxMillis, baseMillis * 2 ** retry))
