/**
 * Courier: a production HTTP client for Effect. One configured client, every
 * request an Effect with typed failures, cross-cutting concerns as Layers.
 * Node users import the transport from `@courier/client/node`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AppHeaders from "./AppHeaders.js"
/** @since 0.1.0 */
export * as Auth from "./Auth.js"
/** @since 0.1.0 */
export * as Body from "./Body.js"
/** @since 0.1.0 */
export * as Bulkhead from "./Bulkhead.js"
/** @since 0.1.0 */
export * as CircuitBreaker from "./CircuitBreaker.js"
/** @since 0.1.0 */
export * as Cache from "./Cache.js"
/** @since 0.1.0 */
export * as ContentDecoder from "./ContentDecoder.js"
/** @since 0.1.0 */
export * as Cookies from "./Cookies.js"
/** @since 0.1.0 */
export * as CourierClient from "./CourierClient.js"
/** @since 0.1.0 */
export * as CourierConfig from "./CourierConfig.js"
/** @since 0.1.0 */
export * as CourierError from "./CourierError.js"
/** @since 0.1.0 */
export * as CourierRequest from "./CourierRequest.js"
/** @since 0.1.0 */
export * as CourierResponse from "./CourierResponse.js"
/** @since 0.1.0 */
export * as Download from "./Download.js"
/** @since 0.1.0 */
export * as FetchTransport from "./FetchTransport.js"
/** @since 0.1.0 */
export * as HttpClientFace from "./HttpClientFace.js"
/** @since 0.1.0 */
export * as Logging from "./Logging.js"
/** @since 0.1.0 */
export * as Metrics from "./Metrics.js"
/** @since 0.1.0 */
export * as Multipart from "./Multipart.js"
/** @since 0.1.0 */
export * as Ndjson from "./Ndjson.js"
/** @since 0.1.0 */
export * as Pagination from "./Pagination.js"
/** @since 0.1.0 */
export * as Preset from "./Preset.js"
/** @since 0.1.0 */
export * as RateLimiter from "./RateLimiter.js"
/** @since 0.1.0 */
export * as Redaction from "./Redaction.js"
/** @since 0.1.0 */
export * as Retry from "./Retry.js"
/** @since 0.1.0 */
export * as ServerSentEvents from "./ServerSentEvents.js"
/** @since 0.1.0 */
export * as TokenStore from "./TokenStore.js"
/** @since 0.1.0 */
export * as Tracing from "./Tracing.js"
/** @since 0.1.0 */
export * as Transport from "./Transport.js"
/** @since 0.1.0 */
export * as Url from "./Url.js"
