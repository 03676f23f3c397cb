/**
 * The failures built from a response the request does not accept: headers
 * and an excerpt of the body through the redactor, and the credential
 * values this request sent masked wherever the server echoes them.
 */
import type * as Redaction from "@courier/core/Redaction"
import * as Option from "effect/Option"
import { BadResponse, Unauthorized } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"

/** How much of a non-2xx body is read for the failure (excerpt and errorSchema). @internal */
export const errorBodyLimit = 64 * 1024
/** How long an excerpt may be. @internal */
export const excerptLength = 1024

const textDecoder = new TextDecoder()

// A credential value shorter than this is not searched for: masking "a"
// everywhere would garble the excerpt without protecting anything.
const minSecret = 6

const sentSecrets = (request: CourierRequest.CourierRequest, redactor: Redaction.Redactor): Array<string> => {
  const out: Array<string> = []
  for (const [name, value] of Object.entries(request.headers)) {
    if (!redactor.isSensitiveHeader(name)) continue
    out.push(value)
    // `Bearer abc` is echoed as `abc` as often as whole.
    const space = value.indexOf(" ")
    if (space > 0) out.push(value.slice(space + 1))
  }
  return out.filter((s) => s.length >= minSecret).sort((a, b) => b.length - a.length)
}

/** @internal */
export const mask = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) out = out.split(secret).join("<redacted>")
  return out
}

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
