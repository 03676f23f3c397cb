/**
 * A response of the Node transport, as the seam wants it: the head and the
 * readers of the handler's body. The failures are Courier's, built only
 * when something fails.
 */
import type * as Headers from "@effect/platform/Headers"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as CourierError from "../../CourierError.js"
import type * as CourierRequest from "../../CourierRequest.js"
import type * as Transport from "../../Transport.js"
import * as Failure from "../../internal/core/failure.js"
import type { Handler } from "./handler.js"
import * as Reader from "./reader.js"

/** @internal */
export class Response implements Transport.Response {
  constructor(
    readonly status: number,
    readonly headers: Headers.Headers,
    readonly setCookie: ReadonlyArray<string>,
    private readonly handler: Handler,
    private readonly request: CourierRequest.CourierRequest,
    private readonly connectTimeout: Duration.Duration
  ) {}

  private readonly bodyFailure = (error: unknown): CourierError.Network | CourierError.Timeout =>
    Failure.fromBody(this.request, error, this.connectTimeout)

  readAll(limit: number): Effect.Effect<Uint8Array, Transport.BodyError> {
    return Reader.readAll<Transport.BodyError>(
      this.handler,
      limit,
      () => new CourierError.LimitExceeded({ request: this.request.info, reason: "ResponseTooLarge", limit }),
      this.bodyFailure
    )
  }

  readPrefix(limit: number): Effect.Effect<Uint8Array> {
    return Reader.readPrefix(this.handler, limit)
  }

  get raw(): Stream.Stream<Uint8Array, CourierError.Network | CourierError.Timeout> {
    return Reader.rawStream(this.handler, this.bodyFailure)
  }

  get discard(): Effect.Effect<void> {
    return Reader.discard(this.handler)
  }
}
