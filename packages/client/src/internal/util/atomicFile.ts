import * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import * as Effect from "effect/Effect"

/** @internal */
export const dirname = (path: string): string => {
  const i = path.lastIndexOf("/")
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i)
}

/**
 * Replaces the file at `path` with `text`, readable by its owner only: the
 * text goes to a new file (0600, in a 0700 directory) that is renamed over
 * the old one, so a reader sees the old file or the new one, never half of
 * one, and a crash leaves no partial secret file behind.
 *
 * @internal
 */
export const writeAtomic = (
  fs: FileSystem.FileSystem,
  path: string,
  text: string
): Effect.Effect<void, PlatformError.PlatformError> =>
  Effect.gen(function*() {
    yield* fs.makeDirectory(dirname(path), { recursive: true, mode: 0o700 })
    const tmp = `${path}.${crypto.randomUUID()}.tmp`
    yield* fs.writeFileString(tmp, text, { mode: 0o600 }).pipe(
      // The mode given at creation is masked by the umask; chmod is not.
      Effect.zipRight(fs.chmod(tmp, 0o600)),
      Effect.zipRight(fs.rename(tmp, path)),
      Effect.onError(() => Effect.ignore(fs.remove(tmp)))
    )
  })
