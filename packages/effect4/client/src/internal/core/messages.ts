/**
 * The texts of the failures' messages, and the JSON they show: the safe
 * fields only, never a `cause` (a transport or schema error may quote what
 * was sent or received).
 */
import * as Duration from "effect/Duration"
import type { NetworkReason, TimeoutPhase } from "../../CourierError.js"

/** @internal */
export const safeJson = (self: { readonly _tag: string; readonly message: string }, fields: ReadonlyArray<string>) => {
  const out: Record<string, unknown> = { _tag: self._tag, message: self.message }
  for (const field of fields) {
    const value = (self as unknown as Record<string, unknown>)[field]
    if (value !== undefined) out[field] = Duration.isDuration(value) ? Duration.format(value) : value
  }
  return out
}

/** @internal */
export const phaseText: Record<TimeoutPhase, string> = {
  connect: "no connection was established",
  send: "the request body was not sent",
  receive: "no response bytes arrived",
  total: "the request did not complete"
}

/** @internal */
export const networkText: Record<NetworkReason, string> = {
  ConnectionRefused: "the connection was refused; is the server running at that address?",
  ConnectionReset: "the connection was closed by the peer before the response completed",
  DnsLookup: "the host name could not be resolved",
  Unreachable: "the host or network is unreachable",
  Tls: "the TLS handshake failed or the certificate was rejected",
  Protocol: "the server sent a malformed HTTP response",
  IncompleteBody: "the response body ended before the length the server declared",
  RequestBody: "the request body could not be produced",
  Proxy: "the proxy could not be reached or refused the tunnel",
  Unknown: "the transport failed"
}
