/**
 * Turns what program code wrote (a method, a path, options) into a
 * `CourierRequest`, refusing before any I/O whatever could not be sent
 * safely.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Body from "../../Body.js"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierConfig from "../../CourierConfig.js"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import { encodeBody } from "../body/schema.js"
import { CallId } from "./call.js"
import * as Deadline from "./deadline.js"
import { resolveTimeouts } from "./config.js"
import * as Headers from "@courier/core/Headers"
import * as Multipart from "../body/multipart.js"
import * as Url from "@courier/core/Url"

const encoder = new TextEncoder()

const refuse = (
  info: CourierError.RequestInfo,
  reason: CourierError.RefusalReason,
  detail: string
): Either.Either<never, CourierError.RequestRefused> =>
  Either.left(new CourierError.RequestRefused({ request: info, reason, detail }))

const serialise = (
  body: Body.Body,
  arrayFormat: CourierConfig.ArrayFormat
): { readonly body: Body.Body; readonly contentType: string | undefined } | string => {
  switch (body._tag) {
    case "Empty":
      return { body, contentType: undefined }
    case "Json": {
      let value = body.value
      if (body.schema !== undefined) {
        const encoded = encodeBody(body.schema, value)
        if (typeof encoded === "string") return encoded
        value = encoded.value
      }
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch (error) {
        // A cycle, a bigint or nesting deep enough to overflow the stack.
        return `the JSON body cannot be serialised: ${error instanceof Error ? error.name : "error"}`
      }
      if (text === undefined) return "the JSON body serialises to nothing (undefined or a function)"
      return { body: { _tag: "Bytes", bytes: encoder.encode(text), contentType: "application/json" }, contentType: "application/json" }
    }
    case "Text":
      return { body: { _tag: "Bytes", bytes: encoder.encode(body.text), contentType: body.contentType }, contentType: body.contentType }
    case "Form": {
      const search = new URLSearchParams()
      const problem = Url.appendQuery(search, body.fields, arrayFormat)
      if (problem !== undefined) return problem.detail.replace("query parameter", "form field")
      const contentType = "application/x-www-form-urlencoded"
      return { body: { _tag: "Bytes", bytes: encoder.encode(search.toString()), contentType }, contentType }
    }
    case "Multipart":
      return Multipart.serialise(body.parts)
    case "Bytes":
    case "Stream":
      return { body, contentType: body.contentType }
  }
}

const errorBodyDecoders = new WeakMap<Schema.Schema.Any, (json: unknown) => Option.Option<unknown>>()

const errorBodyDecoder = (schema: Schema.Schema<unknown, unknown, never>) => {
  let decoder = errorBodyDecoders.get(schema)
  if (decoder === undefined) {
    const decode = Schema.decodeUnknownEither(schema)
    decoder = (json) => Either.getRight(decode(json))
    errorBodyDecoders.set(schema, decoder)
  }
  return decoder
}

/** `acceptStatus` as one predicate: a list becomes a membership test. */
const acceptStatusOf = (
  accept: CourierClient.RequestOptions["acceptStatus"]
): ((status: number) => boolean) | undefined => {
  if (accept === undefined || typeof accept === "function") return accept
  if (accept.length === 0) return undefined
  const statuses = new Set(accept)
  return (status) => statuses.has(status)
}

/** @internal */
export const prepare = (
  config: CourierConfig.ResolvedConfig,
  method: string,
  path: string,
  options: CourierClient.RequestOptions<unknown, unknown>,
  streaming: boolean,
  now: number
): Either.Either<CourierRequest.CourierRequest, CourierError.RequestRefused> => {
  const normalizedMethod = Headers.normalizeMethod(method)
  if (normalizedMethod === undefined) {
    const shown = Headers.isToken(method) ? method : "<invalid>"
    return refuse({ method: shown, url: Url.redactText(path, config) }, "InvalidMethod", "the method is not a valid token")
  }
  const built = Url.build(config, path, options.params, options.query)
  if ("reason" in built) {
    return refuse({ method: normalizedMethod, url: Url.redactText(path, config) }, built.reason, built.detail)
  }
  const url = built.url
  const info: CourierError.RequestInfo = { method: normalizedMethod, url: Url.redact(url) }
  const headers: Record<string, string> = { ...config.headers }
  if (options.headers !== undefined) {
    const problem = Headers.normalize(headers, options.headers)
    if (problem !== undefined) return refuse(info, "InvalidHeader", `header ${problem.name}: ${problem.problem}`)
  }
  if (built.basicAuth !== undefined && headers["authorization"] === undefined) {
    headers["authorization"] = built.basicAuth
  }
  let body: Body.Body = options.body ?? { _tag: "Empty" }
  if (body._tag !== "Empty") {
    if (normalizedMethod === "GET" || normalizedMethod === "HEAD") {
      return refuse(info, "InvalidBody", `a ${normalizedMethod} request cannot carry a body`)
    }
    const serialised = serialise(body, config.arrayFormat)
    if (typeof serialised === "string") return refuse(info, "InvalidBody", serialised)
    // A multipart body's content type names its boundary: it always wins.
    const own = headers["content-type"] === undefined || body._tag === "Multipart"
    if (serialised.contentType !== undefined && own) {
      if (!Headers.isFieldValue(serialised.contentType)) {
        return refuse(info, "InvalidHeader", "the body's content type contains a control character")
      }
      headers["content-type"] = serialised.contentType
    }
    body = serialised.body
  }
  const timeouts = resolveTimeouts(config.timeouts, options.timeouts)
  if (typeof timeouts === "string") return refuse(info, "InvalidOption", timeouts)
  const maxResponseBytes = options.maxResponseBytes ?? config.maxResponseBytes
  const maxRedirects = options.maxRedirects ?? config.maxRedirects
  return Either.right({
    method: normalizedMethod,
    url,
    headers,
    body,
    timeouts,
    attempt: 1,
    maxResponseBytes,
    maxRedirects,
    acceptStatus: acceptStatusOf(options.acceptStatus),
    onUploadProgress: options.onUploadProgress,
    onDownloadProgress: options.onDownloadProgress,
    info,
    [CallId]: {
      deadline: Deadline.from(now, timeouts.total),
      streaming,
      decodeErrorBody: options.errorSchema === undefined
        ? undefined
        : errorBodyDecoder(options.errorSchema as Schema.Schema<unknown, unknown, never>),
      refusedHeader: undefined
    }
  })
}
