/**
 * A platform request's body as a Courier body. Bytes, strings and
 * `FormData` become bytes (so the request can be retried and replayed); a
 * `Stream`, or a raw `ReadableStream`, is one-shot, as `Body.stream` is.
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Body from "../../Body.js"
import * as CourierError from "../../CourierError.js"
import * as Url from "@courier/core/Url"

const textEncoder = new TextEncoder()

/** The request as a failure shows it: the redacted URL, the query in it. */
const shown = (request: HttpClientRequest.HttpClientRequest, redactedUrl: string) =>
  HttpClientRequest.setUrlParams(HttpClientRequest.setUrl(request, redactedUrl), [])

const refused = (request: HttpClientRequest.HttpClientRequest, url: URL, detail: string) =>
  new HttpClientError.RequestError({
    request: shown(request, Url.redact(url)),
    reason: "Encode",
    cause: new CourierError.RequestRefused({
      request: { method: request.method, url: Url.redact(url) },
      reason: "InvalidBody",
      detail
    }),
    description: detail
  })

/**
 * A platform body as a Courier body. Bytes, strings and `FormData` become
 * bytes (so the request can be retried and replayed); a `Stream`, or a raw
 * `ReadableStream`, is one-shot, as `Body.stream` is.
 */
/** @internal */
export const toBody = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<Body.Body, HttpClientError.RequestError> => {
  const body: HttpBody.HttpBody = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ _tag: "Empty" })
    case "Uint8Array":
      return Effect.succeed({ _tag: "Bytes", bytes: body.body, contentType: body.contentType })
    case "Stream":
      return Effect.succeed({
        _tag: "Stream",
        make: () => body.stream,
        contentType: body.contentType,
        contentLength: body.contentLength,
        replayable: false
      })
    case "FormData":
      // The boundary is chosen when the form is serialised: the bytes and
      // the content type naming it must come from the same serialisation.
      return Effect.tryPromise({
        try: async () => {
          const serialised = new globalThis.Response(body.formData)
          const bytes = new Uint8Array(await serialised.arrayBuffer())
          return {
            _tag: "Bytes",
            bytes,
            contentType: serialised.headers.get("content-type") ?? "multipart/form-data"
          } satisfies Body.Body
        },
        catch: () => refused(request, url, "the FormData body could not be serialised")
      })
    case "Raw": {
      const contentType = body.contentType ?? "application/octet-stream"
      const raw = body.body
      if (raw instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: raw, contentType })
      if (raw instanceof ArrayBuffer) return Effect.succeed({ _tag: "Bytes", bytes: new Uint8Array(raw), contentType })
      if (typeof raw === "string") {
        return Effect.succeed({ _tag: "Bytes", bytes: textEncoder.encode(raw), contentType })
      }
      if (raw instanceof ReadableStream) {
        return Effect.succeed({
          _tag: "Stream",
          make: () => Stream.fromReadableStream(() => raw as ReadableStream<Uint8Array>, (cause) => cause),
          contentType,
          contentLength: body.contentLength,
          replayable: false
        })
      }
      return Effect.fail(refused(request, url, "a raw body must be bytes, a string or a ReadableStream"))
    }
  }
}

