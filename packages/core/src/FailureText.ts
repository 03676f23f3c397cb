/**
 * The words Courier's failures use for their reasons: both lines build the
 * same messages around them (`GET https://host/path: <text> ...`), so a
 * failure reads the same whichever line raised it.
 */
import type { NetworkReason } from "./TransportFailure.js"

/** The phase of a request whose time ran out. */
export type TimeoutPhase = "connect" | "send" | "receive" | "total"

/** What did not happen in time, per phase. */
export const timeoutPhaseText: Readonly<Record<TimeoutPhase, string>> = {
  connect: "no connection was established",
  send: "the request body was not sent",
  receive: "no response bytes arrived",
  total: "the request did not complete"
}

/** What went wrong on the network, per reason. */
export const networkText: Readonly<Record<NetworkReason, string>> = {
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
