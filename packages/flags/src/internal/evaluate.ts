import * as Body from "@courier/client/Body"
import type * as CourierClient from "@courier/client/CourierClient"
import * as Retry from "@courier/client/Retry"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Ofrep from "../Ofrep.js"
import { entries, parseJson, type WarnOnce } from "./decode.js"

/** @internal What one bulk evaluation ended with. */
export type Outcome =
  | { readonly _tag: "Updated"; readonly flags: ReadonlyArray<Ofrep.Entry>; readonly etag: string | undefined }
  | { readonly _tag: "Unchanged" }
  | { readonly _tag: "RateLimited"; readonly retryAfter: Option.Option<Duration.Duration> }
  | { readonly _tag: "Failed"; readonly reason: string }

/**
 * @internal
 * One `POST` of the bulk evaluation. 304 and 429 are answers here, not
 * failures, so a Retry Layer over the client leaves them to the poller
 * (which honours `Retry-After` itself); anything else that fails is a
 * `Failed` outcome, never an error.
 */
export const evaluate = (
  client: CourierClient.Service,
  path: string,
  context: Ofrep.EvaluationContext,
  etag: string | undefined,
  warn: WarnOnce
): Effect.Effect<Outcome> =>
  client.exchange("POST", path, {
    body: Body.json({ context }),
    headers: { accept: "application/json", ...(etag === undefined ? {} : { "if-none-match": etag }) },
    acceptStatus: [304, 429],
    responseType: "text"
  }).pipe(
    Effect.flatMap((response): Effect.Effect<Outcome> => {
      if (response.status === 304) return Effect.succeed({ _tag: "Unchanged" })
      if (response.status === 429) {
        return Effect.map(
          Clock.currentTimeMillis,
          (now) => ({ _tag: "RateLimited", retryAfter: Retry.retryAfter(response.headers, now) })
        )
      }
      return Effect.map(entries(parseJson(response.body), warn), (flags): Outcome =>
        flags === undefined
          ? { _tag: "Failed", reason: "malformed response" }
          : { _tag: "Updated", flags, etag: response.headers["etag"] })
    }),
    Effect.catchAll((error) => Effect.succeed<Outcome>({ _tag: "Failed", reason: error.message }))
  )
