/**
 * A streamed response body on the client's side of the seam: decoded from
 * its content codings as it flows, and counted against `maxResponseBytes`
 * on the bytes handed on.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { type LimitExceeded, Network, type Timeout } from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import * as Codings from "./codings.js"
import { declaredLength, tooLarge } from "./read.js"

type Request = CourierRequest.CourierRequest
type BodyError = Network | Timeout | LimitExceeded

const counted = (request: Request, stream: Stream.Stream<Uint8Array, BodyError>): Stream.Stream<Uint8Array, BodyError> =>
  Stream.suspend(() => {
    const limit = request.maxResponseBytes
    let seen = 0
    return Stream.mapEffect(stream, (chunk) => {
      seen += chunk.byteLength
      return seen > limit ? Effect.fail(tooLarge(request, limit)) : Effect.succeed(chunk)
    })
  })

// The raw bytes are written into node's zlib streams by a fiber of the
// stream's scope; the decoded ones come out as the stream's elements.
const decoded = (
  request: Request,
  raw: Stream.Stream<Uint8Array, Network | Timeout>,
  chain: NonNullable<ReturnType<typeof Codings.decoderChain>>
): Stream.Stream<Uint8Array, BodyError> =>
  Stream.callback<Uint8Array, BodyError>((queue) =>
    Effect.gen(function*() {
      // Counted as it is produced, not only as it is consumed: a small
      // compressed body that expands fast must not fill memory ahead of a slow
      // reader, so the decoders stop at the limit.
      let produced = 0
      chain.output.on("data", (chunk: Uint8Array) => {
        produced += chunk.byteLength
        if (produced > request.maxResponseBytes) {
          Queue.failCauseUnsafe(queue, Cause.fail(tooLarge(request, request.maxResponseBytes)))
          chain.all.forEach((stage) => (stage as unknown as { destroy: () => void }).destroy())
        } else Queue.offerUnsafe(queue, chunk)
      })
      chain.output.on("end", () => Queue.endUnsafe(queue))
      for (const stage of chain.all) {
        stage.on("error", (cause: unknown) =>
          Queue.failCauseUnsafe(
            queue,
            Cause.fail(new Network({ request: request.info, reason: "Protocol", code: (cause as { code?: string }).code, cause }))
          ))
      }
      yield* Effect.addFinalizer(() => Effect.sync(() => chain.all.forEach((stage) => (stage as unknown as { destroy: () => void }).destroy())))
      yield* Stream.runForEach(raw, (chunk) =>
        Effect.callback<void>((resume) => {
          if (chain.input.write(chunk)) resume(Effect.void)
          else chain.input.once("drain", () => resume(Effect.void))
        })).pipe(
          Effect.andThen(Effect.sync(() => chain.input.end())),
          Effect.catch((error) => Effect.sync(() => Queue.failCauseUnsafe(queue, Cause.fail(error)))),
          Effect.forkScoped
        )
    })
  )

/** @internal */
export const decodedStream = (
  request: Request,
  response: Transport.Response,
  codings: ReadonlyArray<string>
): Stream.Stream<Uint8Array, BodyError> => {
  const chain = Codings.decoderChain(codings)
  if (chain === undefined) {
    const declared = declaredLength(response)
    if (codings.length === 0 && declared !== undefined && declared > request.maxResponseBytes) {
      return Stream.fromEffect(Effect.andThen(response.discard, Effect.fail(tooLarge(request, request.maxResponseBytes))))
    }
    return counted(request, response.raw)
  }
  return counted(request, decoded(request, response.raw, chain))
}
