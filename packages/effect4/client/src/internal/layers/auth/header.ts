/**
 * The `Authorization` header a token becomes. A token the store handed out
 * that cannot be sent (a CR, LF or other control character) is the
 * credential's fault: the call fails as unauthorized, saying why, never
 * quoting the token.
 */
import * as FailureText from "@courier/core/FailureText"
import * as Headers from "@courier/core/Headers"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as CourierError from "../../../CourierError.js"
import type * as CourierRequest from "../../../CourierRequest.js"

type Token = Redacted.Redacted<string> | undefined

/**
 * The request with the token's header, or undefined when the token cannot
 * be sent. The header of the last token is kept, validated once: a store in
 * memory hands out the same token each time.
 *
 * @internal
 */
export const withToken = (scheme: string) => {
  let lastToken: Token
  let lastHeader: string | null = null
  const headerFor = (token: Redacted.Redacted<string>): string | null => {
    if (token !== lastToken) {
      const value = `${scheme} ${Redacted.value(token)}`
      lastHeader = Headers.isFieldValue(value) ? value : null
      lastToken = token
    }
    return lastHeader
  }
  return (request: CourierRequest.CourierRequest, token: Token): CourierRequest.CourierRequest | undefined => {
    if (token === undefined) return request
    const header = headerFor(token)
    return header === null ? undefined : { ...request, headers: { ...request.headers, authorization: header } }
  }
}

/** The failure of a call whose token cannot be sent. @internal */
export const unsendable = (request: CourierRequest.CourierRequest) =>
  Effect.fail(
    new CourierError.Unauthorized({
      request: request.info,
      status: 401,
      headers: {},
      bodyExcerpt: "",
      cause: FailureText.auth.tokenNotHeaderValue
    })
  )
