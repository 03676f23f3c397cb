/**
 * Where the access and refresh tokens live. Tokens are `Redacted` from the
 * moment they enter the program. The in-memory store suits services; the
 * file store suits command-line tools (one file, mode 0600, replaced
 * atomically); any secure storage can implement the same interface.
 *
 * @example
 * ```ts
 * import { TokenStore } from "@courier/client-effect4"
 * import * as Effect from "effect/Effect"
 *
 * const Store = TokenStore.layerMemory()
 *
 * // After a login: the tokens are Redacted from here on.
 * const signIn = (accessToken: string, refreshToken: string) =>
 *   TokenStore.TokenStore.use((store) => store.set(TokenStore.tokens(accessToken, refreshToken)))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as file from "./internal/layers/auth/tokenFile.js"
import * as internal from "./internal/layers/auth/tokenStore.js"

/**
 * @since 0.1.0
 */
export interface Tokens {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /**
   * When the access token expires (epoch milliseconds on effect's `Clock`),
   * if known. A program storing tokens after a login may set it from the
   * login's answer; the auth Layer refreshes shortly before it
   * (`Auth.Options.refreshAhead`).
   */
  readonly expiresAt?: number | undefined
}

/**
 * Reading or writing the store failed.
 *
 * @since 0.1.0
 */
export const TokenStoreError = internal.TokenStoreError

/**
 * @since 0.1.0
 */
export type TokenStoreError = internal.TokenStoreError

/**
 * @since 0.1.0
 */
export interface Service {
  /** The tokens stored now, including what another writer of the same storage stored. */
  readonly get: Effect.Effect<Option.Option<Tokens>, TokenStoreError>
  readonly set: (tokens: Tokens) => Effect.Effect<void, TokenStoreError>
  readonly clear: Effect.Effect<void, TokenStoreError>
  /**
   * Clears the tokens only if the store still holds `expected` (same access
   * and refresh token): never newer ones another writer stored meanwhile.
   * The auth Layer uses it when a session ends, `clear` when it is absent.
   */
  readonly clearIf?: ((expected: Tokens) => Effect.Effect<void, TokenStoreError>) | undefined
}

/**
 * The token store service.
 *
 * @since 0.1.0
 */
export const TokenStore = internal.TokenStore

/**
 * @since 0.1.0
 */
export type TokenStore = internal.TokenStore

/**
 * Tokens from plain strings, wrapped as `Redacted`.
 *
 * @since 0.1.0
 */
export const tokens = (accessToken: string, refreshToken?: string, expiresAt?: number): Tokens => ({
  accessToken: Redacted.make(accessToken),
  refreshToken: refreshToken === undefined ? undefined : Redacted.make(refreshToken),
  ...(expiresAt === undefined ? {} : { expiresAt })
})

const sameSecret = (a: Redacted.Redacted<string> | undefined, b: Redacted.Redacted<string> | undefined) =>
  a === b || (a !== undefined && b !== undefined && Redacted.value(a) === Redacted.value(b))

/**
 * Whether two sets of tokens hold the same secrets.
 *
 * @since 0.1.0
 */
export const sameTokens = (a: Tokens, b: Tokens): boolean =>
  sameSecret(a.accessToken, b.accessToken) && sameSecret(a.refreshToken, b.refreshToken)

/**
 * A store in memory, optionally seeded.
 *
 * @since 0.1.0
 */
export const makeMemory = (initial?: Tokens): Effect.Effect<Service> =>
  Effect.sync(() => {
    let current: Option.Option<Tokens> = Option.fromNullishOr(initial)
    return {
      get: Effect.sync(() => current),
      set: (tokens) =>
        Effect.sync(() => {
          current = Option.some(tokens)
        }),
      clear: Effect.sync(() => {
        current = Option.none()
      }),
      clearIf: (expected) =>
        Effect.sync(() => {
          if (Option.isSome(current) && sameTokens(current.value, expected)) current = Option.none()
        })
    }
  })

/**
 * A file-backed store, for command-line tools. The file holds tokens for
 * several keys (one per API origin, say) as JSON; it is created with mode
 * 0600 in a directory created with mode 0700, and every write goes to a
 * temporary file in the same directory that is then renamed over it, so a
 * crash never leaves half a file.
 *
 * Several stores (in this process or others) may share the file: a read is
 * served from memory only while the file is unchanged (same inode, size and
 * modification time), so tokens another store wrote are seen by the next
 * read; `clearIf` removes this key's tokens only if the file still holds the
 * expected ones. Writes to one path are serialised within a process; across
 * processes the check and the replacement are two steps, not one atomic
 * operation. A file that is not valid JSON fails reads with
 * `TokenStoreError` (operation `read`), quoting none of it.
 *
 * @since 0.1.0
 */
export const makeFile = (options: { readonly path: string; readonly key: string }): Effect.Effect<Service> =>
  file.makeFile(options)

/**
 * The file-backed store as a Layer (Node's file system).
 *
 * @since 0.1.0
 */
export const layerFile = (options: { readonly path: string; readonly key: string }): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, makeFile(options))

/**
 * The in-memory store as a Layer.
 *
 * @since 0.1.0
 */
export const layerMemory = (initial?: Tokens): Layer.Layer<TokenStore> => Layer.effect(TokenStore, makeMemory(initial))
