/**
 * Validation of what becomes raw bytes in the request head. A CR, LF or NUL
 * in a method, header name or value would let a value split the request
 * (request smuggling, header injection), so it is refused before any I/O.
 */

// RFC 9110 token: the only characters allowed in a method or a header name.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// A field value: visible ASCII, obs-text, space and tab. No CTLs (CR, LF, NUL...).
const fieldValue = /^[\t\x20-\x7e\x80-\xff]*$/

const ows = /^[ \t]+|[ \t]+$/g

/** Whether `s` is an RFC 9110 token: a valid method or header name. */
export const isToken = (s: string): boolean => token.test(s)

/** Whether `s` may be sent as a header value: no CR, LF, NUL or other control character. */
export const isFieldValue = (s: string): boolean => fieldValue.test(s)

/**
 * Framing and hop-by-hop headers: the transport writes them for the
 * connection it chose, and a program's value would either be refused by
 * undici at send time (after retries and logging already saw a network
 * failure) or, on fetch, describe a framing the bytes do not follow. They are
 * refused wherever headers enter a request: per call, in the client's
 * default headers and as app headers.
 */
const transportOwned = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "expect", "te", "trailer"])

/** Whether a (lower-cased) header name belongs to the transport. */
export const isTransportOwned = (lowerName: string): boolean => transportOwned.has(lowerName)

/** Why a header is refused: its name (or a safe rendering of it) and the problem, never its value. */
export type HeaderProblem = { readonly name: string; readonly problem: string }

const showName = (name: string): string => isToken(name) ? name : JSON.stringify(name.slice(0, 40))

/**
 * Lower-cases names and validates every header. Values never appear in the
 * returned problem: they may be secrets.
 */
export const normalize = (
  into: Record<string, string>,
  input: Readonly<Record<string, string | undefined>>
): HeaderProblem | undefined => {
  for (const name of Object.keys(input)) {
    const value = input[name]
    if (!isToken(name)) {
      return { name: showName(name), problem: "the header name is not a valid token" }
    }
    const lower = name.toLowerCase()
    if (value === undefined) {
      delete into[lower]
      continue
    }
    if (transportOwned.has(lower)) {
      return { name: lower, problem: "the transport sets this header itself (framing and connection handling)" }
    }
    if (typeof value !== "string") {
      return { name, problem: "the header value is not a string" }
    }
    if (!isFieldValue(value)) {
      return { name, problem: "the header value contains CR, LF, NUL or another control character" }
    }
    // undici refuses any other content-length at send time (a network failure, retried).
    if (lower === "content-length" && !/^[ \t]*\d+[ \t]*$/.test(value)) {
      return { name: lower, problem: "the value must be a non-negative integer" }
    }
    // Only optional whitespace (space, tab) is trimmed: String#trim would also
    // drop obs-text such as U+00A0, changing what the program sent.
    into[lower] = value.replace(ows, "")
  }
  return undefined
}

/** Methods Courier upper-cases; others are sent as given (they are case-sensitive). */
const standardMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])

/**
 * The method as sent: a standard one upper-cased, another token as given;
 * undefined for anything that is not a token, and for CONNECT.
 */
export const normalizeMethod = (method: string): string | undefined => {
  const upper = method.toUpperCase()
  if (standardMethods.has(upper)) return upper
  return isToken(method) && method !== "CONNECT" ? method : undefined
}
