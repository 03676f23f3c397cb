import * as Engine from "@courier/core/testkit/Reply"
import * as Duration from "effect/Duration"
import type * as Reply from "../Reply.js"

/** @internal */
export const json = Engine.json
/** @internal */
export const text = Engine.text
/** @internal */
export const bytes = Engine.bytes
/** @internal */
export const status = Engine.status
/** @internal */
export const empty = Engine.empty
/** @internal */
export const redirect = Engine.redirect
/** @internal */
export const encoded = Engine.encoded
/** @internal */
export const gzip = Engine.gzip
/** @internal */
export const stall = Engine.stall
/** @internal */
export const stallAfterHeaders = Engine.stallAfterHeaders
/** @internal */
export const closeMidBody = Engine.closeMidBody
/** @internal */
export const reset = Engine.reset
/** @internal */
export const ignoreBody = Engine.ignoreBody
/** @internal */
export const stallReadingBody = Engine.stallReadingBody
/** @internal */
export const sequence = Engine.sequence
/** @internal */
export const echo = Engine.echo
/** @internal */
export const custom = Engine.custom

/** @internal */
export const drip = (
  options: Reply.Options & {
    readonly chunk: string | Uint8Array
    readonly interval: Duration.Input
    readonly count: number
  }
): Reply.Drip => {
  const { interval, ...rest } = options
  return Engine.drip({ ...rest, intervalMillis: Duration.toMillis(interval) })
}

/** @internal */
export const delay: {
  (duration: Duration.Input): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.Input, reply: Reply.Reply): Reply.Delay
} = function(duration: Duration.Input, reply?: Reply.Reply) {
  // Not `dual`: dual wants the data (the reply) first in the full call; `delay` reads duration-first.
  const millis = Duration.toMillis(duration)
  if (reply === undefined) return (self: Reply.Reply) => Engine.delay(millis, self)
  return Engine.delay(millis, reply)
} as {
  (duration: Duration.Input): (reply: Reply.Reply) => Reply.Delay
  (duration: Duration.Input, reply: Reply.Reply): Reply.Delay
}
