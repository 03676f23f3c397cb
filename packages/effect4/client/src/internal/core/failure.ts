/**
 * The failures built from a response the request does not accept: headers
 * and an excerpt of the body through the redactor, and the credential
 * values this request sent (secret headers, query parameters and body
 * fields) masked wherever the server echoes them.
 */
import type * as Redaction from "@courier/core/Redaction"
import * as SentSecrets from "@courier/core/SentSecrets"
import * as Option from "effect/Option"
import { BadResponse, Unauthorized } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"

/** How much of a non-2xx body is read for the failure (excerpt and errorSchema). @internal */
export const errorBodyLimit = 64 * 1024
/** How long an excerpt may be. @internal */
export const excerptLength = 1024

const textDecoder = new TextDecoder()

/**
 * The credential values this request sent (secret headers, query parameters
 * and body fields), as `@courier/core/SentSecrets` finds them.
 *
 * @internal
 */
export const sentSecrets = (request: CourierRequest.CourierRequest, redactor: Redaction.Redactor): ReadonlyArray<string> =>
  SentSecrets.secretsOf(redactor, { headers: request.headers, url: request.url, body: request.body })

/** `text` masked of `secrets`, a cut secret's start included. @internal */
export const mask = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.length === 0 ? text : SentSecrets.maskCut(SentSecrets.mask(text, secrets), secrets)

/** @internal */
export const statusFailure = (
  request: CourierRequest.CourierRequest,
  response: Transport.Response,
  bytes: Uint8Array,
  redactor: Redaction.Redactor
): Unauthorized | BadResponse => {
  const secrets = sentSecrets(request, redactor)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(redactor.headers(response.headers))) headers[name] = mask(value, secrets)
  const bodyExcerpt = mask(redactor.body(bytes, response.headers["content-type"], excerptLength), secrets)
  if (response.status === 401) {
    return new Unauthorized({
      request: request.info,
      status: 401,
      headers,
      bodyExcerpt,
      // Whether this hop carried the credential: a cross-origin redirect drops it.
      credentialsSent: request.headers["authorization"] !== undefined
    })
  }
  let errorBody: Option.Option<unknown> = Option.none()
  if (request.decodeErrorBody !== undefined && bytes.byteLength > 0) {
    try {
      errorBody = request.decodeErrorBody(JSON.parse(textDecoder.decode(bytes)))
    } catch {
      errorBody = Option.none()
    }
  }
  return new BadResponse({ request: request.info, status: response.status, headers, bodyExcerpt, errorBody })
}
