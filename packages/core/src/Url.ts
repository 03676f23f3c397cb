/**
 * URLs as Courier builds and shows them: the base URL and a path joined,
 * `{name}` placeholders filled, a query serialised, the origin rules
 * enforced, and the redacted form failures and logs show.
 */

/** Why a URL is refused before any I/O. */
export type RefusalReason =
  | "InvalidUrl"
  | "EscapesBaseUrl"
  | "UnsupportedScheme"
  | "CredentialsInUrl"
  | "InvalidPathParameter"
  | "InvalidQuery"

/** A value of one query parameter; `undefined` and `null` are left out. */
export type QueryValue = string | number | boolean | bigint | Date | null | undefined

/** Query parameters: a value or a list of values per name. */
export type Query = Readonly<Record<string, QueryValue | ReadonlyArray<QueryValue>>>

/** Values for `{name}` placeholders in a path. */
export type PathParams = Readonly<Record<string, string | number | bigint>>

/** How a list is written in a query: `a=1&a=2`, `a=1,2` or `a[]=1&a[]=2`. */
export type ArrayFormat = "repeat" | "csv" | "brackets"

/** What `build` reads of a client's configuration. */
export interface UrlConfig {
  readonly baseUrl: URL | undefined
  /** The base URL's path without its trailing slash; `""` for none. */
  readonly basePath: string
  /** Origins besides the base URL's that a full URL may name. */
  readonly allowedOrigins: ReadonlySet<string>
  readonly arrayFormat: ArrayFormat
  /** `user:pass@` in a URL: refused, or sent as a Basic header. */
  readonly urlCredentials: "refuse" | "basic"
}

/** A refusal before any I/O: the reason and a detail that holds no secret. */
export interface Refusal {
  readonly reason: RefusalReason
  readonly detail: string
}

/** */
export interface Built {
  readonly url: URL
  /** `user:pass@` removed from the URL, to be sent as a Basic header. */
  readonly basicAuth: string | undefined
}

const schemePrefix = /^([a-zA-Z][a-zA-Z\d+\-.]*):/
// Two leading slashes or backslashes: browsers and the URL parser read a
// protocol-relative URL (another host), not a path.
const protocolRelative = /^[\\/]{2}/
const placeholder = /\{([^{}]*)\}/g

const encodeSegment = (name: string, value: unknown): string | Refusal => {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
    return { reason: "InvalidPathParameter", detail: `path parameter ${name} must be a string or a number` }
  }
  const text = String(value)
  // The URL parser turns "." and ".." segments (also as %2e) into navigation;
  // no encoding keeps them a plain segment, so they are refused.
  if (text === "" || text === "." || text === "..") {
    return { reason: "InvalidPathParameter", detail: `path parameter ${name} must not be empty, "." or ".."` }
  }
  // A lone surrogate has no UTF-8 form: encodeURIComponent would throw.
  if (!isWellFormed(text)) {
    return { reason: "InvalidPathParameter", detail: `path parameter ${name} is not well-formed Unicode (a lone surrogate)` }
  }
  return encodeURIComponent(text)
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const isWellFormed = (text: string): boolean => !loneSurrogate.test(text)

/** Percent-decodes user info; undefined when it is not valid UTF-8 once decoded. */
const decodeUserInfo = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Fills `{name}` placeholders, each value percent-encoded as one segment. */
export const fillTemplate = (
  path: string,
  params: PathParams | undefined
): string | Refusal => {
  if (!path.includes("{")) return path
  let refusal: Refusal | undefined
  const filled = path.replace(placeholder, (_, name: string) => {
    if (refusal !== undefined) return ""
    if (params === undefined || !Object.prototype.hasOwnProperty.call(params, name)) {
      refusal = { reason: "InvalidPathParameter", detail: `path parameter ${name} is missing` }
      return ""
    }
    const encoded = encodeSegment(name, params[name])
    if (typeof encoded !== "string") {
      refusal = encoded
      return ""
    }
    return encoded
  })
  return refusal ?? filled
}

const isCleanPrefix = (pathname: string, basePath: string): boolean =>
  basePath === "" || pathname === basePath || pathname.startsWith(basePath + "/")

const appendValue = (
  search: URLSearchParams,
  key: string,
  value: QueryValue
): Refusal | undefined => {
  if (value === undefined || value === null) return undefined
  switch (typeof value) {
    case "string":
      search.append(key, value)
      return undefined
    case "number":
    case "boolean":
    case "bigint":
      search.append(key, String(value))
      return undefined
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { reason: "InvalidQuery", detail: `query parameter ${key} is an invalid Date` }
    search.append(key, value.toISOString())
    return undefined
  }
  return { reason: "InvalidQuery", detail: `query parameter ${key} must be a string, number, boolean or Date` }
}

