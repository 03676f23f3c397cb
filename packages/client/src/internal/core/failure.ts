import type * as Duration from "effect/Duration"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

/**
 * Marks an error raised by the caller's request body stream. An `Error`, so
 * that it survives the trip through `fetch`: there a body stream failing
 * with any other value comes back as `new Error("[object Object]")` under
 * fetch's TypeError, and the failure read as `Unknown` instead of
 * `RequestBody`.
 *
 * @internal
 */
export class BodySourceFailure extends Error {
  readonly _tag = "BodySourceFailure"
  constructor(override readonly cause: unknown) {
    super("the request body stream failed", { cause })
  }
}

/** Marks an error raised by content decoding (corrupt gzip, say). @internal */
export class ContentDecodingFailure {
  readonly _tag = "ContentDecodingFailure"
  constructor(readonly cause: unknown) {}
}

/**
 * Marks an error raised on the way to a proxy or by its answer to the
 * tunnel request: the failure is the proxy's, named without credentials.
 *
 * @internal
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

const reasonOf = (code: string | undefined, message: string, parser: boolean): CourierError.NetworkReason => {
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

/**
 * Turns whatever the transport failed with into a Courier failure.
 *
 * @internal
 */
export const fromTransport = (
  request: CourierRequest.CourierRequest,
  cause: unknown,
  connectTimeout: Duration.Duration
): CourierError.Network | CourierError.Timeout => {
  // Already Courier's own (a transport that times its phases itself): as it is.
  if (cause instanceof CourierError.Network || cause instanceof CourierError.Timeout) return cause
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
  if (body !== undefined) {
    return new CourierError.Network({ request: request.info, reason: "RequestBody", code: undefined, cause: body.cause })
  }
  if (decoding) {
    return new CourierError.Network({ request: request.info, reason: "Protocol", code, cause })
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new CourierError.Timeout({ request: request.info, phase: "connect", duration: connectTimeout })
  }
  if (proxy !== undefined) {
    return new CourierError.Network({
      request: request.info,
      reason: "Proxy",
      code: proxy.status === undefined ? code : undefined,
      cause,
      proxy: { url: proxy.proxy, status: proxy.status }
    })
  }
  return new CourierError.Network({ request: request.info, reason: reasonOf(code, message, parser), code, cause })
}

/**
 * A failure while the body is read, the head having arrived: a connection
 * that ends then is a body cut short (`IncompleteBody`), whatever the
 * transport calls it. One rule for every transport.
 *
 * @internal
 */
export const fromBody = (
  request: CourierRequest.CourierRequest,
  cause: unknown,
  connectTimeout: Duration.Duration
): CourierError.Network | CourierError.Timeout => {
  const failure = fromTransport(request, cause, connectTimeout)
  return failure._tag === "Network" && failure.reason === "ConnectionReset"
    ? new CourierError.Network({ request: failure.request, reason: "IncompleteBody", code: failure.code, cause: failure.cause })
    : failure
}
