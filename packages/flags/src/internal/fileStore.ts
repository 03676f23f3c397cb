import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Path from "node:path"
import type * as FlagStore from "../FlagStore.js"

/** @internal */
export class FlagStoreError extends Data.TaggedError("FlagStoreError")<{
  readonly operation: "load" | "save"
  readonly cause: unknown
}> {
  override get message(): string {
    return `flag store ${this.operation} failed`
  }
}

/** @internal */
export const file = (path: string): Effect.Effect<FlagStore.FlagStore, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs) => {
    const load = Effect.gen(function*() {
      if (!(yield* fs.exists(path))) return Option.none()
      const text = yield* fs.readFileString(path)
      // A half-written file cannot exist (writes rename), but a file edited by
      // hand can hold anything: the service validates what comes back.
      return Option.some(yield* Effect.try((): unknown => JSON.parse(text)))
    }).pipe(
      Effect.mapError((cause) => new FlagStoreError({ operation: "load", cause }))
    )
    const save = (stored: FlagStore.Stored) =>
      Effect.gen(function*() {
        yield* fs.makeDirectory(Path.dirname(path), { recursive: true, mode: 0o700 })
        const tmp = `${path}.${crypto.randomUUID()}.tmp`
        // The mode on write applies only to a new file and is masked by the
        // umask; the chmod makes it 0600 whatever the umask says.
        yield* fs.writeFileString(tmp, JSON.stringify(stored) + "\n", { mode: 0o600 }).pipe(
          Effect.zipRight(fs.chmod(tmp, 0o600)),
          Effect.zipRight(fs.rename(tmp, path)),
          Effect.onError(() => Effect.ignore(fs.remove(tmp)))
        )
      }).pipe(Effect.mapError((cause) => new FlagStoreError({ operation: "save", cause })))
    return { load, save }
  })

/** @internal */
export const memory = (): FlagStore.FlagStore => {
  let saved: Option.Option<unknown> = Option.none()
  return {
    load: Effect.sync(() => saved),
    save: (stored) =>
      Effect.sync(() => {
        saved = Option.some(structuredClone(stored))
      })
  }
}
