/**
 * The Effect-free logic Courier's packages share: plain functions over
 * strings, bytes and records, with results as values (a refusal, a problem,
 * `undefined`) rather than exceptions, and durations in milliseconds.
 *
 * @since 0.1.0
 */
export * as AppHeaders from "./AppHeaders.js"
export * as Bytes from "./Bytes.js"
export * as Config from "./Config.js"
export * as FailureText from "./FailureText.js"
export * as ContentCoding from "./ContentCoding.js"
export * as Headers from "./Headers.js"
export * as Journal from "./Journal.js"
export * as Lines from "./Lines.js"
export * as Link from "./Link.js"
export * as Multipart from "./Multipart.js"
export * as RateLimitHeaders from "./RateLimitHeaders.js"
export * as Redaction from "./Redaction.js"
export * as Redirect from "./Redirect.js"
export * as RetryAfter from "./RetryAfter.js"
export * as RetryBudget from "./RetryBudget.js"
export * as RetryRules from "./RetryRules.js"
export * as Router from "./Router.js"
export * as Script from "./Script.js"
export * as SentSecrets from "./SentSecrets.js"
export * as ServerSentEvents from "./ServerSentEvents.js"
export * as Telemetry from "./Telemetry.js"
export * as TokenExpiry from "./TokenExpiry.js"
export * as TokenFile from "./TokenFile.js"
export * as TraceContext from "./TraceContext.js"
export * as TokenRefresh from "./TokenRefresh.js"
export * as TransportFailure from "./TransportFailure.js"
export * as Url from "./Url.js"
export * as Wire from "./Wire.js"
