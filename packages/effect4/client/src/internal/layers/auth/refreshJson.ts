/**
 * The usual refresh of an API that issues its own tokens: the refresh token
 * POSTed as JSON to a path of the API, the new tokens read from the JSON
 * answer.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Auth from "../../../Auth.js"
import * as Body from "../../../Body.js"
import type * as TokenStore from "../../../TokenStore.js"

/** Either spelling of the token endpoint's answer. @internal */
export const TokenResponse = Schema.Union([
  Schema.Struct({
    accessToken: Schema.String,
    refreshToken: Schema.optional(Schema.String),
    expiresIn: Schema.optional(Schema.Number)
  }),
  Schema.Struct({
    access_token: Schema.String,
    refresh_token: Schema.optional(Schema.String),
    expires_in: Schema.optional(Schema.Number)
  })
])

/** @internal */
export const refreshJson = (options: {
  readonly path: string
  readonly body?: ((refreshToken: string) => unknown) | undefined
}): Auth.Options["refresh"] =>
({ client, refreshToken }) =>
  Effect.flatMap(
    client.post(options.path, {
      body: Body.json((options.body ?? ((token: string) => ({ refreshToken: token })))(Redacted.value(refreshToken))),
      schema: TokenResponse,
      // The body carries the refresh token: a 307 or 308 would send it on to
      // wherever the Location points. A refresh endpoint answers; it does not
      // redirect.
      maxRedirects: 0
    }),
    (answer) =>
      Effect.map(Clock.currentTimeMillis, (now): TokenStore.Tokens => {
        const [access, refresh, expiresIn] = "accessToken" in answer
          ? [answer.accessToken, answer.refreshToken, answer.expiresIn]
          : [answer.access_token, answer.refresh_token, answer.expires_in]
        return {
          accessToken: Redacted.make(access),
          refreshToken: refresh === undefined ? undefined : Redacted.make(refresh),
          ...(expiresIn === undefined || !Number.isFinite(expiresIn) ? {} : { expiresAt: now + expiresIn * 1000 })
        }
      })
  )
