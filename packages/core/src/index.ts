/**
 * The Effect-free logic Courier's packages share: plain functions over
 * strings, bytes and records, with results as values (a refusal, a problem,
 * `undefined`) rather than exceptions, and durations in milliseconds.
 *
 * @since 0.1.0
 */
export * as Bytes from "./Bytes.js"
export * as Headers from "./Headers.js"
export * as RateLimitHeaders from "./RateLimitHeaders.js"
export * as Url from "./Url.js"
