/**
 * Feature flags from the backend for Courier: typed, live, cached, and
 * speaking OpenFeature.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as FeatureFlags from "./FeatureFlags.js"
/** @since 0.1.0 */
export * as FlagStore from "./FlagStore.js"
/** @since 0.1.0 */
export * as Ofrep from "./Ofrep.js"
/** @since 0.1.0 */
export * as OpenFeatureProvider from "./OpenFeatureProvider.js"
