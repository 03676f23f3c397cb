/**
 * A Layer option that cannot be used, as effect's `ConfigError`: the error a
 * Layer built from configuration fails with. It names the option, never its
 * value (which may be anything, a secret included).
 */
import * as Config from "effect/Config"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

/** @internal */
export const invalidOption = (path: ReadonlyArray<string>, message: string): Config.ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer(path, new SchemaIssue.InvalidValue({ message })))
  )
