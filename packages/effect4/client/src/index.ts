/**
 * Courier for effect 4: one configured HTTP client, typed failures,
 * concerns as Layers, on undici 8.
 *
 * @since 0.1.0
 */
export * as Body from "./Body.js"
export * as CourierClient from "./CourierClient.js"
export * as CourierConfig from "./CourierConfig.js"
export * as CourierError from "./CourierError.js"
export * as CourierRequest from "./CourierRequest.js"
export * as CourierResponse from "./CourierResponse.js"
export * as NodeTransport from "./NodeTransport.js"
export * as Redaction from "./Redaction.js"
export * as Transport from "./Transport.js"
export * as AppHeaders from "./AppHeaders.js"
export * as Auth from "./Auth.js"
export * as Logging from "./Logging.js"
export * as Metrics from "./Metrics.js"
export * as Preset from "./Preset.js"
export * as Retry from "./Retry.js"
export * as TokenStore from "./TokenStore.js"
export * as Tracing from "./Tracing.js"
