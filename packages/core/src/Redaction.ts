/**
 * The redaction rules and the code that applies them. Everything here is
 * total: a redactor never throws, whatever bytes or names it is given, since
 * it runs inside loggers and span recorders where an exception would lose the
 * very line that was being written.
 */
import * as Url from "./Url.js"

/** Names to redact, added to a redactor's rules. */
export interface Options {
  /** Header names whose values are replaced. */
  readonly headers?: ReadonlyArray<string> | undefined
  /** Query parameter names whose values are replaced; other values are kept. */
  readonly queryParams?: ReadonlyArray<string> | undefined
  /** JSON fields (at any depth) and form fields whose values are replaced. */
  readonly bodyFields?: ReadonlyArray<string> | undefined
}

/** The complete rules of a redactor (lower-cased names). */
export interface Rules {
  readonly headers: ReadonlyArray<string>
  readonly queryParams: ReadonlyArray<string>
  readonly bodyFields: ReadonlyArray<string>
}

/**
 * Turns URLs, headers and bodies into text that is safe to log. Names
 * match whatever their case and `-`/`_` spelling; rules of five characters
 * or more also match as a suffix (`newPassword`), and `a[b][token]` matches
 * on its innermost bracket.
 */
export interface Redactor {
  readonly rules: Rules
  /** The URL without user info or fragment; values of the listed query parameters become `<redacted>`. */
  readonly url: (url: URL) => string
  /**
   * A copy with the values of the listed headers replaced by `<redacted>`;
   * headers whose value is a URL keep it with its query redacted as by `url`.
   */
  readonly headers: (headers: Readonly<Record<string, string>>) => Record<string, string>
  /**
   * A body as text for a person, at most about `maxBytes` characters plus
   * `…(N bytes)` when cut: JSON with listed fields replaced at any depth,
   * a form with listed fields replaced, other text as an excerpt with
   * control characters replaced, anything else as `<N bytes>`.
   */
  readonly body: (bytes: Uint8Array, contentType: string | undefined, maxBytes: number) => string
  readonly isSensitiveHeader: (name: string) => boolean
  readonly isSensitiveQueryParam: (name: string) => boolean
  readonly isSensitiveBodyField: (name: string) => boolean
}

/** What a redacted value is replaced with. */
export const placeholder = "<redacted>"

/**
 * The secret headers. The same list drives redaction and the redirect rule
 * that drops credentials on an origin change: a header worth hiding in a log
 * is worth keeping from another origin.
 */
export const secretHeaders: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-refresh-token",
  "x-session-token",
  "x-csrf-token",
  "x-xsrf-token",
  "x-amz-security-token"
]

/** The default rules: common credential headers, query parameters and body fields. */
export const defaults: Rules = {
  headers: secretHeaders,
  queryParams: ["access_token", "token", "sig", "signature", "key", "api_key", "password", "secret", "code"],
  bodyFields: ["password", "token", "access_token", "refresh_token", "secret", "client_secret", "api_key"]
}

/** JSON nesting walked before a subtree is replaced; the walk recurses, so it must stay shallow. */
const maxDepth = 32
/** Larger JSON bodies are not parsed at all: shown as a size, never as text. */
const parseLimit = 1024 * 1024
/** Strings longer than this are not searched for an embedded JSON document. */
const nestedLimit = 64 * 1024
/** Rules at least this long also match as a suffix (`newPassword`, `idToken`); short ones (`sig`, `key`) only exactly. */
const suffixMinLength = 5

/**
 * `accessToken`, `access_token`, `Access-Token` and `ACCESS_TOKEN` are one
 * name: APIs spell the same secret every way (the auth Layer's own refresh
 * body is camelCase).
 */
const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, "")

interface Matcher {
  readonly exact: ReadonlySet<string>
  readonly suffixes: ReadonlyArray<string>
}

const matcher = (names: ReadonlyArray<string>): Matcher => {
  const exact = new Set<string>()
  for (const name of names) {
    const normalized = normalize(name)
    if (normalized !== "") exact.add(normalized)
  }
  return { exact, suffixes: Array.from(exact).filter((name) => name.length >= suffixMinLength) }
}

const matchesNormalized = (m: Matcher, normalized: string): boolean => {
  if (m.exact.has(normalized)) return true
  for (const suffix of m.suffixes) {
    if (normalized.length > suffix.length && normalized.endsWith(suffix)) return true
  }
  return false
}

/** Also checks the innermost bracket of `user[password]` or `a[b][token]`. */
const matches = (m: Matcher, name: string): boolean => {
  const normalized = normalize(name)
  if (matchesNormalized(m, normalized)) return true
  const open = normalized.lastIndexOf("[")
  if (open === -1) return false
  const inner = normalized.slice(open + 1).replace(/\]+$/, "")
  return inner !== "" && matchesNormalized(m, inner)
}

const union = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const name of a ?? []) if (typeof name === "string") out.add(name.toLowerCase())
  for (const name of b ?? []) if (typeof name === "string") out.add(name.toLowerCase())
  return Array.from(out)
}

