/**
 * Where the access and refresh tokens live. Tokens are `Redacted` from the
 * moment they enter the program. The in-memory store suits services; the
 * file store suits command-line tools (one file, mode 0600, replaced
 * atomically); any secure storage can implement the same interface.
 *
 * @example
 * ```ts
 * import { TokenStore } from "@courier/client"
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * // A service keeps tokens in memory; a CLI keeps them in a 0600 file, one entry per API.
 * const InMemory = TokenStore.layerMemory()
 * const OnDisk = TokenStore.layerFile({ path: "/home/me/.config/notes/credentials.json", key: "https://api.example.com" })
 *   .pipe(Layer.provide(NodeContext.layer))
 *
 * // After a login: the tokens are Redacted from here on.
 * const signIn = (accessToken: string, refreshToken: string) =>
 *   Effect.flatMap(TokenStore.TokenStore, (store) => store.set(TokenStore.tokens(accessToken, refreshToken)))
 * ```
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as internal from "./internal/layers/auth/tokenStore.js"
import { TokenStore, TokenStoreError } from "./internal/layers/auth/tokenStore.js"
import { markLocal } from "./internal/core/localStore.js"

/**
 * @since 0.1.0
 */
export interface Tokens {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /**
   * When the access token expires (epoch milliseconds on effect's `Clock`),
   * if known: `refreshOAuth2` sets it from `expires_in`; a program storing
   * tokens after a login may set it from the login's answer. The stores keep
   * it (the file store persists it), and the auth Layer refreshes shortly
   * before it (`Auth.Options.refreshAhead`).
   */
  readonly expiresAt?: number | undefined
}

export { TokenStoreError }

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
 * @since 0.1.0
 */
export { TokenStore }

/**
 * Tokens from plain strings, wrapped as `Redacted`.
 *
 * @since 0.1.0
 */
export const tokens = (accessToken: string, refreshToken?: string): Tokens => ({
  accessToken: Redacted.make(accessToken),
  refreshToken: refreshToken === undefined ? undefined : Redacted.make(refreshToken)
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
    let current: Option.Option<Tokens> = Option.fromNullable(initial)
    return markLocal<Service>({
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
    })
  })

/**
 * The in-memory store as a Layer.
 *
 * @since 0.1.0
 */
export const layerMemory = (initial?: Tokens): Layer.Layer<TokenStore> => Layer.effect(TokenStore, makeMemory(initial))

/**
 * A file-backed store. The file holds tokens for several keys (one per API
 * origin, say) as JSON; it is created with mode 0600 in a directory created
 * with mode 0700, and every write goes to a temporary file in the same
 * directory that is then renamed over it, so a crash never leaves half a
 * file.
 *
 * Several stores (in this process or others) may share the file: a read is
 * served from memory only while the file is unchanged (same inode, size and
 * modification time), so tokens another store wrote are seen by the next
 * read; `clearIf` removes this key's tokens only if the file still holds the
 * expected ones. Writes to one path are serialised within a process; across
 * processes the check and the replacement are two steps, not one atomic
 * operation.
 *
 * @since 0.1.0
 */
export const makeFile = (options: {
  readonly path: string
  readonly key: string
}): Effect.Effect<Service, never, FileSystem.FileSystem> => internal.makeFile(options)

/**
 * The file-backed store as a Layer (needs a `FileSystem`, such as
 * `NodeFileSystem.layer`).
 *
 * @since 0.1.0
 */
export const layerFile = (options: {
  readonly path: string
  readonly key: string
}): Layer.Layer<TokenStore, never, FileSystem.FileSystem> => Layer.effect(TokenStore, makeFile(options))
