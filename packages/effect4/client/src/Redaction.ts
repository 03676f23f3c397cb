/**
 * What a log, span or failure may show of a request or response: the
 * redaction rules of `@courier/core` (secret headers, query parameters and
 * body fields), with the current redactor in context as a
 * `Context.Reference`. The client reads it when it is built, adding the
 * configuration's `credentialHeaders`; Layers that show requests read it
 * when they are built.
 *
 * @example
 * ```ts
 * import { CourierClient, Redaction } from "@courier/client-effect4"
 * import * as Layer from "effect/Layer"
 *
 * // A client whose failures also hide `x-session` and the `otp` query value.
 * const Client = CourierClient.layer.pipe(Layer.provide(Redaction.layer({ headers: ["x-session"], queryParams: ["otp"] })))
 * ```
 *
 * @since 0.1.0
 */
import * as Core from "@courier/core/Redaction"
import * as Context from "effect/Context"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"

/**
 * Names to redact, added to the default rules.
 *
 * @since 0.1.0
 */
export type Options = Core.Options

/**
 * Turns URLs, headers and bodies into text safe to log.
 *
 * @since 0.1.0
 */
export type Redactor = Core.Redactor

/**
 * What a redacted value is replaced with.
 *
 * @since 0.1.0
 */
export const placeholder: string = Core.placeholder

/**
 * The default rules: common credential headers, query parameters and body fields.
 *
 * @since 0.1.0
 */
export const defaults: Core.Rules = Core.defaults

/**
 * A redactor of the default rules plus `options`.
 *
 * @since 0.1.0
 */
export const make: (options?: Options) => Redactor = Core.make

/**
 * A redactor with more names.
 *
 * @since 0.1.0
 */
export const extend: {
  (options: Options): (self: Redactor) => Redactor
  (self: Redactor, options: Options): Redactor
} = dual(2, Core.extend)

/**
 * The current redactor: the default rules unless provided.
 *
 * @since 0.1.0
 */
export const Redaction: Context.Reference<Redactor> = Context.Reference<Redactor>(
  "@courier/client-effect4/Redaction",
  { defaultValue: () => Core.defaultRedactor }
)

/**
 * Provides a redactor of the default rules plus `options`, for what is
 * built on top of it.
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<never> => Layer.succeed(Redaction, make(options))
