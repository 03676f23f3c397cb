/**
 * Body constructors with overloads.
 */
import type * as Schema from "effect/Schema"
import type * as Body from "../../Body.js"

/** @internal */
export const json = (value: unknown, options?: { readonly schema: Schema.Codec<any, any> }): Body.Body =>
  options === undefined ? { _tag: "Json", value } : { _tag: "Json", value, schema: options.schema }
