/**
 * Transport failures as Courier failures. Reading the failure (codes,
 * messages, cause chains, the marker errors) is `@courier/core`'s; building
 * the tagged error is the client's.
 */
import * as TransportFailure from "@courier/core/TransportFailure"
import type * as Duration from "effect/Duration"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"

// Re-exported: the transports mark their failures with them.
export { BodySourceFailure, ContentDecodingFailure, ProxyFailure } from "@courier/core/TransportFailure"

/**
 * Turns whatever the transport failed with into a Courier failure.
 *
 * @internal
 */
export const fromTransport = (
  request: CourierRequest.CourierRequest,
  cause: unknown,
  connectTimeout: Duration.Duration
): CourierError.Network | CourierError.Timeout => {
  // Already Courier's own (a transport that times its phases itself): as it is.
  if (cause instanceof CourierError.Network || cause instanceof CourierError.Timeout) return cause
  const failure = TransportFailure.classify(cause)
  switch (failure._tag) {
    case "RequestBody":
      return new CourierError.Network({ request: request.info, reason: "RequestBody", code: undefined, cause: failure.cause })
    case "ContentDecoding":
      return new CourierError.Network({ request: request.info, reason: "Protocol", code: failure.code, cause })
    case "ConnectTimeout":
      return new CourierError.Timeout({ request: request.info, phase: "connect", duration: connectTimeout })
    case "Proxy":
      return new CourierError.Network({
        request: request.info,
        reason: "Proxy",
        code: failure.code,
        cause,
        proxy: { url: failure.proxy, status: failure.status }
      })
    case "Network":
      return new CourierError.Network({ request: request.info, reason: failure.reason, code: failure.code, cause })
  }
}

/**
 * A failure while the body is read, the head having arrived: a connection
 * that ends then is a body cut short (`IncompleteBody`), whatever the
 * transport calls it. One rule for every transport.
 *
 * @internal
 */
export const fromBody = (
  request: CourierRequest.CourierRequest,
  cause: unknown,
  connectTimeout: Duration.Duration
): CourierError.Network | CourierError.Timeout => {
  const failure = fromTransport(request, cause, connectTimeout)
  if (failure._tag !== "Network") return failure
  const reason = TransportFailure.inBody(failure.reason)
  return reason === failure.reason
    ? failure
    : new CourierError.Network({ request: failure.request, reason, code: failure.code, cause: failure.cause })
}
