/**
 * The redaction rules shared by everything that shows a request: logs,
 * spans, debugging output. One `Redactor` decides which headers, query
 * parameters and JSON or form fields are secrets; the Logging and Tracing
 * Layers read the current one from the `Redaction` reference, so a rule added
 * once applies everywhere.
 *
 * Names compare case-insensitively and ignore `-` and `_`, so one rule
 * `access_token` also covers `accessToken` and `Access-Token`. A rule of five
 * characters or more also matches as a suffix (`password` covers
 * `newPassword`, `token` covers `idToken`); shorter ones (`sig`, `key`,
 * `code`) match only exactly. A query or form name `a[b]` is also judged by
 * its innermost part `b`.
 *
 * @example
 * ```ts
 * import * as Redaction from "@courier/client/Redaction"
 *
 * const redactor = Redaction.make({ headers: ["x-session"], bodyFields: ["pin"] })
 * const url = redactor.url(new URL("https://api.example.com/a?access_token=abc&page=2"))
 * // "https://api.example.com/a?access_token=<redacted>&page=2"
 * const headers = redactor.headers({ "x-session": "s3cr3t", accept: "application/json" })
 * // { "x-session": "<redacted>", accept: "application/json" }
 * ```
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as internal from "./internal/redaction/rules.js"
import { Redaction } from "./internal/redaction/rules.js"

/**
 * Names to treat as secrets, added to the defaults (never replacing them).
 *
 * @since 0.1.0
 */
export interface Options {
  /** Header names whose values are replaced. */
  readonly headers?: ReadonlyArray<string> | undefined
  /** Query parameter names whose values are replaced; other values are kept. */
  readonly queryParams?: ReadonlyArray<string> | undefined
  /** JSON fields (at any depth) and form fields whose values are replaced. */
  readonly bodyFields?: ReadonlyArray<string> | undefined
}

/**
 * The complete rules of a redactor, defaults included.
 *
 * @since 0.1.0
 */
export interface Rules {
  readonly headers: ReadonlyArray<string>
  readonly queryParams: ReadonlyArray<string>
  readonly bodyFields: ReadonlyArray<string>
}

/**
 * Applies the rules. Every function is total: it never throws, whatever it
 * is given, and its output never holds a value the rules name.
 *
 * @since 0.1.0
 */
export interface Redactor {
  readonly rules: Rules
  /**
   * The URL without user info or fragment; values of the listed query
   * parameters become `<redacted>`, the others are kept.
   */
  readonly url: (url: URL) => string
  /**
   * A copy with the values of the listed headers replaced by `<redacted>`.
   * Headers whose value is a URL (`location`, `content-location`, `link`,
   * `refresh`, `referer`) keep their value with its query redacted as by
   * `url` (a relative URL stays relative; a non-http scheme is hidden whole).
   */
  readonly headers: (headers: Readonly<Record<string, string>>) => Record<string, string>
  /**
   * A body as text for a person, at most about `maxBytes` characters plus
   * `…(N bytes)` when cut:
   *
   * - JSON (`application/json`, `+json`, or text that starts with `{` or
   *   `[`): parsed, listed body fields and fields named like a listed header
   *   replaced at any depth (nesting past 32 levels becomes `<too deep>`),
   *   serialised again. A string value that is itself a JSON document is
   *   redacted the same way. Invalid JSON, or JSON over 1 MiB, is shown only
   *   as its size.
   * - `application/x-www-form-urlencoded`: listed fields (and listed query
   *   names) replaced.
   * - other text: an excerpt, control characters replaced by `?`. Secrets
   *   inside free text are not recognised by the rules; a failure (and its
   *   log line) also masks the credential values its request sent, wherever
   *   they appear in the excerpt, headers or schema issues.
   * - anything else (binary, multipart): `<N bytes>`.
   */
  readonly body: (bytes: Uint8Array, contentType: string | undefined, maxBytes: number) => string
  readonly isSensitiveHeader: (name: string) => boolean
  readonly isSensitiveQueryParam: (name: string) => boolean
  readonly isSensitiveBodyField: (name: string) => boolean
}

/**
 * What replaces a secret: `<redacted>`.
 *
 * @since 0.1.0
 */
export const placeholder: string = internal.placeholder

/**
 * The default rules. Headers: `authorization`, `proxy-authorization`,
 * `cookie`, `set-cookie`, `x-api-key`, `api-key`, `x-auth-token`,
 * `x-access-token`, `x-refresh-token`, `x-session-token`, `x-csrf-token`,
 * `x-xsrf-token`, `x-amz-security-token`. The same header list is what a
 * client drops when a redirect changes origin (with the headers of the
 * `Redaction` in the client Layer's context when it is built, and the
 * config's `credentialHeaders`). Query: `access_token`, `token`,
 * `sig`, `signature`, `key`, `api_key`, `password`, `secret`, `code`. Body
 * fields: `password`, `token`, `access_token`, `refresh_token`, `secret`,
 * `client_secret`, `api_key`.
 *
 * @since 0.1.0
 */
export const defaults: Rules = internal.defaults

/**
 * A redactor with the default rules plus `options`.
 *
 * @since 0.1.0
 */
export const make: (options?: Options) => Redactor = internal.make

/**
 * A redactor with the rules of `self` plus `options`.
 *
 * @since 0.1.0
 */
export const extend: {
  (options: Options): (self: Redactor) => Redactor
  (self: Redactor, options: Options): Redactor
} = dual(2, internal.extend)

/**
 * The current redactor (the default rules unless provided). Layers that show
 * requests read it when they are built.
 *
 * @since 0.1.0
 */
export { Redaction }

/**
 * Provides a redactor with the default rules plus `options`, for the Layers
 * built on top of it.
 *
 * @example
 * ```ts
 * import { Logging, Redaction } from "@courier/client"
 * import * as Layer from "effect/Layer"
 *
 * const Logs = Logging.layer().pipe(Layer.provide(Redaction.layer({ headers: ["x-session"] })))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<Redaction> => Layer.succeed(Redaction, make(options))
