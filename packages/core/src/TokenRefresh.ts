/**
 * What a token endpoint's answer means for a session, and how an OAuth 2.0
 * refresh is framed (RFC 6749). A session ends only when the endpoint said
 * no; an endpoint that is down must not log everyone out.
 */

import { isFieldValue } from "./Headers.js"

/**
 * Whether a refreshed access token can be sent as `<scheme> <token>`: not
 * empty (an endpoint answering `""` would have every later request go out
 * as a bare `Bearer`) and a valid header value (no CR, LF, NUL or other
 * control character). A refresh answering with one that cannot is a
 * failed refresh that ends the session, like a rejected one: storing it
 * would fail every later request and hide that the session is gone.
 */
export const isSendableAccessToken = (scheme: string, token: string): boolean =>
  token.trim() !== "" && isFieldValue(`${scheme} ${token}`)

/** Statuses of the token endpoint that reject the refresh token itself. */
const rejections: ReadonlySet<number> = new Set([400, 401, 403])

/**
 * OAuth2 error codes (RFC 6749 section 5.2) some token endpoints send with a
 * 400 when they are down or overloaded: not a rejection.
 */
const unavailableCodes: ReadonlySet<string> = new Set(["temporarily_unavailable", "server_error"])

/** The OAuth2 `error` of a decoded error body, if it has one. */
export const oauth2ErrorCode = (body: unknown): string | undefined =>
  typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
    ? (body as { error: string }).error
    : undefined

/** Whether an answer of the token endpoint (status and OAuth2 error code) rejects the refresh: the session ends. */
export const rejectsRefresh = (status: number, oauth2Error: string | undefined): boolean =>
  rejections.has(status) && (oauth2Error === undefined || !unavailableCodes.has(oauth2Error))

/** What the session rule reads of a failure of the refresh call: its tag, status and decoded error body. */
export interface CallFailure {
  readonly _tag: string
  readonly status?: number | undefined
  /** The error body decoded with the OAuth2 error schema, when there is one. */
  readonly errorBody?: unknown
}

/**
 * Whether a failure of the refresh call ends the session: the endpoint
 * answered 401 (`Unauthorized`), or rejected the refresh token
 * (`BadResponse` that `rejectsRefresh`). Any other failure (no answer, a
 * timeout, 5xx, 429, another status, a body that could not be read) leaves
 * the tokens in place.
 */
export const callFailureEndsSession = (failure: CallFailure): boolean => {
  switch (failure._tag) {
    case "Unauthorized":
      return true
    case "BadResponse":
      return failure.status !== undefined && rejectsRefresh(failure.status, oauth2ErrorCode(failure.errorBody))
    default:
      return false
  }
}

/**
 * Statuses after which the refresh POST is sent again: the server says it
 * did not act on it (408 it never read it, 429 it refused to, 503 it could
 * not). A reset, a receive timeout, 500, 502 or 504 may come after the
 * server already rotated the refresh token; sending the old one again would
 * get a 400 and end a session that is fine.
 */
export const retriesRefresh = (status: number): boolean => status === 408 || status === 429 || status === 503

/** The form encoding RFC 6749 2.3.1 asks for before the Basic scheme joins client id and secret. */
const formEncode = (value: string): string => new URLSearchParams([["v", value]]).toString().slice(2)

/** The `Authorization` value of OAuth2 client credentials in the Basic scheme (RFC 6749 2.3.1). */
export const basicCredentials = (clientId: string, clientSecret: string | undefined): string =>
  // Form encoding leaves only ASCII, which btoa takes as is.
  `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret ?? "")}`)}`

/**
 * `expires_in` in milliseconds, when it is a usable number of seconds (some
 * servers send a numeric string); otherwise the expiry is unknown.
 */
export const expiresInMillis = (value: unknown): number | undefined => {
  const seconds = typeof value === "number"
    ? value
    : typeof value === "string" && /^\d+$/.test(value)
    ? Number(value)
    : Number.NaN
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

/** Whether a `token_type` can be sent as a bearer token (RFC 6749 7.1: case-insensitive). */
export const isBearerType = (tokenType: string | undefined): boolean =>
  tokenType === undefined || tokenType.toLowerCase() === "bearer"

/** How the client authenticates to the token endpoint (RFC 6749 2.3.1): a Basic header or fields in the body. */
export type ClientAuth = "basic" | "body"

/** What a refresh request carries besides the refresh token; the secret in plain text. */
export interface RefreshClient {
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  /** Default `basic`. Without a `clientId` no client credentials are sent. */
  readonly clientAuth?: ClientAuth | undefined
  readonly scope?: string | undefined
}

/** The fields of a refresh request's form body and the headers it goes with. */
export interface RefreshForm {
  readonly fields: Record<string, string>
  readonly headers: Record<string, string>
}

/**
 * The refresh request (RFC 6749 section 6): `grant_type=refresh_token`, the
 * token, the scope when one is set, and the client's credentials in a Basic
 * header or in the body. It asks for JSON, the answer section 5.1 defines.
 */
export const refreshForm = (client: RefreshClient, refreshToken: string): RefreshForm => {
  const fields: Record<string, string> = { grant_type: "refresh_token", refresh_token: refreshToken }
  if (client.scope !== undefined) fields["scope"] = client.scope
  const headers: Record<string, string> = { accept: "application/json" }
  if (client.clientId !== undefined) {
    if ((client.clientAuth ?? "basic") === "basic") {
      headers["authorization"] = basicCredentials(client.clientId, client.clientSecret)
    } else {
      fields["client_id"] = client.clientId
      if (client.clientSecret !== undefined) fields["client_secret"] = client.clientSecret
    }
  }
  return { fields, headers }
}

/**
 * The origin of the token endpoint, which the refresh call must be allowed
 * to reach; undefined for a URL that does not parse (the client then
 * refuses it before sending).
 */
export const tokenUrlOrigin = (tokenUrl: string): string | undefined => {
  try {
    return new URL(tokenUrl).origin
  } catch {
    return undefined
  }
}
