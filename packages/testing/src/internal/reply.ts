import * as Engine from "@courier/core/testkit/Reply"
import * as Duration from "effect/Duration"
import type * as Reply from "../Reply.js"

// The replies without a duration are the engine's own values: the same shape as this kit's types.

/** @internal */
export const json: (body: unknown, options?: Reply.Options) => Reply.Respond = Engine.json
/** @internal */
export const text: (body: string, options?: Reply.Options) => Reply.Respond = Engine.text
/** @internal */
export const bytes: (body: Uint8Array, options?: Reply.Options) => Reply.Respond = Engine.bytes
/** @internal */
export const status: (code: number, options?: Omit<Reply.Options, "status">) => Reply.Respond = Engine.status
/** @internal */
export const empty: Reply.Respond = Engine.empty
/** @internal */
export const redirect: (
  code: 301 | 302 | 303 | 307 | 308,
  location: string,
  options?: Omit<Reply.Options, "status">
) => Reply.Respond = Engine.redirect
/** @internal */
export const encoded: (
  body: string | Uint8Array,
  encodings: ReadonlyArray<Reply.Encoding>,
  options?: Reply.Options
) => Reply.Respond = Engine.encoded
/** @internal */
export const gzip: (body: string | Uint8Array, options?: Reply.Options) => Reply.Respond = Engine.gzip
/** @internal */
export const stall: Reply.Stall = Engine.stall
/** @internal */
export const stallAfterHeaders: (
  options?: Reply.Options & { readonly declaredLength?: number | undefined }
) => Reply.StallAfterHeaders = Engine.stallAfterHeaders
/** @internal */
export const closeMidBody: (
  options: Reply.Options & { readonly declaredLength: number; readonly body: string | Uint8Array }
) => Reply.CloseMidBody = Engine.closeMidBody
/** @internal */
export const reset: Reply.Reset = Engine.reset
/** @internal */
export const echo: Reply.Echo = Engine.echo
/** @internal */
export const custom: (handler: Reply.Handler) => Reply.Custom = Engine.custom

/** @internal */
export const ignoreBody = (reply: Reply.Reply): Reply.IgnoreBody => ({ _tag: "IgnoreBody", reply })

/** @internal */
export const stallReadingBody: Reply.IgnoreBody = ignoreBody(stall)

/** @internal */
export const sequence = (replies: ReadonlyArray<Reply.Reply>): Reply.Sequence => ({
  _tag: "Sequence",
  replies: [...replies]
})

/** @internal */
export const drip = (
  options: Reply.Options & {
    readonly chunk: string | Uint8Array
    readonly interval: Duration.DurationInput
    readonly count: number
  }
): Reply.Drip => {
  const { interval, ...rest } = options
  const { intervalMillis: _, ...drip } = Engine.drip({ ...rest, intervalMillis: 0 })
  return { ...drip, interval: Duration.decode(interval) }
}

const makeDelay = (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay => ({
  _tag: "Delay",
  duration: Duration.decode(duration),
  reply
})

/** @internal */
export const delay: {
  (duration: Duration.DurationInput): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay
} = function(duration: Duration.DurationInput, reply?: Reply.Reply) {
  // Not `dual`: dual wants the data (the reply) first in the full call; `delay` reads duration-first.
  if (reply === undefined) return (self: Reply.Reply) => makeDelay(duration, self)
  return makeDelay(duration, reply)
} as {
  (duration: Duration.DurationInput): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.DurationInput, reply: Reply.Reply): Reply.Delay
}

/**
 * The engine's reply for one of this kit's: durations in milliseconds. Done
 * once per route registration; a sequence reached twice becomes one engine
 * sequence, so it keeps one position as it did here.
 *
 * @internal
 */
export const toEngine = (reply: Reply.Reply, seen = new Map<Reply.Sequence, Engine.Sequence>()): Engine.Reply => {
  switch (reply._tag) {
    case "Drip": {
      const { interval, ...rest } = reply
      return { ...rest, intervalMillis: Duration.toMillis(interval) }
    }
    case "Delay":
      return Engine.delay(Duration.toMillis(reply.duration), toEngine(reply.reply, seen))
    case "IgnoreBody":
      return Engine.ignoreBody(toEngine(reply.reply, seen))
    case "Sequence": {
      const known = seen.get(reply)
      if (known !== undefined) return known
      // Registered before its steps are converted, so a sequence nested in itself ends.
      const replies: Array<Engine.Reply> = []
      const sequence: Engine.Sequence = { _tag: "Sequence", replies }
      seen.set(reply, sequence)
      for (const step of reply.replies) replies.push(toEngine(step, seen))
      return sequence
    }
    default:
      return reply
  }
}
