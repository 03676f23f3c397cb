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

/**
 * Why the auth Layer gave up on a call, in the `cause` of the `Unauthorized`
 * it fails with (or the `onSessionExpired` hook hears).
 */
export const auth = {
  /** The stored token cannot be sent as a header. */
  tokenNotHeaderValue: "the token is not a valid header value (it contains CR, LF or another control character)",
  /** The refresh succeeded with a token that cannot be sent (`TokenRefresh.isSendableAccessToken`). */
  refreshedTokenNotHeaderValue:
    "the refresh returned an access token that cannot be sent (it is empty, or contains CR, LF or another control character)",
  /** The refresh ran past `refreshTimeout`. */
  refreshTimedOut: "the refresh did not finish within refreshTimeout",
  /** The refresh was interrupted before it produced tokens or a failure. */
  refreshNoAnswer: "the refresh ended without an answer",
  /** A request of this process met an empty store: the session was ended by another writer. */
  sessionEndedElsewhere: "another process ended the session: the token store is empty",
  /** The store was emptied since the request left: there is nothing to refresh with. */
  sessionEnded: "the session has ended: the token store is empty",
  /** A 401 on a later hop of a call that must not be sent twice. */
  noReplayAfterRedirect: "the 401 came after a redirect and the request is not idempotent, so it is not replayed",
  /** A 401 on a call whose body cannot be sent again. */
  noReplayOneShotBody: "the request body is a one-shot stream and cannot be replayed"
} as const
