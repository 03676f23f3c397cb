/**
 * What the transport failed with, as Courier's typed failures: the shared
 * classification of `@courier/core/TransportFailure`, plus undici's own
 * timeouts and the deadline and send timers this transport keeps.
 */
import * as TransportFailure from "@courier/core/TransportFailure"
import * as Duration from "effect/Duration"
import { Network, Timeout, type TimeoutPhase } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

const codeOf = (u: unknown): string | undefined => {
  for (let depth = 0, current = u; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** @internal */
export const timeout = (request: CourierRequest.CourierRequest, phase: TimeoutPhase, duration: Duration.Duration) =>
  new Timeout({ request: request.info, phase, duration })

/**
 * The failure of a hop. `timer` is the timer of this transport that fired
 * (the call's deadline or the send timer), if one did: then the abort it
 * caused is that timeout, whatever undici reports.
 *
 * @internal
 */
export const fromCause = (
  request: CourierRequest.CourierRequest,
  cause: unknown,
  timer: { readonly phase: TimeoutPhase; readonly duration: Duration.Duration } | undefined
): Network | Timeout => {
  if (timer !== undefined) return timeout(request, timer.phase, timer.duration)
  const code = codeOf(cause)
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return timeout(request, "receive", request.timeouts.receive)
  }
  const classified = TransportFailure.classify(cause)
  switch (classified._tag) {
    case "ConnectTimeout":
      return timeout(request, "connect", request.timeouts.connect)
    case "RequestBody":
      return new Network({ request: request.info, reason: "RequestBody", code: undefined, cause: classified.cause })
    case "ContentDecoding":
      return new Network({ request: request.info, reason: "Protocol", code: classified.code, cause })
    case "Proxy":
      return new Network({
        request: request.info,
        reason: "Proxy",
        code: classified.code,
        cause,
        proxy: { url: classified.proxy, status: classified.status }
      })
    case "Network":
      return new Network({ request: request.info, reason: classified.reason, code: classified.code, cause })
  }
}
