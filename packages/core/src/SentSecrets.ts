/**
 * The credential values a request sent, found again in what the server
 * answered. Redaction rules (secret header names, query parameters, body
 * fields) cannot see a secret in free text: a `text/plain` 401 saying
 * `invalid credentials: Bearer abc`. But the request knows what it sent, so
 * the values of its secret headers, secret query parameters and secret body
 * fields (a refresh token in a JSON or form body) are masked wherever they
 * come back. That search costs a scan of the text per secret: a line runs it
 * only when it builds a failure, never on a success.
 */
import { placeholder, type Redactor } from "./Redaction.js"

/** The rules the search reads: which names hold secrets. */
export type Rules = Pick<Redactor, "isSensitiveHeader" | "isSensitiveQueryParam" | "isSensitiveBodyField">

/**
 * A request body as a line holds it: a value to send as JSON, form fields,
 * or bytes with their content type (what a serialised JSON or form body
 * becomes). Other bodies (text, streams, multipart) are not searched.
 */
export interface Body {
  readonly _tag: string
  readonly value?: unknown
  readonly fields?: Readonly<Record<string, unknown>>
  readonly bytes?: Uint8Array
  readonly contentType?: string
}

/** What a failure knows of the request that was sent. */
export interface SentRequest {
  readonly headers: Readonly<Record<string, string>>
  readonly url?: URL | undefined
  readonly body?: Body | undefined
}

/**
 * Shorter values are not searched for: masking `1` or `on` everywhere would
 * blank the text and hide nothing worth hiding.
 */
const minSecretLength = 6
/** How a redactor marks a cut excerpt: `…(N bytes)`. */
const cutMark = /…\(\d+ bytes\)$/

const decodeBase64 = (text: string): string | undefined => {
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** Nesting and node count of a JSON body searched for secret fields: enough for any credential body, bounded for any other. */
const maxFieldDepth = 8
const maxFieldNodes = 1000

/** The string and number values under secret field names of a JSON body (before any schema encoding). */
const fieldValues = (redactor: Rules, value: unknown, add: (value: string) => void): void => {
  let nodes = 0
  const walk = (node: unknown, depth: number, secret: boolean): void => {
    if (++nodes > maxFieldNodes) return
    if (typeof node === "string" || typeof node === "number" || typeof node === "bigint") {
      if (secret) add(String(node))
      return
    }
    if (depth >= maxFieldDepth || typeof node !== "object" || node === null) return
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1, secret)
      return
    }
    for (const [name, child] of Object.entries(node)) walk(child, depth + 1, secret || redactor.isSensitiveBodyField(name))
  }
  walk(value, 0, false)
}

/** Bodies larger than this are not parsed for secret fields (a credential body is small). */
const maxParsedBody = 64 * 1024
const utf8 = new TextDecoder()

/**
 * The values of secret fields in a request body: as the program gave it
 * (`Body.json`, `Body.form`) or as the core serialised it (JSON or
 * form-encoded bytes), which is what a hop carries.
 */
const bodySecrets = (redactor: Rules, body: Body | undefined, add: (value: string) => void): void => {
  if (body === undefined) return
  switch (body._tag) {
    case "Json":
      return fieldValues(redactor, body.value, add)
    case "Form": {
      for (const [name, value] of Object.entries(body.fields ?? {})) {
        if (!redactor.isSensitiveBodyField(name)) continue
        for (const one of Array.isArray(value) ? value : [value]) if (one !== null && one !== undefined) add(String(one))
      }
      return
    }
    case "Bytes": {
      const bytes = body.bytes
      if (bytes === undefined || bytes.length > maxParsedBody) return
      const type = (body.contentType ?? "").toLowerCase()
      if (type.startsWith("application/x-www-form-urlencoded")) {
        for (const [name, value] of new URLSearchParams(utf8.decode(bytes))) {
          if (redactor.isSensitiveBodyField(name)) add(value)
        }
      } else if (/^application\/(?:[\w.+-]*\+)?json\b/.test(type)) {
        try {
          fieldValues(redactor, JSON.parse(utf8.decode(bytes)), add)
        } catch {
          // Not JSON after all: there are no fields to take secrets from.
        }
      }
      return
    }
    default:
      return
  }
}

/**
 * The credential values the request sent (secret headers, query parameters
 * and body fields), in every form a
 * server is likely to echo them: whole, without the auth scheme, a cookie's
 * values one by one, Basic credentials decoded (and the password alone), and
 * each of those JSON-escaped and percent-encoded. Longest first, so a value
 * is masked before a part of it could be.
 */
export const secretsOf = (redactor: Rules, request: SentRequest): ReadonlyArray<string> => {
  const headers = request.headers
  const found = new Set<string>()
  const add = (value: string) => {
    const trimmed = value.trim()
    if (trimmed.length >= minSecretLength) found.add(trimmed)
  }
  if (request.url !== undefined) {
    for (const [name, value] of request.url.searchParams) if (redactor.isSensitiveQueryParam(name)) add(value)
  }
  bodySecrets(redactor, request.body, add)
  for (const name of Object.keys(headers)) {
    if (!redactor.isSensitiveHeader(name)) continue
    const value = String(headers[name])
    add(value)
    const scheme = /^([A-Za-z][\w.+-]*)\s+(\S.*)$/.exec(value.trim())
    if (scheme !== null) {
      add(scheme[2])
      if (scheme[1].toLowerCase() === "basic") {
        const decoded = decodeBase64(scheme[2])
        if (decoded !== undefined) {
          add(decoded)
          const colon = decoded.indexOf(":")
          if (colon !== -1) add(decoded.slice(colon + 1))
        }
      }
    }
    for (const pair of value.split(";")) {
      const eq = pair.indexOf("=")
      if (eq > 0) add(pair.slice(eq + 1))
    }
  }
  for (const secret of Array.from(found)) {
    add(JSON.stringify(secret).slice(1, -1))
    try {
      add(encodeURIComponent(secret))
    } catch {
      // A lone surrogate has no percent-encoded form; the value itself is still masked.
    }
  }
  return Array.from(found).sort((a, b) => b.length - a.length)
}

/** `text` with every one of `secrets` (longest first, as `secretsOf` gives them) replaced by `<redacted>`. */
export const mask = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(placeholder)
  }
  return out
}

/** An excerpt cut in the middle of a secret would still show its start: that start is masked too. */
export const maskCut = (text: string, secrets: ReadonlyArray<string>): string => {
  const mark = cutMark.exec(text)
  if (mark === null) return text
  const head = text.slice(0, mark.index)
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, head.length); length >= 2; length--) {
      if (head.endsWith(secret.slice(0, length))) return `${head.slice(0, head.length - length)}${placeholder}${mark[0]}`
    }
  }
  return text
}
