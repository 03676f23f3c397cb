/**
 * The token store's service key and error, here so that the auth Layer's
 * internals need the public module for its types only.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as TokenStoreNs from "../../../TokenStore.js"

/** @internal */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  readonly operation: "read" | "write" | "clear"
  readonly cause: unknown
}> {
  override get message(): string {
    return `the token store could not ${
      this.operation === "read" ? "be read" : this.operation === "write" ? "be written" : "be cleared"
    }`
  }
}

/** @internal */
export class TokenStore extends Context.Service<TokenStore, TokenStoreNs.Service>()("@courier/client-effect4/TokenStore") {}
