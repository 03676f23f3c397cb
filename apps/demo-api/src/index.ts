/**
 * A local REST API to point Courier at: `DemoApi` starts it (as a Layer or
 * in a scope), `Seed` holds its deterministic data.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as DemoApi from "./DemoApi.js"
/** @since 0.1.0 */
export * as Seed from "./Seed.js"
