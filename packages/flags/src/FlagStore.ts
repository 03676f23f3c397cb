/**
 * Where the last values the flag server sent are kept between runs, so a
 * restart while the server is down still serves them. A store is two
 * Effects, `load` and `save`; any backend (a file, Redis, a keychain) can
 * implement it. Failures of a store are logged by the flags service and
 * never reach program code.
 *
 * @example
 * ```ts
 * import { FlagStore } from "@courier/flags"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const store = FlagStore.file(".cache/flags.json").pipe(Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as internal from "./internal/fileStore.js"
import type * as Ofrep from "./Ofrep.js"

/**
 * What is stored: the entries of the last accepted response, its `ETag`,
 * and the context it was evaluated for (an `ETag` is only reused for the
 * same context).
 *
 * @since 0.1.0
 */
export interface Stored {
  readonly flags: ReadonlyArray<Ofrep.Entry>
  readonly etag: string | undefined
  readonly context: string
}

/**
 * A failed read or write.
 *
 * @since 0.1.0
 */
export class FlagStoreError extends internal.FlagStoreError {}

/**
 * A store. `load` succeeds with `None` when nothing was saved yet; what it
 * returns is validated again by the service, so a store may hand back
 * anything it read.
 *
 * @since 0.1.0
 */
export interface FlagStore {
  readonly load: Effect.Effect<Option.Option<unknown>, FlagStoreError>
  readonly save: (stored: Stored) => Effect.Effect<void, FlagStoreError>
}

/**
 * A JSON file, written atomically (a temporary file with mode `0600`
 * renamed over the old one), in a directory created with mode `0700`.
 *
 * @since 0.1.0
 */
export const file: (path: string) => Effect.Effect<FlagStore, never, FileSystem.FileSystem> = internal.file

/**
 * A store in memory, for tests and for sharing values between two
 * services of one process.
 *
 * @since 0.1.0
 */
export const memory: () => FlagStore = internal.memory
