/**
 * A call's options turned into a `CourierRequest`: the URL built and checked
 * by the shared rules, headers validated, the body serialised, the timeouts
 * resolved and the deadline fixed, all before any I/O.
 */
import * as Headers from "@courier/core/Headers"
import * as Url from "@courier/core/Url"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as CourierClient from "../../CourierClient.js"
import type * as CourierConfig from "../../CourierConfig.js"
import { RequestRefused } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import { serialise } from "../body/serialise.js"
import * as Config from "./config.js"

const acceptOf = (
  accept: CourierClient.RequestOptions["acceptStatus"]
): ((status: number) => boolean) | undefined => {
  if (accept === undefined) return undefined
  if (typeof accept === "function") return accept
  const set = new Set(accept)
  return (status) => set.has(status)
}

const errorDecoder = (schema: Schema.Codec<unknown, unknown> | undefined) => {
  if (schema === undefined) return undefined
  const decode = Schema.decodeUnknownResult(schema)
  return (json: unknown): Option.Option<unknown> => Result.getSuccess(decode(json))
}

/** @internal */
export const prepare = (
  config: CourierConfig.ResolvedConfig,
  method: string,
  path: string,
  options: CourierClient.RequestOptions<any, any> | undefined,
  streaming: boolean
): Effect.Effect<CourierRequest.CourierRequest, RequestRefused> =>
  Effect.suspend(() => {
    const normalized = Headers.normalizeMethod(typeof method === "string" ? method : "")
    const shownMethod = normalized ?? (Headers.isToken(String(method)) ? String(method) : "<invalid method>")
    const refuse = (reason: RequestRefused["reason"], detail: string, url?: string) =>
      Effect.fail(
        new RequestRefused({
          request: { method: shownMethod, url: url ?? Url.redactText(String(path), config) },
          reason,
          detail
        })
      )
    if (normalized === undefined) return refuse("InvalidMethod", "the method is not a token, or is CONNECT")
    const built = Url.build(config, String(path), options?.params, options?.query)
    if (!("url" in built)) return refuse(built.reason, built.detail)
    const url = built.url
    const shown = Url.redact(url)
    const headers: Record<string, string> = { ...config.headers }
    if (built.basicAuth !== undefined) headers["authorization"] = built.basicAuth
    if (options?.headers !== undefined) {
      const problem = Headers.normalize(headers, options.headers)
      if (problem !== undefined) return refuse("InvalidHeader", `${problem.name}: ${problem.problem}`, shown)
    }
    const timeouts = Config.timeouts(options?.timeouts, config.timeouts)
    if (typeof timeouts === "string") return refuse("InvalidOption", timeouts, shown)
    const maxResponseBytes = options?.maxResponseBytes ?? config.maxResponseBytes
    const maxRedirects = options?.maxRedirects ?? config.maxRedirects
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 0) {
      return refuse("InvalidOption", "maxResponseBytes must be a whole number of at least 0", shown)
    }
    if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
      return refuse("InvalidOption", "maxRedirects must be a whole number of at least 0", shown)
    }
    return Effect.matchEffect(serialise(options?.body ?? { _tag: "Empty" }, config.arrayFormat), {
      onFailure: (detail) => refuse("InvalidBody", detail, shown),
      onSuccess: (body) =>
        Effect.map(Clock.currentTimeMillis, (now): CourierRequest.CourierRequest => {
          // The content type of the body, unless the caller set one.
          if (body._tag !== "Empty" && headers["content-type"] === undefined) headers["content-type"] = body.contentType
          const total = timeouts.total
          return {
            method: normalized,
            url,
            headers,
            body,
            timeouts,
            deadline: Duration.isFinite(total) ? now + Duration.toMillis(total) : Infinity,
            attempt: 1,
            maxResponseBytes,
            maxRedirects,
            acceptStatus: acceptOf(options?.acceptStatus),
            streaming,
            decodeErrorBody: errorDecoder(options?.errorSchema),
            refusedHeader: undefined,
            hopHooks: [],
            info: { method: normalized, url: shown }
          }
        })
    })
  })
