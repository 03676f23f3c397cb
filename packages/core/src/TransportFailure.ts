/**
 * What a transport failed with, read into why: node, undici and fetch
 * report the same failure in several shapes (codes, messages, `cause`
 * chains), and the marker errors below carry Courier's own reasons through
 * them.
 */

/** Why a request failed on the network. */
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
 * Marks an error raised by the caller's request body stream. An `Error`, so
 * that it survives the trip through `fetch`: there a body stream failing
 * with any other value comes back as `new Error("[object Object]")` under
 * fetch's TypeError, and the failure read as `Unknown` instead of
 * `RequestBody`.
 */
export class BodySourceFailure extends Error {
  readonly _tag = "BodySourceFailure"
  constructor(override readonly cause: unknown) {
    super("the request body stream failed", { cause })
  }
}

/** Marks an error raised by content decoding (corrupt gzip, say). */
export class ContentDecodingFailure {
  readonly _tag = "ContentDecodingFailure"
  constructor(readonly cause: unknown) {}
}

/**
 * Marks an error raised on the way to a proxy or by its answer to the
 * tunnel request: the failure is the proxy's, named without credentials.
 */
export class ProxyFailure extends Error {
  readonly _tag = "ProxyFailure"
  constructor(readonly proxy: string, readonly status: number | undefined, override readonly cause: unknown) {
    super(status === undefined ? `the proxy ${proxy} could not be reached` : `the proxy ${proxy} answered ${status}`, { cause })
  }
}

const codeOf = (u: unknown): string | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  const code = (u as { code?: unknown }).code
  return typeof code === "string" ? code : undefined
}

/** Walks `cause` chains (fetch wraps the real error in a TypeError). */
const walk = (u: unknown, visit: (u: unknown) => boolean): void => {
  let current = u
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (visit(current)) return
    if (typeof current !== "object") return
    const next = (current as { cause?: unknown }).cause
    if (next === current) return
    current = next
  }
}

const tlsCode = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_CERT)/

const reasonOf = (code: string | undefined, message: string, parser: boolean): NetworkReason => {
  // undici 7 raises HTTPParserError without a code for some parser failures (an
  // invalid status code, a bad chunk size): it is still a malformed response.
  if (parser) return "Protocol"
  if (code === undefined) {
    if (/terminated|other side closed|socket hang up/i.test(message)) return "ConnectionReset"
    // fetch refuses a long content-coding chain itself, before Courier sees the headers.
    return /too many content-encodings/i.test(message) ? "Protocol" : "Unknown"
  }
  switch (code) {
    case "ECONNREFUSED":
      return "ConnectionRefused"
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return "ConnectionReset"
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return "DnsLookup"
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return "Unreachable"
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return "IncompleteBody"
    case "UND_ERR_HEADERS_OVERFLOW":
    case "UND_ERR_INFO":
    case "UND_ERR_RESPONSE_STATUS_CODE":
      return "Protocol"
  }
  if (code.startsWith("HPE_")) return "Protocol"
  if (tlsCode.test(code)) return "Tls"
  return "Unknown"
}

/** A transport failure, classified. */
export type Classified =
  /** The caller's request body stream failed, with `cause`. */
  | { readonly _tag: "RequestBody"; readonly cause: unknown }
  /** The response's content decoding failed (corrupt gzip, say): a protocol failure. */
  | { readonly _tag: "ContentDecoding"; readonly code: string | undefined }
  /** The connection was not established in time. */
  | { readonly _tag: "ConnectTimeout" }
  /** The proxy could not be reached (no `status`) or refused the tunnel. */
  | { readonly _tag: "Proxy"; readonly proxy: string; readonly status: number | undefined; readonly code: string | undefined }
  | { readonly _tag: "Network"; readonly reason: NetworkReason; readonly code: string | undefined }

/**
 * Reads whatever the transport failed with: the marker errors first (the
 * body's, decoding's, the proxy's), then the first error code and every
 * message of the `cause` chain.
 */
export const classify = (cause: unknown): Classified => {
  let code: string | undefined
  let message = ""
  let body: BodySourceFailure | undefined
  let proxy: ProxyFailure | undefined
  let decoding = false
  let parser = false
  walk(cause, (u) => {
    if (u instanceof BodySourceFailure) {
      body = u
      return true
    }
    if (u instanceof ProxyFailure && proxy === undefined) {
      proxy = u
      return false
    }
    if (u instanceof ContentDecodingFailure) {
      decoding = true
      code = codeOf(u.cause)
      return true
    }
    const c = codeOf(u)
    if (c !== undefined && code === undefined) code = c
    // Every message of the chain: fetch says "fetch failed" and puts why in its cause.
    if (u instanceof Error) {
      message = message === "" ? u.message : `${message}\n${u.message}`
      if (u.name === "HTTPParserError") parser = true
    }
    return false
  })
  if (body !== undefined) return { _tag: "RequestBody", cause: body.cause }
  if (decoding) return { _tag: "ContentDecoding", code }
  if (code === "UND_ERR_CONNECT_TIMEOUT") return { _tag: "ConnectTimeout" }
  if (proxy !== undefined) {
    return { _tag: "Proxy", proxy: proxy.proxy, status: proxy.status, code: proxy.status === undefined ? code : undefined }
  }
  return { _tag: "Network", reason: reasonOf(code, message, parser), code }
}

/**
 * The reason of a failure met while the response body is read, the head
 * having arrived: a connection that ends then is a body cut short
 * (`IncompleteBody`), whatever the transport calls it. One rule for every
 * transport of every line.
 */
export const inBody = (reason: NetworkReason): NetworkReason => reason === "ConnectionReset" ? "IncompleteBody" : reason
