/**
 * The typed failures of a Courier request. Each is its own tagged class, so
 * program code branches with `Effect.catchTag("Timeout", ...)` and never on
 * status codes or exception classes.
 *
 * Every failure carries `request` (the method and the URL with credentials and
 * query values redacted) and a `message` a person can act on. No failure ever
 * holds a header value, token or password the program sent.
 *
 * @example
 * ```ts
 * import { CourierClient, CourierError } from "@courier/client"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * // Handle the failures you can act on; the others stay in the type.
 * const findPost = (id: number) =>
 *   Effect.flatMap(CourierClient.CourierClient, (client) =>
 *     client.get("/posts/{id}", { params: { id } }).pipe(
 *       Effect.map(Option.some),
 *       Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e))
 *     ))
 *
 * // An exhaustive switch: a new tag would not compile.
 * const forUser = (error: CourierError.CourierError): string => {
 *   switch (error._tag) {
 *     case "Unauthorized":
 *       return "Please sign in again."
 *     case "Timeout":
 *     case "Network":
 *       return "The service cannot be reached. Try again."
 *     case "BadResponse":
 *     case "Parse":
 *     case "RequestRefused":
 *     case "LimitExceeded":
 *       return "Something went wrong."
 *     case "CircuitOpen":
 *     case "RateLimited":
 *     case "BulkheadFull":
 *       return "The service is busy. Try again later."
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as FailureText from "@courier/core/FailureText"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"

/**
 * What a failure says about the request it belongs to: safe to log.
 *
 * @since 0.1.0
 */
export interface RequestInfo {
  readonly method: string
  /** The URL with user info removed and every query value replaced by `<redacted>`. */
  readonly url: string
  /**
   * How many redirects the call followed before this request was sent; absent
   * on the first hop. When it is set, the first hop already reached the server
   * and was answered, so a failure here does not mean the call sent nothing:
   * Retry and Auth send a non-idempotent call again only when it is absent.
   */
  readonly redirects?: number
}

/**
 * The phase of a request whose time ran out.
 *
 * - `connect`: the socket (and TLS session) was not established in time.
 * - `send`: the request body was not handed to the socket in time.
 * - `receive`: no response bytes arrived for that long, while waiting for
 *   the headers or between two body chunks.
 * - `total`: the deadline over the whole call, retries and body read included.
 *
 * @since 0.1.0
 */
export type TimeoutPhase = "connect" | "send" | "receive" | "total"

/**
 * A phase of the request ran out of time. The socket has been closed.
 *
 * @since 0.1.0
 */
export class Timeout extends Data.TaggedError("Timeout")<{
  readonly request: RequestInfo
  readonly phase: TimeoutPhase
  readonly duration: Duration.Duration
}> {
  override get message(): string {
    return `${this.request.method} ${this.request.url}: ${FailureText.timeoutPhaseText[this.phase]} within ${
      Duration.format(this.duration)
    } (${this.phase} timeout); raise timeouts.${this.phase} if the server is known to be this slow`
  }
}

/**
 * Why the auth Layer gave up on a 401 (absent on a 401 the auth Layer did not
 * act on, or answered again after its one replay):
 *
 * - `SessionExpired`: the refresh was rejected (the token endpoint answered
 *   400, 401 or 403, but not a 400 whose OAuth2 `error` is
 *   `temporarily_unavailable` or `server_error`; there was no refresh token;
 *   or a custom refresh failed with a value of its own); the tokens were
 *   cleared and `onSessionExpired` ran. Sign in again.
 * - `RefreshUnavailable`: the refresh could not be done now (the token
 *   endpoint could not be reached, timed out or answered another status); the
 *   tokens are kept, and a later call refreshes again. Try again later.
 *
 * @since 0.1.0
 */
export type UnauthorizedReason = "SessionExpired" | "RefreshUnavailable"

