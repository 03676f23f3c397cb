/**
 * The rules for following a redirect: which target is allowed, which
 * headers another origin must not see, and what becomes of the method and
 * the body. Courier follows redirects itself (the transports run with
 * `redirect: "manual"`): a platform's own following copies every header to
 * the new origin, which would leak credentials.
 */
import * as Url from "./Url.js"

/** Whether a status is a redirect Courier follows. */
export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

const bodyHeaders = ["content-type", "content-length", "content-encoding", "transfer-encoding"]
// Trace context is for the base origin only; another origin must not join the trace.
const traceHeaders = ["traceparent", "tracestate", "b3"]

/** Why a redirect is not followed. */
export type RefusalReason = "InvalidUrl" | "UnsupportedScheme" | "InsecureRedirect" | "CredentialsInUrl" | "BodyNotReplayable"

/** A hop as failures and logs name it: method, redacted URL, redirects followed before it. */
export interface HopInfo {
  readonly method: string
  /** The URL with user info removed and every query value replaced by `<redacted>`. */
  readonly url: string
  /**
   * How many redirects the call followed before this request was sent; absent
   * on the first hop. When set, the first hop already reached the server.
   */
  readonly redirects?: number
}

/** What the rules read of the request that was answered with a redirect. */
export interface From {
  readonly method: string
  readonly url: URL
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
  /** Whether the body can be sent again (false for a one-shot stream). */
  readonly replayable: boolean
  readonly info: HopInfo
}

/** What the rules read of the configuration. */
export interface Policy {
  /** Whether a redirect from https to http is followed. */
  readonly allowInsecureRedirects: boolean
  /** Whether a (lower-cased) header holds a credential: dropped when the origin changes. */
  readonly isCredentialHeader: (name: string) => boolean
}

/**
 * The next hop: method, URL and headers to send, and whether the body is
 * dropped (sent empty) or sent again as it was.
 */
export interface Follow {
  readonly _tag: "Follow"
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly dropBody: boolean
  readonly info: HopInfo
}

/** A redirect that is not followed, and the hop it would have been. */
export interface Refuse {
  readonly _tag: "Refuse"
  readonly reason: RefusalReason
  readonly detail: string
  readonly info: HopInfo
}

/**
 * The next hop after `status` with `location`, or why it is refused.
 *
 * - only http and https targets; https to http only when allowed;
 * - when the origin (scheme, host, port) changes, trace headers and every
 *   header `isCredentialHeader` names are dropped. Nothing adds them back
 *   later in the chain, so they stay dropped even if the chain returns to
 *   the first origin;
 * - 301/302 turn a POST into a GET, 303 turns anything but HEAD into a GET,
 *   both without the body; 307/308 keep method and body, and refuse when the
 *   body cannot be sent again;
 * - the next hop's `info.redirects` counts the redirects followed so far, so
 *   any failure of a later hop says the first one was already sent.
 */
export const next = (policy: Policy, from: From, status: number, location: string): Follow | Refuse => {
  const redirects = (from.info.redirects ?? 0) + 1
  let target: URL
  try {
    target = new URL(location, from.url)
  } catch {
    return { _tag: "Refuse", reason: "InvalidUrl", detail: "the redirect location cannot be parsed", info: { ...from.info, redirects } }
  }
  const info: HopInfo = { method: from.method, url: Url.redact(target), redirects }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return {
      _tag: "Refuse",
      reason: "UnsupportedScheme",
      detail: `a redirect to ${target.protocol} is not followed`,
      info: { method: from.method, url: `${target.protocol}<redacted>`, redirects }
    }
  }
  if (from.url.protocol === "https:" && target.protocol === "http:" && !policy.allowInsecureRedirects) {
    return { _tag: "Refuse", reason: "InsecureRedirect", detail: "a redirect from https to http is not followed", info }
  }
  if (target.username !== "" || target.password !== "") {
    return { _tag: "Refuse", reason: "CredentialsInUrl", detail: "the redirect location embeds credentials", info }
  }
  target.hash = ""
  const headers: Record<string, string> = { ...from.headers }
  if (target.origin !== from.url.origin) {
    for (const name of Object.keys(headers)) {
      if (policy.isCredentialHeader(name)) delete headers[name]
    }
    for (const name of traceHeaders) delete headers[name]
  }
  let method = from.method
  const dropBody = status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST"
  if (dropBody) {
    method = "GET"
    for (const name of bodyHeaders) delete headers[name]
  } else if (!from.replayable) {
    return {
      _tag: "Refuse",
      reason: "BodyNotReplayable",
      detail: `a ${status} redirect needs the body again, and this one is a one-shot stream`,
      info
    }
  }
  return { _tag: "Follow", method, url: target, headers, dropBody, info: { method, url: info.url, redirects } }
}
