/**
 * The Node entry point: the undici transport with a real connect timeout and
 * zlib decoding. Import it only where Node runs.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as NodeTransport from "./NodeTransport.js"