/**
 * The server answered 401. With the auth Layer installed, this is the answer
 * after the one replay with a fresh token, or after the refresh itself failed
 * (then `reason` says whether the session ended), or a 401 the Layer does not
 * replay (a one-shot stream body; a call that is not idempotent whose 401 came
 * after a redirect); `cause` holds why.
 *
 * @since 0.1.0
 */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly request: RequestInfo
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bodyExcerpt: string
  readonly cause?: unknown
  /** Set by the auth Layer when a refresh failed; see `UnauthorizedReason`. */
  readonly reason?: UnauthorizedReason | undefined
  /**
   * Whether the request that got this 401 (the last hop, after redirects)
   * carried an `Authorization` header. `false` when a cross-origin redirect
   * dropped it: the 401 says nothing about the token, and the auth Layer does
   * not refresh for it. Undefined when the failure was not built by the core.
   */
  readonly credentialsSent?: boolean | undefined
}> {
  override get message(): string {
    const where = `${this.request.method} ${this.request.url}: 401 Unauthorized`
    return this.reason === "RefreshUnavailable"
      ? `${where}; the token could not be refreshed now (the token endpoint is unavailable), the session is kept: try again later`
      : `${where}; sign in again or check the credentials`
  }
}

/**
 * The server answered with a status the client does not accept (anything but
 * 2xx and 401, after redirects were followed).
 *
 * `errorBody` holds the body decoded with the request's `errorSchema`, when
 * one was given and the body matched it.
 *
 * `headers` and `bodyExcerpt` (here and in `Unauthorized`) are shown through
 * the current `Redaction` rules: secret headers replaced, URL-valued headers
 * (`location`, `link`...) with their query redacted, and the credential
 * values the request sent (its token, API key, cookie values) masked
 * wherever the server echoes them.
 *
 * @since 0.1.0
 */
export class BadResponse<out E = unknown> extends Data.TaggedError("BadResponse")<{
  readonly request: RequestInfo
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bodyExcerpt: string
  readonly errorBody: Option.Option<unknown>
}> {
  override get message(): string {
    const excerpt = this.bodyExcerpt === "" ? "" : `: ${this.bodyExcerpt.slice(0, 200)}`
    return `${this.request.method} ${this.request.url}: unexpected status ${this.status}${excerpt}`
  }
}

/**
 * `BadResponse` is generic in the type of `errorBody` (merged with the class).
 *
 * @since 0.1.0
 */
export interface BadResponse<out E = unknown> {
  readonly errorBody: Option.Option<E>
}

/**
 * Why a body could not be decoded.
 *
 * @since 0.1.0
 */
export type ParseReason = "InvalidJson" | "EmptyBody" | "SchemaMismatch"

/**
 * One schema issue, with the path to the offending value.
 *
 * @since 0.1.0
 */
export interface ParseIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The response body was not what the program expects: invalid JSON (an HTML
 * error page, say), an empty body where the schema wants a value, or a value
 * that does not match the schema.
 *
 * Like `BadResponse`, it shows the body only through the current `Redaction`
 * rules: `bodyExcerpt`, the values quoted by `issues` and the schema error in
 * `cause` are redacted, and the credential values the request sent are
 * masked wherever they appear (a mismatching answer may echo the request's
 * credentials or carry tokens). An NDJSON line or SSE event that fails is
 * shown the same way.
 *
 * @since 0.1.0
 */
export class Parse extends Data.TaggedError("Parse")<{
  readonly request: RequestInfo
  readonly status: number
  readonly reason: ParseReason
  readonly contentType: string | undefined
  /** The schema issues, each with its path; empty unless `reason` is `SchemaMismatch`. */
  readonly issues: ReadonlyArray<ParseIssue>
  readonly bodyExcerpt: string
  readonly cause: ParseResult.ParseError | SyntaxError | undefined
}> {
  override get message(): string {
    const where = `${this.request.method} ${this.request.url}`
    switch (this.reason) {
      case "InvalidJson":
        return `${where}: the body is not valid JSON (content-type ${this.contentType ?? "missing"}): ${
          this.bodyExcerpt.slice(0, 120)
        }`
      case "EmptyBody":
        return `${where}: the body is empty but the schema expects a value`
      case "SchemaMismatch": {
        const first = this.issues[0]
        const at = first === undefined || first.path.length === 0 ? "" : ` at ${first.path.map(String).join(".")}`
        return `${where}: the body does not match the schema${at}: ${first?.message ?? "mismatch"}`
      }
    }
  }
}

/**
 * Why the transport failed. `ConnectionRefused`, `DnsLookup`, `Unreachable`
 * and `Proxy` prove that no byte of this hop's request reached the server.
 * `Proxy` is the proxy's doing, not the target's: it could not be reached,
 * or it refused to open the tunnel (a `407` for missing or wrong proxy
 * credentials, a `502` when it could not reach the target itself); the
 * failure's `proxy` field names it.
 *
 * @since 0.1.0
 */
