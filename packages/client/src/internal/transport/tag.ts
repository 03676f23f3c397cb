import * as Context from "effect/Context"
import type * as TransportNs from "../../Transport.js"

/**
 * The transport in context: what `CourierClient.layer` sends through.
 *
 * @since 0.1.0
 */
export class Transport extends Context.Tag("@courier/client/Transport")<Transport, TransportNs.Service>() {}
