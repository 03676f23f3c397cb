/**
 * Turns a request body into what the wire takes: JSON, forms and multipart
 * become bytes with their content type, once, when the request is prepared,
 * so a redirect or a retry sends the same bytes without serialising again.
 */
import * as Multipart from "@courier/core/Multipart"
import * as Url from "@courier/core/Url"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Body from "../../Body.js"

const encoder = new TextEncoder()

/** A body ready for the wire, or why it cannot be sent (never a value of it). */
export type Serialised = Body.Empty | Body.Text | Body.Bytes | Body.StreamBody

const bytes = (bytes: Uint8Array, contentType: string): Body.Bytes => ({ _tag: "Bytes", bytes, contentType })

const stringify = (value: unknown): string | undefined => {
  try {
    // JSON.stringify throws on a cycle or a BigInt, and returns undefined for a function.
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

const multipart = (parts: ReadonlyArray<Body.Part>): Effect.Effect<Serialised, string> => {
  const contents = parts.map((part) =>
    part._tag === "Field" ? encoder.encode(part.value) : part._tag === "File" ? part.bytes : undefined
  )
  const framing = Multipart.frame(parts.map((part, i) => ({
    name: part.name,
    file: part._tag === "Field" ? undefined : { filename: part.filename, contentType: part.contentType },
    size: part._tag === "StreamFile" ? part.size : contents[i]!.byteLength
  })))
  if (typeof framing === "string") return Effect.fail(framing)
  if (contents.every((content) => content !== undefined)) {
    const out = new Uint8Array(framing.length!)
    let at = 0
    for (const [i, content] of contents.entries()) {
      for (const piece of [framing.heads[i]!, content!, framing.crlf]) {
        out.set(piece, at)
        at += piece.byteLength
      }
    }
    out.set(framing.tail, at)
    return Effect.succeed(bytes(out, framing.contentType))
  }
  // A streamed part: the body is the pieces in order, built anew for each sending.
  const make = () =>
    Stream.concat(
      Stream.flatMap(Stream.fromIterable(parts.entries()), ([i, part]) =>
        Stream.concat(
          Stream.concat(
            Stream.make(framing.heads[i]!),
            part._tag === "StreamFile" ? part.make() : Stream.make(contents[i]!)
          ),
          Stream.make(framing.crlf)
        )),
      Stream.make(framing.tail)
    )
  return Effect.succeed({
    _tag: "Stream",
    make,
    contentType: framing.contentType,
    contentLength: framing.length,
    replayable: true
  })
}

/** @internal */
export const serialise = (
  body: Body.Body,
  arrayFormat: Url.ArrayFormat
): Effect.Effect<Serialised, string> => {
  switch (body._tag) {
    case "Empty":
    case "Text":
    case "Bytes":
    case "Stream":
      return Effect.succeed(body)
    case "Json": {
      let value = body.value
      if (body.schema !== undefined) {
        const encoded = Schema.encodeUnknownResult(body.schema)(value)
        if (Result.isFailure(encoded)) return Effect.fail("the JSON body does not match its schema")
        value = encoded.success
      }
      const text = stringify(value)
      return text === undefined
        ? Effect.fail("the JSON body cannot be serialised (a cycle, a BigInt or no JSON value)")
        : Effect.succeed(bytes(encoder.encode(text), "application/json"))
    }
    case "Form": {
      const search = new URLSearchParams()
      const problem = Url.appendQuery(search, body.fields, arrayFormat)
      return problem !== undefined
        ? Effect.fail(problem.detail.replace(/^query parameter/, "form field"))
        : Effect.succeed(bytes(encoder.encode(search.toString()), "application/x-www-form-urlencoded"))
    }
    case "Multipart":
      return multipart(body.parts)
  }
}
