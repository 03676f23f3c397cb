/**
 * Redirects, by the rules of `@courier/core/Redirect`, applied to a
 * `CourierRequest`: the credentials another origin must not see are the
 * headers the redactor treats as secret (its rules, the Redaction in
 * context) and the config's `credentialHeaders`: one list decides what a
 * log hides and what another origin never sees.
 */
import * as Redirect from "@courier/core/Redirect"
import type * as CourierConfig from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Redaction from "../../Redaction.js"
import { defaultRedactor } from "../redaction/rules.js"

/** @internal */
export const isRedirect = Redirect.isRedirect

/** @internal */
export type Next =
  | CourierRequest.CourierRequest
  | { readonly reason: CourierError.RefusalReason; readonly detail: string; readonly info: CourierError.RequestInfo }

/**
 * The request for the next hop, or why it is refused (see
 * `Redirect.next`). A dropped body becomes `Empty`; a kept one is the same
 * body, sent again.
 *
 * @internal
 */
export const follow = (
  config: CourierConfig.ResolvedConfig,
  request: CourierRequest.CourierRequest,
  status: number,
  location: string,
  redactor: Redaction.Redactor = defaultRedactor
): Next => {
  const next = Redirect.next(
    {
      allowInsecureRedirects: config.allowInsecureRedirects,
      isCredentialHeader: (name) => redactor.isSensitiveHeader(name) || config.credentialHeaders.has(name)
    },
    {
      method: request.method,
      url: request.url,
      headers: request.headers,
      replayable: request.body._tag !== "Stream" || request.body.replayable,
      info: request.info
    },
    status,
    location
  )
  if (next._tag === "Refuse") return { reason: next.reason, detail: next.detail, info: next.info }
  return {
    ...request,
    method: next.method,
    url: next.url,
    headers: next.headers,
    body: next.dropBody ? { _tag: "Empty" } : request.body,
    info: next.info
  }
}
