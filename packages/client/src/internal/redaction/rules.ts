/**
 * The redaction rules live in `@courier/core` (they are plain functions);
 * what is Effect's stays here: the redactor in context.
 */
import * as Core from "@courier/core/Redaction"
import * as Context from "effect/Context"
import type * as RedactionNs from "../../Redaction.js"

// Re-exported so the Layers that read them keep one import.
export { defaultRedactor, defaults, extend, forClient, fromRules, make, placeholder, secretHeaders } from "@courier/core/Redaction"

/**
 * The current redactor (the default rules unless provided). Layers that show
 * requests read it when they are built.
 *
 * @since 0.1.0
 */
export class Redaction extends Context.Reference<Redaction>()("@courier/client/Redaction", {
  defaultValue: (): RedactionNs.Redactor => Core.defaultRedactor
}) {}
