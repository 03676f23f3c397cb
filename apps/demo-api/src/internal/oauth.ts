/**
 * The demo authorization server's token endpoint, the way OAuth 2.0 servers
 * speak (RFC 6749): a form-encoded POST (section 3.2), the client
 * authenticated by HTTP Basic or by body fields but not both (section
 * 2.3.1), the password and refresh grants (sections 4.3 and 6), and error
 * answers `{ error, error_description }` (section 5.2).
 */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Seed from "../Seed.js"
import type * as Auth from "./auth.js"
import { json } from "./http.js"

/** An OAuth2 error answer (RFC 6749 section 5.2). */
class OAuthError extends Data.TaggedError("OAuthError")<{
  readonly status: 400 | 401
  readonly error:
    | "invalid_request"
    | "invalid_client"
    | "invalid_grant"
    | "unsupported_grant_type"
    | "invalid_scope"
  readonly description: string
  /** The client tried HTTP Basic: a 401 then carries a Basic challenge. */
  readonly basic?: boolean
}> {}

const fail = (
  error: OAuthError["error"],
  description: string,
  status: 400 | 401 = 400
): Effect.Effect<never, OAuthError> => Effect.fail(new OAuthError({ status, error, description }))

// Token answers carry credentials: no cache may keep them (section 5.1).
const noStore = { "cache-control": "no-store", pragma: "no-cache" }

const maxFormBody = Option.some(64 * 1024)

/** `application/x-www-form-urlencoded` decoding of one Basic credential half (section 2.3.1). */
const formDecode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}

/** The client id and secret of a Basic header, `undefined` without one, `null` when it is malformed. */
const basicCredentials = (header: string | undefined): { id: string; secret: string } | undefined | null => {
  if (header === undefined) return undefined
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header)
  if (match === null) return null
  const pair = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = pair.indexOf(":")
  if (colon < 0) return null
  const id = formDecode(pair.slice(0, colon))
  const secret = formDecode(pair.slice(colon + 1))
  return id === undefined || secret === undefined ? null : { id, secret }
}

/** The scope a refresh asks for: part of the granted one, or the granted one when it names none (section 6). */
const narrowScope = (requested: string | null) => (granted: string): Effect.Effect<string, OAuthError> => {
  if (requested === null) return Effect.succeed(granted)
  const allowed = new Set(granted.split(" "))
  const wanted = requested.split(" ").filter((s) => s !== "")
  return wanted.length > 0 && wanted.every((s) => allowed.has(s))
    ? Effect.succeed(wanted.join(" "))
    : fail("invalid_scope", "the requested scope exceeds the scope granted by the resource owner")
}

const tokenEndpoint = (grants: Auth.Grants) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (contentType !== "application/x-www-form-urlencoded") {
      return yield* fail("invalid_request", "the body must be application/x-www-form-urlencoded")
    }
    const text = yield* request.text.pipe(
      HttpIncomingMessage.withMaxBodySize(maxFormBody),
      Effect.catchAll(() => fail("invalid_request", "the body could not be read"))
    )
    const params = new URLSearchParams(text)
    for (const name of new Set(params.keys())) {
      if (params.getAll(name).length > 1) return yield* fail("invalid_request", `the parameter ${name} is repeated`)
    }

    const basic = basicCredentials(request.headers["authorization"])
    const bodyId = params.get("client_id")
    if (basic !== undefined && (bodyId !== null || params.has("client_secret"))) {
      return yield* fail("invalid_request", "the client authenticated in more than one way")
    }
    const client = basic ?? (bodyId === null ? undefined : { id: bodyId, secret: params.get("client_secret") ?? "" })
    if (client === undefined || client === null || client.id !== Seed.oauthClient.id || client.secret !== Seed.oauthClient.secret) {
      return yield* Effect.fail(
        new OAuthError({ status: 401, error: "invalid_client", description: "client authentication failed", basic: basic !== undefined })
      )
    }

    const grantType = params.get("grant_type")
    const invalidGrant = () => fail("invalid_grant", "the grant is invalid, expired or revoked")
    let tokens: Auth.TokenResponse & { readonly scope: string }
    switch (grantType) {
      case "password": {
        const username = params.get("username")
        const password = params.get("password")
        if (username === null || password === null) {
          return yield* fail("invalid_request", "username and password are required")
        }
        const scope = yield* narrowScope(params.get("scope"))(Seed.oauthScope)
        tokens = yield* Effect.catchTag(grants.password(username, password, scope), "InvalidCredentials", invalidGrant)
        break
      }
      case "refresh_token": {
        const refreshToken = params.get("refresh_token")
        if (refreshToken === null) return yield* fail("invalid_request", "refresh_token is required")
        tokens = yield* Effect.catchTag(
          grants.refresh(refreshToken, narrowScope(params.get("scope"))),
          "InvalidCredentials",
          invalidGrant
        )
        break
      }
      case null:
        return yield* fail("invalid_request", "grant_type is required")
      default:
        return yield* fail("unsupported_grant_type", "only the password and refresh_token grants are supported")
    }
    return json({
      access_token: tokens.accessToken,
      token_type: tokens.tokenType,
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: tokens.scope
    }, 200, noStore)
  }).pipe(
    Effect.catchTag("OAuthError", (e): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
      Effect.succeed(json({ error: e.error, error_description: e.description }, e.status, {
        ...noStore,
        ...(e.status === 401 && e.basic === true ? { "www-authenticate": "Basic realm=\"demo-api\"" } : {})
      })))
  )

/** @internal The authorization server's routes. */
export const router = (grants: Auth.Grants) => HttpRouter.empty.pipe(HttpRouter.post("/oauth/token", tokenEndpoint(grants)))
