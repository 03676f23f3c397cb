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
export * as Transport from "./Transport.js"
