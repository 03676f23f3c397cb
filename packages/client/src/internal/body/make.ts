/**
 * The body constructors internal code needs (the refresh requests), here so
 * that it never imports the public `Body` module by value.
 */
import type * as Schema from "effect/Schema"
import type * as Body from "../../Body.js"
import type * as Url from "../../Url.js"

/** @internal */
export const json = (value: unknown, options?: { readonly schema: Schema.Schema<unknown, unknown, never> }): Body.Body =>
  options === undefined ? { _tag: "Json", value } : { _tag: "Json", value, schema: options.schema }

/** @internal */
export const form = (fields: Url.Query): Body.Body => ({ _tag: "Form", fields })