/** Serialises a query record into `search`. */
export const appendQuery = (
  search: URLSearchParams,
  query: Query,
  format: ArrayFormat
): Refusal | undefined => {
  for (const key of Object.keys(query)) {
    const value = query[key]
    if (Array.isArray(value)) {
      if (format === "csv") {
        const parts: Array<string> = []
        for (const item of value as ReadonlyArray<QueryValue>) {
          if (item === undefined || item === null) continue
          const one = new URLSearchParams()
          const problem = appendValue(one, key, item)
          if (problem !== undefined) return problem
          parts.push(one.get(key)!)
        }
        if (parts.length > 0) search.append(key, parts.join(","))
        continue
      }
      const name = format === "brackets" ? `${key}[]` : key
      for (const item of value as ReadonlyArray<QueryValue>) {
        const problem = appendValue(search, name, item)
        if (problem !== undefined) return problem
      }
      continue
    }
    const problem = appendValue(search, key, value as QueryValue)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * Joins the base URL and a path, fills path parameters, adds the query and
 * enforces the origin rules. The checks run on the URL as the parser
 * normalised it, so dot segments, percent-encoded dots and backslashes are
 * judged by where they really lead.
 */
export const build = (
  config: UrlConfig,
  path: string,
  params: PathParams | undefined,
  query: Query | undefined
): Built | Refusal => {
  const filled = fillTemplate(path, params)
  if (typeof filled !== "string") return filled
  const scheme = schemePrefix.exec(filled)
  const base = config.baseUrl
  let url: URL
  let relative = false
  if (scheme !== null) {
    // Refuse before parsing: a data: URL can be large, and nothing of it is needed.
    const protocol = scheme[1].toLowerCase()
    if (protocol !== "http" && protocol !== "https") {
      return { reason: "UnsupportedScheme", detail: `only http and https are supported, not ${protocol}:` }
    }
    const parsed = parse(filled)
    if (parsed === undefined) return { reason: "InvalidUrl", detail: "the URL cannot be parsed" }
    url = parsed
  } else if (protocolRelative.test(filled)) {
    const parsed = base === undefined ? undefined : parse(filled, base)
    if (parsed === undefined) return { reason: "InvalidUrl", detail: "a protocol-relative URL needs a base URL" }
    url = parsed
  } else {
    if (base === undefined) {
      return { reason: "InvalidUrl", detail: "the URL is relative and no baseUrl is configured" }
    }
    relative = true
    const rest = filled.startsWith("/") ? filled.slice(1) : filled
    const parsed = parse(`${base.origin}${config.basePath}/${rest}`)
    if (parsed === undefined) return { reason: "InvalidUrl", detail: "the URL cannot be parsed" }
    url = parsed
    if (base.search !== "") {
      // Keep the base URL's own query parameters, ahead of the request's.
      const merged = new URLSearchParams(base.search)
      for (const [k, v] of url.searchParams) merged.append(k, v)
      url.search = merged.toString()
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { reason: "UnsupportedScheme", detail: `only http and https are supported, not ${url.protocol}` }
  }
  if (base !== undefined && url.origin !== base.origin && !config.allowedOrigins.has(url.origin)) {
    return {
      reason: "EscapesBaseUrl",
      detail: `${url.origin} is not the base URL's origin; add it to allowedOrigins to allow it`
    }
  }
  if (relative && !isCleanPrefix(url.pathname, config.basePath)) {
    return { reason: "EscapesBaseUrl", detail: `the path leaves the base path ${config.basePath}` }
  }
  let basicAuth: string | undefined
  if (url.username !== "" || url.password !== "") {
    if (config.urlCredentials === "refuse") {
      return {
        reason: "CredentialsInUrl",
        detail: "the URL embeds credentials; send them in a header, or set urlCredentials: \"basic\""
      }
    }
    const user = decodeUserInfo(url.username)
    const pass = decodeUserInfo(url.password)
    if (user === undefined || pass === undefined) {
      return { reason: "CredentialsInUrl", detail: "the credentials in the URL are not valid percent-encoded UTF-8" }
    }
    basicAuth = "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${pass}`)))
    url.username = ""
    url.password = ""
  }
  if (query !== undefined) {
    const problem = appendQuery(url.searchParams, query, config.arrayFormat)
    if (problem !== undefined) return problem
  }
  // The setter re-serialises the whole URL: only when there is a fragment
  // (an empty one too, which `hash` reads as "" but `href` still ends in "#").
  if (url.href.includes("#")) url.hash = ""
  return { url, basicAuth }
}

const parse = (input: string, base?: URL): URL | undefined => {
  try {
    return new URL(input, base)
  } catch {
    return undefined
  }
}

/**
 * The URL as failures and logs show it: no user info, every query value
 * replaced. `keep` names query parameters whose values may be shown.
 */
export const redact = (url: URL, keep?: (name: string) => boolean): string => {
  let out = `${url.protocol}//${url.host}${url.pathname}`
  if (url.search !== "") {
    const parts: Array<string> = []
    for (const [name, value] of url.searchParams) {
      parts.push(`${encodeURIComponent(name)}=${keep !== undefined && keep(name) ? encodeURIComponent(value) : "<redacted>"}`)
    }
    out += "?" + parts.join("&")
  }
  return out
}

/**
 * Redacts a URL given as text (possibly invalid) for a failure message. A
 * relative path is joined under the base path as `build` joins it (a leading
 * slash does not leave the base path), so the failure names the URL the call
 * would have reached.
 */
export const redactText = (
  input: string,
  config: Pick<UrlConfig, "baseUrl" | "basePath">
): string => {
  const scheme = schemePrefix.exec(input)
  const protocol = scheme === null ? undefined : scheme[1].toLowerCase()
  // Never echo an unparseable or foreign URL in full: it may hold a secret.
  // A foreign one is not even parsed: a data: URL can be very large.
  if (protocol !== undefined && protocol !== "http" && protocol !== "https") return `${protocol}:<redacted>`
  const base = config.baseUrl
  const url = protocol === undefined && base !== undefined && !protocolRelative.test(input)
    ? parse(`${base.origin}${config.basePath}/${input.startsWith("/") ? input.slice(1) : input}`)
    : parse(input, base)
  if (url !== undefined && (url.protocol === "http:" || url.protocol === "https:")) return redact(url)
  return protocol !== undefined ? `${protocol}:<redacted>` : "<invalid url>"
}
