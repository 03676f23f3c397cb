/**
 * The redactor a Layer uses for what it writes (log lines, span
 * attributes): `@courier/core`'s default rules, the headers the client's
 * configuration names as credentials, and the Layer's own additions.
 */
import * as Redaction from "@courier/core/Redaction"
import type * as CourierClient from "../../CourierClient.js"

/** @internal */
export const redactorFor = (
  client: CourierClient.Service,
  extra: Redaction.Options | undefined
): Redaction.Redactor => {
  const base = Redaction.forClient(Redaction.defaultRedactor, client.config.credentialHeaders)
  return extra === undefined ? base : Redaction.extend(base, extra)
}
