import type * as CourierConfig from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as Url from "../../Url.js"

/** A refusal before any I/O: the reason and a detail that holds no secret. @internal */
export interface Refusal {
  readonly reason: CourierError.RefusalReason
  readonly detail: string
}

/** @internal */
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

/** Fills `{name}` placeholders, each value percent-encoded as one segment. @internal */
export const fillTemplate = (
  path: string,
  params: Url.PathParams | undefined
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
  value: Url.QueryValue
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

/** Serialises a query record into `search`. @internal */
export const appendQuery = (
  search: URLSearchParams,
  query: Url.Query,
  format: CourierConfig.ArrayFormat
): Refusal | undefined => {
  for (const key of Object.keys(query)) {
    const value = query[key]
    if (Array.isArray(value)) {
      if (format === "csv") {
        const parts: Array<string> = []
        for (const item of value as ReadonlyArray<Url.QueryValue>) {
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
      for (const item of value as ReadonlyArray<Url.QueryValue>) {
        const problem = appendValue(search, name, item)
        if (problem !== undefined) return problem
      }
      continue
    }
    const problem = appendValue(search, key, value as Url.QueryValue)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * Joins the base URL and a path, fills path parameters, adds the query and
 * enforces the origin rules. The checks run on the URL as the parser
 * normalised it, so dot segments, percent-encoded dots and backslashes are
 * judged by where they really lead.
 *
 * @internal
 */
export const build = (
  config: CourierConfig.ResolvedConfig,
  path: string,
  params: Url.PathParams | undefined,
  query: Url.Query | undefined
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
 *
 * @internal
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
 *
 * @internal
 */
export const redactText = (
  input: string,
  config: Pick<CourierConfig.ResolvedConfig, "baseUrl" | "basePath">
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
