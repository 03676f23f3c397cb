/**
 * The server's own account of its rate limit, from the IETF draft
 * "RateLimit header fields for HTTP" (httpapi-ratelimit-headers), in the
 * forms servers send today:
 *
 * - `RateLimit: limit=100, remaining=0, reset=30` (drafts 03-07, one dictionary);
 * - `RateLimit: "default";r=0;t=30` (drafts 08 and later, one item per policy);
 * - `RateLimit-Remaining: 0` with `RateLimit-Reset: 30` (the earliest drafts).
 *
 * `reset` / `t` is delay-seconds in every draft. The `X-RateLimit-*` headers
 * are left alone: their reset is an epoch time for some servers and seconds
 * for others, so reading them would guess.
 */

const integer = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined
}

/** `key=value` pairs of one member (`;`-separated parameters) or of a whole dictionary. */
const pairs = (text: string, separator: string): Map<string, string> => {
  const out = new Map<string, string>()
  for (const part of text.split(separator)) {
    const at = part.indexOf("=")
    if (at > 0) out.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim())
  }
  return out
}

/**
 * How long the headers say no request will be accepted, in milliseconds:
 * the reset of a policy whose remaining quota is zero (the longest, when
 * several are), or undefined when no quota is used up.
 */
export const exhaustedFor = (headers: Readonly<Record<string, string>>): number | undefined => {
  const field = headers["ratelimit"]
  if (field !== undefined) {
    const dictionary = pairs(field, ",")
    if (dictionary.has("remaining")) {
      const reset = integer(dictionary.get("reset"))
      return integer(dictionary.get("remaining")) === 0 && reset !== undefined ? reset * 1000 : undefined
    }
    let longest: number | undefined
    for (const item of field.split(",")) {
      const params = pairs(item, ";")
      const reset = integer(params.get("t"))
      if (integer(params.get("r")) === 0 && reset !== undefined) longest = Math.max(longest ?? 0, reset * 1000)
    }
    return longest
  }
  const reset = integer(headers["ratelimit-reset"])
  return integer(headers["ratelimit-remaining"]) === 0 && reset !== undefined ? reset * 1000 : undefined
}

/**
 * The most restrictive quota a `RateLimit-Policy` header announces, as
 * `requests` per `windowMillis`: `100;w=60` (drafts 03-07) or
 * `"default";q=100;w=60` (drafts 08 and later). Items without a window are
 * skipped; undefined when none is readable.
 */
export const policyOf = (
  headers: Readonly<Record<string, string>>
): { readonly requests: number; readonly windowMillis: number } | undefined => {
  const field = headers["ratelimit-policy"]
  if (field === undefined) return undefined
  let best: { readonly requests: number; readonly windowMillis: number } | undefined
  for (const item of field.split(",")) {
    const [head, ...rest] = item.split(";")
    const params = pairs(rest.join(";"), ";")
    const requests = integer(params.get("q")) ?? integer(head)
    const window = integer(params.get("w"))
    if (requests === undefined || requests < 1 || window === undefined || window < 1) continue
    const windowMillis = window * 1000
    if (best === undefined || requests / windowMillis < best.requests / best.windowMillis) best = { requests, windowMillis }
  }
  return best
}
