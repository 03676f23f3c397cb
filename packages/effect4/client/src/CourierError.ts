/**
 * The typed failures of a Courier request. Each is its own tagged class, so
 * program code branches with `Effect.catchTag("Timeout", ...)` and never on
 * status codes or exception classes.
 *
 * Every failure carries `request` (the method and the URL with credentials and
 * query values redacted) and a `message` a person can act on. No failure
 * holds a header value, token or password the program sent: not in its
 * message, its `toString`, nor its JSON (which lists the safe fields only,
 * never `cause`).
 *
 * @example
 * ```ts
 * import { CourierClient, CourierError } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * const findPost = (id: number) =>
 *   Effect.flatMap(CourierClient.CourierClient, (client) =>
 *     client.get("/posts/{id}", { params: { id } }).pipe(
 *       Effect.map(Option.some),
 *       Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e))
 *     ))
 * ```
 *
 * @since 0.1.0
 */
import * as FailureText from "@courier/core/FailureText"
import type * as Redirect from "@courier/core/Redirect"
import type * as TransportFailure from "@courier/core/TransportFailure"
import type * as Url from "@courier/core/Url"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import { safeJson } from "./internal/core/messages.js"

/**
 * What a failure says about the request it belongs to: safe to log.
 *
 * @since 0.1.0
 */
export interface RequestInfo extends Redirect.HopInfo {}

/**
 * The phase of a request whose time ran out.
 *
 * - `connect`: the socket (and TLS session) was not established in time.
 * - `send`: the request body was not handed to the socket in time.
 * - `receive`: no response bytes arrived for that long, while waiting for
 *   the headers or between two body chunks.
 * - `total`: the deadline over the whole call, redirects, retries and body read included.
 *
 * @since 0.1.0
 */
export type TimeoutPhase = FailureText.TimeoutPhase

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
  override toJSON(): unknown {
    return safeJson(this, ["request", "phase", "duration"])
  }
}

/**
 * Why the auth Layer gave up on a 401 (absent on a 401 the auth Layer did
 * not act on): `SessionExpired` (the refresh was rejected; sign in again) or
 * `RefreshUnavailable` (the refresh could not be done now; try again later).
 *
 * @since 0.1.0
 */
export type UnauthorizedReason = "SessionExpired" | "RefreshUnavailable"

/**
 * The server answered 401 (with the auth Layer installed: after its one
 * replay with a fresh token, or after the refresh itself failed, which
 * `reason` tells).
 *
 * @since 0.1.0
 */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly request: RequestInfo
  readonly status: number
  /** Shown through the redaction rules: secret headers replaced. */
  readonly headers: Readonly<Record<string, string>>
  readonly bodyExcerpt: string
  readonly cause?: unknown
  /** Set by the auth Layer when a refresh failed. */
  readonly reason?: UnauthorizedReason | undefined
  /**
   * Whether the request that got this 401 (the last hop) carried an
   * `Authorization` header: `false` when a cross-origin redirect dropped it,
   * so the 401 says nothing about the token.
   */
  readonly credentialsSent?: boolean | undefined
}> {
  override get message(): string {
    const where = `${this.request.method} ${this.request.url}: 401 Unauthorized`
    return this.reason === "RefreshUnavailable"
      ? `${where}; the token could not be refreshed now (the token endpoint is unavailable), the session is kept: try again later`
      : `${where}; sign in again or check the credentials`
  }
  override toJSON(): unknown {
    return safeJson(this, ["request", "status", "headers", "bodyExcerpt", "reason", "credentialsSent"])
  }
}

/**
 * The server answered with a status the request does not accept (anything
 * but 2xx, 401 and `acceptStatus`, after redirects were followed).
 * `errorBody` holds the body decoded with the request's `errorSchema`, when
 * one was given and the body matched it. `headers` and `bodyExcerpt` are
 * shown through the redaction rules.
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
  override toJSON(): unknown {
    return safeJson(this, ["request", "status", "headers", "bodyExcerpt"])
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
 * One schema issue, with the path to the offending value; the message
 * quotes no value of the body.
 *
 * @since 0.1.0
 */
export interface ParseIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The response body was not what the program expects: invalid JSON, an
 * empty body where the schema wants a value, or a value that does not match
 * the schema. `bodyExcerpt` is redacted; `issue` is the first of `issues`.
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
  /**
   * The `SyntaxError` of invalid JSON, its message without the text the
   * parser quotes; undefined otherwise (a schema error quotes the body).
   */
  readonly cause: SyntaxError | undefined
}> {
  /** The first schema issue, if any. */
  get issue(): ParseIssue | undefined {
    return this.issues[0]
  }
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
  override toJSON(): unknown {
    return safeJson(this, ["request", "status", "reason", "contentType", "issues", "bodyExcerpt"])
  }
}

/**
 * Why the transport failed. `ConnectionRefused`, `DnsLookup`, `Unreachable`
 * and `Proxy` prove that no byte of this hop's request reached the server.
 *
 * @since 0.1.0
 */
export type NetworkReason = TransportFailure.NetworkReason

/**
 * The proxy a `Proxy` failure comes from: its URL without credentials, and
 * the status it answered the tunnel request with.
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
  readonly proxy?: ProxyInfo | undefined
}> {
  /** True when the failure proves no byte of the call was sent (never after a redirect). */
  get nothingSent(): boolean {
    return (this.request.redirects ?? 0) === 0 &&
      (this.reason === "ConnectionRefused" || this.reason === "DnsLookup" || this.reason === "Unreachable" ||
        this.reason === "Proxy")
  }
  override get message(): string {
    const code = this.code === undefined ? "" : ` (${this.code})`
    return `${this.request.method} ${this.request.url}: ${FailureText.networkText[this.reason]}${code}`
  }
  override toJSON(): unknown {
    return safeJson(this, ["request", "reason", "code", "proxy"])
  }
}

/**
 * Why a request was refused before anything was sent: the URL's reasons
 * (`InvalidUrl`, `EscapesBaseUrl`, `UnsupportedScheme`, `CredentialsInUrl`,
 * `InvalidPathParameter`, `InvalidQuery`), a redirect's (`InsecureRedirect`,
 * `BodyNotReplayable`), or a header, method, body or option that cannot be
 * used (`InvalidHeader`, `InvalidMethod`, `InvalidBody`, `InvalidOption`).
 *
 * @since 0.1.0
 */
export type RefusalReason =
  | Url.RefusalReason
  | Redirect.RefusalReason
  | "InvalidHeader"
  | "InvalidMethod"
  | "InvalidBody"
  | "InvalidOption"

/**
 * The request was refused before any byte of this hop was sent: an invalid
 * URL or one that escapes the base URL, a header or method that cannot be
 * sent, a body that cannot be serialised, an invalid option, or a redirect
 * Courier will not follow.
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
  override toJSON(): unknown {
    return safeJson(this, ["request", "reason", "detail"])
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
 * `maxRedirects`, or more content encodings than `maxContentEncodings`.
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
      : `more than ${this.limit} pages`
    return `${this.request.method} ${this.request.url}: ${what}`
  }
  override toJSON(): unknown {
    return safeJson(this, ["request", "reason", "limit"])
  }
}

/**
 * Any failure of a Courier request. `E` is the type of `BadResponse.errorBody`.
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
  "LimitExceeded"
])

/**
 * Whether a value is one of Courier's failures.
 *
 * @since 0.1.0
 */
export const isCourierError = (u: unknown): u is CourierError =>
  typeof u === "object" && u !== null && "_tag" in u && tags.has((u as { _tag: string })._tag) && "request" in u