const textDecoder = new TextDecoder()

// Control characters (but tab and newline) would let a body forge log lines
// or terminal escapes in a plain-text logger.
// eslint-disable-next-line no-control-regex
const controls = /[\x00-\x08\x0b-\x1f\x7f]/g

const truncate = (text: string, total: number, maxBytes: number): string => {
  const limit = Math.max(0, Math.floor(maxBytes))
  if (text.length <= limit) return text
  let cut = limit
  // Do not split a surrogate pair.
  if (cut > 0 && cut < text.length) {
    const code = text.charCodeAt(cut - 1)
    if (code >= 0xd800 && code <= 0xdbff) cut--
  }
  return `${text.slice(0, cut)}…(${total} bytes)`
}

const mimeOf = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined) return undefined
  const mime = contentType.split(";", 1)[0].trim().toLowerCase()
  return mime === "" ? undefined : mime
}

const isJsonMime = (mime: string): boolean =>
  mime === "application/json" || mime.endsWith("+json") || mime === "text/json"

const isTextMime = (mime: string): boolean =>
  mime.startsWith("text/") || mime === "application/xml" || mime.endsWith("+xml") ||
  mime === "application/javascript" || mime === "application/graphql"

/**
 * Valid UTF-8 with no control characters but whitespace: safe to show as
 * text. Streaming mode, so a prefix that cuts a character is still text.
 */
const decodeText = (bytes: Uint8Array): string | undefined => {
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true })
  } catch {
    return undefined
  }
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0e-\x1f\x7f]/.test(text) ? undefined : text
}

const looksLikeJson = (text: string): boolean => {
  const first = text.trimStart().charAt(0)
  return first === "{" || first === "["
}

/** Response headers whose value is a URL (or holds URLs): their query values are redacted like a request URL's. */
const urlHeaders: ReadonlySet<string> = new Set(["location", "content-location", "link", "refresh", "referer"])
const relativeBase = "http://relative.invalid"
const schemePrefix = /^([a-zA-Z][a-zA-Z\d+\-.]*):/

/**
 * One URL (absolute or relative) through `url`. A relative one is resolved
 * against a placeholder origin that is then cut off again, so its query is
 * redacted the same way.
 */
const urlValue = (url: (url: URL) => string, text: string): string => {
  const trimmed = text.trim()
  const scheme = schemePrefix.exec(trimmed)
  if (scheme !== null) {
    const protocol = scheme[1].toLowerCase()
    // An app link (`myapp://callback?code=...`) is not shown at all.
    if (protocol !== "http" && protocol !== "https") return `${protocol}:${placeholder}`
    try {
      return url(new URL(trimmed))
    } catch {
      return "<invalid url>"
    }
  }
  try {
    const resolved = new URL(trimmed, relativeBase)
    const shown = url(resolved)
    return resolved.origin === relativeBase ? shown.slice(relativeBase.length) : shown
  } catch {
    return "<invalid url>"
  }
}

