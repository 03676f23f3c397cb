/**
 * A client's configuration checked and normalised, and values read from
 * the environment's text. Problems are messages worded so that the caller
 * can put the name of the setting in front (`baseUrl: ...`,
 * `COURIER_BASE_URL: ...`); durations are the caller's to read.
 */
import * as Headers from "./Headers.js"
import type * as Url from "./Url.js"
import { secretHeaders } from "./Redaction.js"

/** A value, or the problem with the input it was read from. */
export type Result<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Problem"; readonly problem: string }

const ok = <A>(value: A): Result<A> => ({ _tag: "Ok", value })
const problem = <A = never>(text: string): Result<A> => ({ _tag: "Problem", problem: text })

/** How a response body is decoded when a request does not say. */
export type ResponseType = "json" | "text" | "bytes" | "none"

/** The options `resolve` reads (a client's options but its timeouts). */
export interface Options {
  /** Requests name paths relative to it; an absolute URL to another origin is refused. No default. */
  readonly baseUrl?: string | URL | undefined
  /** Headers sent with every request. Default: `accept: application/json, text/plain, *\/*`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Redirect hops followed before `LimitExceeded`; 0 returns the 3xx as a `BadResponse`. Default 10. */
  readonly maxRedirects?: number | undefined
  /** Follow an https to http redirect. Default false: `RequestRefused("InsecureRedirect")`. */
  readonly allowInsecureRedirects?: boolean | undefined
  /** Largest response body read, counted after decompression. Default 32 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Most content encodings a response may stack (`gzip, br`). Default 2. */
  readonly maxContentEncodings?: number | undefined
  /** Other origins absolute URLs may name when a base URL is set, as `https://host[:port]`. Default none. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /** Extra secret header names: dropped when a redirect changes origin, and redacted. */
  readonly credentialHeaders?: ReadonlyArray<string> | undefined
  /** Decoding when a request names neither `schema` nor `responseType`. Default `json`. */
  readonly responseType?: ResponseType | undefined
  /** Default `repeat`. */
  readonly arrayFormat?: Url.ArrayFormat | undefined
  /** `user:pass@` in a URL: `refuse` (default) or turn it into a Basic `authorization` header. */
  readonly urlCredentials?: "refuse" | "basic" | undefined
}

/** The options normalised, defaults filled in. */
export interface Resolved extends Url.UrlConfig {
  /** Lower-cased names, validated values. */
  readonly headers: Readonly<Record<string, string>>
  readonly maxRedirects: number
  readonly allowInsecureRedirects: boolean
  readonly maxResponseBytes: number
  readonly maxContentEncodings: number
  /** Lower-cased; always includes the secret headers of the redaction defaults. */
  readonly credentialHeaders: ReadonlySet<string>
  readonly responseType: ResponseType
}

/** Whether `n` is a whole number of at least 0 that a number holds exactly. */
export const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** The origin (`scheme://host[:port]`) of an http(s) URL, or undefined. */
export const parseOrigin = (origin: string): string | undefined => {
  try {
    const url = new URL(origin)
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined
  } catch {
    return undefined
  }
}

// A value is echoed in a message only when it cannot carry a secret: a URL
// that does not parse may still hold `user:password@`.
const quote = (text: string): string => text.includes("@") ? "(value not shown)" : JSON.stringify(text)

/** The base URL: absolute, http or https, without credentials. */
export const parseBaseUrl = (value: string | URL): Result<URL> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return problem(`${quote(String(value))} is not an absolute URL`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return problem(`${quote(url.href)} must use http or https, not ${url.protocol}`)
  }
  if (url.username !== "" || url.password !== "") {
    return problem("must not embed credentials; send them with a header or the auth Layer")
  }
  return ok(url)
}

/**
 * The options checked and normalised, or the first problem, prefixed with
 * the option's name. Every check runs on the value as given: types stop
 * none of this at run time (JavaScript callers, options read from JSON).
 */
export const resolve = (options: Options): Result<Resolved> => {
  let baseUrl: URL | undefined
  if (options.baseUrl !== undefined) {
    const parsed = parseBaseUrl(options.baseUrl)
    if (parsed._tag === "Problem") return problem(`baseUrl: ${parsed.problem}`)
    baseUrl = parsed.value
  }
  const headers: Record<string, string> = { accept: "application/json, text/plain, */*" }
  const invalid = Headers.normalize(headers, options.headers ?? {})
  if (invalid !== undefined) return problem(`default header ${invalid.name}: ${invalid.problem}`)
  const maxRedirects = options.maxRedirects ?? 10
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024
  const maxContentEncodings = options.maxContentEncodings ?? 2
  for (const [name, value] of [["maxRedirects", maxRedirects], ["maxResponseBytes", maxResponseBytes], [
    "maxContentEncodings",
    maxContentEncodings
  ]] as const) {
    if (!isCount(value)) return problem(`${name}: ${value} is not a whole number of at least 0`)
  }
  const allowedOrigins = new Set<string>()
  for (const origin of options.allowedOrigins ?? []) {
    const parsed = parseOrigin(origin)
    if (parsed === undefined) return problem(`allowedOrigins: ${origin} is not an http(s) origin`)
    allowedOrigins.add(parsed)
  }
  // The secret headers of the redaction defaults are always credentials: dropped on an origin change.
  const credentialHeaders = new Set(secretHeaders)
  for (const name of options.credentialHeaders ?? []) {
    if (!Headers.isToken(name)) return problem(`credentialHeaders: ${name} is not a header name`)
    credentialHeaders.add(name.toLowerCase())
  }
  return ok({
    baseUrl,
    basePath: baseUrl === undefined ? "" : baseUrl.pathname.replace(/\/+$/, ""),
    headers,
    maxRedirects,
    allowInsecureRedirects: options.allowInsecureRedirects ?? false,
    maxResponseBytes,
    maxContentEncodings,
    allowedOrigins,
    credentialHeaders,
    responseType: options.responseType ?? "json",
    arrayFormat: options.arrayFormat ?? "repeat",
    urlCredentials: options.urlCredentials ?? "refuse"
  })
}

const booleans: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  "1": true,
  false: false,
  no: false,
  off: false,
  "0": false
}

/** A count from the environment: a whole number of at least 0. */
export const parseCount = (text: string): Result<number> => {
  const value = Number(text)
  return text.trim() !== "" && isCount(value)
    ? ok(value)
    : problem(`${JSON.stringify(text)} is not a whole number of at least 0`)
}

/** A boolean from the environment: true, false, yes, no, on, off, 1 or 0. */
export const parseBoolean = (text: string): Result<boolean> => {
  const value = Object.hasOwn(booleans, text) ? booleans[text] : undefined
  return value === undefined
    ? problem(`${JSON.stringify(text)} is not one of true, false, yes, no, on, off, 1, 0`)
    : ok(value)
}

/** Options from code win over options from the environment, field by field; timeouts and headers merge. */
export const mergeOptions = <O extends { readonly timeouts?: object | undefined; readonly headers?: object | undefined }>(
  base: O,
  overrides: O
): O => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value
  }
  merged["timeouts"] = { ...base.timeouts, ...overrides.timeouts }
  merged["headers"] = { ...base.headers, ...overrides.headers }
  return merged as O
}
