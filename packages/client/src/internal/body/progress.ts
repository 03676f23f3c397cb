import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as CourierClient from "../../CourierClient.js"

/** Calls a progress callback; it can neither fail nor break the transfer. @internal */
export const reportProgress = (
  callback: (progress: CourierClient.Progress) => Effect.Effect<void>,
  transferred: number,
  total: number | undefined
): Effect.Effect<void> => Effect.catchAllCause(Effect.suspend(() => callback({ transferred, total })), () => Effect.void)

/** Counts the bytes a stream hands on, reporting after each slice. @internal */
export const withProgress = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  callback: ((progress: CourierClient.Progress) => Effect.Effect<void>) | undefined,
  total: number | undefined
): Stream.Stream<Uint8Array, E> => {
  if (callback === undefined) return stream
  return Stream.suspend(() => {
    let transferred = 0
    return Stream.tap(stream, (bytes) => {
      transferred += bytes.byteLength
      return reportProgress(callback, transferred, total)
    })
  })
}
