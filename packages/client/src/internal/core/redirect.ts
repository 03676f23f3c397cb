/**
 * Redirects, followed by Courier itself (the transport runs with
 * `redirect: "manual"`): the platform's `followRedirects` copies every header
 * to the new origin, which would leak credentials.
 */
import type * as CourierConfig from "../../CourierConfig.js"
import type * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Redaction from "../../Redaction.js"
import { defaultRedactor } from "../redaction/rules.js"
import * as Url from "@courier/core/Url"

/** @internal */
export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

const bodyHeaders = ["content-type", "content-length", "content-encoding", "transfer-encoding"]
// Trace context is for the base origin only; another origin must not join the trace.
const traceHeaders = ["traceparent", "tracestate", "b3"]

/** @internal */
export type Next =
  | CourierRequest.CourierRequest
  | { readonly reason: CourierError.RefusalReason; readonly detail: string; readonly info: CourierError.RequestInfo }

/**
 * The request for the next hop, or why it is refused.
 *
 * - only http and https targets; https to http only when allowed;
 * - when the origin (scheme, host, port) changes, trace headers and every
 *   header the redactor treats as a secret (its rules, the Redaction in
 *   context and the config's `credentialHeaders`) are dropped: one list
 *   decides what a log hides and what another origin never sees. Nothing
 *   adds them back later in the chain, so they stay dropped even if the
 *   chain returns to the first origin;
 * - 301/302 turn a POST into a GET, 303 turns anything but HEAD into a GET,
 *   both without the body; 307/308 keep method and body, and refuse when the
 *   body cannot be sent again;
 * - the next hop's `info.redirects` counts the redirects followed so far, so
 *   any failure of a later hop says the first one was already sent.
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
  const redirects = (request.info.redirects ?? 0) + 1
  let target: URL
  try {
    target = new URL(location, request.url)
  } catch {
    return { reason: "InvalidUrl", detail: "the redirect location cannot be parsed", info: { ...request.info, redirects } }
  }
  const info: CourierError.RequestInfo = { method: request.method, url: Url.redact(target), redirects }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return {
      reason: "UnsupportedScheme",
      detail: `a redirect to ${target.protocol} is not followed`,
      info: { method: request.method, url: `${target.protocol}<redacted>`, redirects }
    }
  }
  if (request.url.protocol === "https:" && target.protocol === "http:" && !config.allowInsecureRedirects) {
    return { reason: "InsecureRedirect", detail: "a redirect from https to http is not followed", info }
  }
  if (target.username !== "" || target.password !== "") {
    return { reason: "CredentialsInUrl", detail: "the redirect location embeds credentials", info }
  }
  target.hash = ""
  const headers: Record<string, string> = { ...request.headers }
  if (target.origin !== request.url.origin) {
    for (const name of Object.keys(headers)) {
      if (redactor.isSensitiveHeader(name) || config.credentialHeaders.has(name)) delete headers[name]
    }
    for (const name of traceHeaders) delete headers[name]
  }
  let method = request.method
  let body = request.body
  const dropBody = status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST"
  if (dropBody) {
    method = "GET"
    body = { _tag: "Empty" }
    for (const name of bodyHeaders) delete headers[name]
  } else if (body._tag === "Stream" && !body.replayable) {
    return {
      reason: "BodyNotReplayable",
      detail: `a ${status} redirect needs the body again, and this one is a one-shot stream`,
      info
    }
  }
  return { ...request, method, url: target, headers, body, info: { method, url: info.url, redirects } }
}