/** `Link: <url>; rel=next`, `Refresh: 5; url=...` and plain `Location: url`. */
const urlHeaderValue = (url: (url: URL) => string, name: string, value: string): string => {
  if (name === "link") return value.replace(/<([^>]*)>/g, (_, inner: string) => `<${urlValue(url, inner)}>`)
  if (name === "refresh") {
    return value.replace(/(url\s*=\s*)(['"]?)([^'"]*)\2/i, (_, prefix: string, quote: string, inner: string) =>
      `${prefix}${quote}${urlValue(url, inner)}${quote}`)
  }
  return urlValue(url, value)
}

/**
 * Builds a redactor from complete rules (the defaults already merged in).
 */
export const fromRules = (rules: Rules): Redactor => {
  const headerRules = matcher(rules.headers)
  const queryRules = matcher(rules.queryParams)
  // A JSON field named like a credential header (an echoed request, a
  // serialised header map) holds that credential.
  const fieldRules = matcher([...rules.bodyFields, ...rules.headers])
  // A form body carries the same names a query does.
  const formRules = matcher([...rules.bodyFields, ...rules.queryParams])
  const keepQuery = (name: string): boolean => !matches(queryRules, name)

  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return nested(value, depth)
    if (value === null || typeof value !== "object") return value
    if (depth >= maxDepth) return "<too deep>"
    if (Array.isArray(value)) {
      const out: Array<unknown> = new Array(value.length)
      for (let i = 0; i < value.length; i++) out[i] = walk(value[i], depth + 1)
      return out
    }
    // A null prototype, so a `__proto__` key from the wire stays a plain key.
    const out: Record<string, unknown> = Object.create(null)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      out[key] = matches(fieldRules, key) ? placeholder : walk(record[key], depth + 1)
    }
    return out
  }

  /**
   * A string that is itself a JSON document (an echoed request, a queued
   * message, GraphQL variables) is redacted as one, so its fields do not
   * slip through as an opaque string.
   */
  const nested = (text: string, depth: number): string => {
    if (text.length < 2 || text.length > nestedLimit || !looksLikeJson(text)) return text
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      // Cut or broken JSON cannot be redacted field by field.
      return `<${text.length} characters of invalid JSON>`
    }
    if (parsed === null || typeof parsed !== "object") return text
    return JSON.stringify(walk(parsed, depth + 1))
  }

  const jsonText = (text: string, total: number, maxBytes: number): string => {
    if (total > parseLimit) return `<${total} bytes of JSON, too large to redact>`
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      // An excerpt of invalid (or cut) JSON cannot be redacted field by
      // field, so none of it is shown.
      return `<${total} bytes of invalid JSON>`
    }
    let out: string | undefined
    try {
      out = JSON.stringify(walk(parsed, 0))
    } catch {
      out = undefined
    }
    return out === undefined ? `<${total} bytes of JSON>` : truncate(out, total, maxBytes)
  }

  const formText = (text: string, total: number, maxBytes: number): string => {
    const parts: Array<string> = []
    let size = 0
    for (const [name, value] of new URLSearchParams(text)) {
      const part = `${encodeURIComponent(name)}=${matches(formRules, name) ? placeholder : encodeURIComponent(value)}`
      parts.push(part)
      size += part.length + 1
      // Enough for the excerpt: the rest would be cut anyway.
      if (size > maxBytes) break
    }
    return truncate(parts.join("&"), total, maxBytes)
  }

  const body = (bytes: Uint8Array, contentType: string | undefined, maxBytes: number): string => {
    try {
      const total = bytes.byteLength
      if (total === 0) return ""
      const mime = mimeOf(contentType)
      if (mime !== undefined && isJsonMime(mime)) {
        return total > parseLimit
          ? `<${total} bytes of JSON, too large to redact>`
          : jsonText(textDecoder.decode(bytes), total, maxBytes)
      }
      if (mime === "application/x-www-form-urlencoded") {
        // Only the part that can be shown is decoded; a cut pair at the end is harmless.
        return formText(textDecoder.decode(bytes.subarray(0, Math.max(0, maxBytes) * 4 + 1024)), total, maxBytes)
      }
      if (mime !== undefined && !isTextMime(mime)) return `<${total} bytes>`
      // Text, or no content type: shown if it is text. A JSON document is
      // redacted like one even when labelled text/plain (or not labelled).
      const prefix = bytes.subarray(0, Math.min(total, Math.max(0, maxBytes) * 4 + 4))
      // Without a content type, bytes that are not clean UTF-8 text are binary.
      const head = mime === undefined ? decodeText(prefix) : new TextDecoder().decode(prefix, { stream: true })
      if (head === undefined) return `<${total} bytes>`
      if (looksLikeJson(head)) {
        return total > parseLimit
          ? `<${total} bytes of JSON, too large to redact>`
          : jsonText(textDecoder.decode(bytes), total, maxBytes)
      }
      return truncate(head.replace(controls, "?"), total, maxBytes)
    } catch {
      return `<${bytes.byteLength} bytes>`
    }
  }

  const url = (url: URL): string => {
    try {
      return Url.redact(url, keepQuery)
    } catch {
      return "<invalid url>"
    }
  }

  return {
    rules,
    url,
    headers: (headers) => {
      const out: Record<string, string> = {}
      for (const name of Object.keys(headers)) {
        const value = headers[name]
        const text = typeof value === "string" ? value : String(value)
        out[name] = matches(headerRules, name)
          ? placeholder
          : urlHeaders.has(name.toLowerCase())
          ? urlHeaderValue(url, name.toLowerCase(), text)
          : text
      }
      return out
    },
    body,
    isSensitiveHeader: (name) => matches(headerRules, name),
    isSensitiveQueryParam: (name) => matches(queryRules, name),
    isSensitiveBodyField: (name) => matches(fieldRules, name)
  }
}

/** A redactor with `options` added to the rules of `self`. */
export const extend = (self: Redactor, options: Options): Redactor =>
  fromRules({
    headers: union(self.rules.headers, options.headers),
    queryParams: union(self.rules.queryParams, options.queryParams),
    bodyFields: union(self.rules.bodyFields, options.bodyFields)
  })

/** The redactor of the default rules. */
export const defaultRedactor: Redactor = fromRules(defaults)

/**
 * The redactor a client uses: the one in context, plus the headers its
 * configuration names as credentials (`credentialHeaders`), which must never
 * be shown either.
 */
export const forClient = (
  self: Redactor,
  credentialHeaders: Iterable<string>
): Redactor => {
  const missing = [...credentialHeaders].filter((name) => !self.isSensitiveHeader(name))
  return missing.length === 0 ? self : extend(self, { headers: missing })
}

/** A redactor of the default rules, plus `options` when given. */
export const make = (options?: Options): Redactor =>
  options === undefined ? defaultRedactor : extend(defaultRedactor, options)
