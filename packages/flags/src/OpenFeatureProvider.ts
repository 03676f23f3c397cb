/**
 * An OpenFeature server-SDK provider backed by a {@link FeatureFlags.Service},
 * so code written against the OpenFeature API reads the same values, from
 * the same cache, as Effect code.
 *
 * OpenFeature calls a provider from plain JavaScript, so this module is the
 * one place where the flags package runs Effects: `makeProvider` captures
 * the runtime it is run in, and each evaluation runs a synchronous read of
 * the service's current snapshot on it. No request is made per evaluation.
 *
 * The service evaluates every flag for one context (the options given to
 * `FeatureFlags.make`); the evaluation context OpenFeature passes per call
 * is not sent anywhere, so per-request targeting belongs in the options.
 *
 * Declared flags answer with their typed value (or default); flags the
 * server sent but the service does not declare answer with the value as
 * sent. A value whose JavaScript type differs from the default's answers
 * `TYPE_MISMATCH`, a flag neither declared nor sent `FLAG_NOT_FOUND`: both
 * give the caller's default through the SDK.
 *
 * @example
 * ```ts
 * import { FeatureFlags, OpenFeatureProvider } from "@courier/flags"
 * import { OpenFeature } from "@openfeature/server-sdk"
 * import * as Effect from "effect/Effect"
 * import * as Schema from "effect/Schema"
 *
 * const program = Effect.gen(function*() {
 *   const flags = yield* FeatureFlags.make({ enable_new_ui: FeatureFlags.flag(Schema.Boolean, false) })
 *   const provider = yield* OpenFeatureProvider.makeProvider(flags)
 *   yield* Effect.promise(() => OpenFeature.setProviderAndWait(provider))
 *   // Anywhere, in promise-land:
 *   const newUi = yield* Effect.promise(() => OpenFeature.getClient().getBooleanValue("enable_new_ui", false))
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { Provider } from "@openfeature/server-sdk"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as FeatureFlags from "./FeatureFlags.js"
import * as internal from "./internal/provider.js"

/**
 * A provider reading `service`. It emits `PROVIDER_CONFIGURATION_CHANGED`
 * (with the keys that changed) each time the service's values change, until
 * the scope closes.
 *
 * @since 0.1.0
 */
export const makeProvider: <D extends FeatureFlags.Definitions>(
  service: FeatureFlags.Service<D>
) => Effect.Effect<Provider, never, Scope.Scope> = internal.makeProvider
