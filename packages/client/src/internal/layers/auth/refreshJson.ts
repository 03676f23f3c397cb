/**
 * The usual refresh of an API that issues its own tokens: the refresh token
 * POSTed as JSON to a path of the API, the new tokens read from the JSON
 * answer.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Auth from "../../../Auth.js"
import * as Body from "../../body/make.js"
import type * as TokenStore from "../../../TokenStore.js"

const Camel = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.optional(Schema.String) })
const Snake = Schema.Struct({ access_token: Schema.String, refresh_token: Schema.optional(Schema.String) })
const Answer = Schema.Struct({ accessToken: Schema.String, refreshToken: Schema.UndefinedOr(Schema.String) })

/** @internal */
export const TokenResponse = Schema.transform(Schema.Union(Camel, Snake), Answer, {
  strict: true,
  decode: (wire) =>
    "accessToken" in wire
      ? { accessToken: wire.accessToken, refreshToken: wire.refreshToken }
      : { accessToken: wire.access_token, refreshToken: wire.refresh_token },
  encode: (answer) =>
    answer.refreshToken === undefined
      ? { accessToken: answer.accessToken }
      : { accessToken: answer.accessToken, refreshToken: answer.refreshToken }
})

/** @internal */
export const refreshJson = (options: {
  readonly path: string
  readonly body?: ((refreshToken: string) => unknown) | undefined
}): Auth.Options["refresh"] =>
({ client, refreshToken }) =>
  refreshToken === undefined
    ? Effect.fail("there is no refresh token")
    : Effect.map(
      client.post(options.path, {
        body: Body.json((options.body ?? ((token: string) => ({ refreshToken: token })))(Redacted.value(refreshToken))),
        schema: TokenResponse,
        // The body carries the refresh token: a 307 or 308 would send it on to
        // wherever the Location points, another origin included. A refresh
        // endpoint answers; it does not redirect.
        maxRedirects: 0
      }),
      (answer): TokenStore.Tokens => ({
        accessToken: Redacted.make(answer.accessToken),
        refreshToken: answer.refreshToken === undefined ? undefined : Redacted.make(answer.refreshToken)
      })
    )
