/**
 * Which proxy a request goes through: the explicit `proxy` option, or the
 * environment's `http_proxy` / `https_proxy` / `all_proxy` (lower case
 * first, then upper case, as curl reads them), minus the hosts `no_proxy`
 * lists. The proxy itself is undici's `ProxyAgent`; this module only
 * decides, and keeps the credentials out of everything a person sees.
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Net from "node:net"

/** An environment to read the proxy variables from (`process.env` by default). @internal */
export type Environment = Readonly<Record<string, string | undefined>>

/** A proxy, parsed once: where it is, what it is called in messages, and its credentials. @internal */
export interface Proxy {
  /** `http://host:port`, no credentials: what undici connects to. */
  readonly uri: string
  /** The same, for messages and failures: never carries the credentials. */
  readonly display: string
  /** `Basic ...` when the URL carried user info; sent only to the proxy, in its own header. */
  readonly authorization: Redacted.Redacted<string> | undefined
}

/** Where requests go: a proxy per scheme (or none) and the hosts that bypass them. @internal */
export interface Routing {
  readonly http: Proxy | undefined
  readonly https: Proxy | undefined
  readonly noProxy: NoProxy
}

/**
 * A proxy URL: `http://` or `https://`, or `host:port` with no scheme
 * (read as `http://`, as curl does). The message never repeats the value:
 * it may hold a password.
 *
 * @internal
 */
export const parseProxy = (value: string | URL | Redacted.Redacted<string>): Either.Either<Proxy, string> => {
  const text = Redacted.isRedacted(value) ? Redacted.value(value) : String(value)
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
  } catch {
    return Either.left("is not a URL (value not shown)")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`has the scheme ${url.protocol.slice(0, -1)}; only http and https proxies are supported`)
  }
  if (url.hostname === "") return Either.left("has no host (value not shown)")
  const authorization = url.username === "" && url.password === ""
    ? undefined
    : Redacted.make(
      `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`
    )
  const uri = `${url.protocol}//${url.host}`
  return Either.right({ uri, display: uri, authorization })
}

/** The proxy variables of an environment, each named for messages. @internal */
export const fromEnvironment = (env: Environment): {
  readonly http: { readonly name: string; readonly value: string } | undefined
  readonly https: { readonly name: string; readonly value: string } | undefined
  readonly noProxy: string | undefined
} => {
  // The first variable set to something other than blanks.
  const pick = (names: ReadonlyArray<string>) => {
    for (const name of names) {
      const value = env[name]
      if (value !== undefined && value.trim() !== "") return { name, value: value.trim() }
    }
    return undefined
  }
  return {
    http: pick(["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
    https: pick(["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
    noProxy: pick(["no_proxy", "NO_PROXY"])?.value
  }
}

/**
 * `no_proxy` as curl reads it: a list separated by commas (or spaces);
 * `*` alone bypasses every proxy; a host name matches itself and its
 * subdomains (a leading `.` or `*.` is ignored); an IP address matches
 * itself, and an address with a prefix length (`10.0.0.0/8`) its range.
 * Ports are not part of the match.
 *
 * @internal
 */
export interface NoProxy {
  readonly matches: (hostname: string) => boolean
}

export const parseNoProxy = (value: string | undefined): NoProxy => {
  const entries = (value ?? "").split(/[,\s]+/).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "")
  if (entries.includes("*")) return { matches: () => true }
  const names: Array<string> = []
  const ranges = new Net.BlockList()
  let anyRange = false
  for (const raw of entries) {
    // A port on an address is ignored, as on a name: `127.0.0.1:8080`, `[::1]:8080`.
    const entry = raw.replace(/^\[([^\]]+)\](?::\d+)?/, "$1").replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+/, "$1")
    const [address, bits] = entry.split("/") as [string, string | undefined]
    const family = Net.isIP(address)
    if (family !== 0) {
      const type = family === 4 ? "ipv4" : "ipv6"
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits)
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) {
        ranges.addSubnet(address, prefix, type)
        anyRange = true
      }
      continue
    }
    names.push(entry.replace(/^\*?\./, "").replace(/:\d+$/, ""))
  }
  return {
    matches: (host) => {
      const hostname = host.replace(/^\[|\]$/g, "").toLowerCase()
      const family = Net.isIP(hostname)
      if (family !== 0) return anyRange && ranges.check(hostname, family === 4 ? "ipv4" : "ipv6")
      return names.some((name) => hostname === name || hostname.endsWith(`.${name}`))
    }
  }
}

/** The proxy for a request's origin, or undefined when it goes direct. @internal */
export const proxyFor = (routing: Routing, url: URL): Proxy | undefined => {
  const proxy = url.protocol === "https:" ? routing.https : url.protocol === "http:" ? routing.http : undefined
  return proxy === undefined || routing.noProxy.matches(url.hostname) ? undefined : proxy
}