export type NetworkReason =
  | "ConnectionRefused"
  | "ConnectionReset"
  | "DnsLookup"
  | "Unreachable"
  | "Tls"
  | "Protocol"
  | "IncompleteBody"
  | "RequestBody"
  | "Proxy"
  | "Unknown"

/**
 * The proxy a `Proxy` failure comes from: its URL without credentials, and
 * the status it answered the tunnel request with (absent when it could not
 * be reached at all).
 *
 * @since 0.1.0
 */
export interface ProxyInfo {
  readonly url: string
  readonly status: number | undefined
}

/**
 * The transport failed: the connection could not be made or broke, TLS was
 * refused, the server spoke broken HTTP, or the body ended early.
 *
 * @since 0.1.0
 */
export class Network extends Data.TaggedError("Network")<{
  readonly request: RequestInfo
  readonly reason: NetworkReason
  /** The system or undici error code, such as `ECONNREFUSED`. */
  readonly code: string | undefined
  readonly cause: unknown
  /** The proxy, on a `Proxy` failure. */
  readonly proxy?: ProxyInfo | undefined
}> {
  /**
   * True when the failure proves no byte of the call was sent: the connection
   * was never made, on the first hop. After a redirect it is false even when
   * this hop's connection was refused, since the first hop reached the server.
   */
  get nothingSent(): boolean {
    return (this.request.redirects ?? 0) === 0 &&
      (this.reason === "ConnectionRefused" || this.reason === "DnsLookup" || this.reason === "Unreachable" ||
        this.reason === "Proxy")
  }

  override get message(): string {
    const code = this.code === undefined ? "" : ` (${this.code})`
    if (this.reason === "Proxy" && this.proxy !== undefined) {
      const what = this.proxy.status === undefined
        ? "could not be reached"
        : this.proxy.status === 407
        ? "refused the tunnel: proxy authentication required (407)"
        : `refused the tunnel (${this.proxy.status})`
      return `${this.request.method} ${this.request.url}: the proxy ${this.proxy.url} ${what}${code}`
    }
    return `${this.request.method} ${this.request.url}: ${FailureText.networkText[this.reason]}${code}`
  }
}

/**
 * Why a request was refused before anything was sent.
 *
 * @since 0.1.0
 */
export type RefusalReason =
  | "InvalidUrl"
  | "EscapesBaseUrl"
  | "UnsupportedScheme"
  | "CredentialsInUrl"
  | "InvalidPathParameter"
  | "InvalidQuery"
  | "InvalidHeader"
  | "InvalidMethod"
  | "InvalidBody"
  | "InsecureRedirect"
  | "BodyNotReplayable"
  | "InvalidOption"

/**
 * The request was refused before any byte was sent: an invalid URL, a path
 * or absolute URL that escapes the base URL, a scheme other than http(s),
 * credentials in the URL, CR/LF/NUL in a header or method, a header the
 * transport owns (`connection`, `keep-alive`, `transfer-encoding`, `upgrade`,
 * `expect`, `te`, `trailer`), a body that cannot be serialised, an option
 * with an invalid value (`InvalidOption`: a timeout that is not a duration),
 * or a redirect Courier will not follow.
 *
 * @since 0.1.0
 */
export class RequestRefused extends Data.TaggedError("RequestRefused")<{
  readonly request: RequestInfo
  readonly reason: RefusalReason
  /** What exactly is wrong; never contains a header value or credential. */
  readonly detail: string
}> {
  override get message(): string {
    return `${this.request.method} ${this.request.url}: refused before sending (${this.reason}): ${this.detail}`
  }
}

/**
 * Which limit a response went over.
 *
 * @since 0.1.0
 */
export type LimitReason = "ResponseTooLarge" | "TooManyRedirects" | "TooManyEncodings" | "TooManyPages"

/**
 * A response went over a configured limit: a body larger than
 * `maxResponseBytes` (counted after decompression), more redirects than
 * `maxRedirects`, more content encodings than `maxContentEncodings`, or
 * a paged collection going on past `maxPages`.
 *
 * @since 0.1.0
 */
