/**
 * The OAuth 2.0 refresh (RFC 6749 section 6): a form-encoded
 * `grant_type=refresh_token` POST to the token endpoint, with the client's
 * credentials in a Basic header or in the body (section 2.3.1).
 */
import * as TokenRefresh from "@courier/core/TokenRefresh"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Auth from "../../../Auth.js"
import * as Body from "../../../Body.js"
import type * as TokenStore from "../../../TokenStore.js"
import { withAllowedOrigin } from "../../core/client.js"

/** @internal */
export const OAuth2TokenResponse = Schema.Struct({
  access_token: Schema.String,
  token_type: Schema.optional(Schema.String),
  refresh_token: Schema.optional(Schema.String),
  // Some servers send it as a string ("3600"); an unusable value only means
  // the expiry is unknown, which is no reason to lose the new tokens.
  expires_in: Schema.optional(Schema.Unknown),
  scope: Schema.optional(Schema.String)
})

/** An OAuth2 error answer (RFC 6749 section 5.2), decoded into `BadResponse.errorBody`. @internal */
export const OAuth2ErrorBody = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.String),
  error_uri: Schema.optional(Schema.String)
})

/**
 * The token endpoint issued a token the auth Layer cannot send (it sends
 * `Bearer`): a DPoP or MAC token would be refused on every call.
 *
 * @internal
 */
export class UnsupportedTokenType extends Data.TaggedError("UnsupportedTokenType")<{
  readonly tokenType: string
}> {
  override get message(): string {
    return `the token endpoint issued a ${this.tokenType} token; only Bearer tokens can be sent`
  }
}

/** @internal */
export const refreshOAuth2 = (options: Auth.OAuth2Options): Auth.Options["refresh"] => {
  // An unparseable URL is left to the client, which refuses it (RequestRefused) without sending.
  const origin = TokenRefresh.tokenUrlOrigin(options.tokenUrl)
  return ({ client, refreshToken }) => {
    // Revealed per call, as the form needs it; the options keep it redacted.
    const secret = options.clientSecret === undefined ? undefined : Redacted.value(options.clientSecret)
    const { fields, headers } = TokenRefresh.refreshForm({ ...options, clientSecret: secret }, Redacted.value(refreshToken))
    return Effect.flatMap(
      (origin === undefined ? client : withAllowedOrigin(client, origin)).post(options.tokenUrl, {
        body: Body.form(fields),
        headers,
        schema: OAuth2TokenResponse,
        errorSchema: OAuth2ErrorBody,
        // The body carries the refresh token (and the secret with `body`
        // client auth): a 307 or 308 would send it on to wherever the
        // Location points. A token endpoint answers; it does not redirect.
        maxRedirects: 0
      }),
      (answer) => {
        // RFC 6749 section 7.1: the type is matched case-insensitively.
        if (answer.token_type !== undefined && !TokenRefresh.isBearerType(answer.token_type)) {
          return Effect.fail(new UnsupportedTokenType({ tokenType: answer.token_type.slice(0, 40) }))
        }
        const lifetime = TokenRefresh.expiresInMillis(answer.expires_in)
        return Effect.map(Clock.currentTimeMillis, (now): TokenStore.Tokens => ({
          accessToken: Redacted.make(answer.access_token),
          // Absent: the server did not rotate it, and the Layer keeps the old one.
          refreshToken: answer.refresh_token === undefined ? undefined : Redacted.make(answer.refresh_token),
          ...(lifetime === undefined ? {} : { expiresAt: now + lifetime })
        }))
      }
    )
  }
}