export class LimitExceeded extends Data.TaggedError("LimitExceeded")<{
  readonly request: RequestInfo
  readonly reason: LimitReason
  readonly limit: number
}> {
  override get message(): string {
    const what = this.reason === "ResponseTooLarge"
      ? `the response body is larger than ${this.limit} bytes; raise maxResponseBytes or stream it`
      : this.reason === "TooManyRedirects"
      ? `more than ${this.limit} redirects`
      : this.reason === "TooManyEncodings"
      ? `more than ${this.limit} content encodings`
      : `more than ${this.limit} pages; raise maxPages or take fewer items`
    return `${this.request.method} ${this.request.url}: ${what}`
  }
}

/**
 * The circuit breaker of this request's origin (or key) is open: the
 * downstream failed too often, and the call failed at once, without sending
 * anything. `retryAt` (epoch milliseconds, from the `Clock`) and `retryAfter`
 * say when the breaker lets a probe through. While every probe of a
 * half-open circuit is out (`state: "HalfOpen"`) no time is known (the
 * probes' outcome decides): they are the time of the failure and zero.
 * Only the `CircuitBreaker` Layer fails with it; the default retry decision
 * does not retry it.
 *
 * @since 0.1.0
 */
export class CircuitOpen extends Data.TaggedError("CircuitOpen")<{
  readonly request: RequestInfo
  /** The breaker's key: the request's origin unless the Layer was given another key. */
  readonly key: string
  readonly state: "Open" | "HalfOpen"
  readonly retryAt: number
  readonly retryAfter: Duration.Duration
}> {
  override get message(): string {
    return `${this.request.method} ${this.request.url}: the circuit for ${this.key} is ${
      this.state === "Open" ? "open" : "half-open with every probe in flight"
    }; not sent, try again in ${Duration.format(this.retryAfter)}`
  }
}

/**
 * The `RateLimiter` Layer would have to hold the call past its `total`
 * deadline (or past the Layer's `maxWait`) before sending it: it failed at
 * once, without sending anything. `retryAt` (epoch milliseconds) and
 * `retryAfter` say when the limiter would let it go.
 *
 * @since 0.1.0
 */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly request: RequestInfo
  /** The limiter's key: the request's origin unless the Layer was given another key. */
  readonly key: string
  readonly retryAt: number
  readonly retryAfter: Duration.Duration
}> {
  override get message(): string {
    return `${this.request.method} ${this.request.url}: rate limited for ${this.key}; not sent, it could go in ${
      Duration.format(this.retryAfter)
    }, past its deadline or the limiter's maxWait`
  }
}

/**
 * The `Bulkhead` Layer's calls in flight and its queue for this origin (or
 * key) are full: the call failed at once, without sending anything.
 *
 * @since 0.1.0
 */
export class BulkheadFull extends Data.TaggedError("BulkheadFull")<{
  readonly request: RequestInfo
  /** The bulkhead's key: the request's origin unless the Layer was given another key. */
  readonly key: string
  readonly maxConcurrent: number
  readonly maxQueue: number
}> {
  override get message(): string {
    return `${this.request.method} ${this.request.url}: ${this.maxConcurrent} calls in flight and ${this.maxQueue} queued for ${this.key}; not sent, try again later`
  }
}

/**
 * Any failure of a Courier request. `E` is the type of `BadResponse.errorBody`.
 *
 * `CircuitOpen`, `RateLimited` and `BulkheadFull` come only from the
 * `CircuitBreaker`, `RateLimiter` and `Bulkhead` Layers. They are in the
 * union rather than in those Layers' types because a Layer decorates the
 * client's one `execute`, whose failure type is this union: a call's type
 * cannot say which Layers the program installed.
 *
 * @since 0.1.0
 */
export type CourierError<E = unknown> =
  | Timeout
  | Unauthorized
  | BadResponse<E>
  | Parse
  | Network
  | RequestRefused
  | LimitExceeded
  | CircuitOpen
  | RateLimited
  | BulkheadFull

/**
 * The tags of every Courier failure.
 *
 * @since 0.1.0
 */
export type Tag = CourierError["_tag"]

const tags: ReadonlySet<string> = new Set<Tag>([
  "Timeout",
  "Unauthorized",
  "BadResponse",
  "Parse",
  "Network",
  "RequestRefused",
  "LimitExceeded",
  "CircuitOpen",
  "RateLimited",
  "BulkheadFull"
])

/**
 * Whether a value is one of Courier's failures.
 *
 * @since 0.1.0
 */
export const isCourierError = (u: unknown): u is CourierError =>
  typeof u === "object" && u !== null && "_tag" in u && tags.has((u as { _tag: string })._tag) && "request" in u
