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
    case "Multipart": {
      const contents = body.parts.map((part) => part._tag === "Field" ? encoder.encode(part.value) : part.bytes)
      const framing = Multipart.frame(body.parts.map((part, i) => ({
        name: part.name,
        file: part._tag === "File" ? { filename: part.filename, contentType: part.contentType } : undefined,
        size: contents[i]!.byteLength
      })))
      if (typeof framing === "string") return Effect.fail(framing)
      const out = new Uint8Array(framing.length!)
      let at = 0
      for (let i = 0; i < contents.length; i++) {
        out.set(framing.heads[i]!, at)
        at += framing.heads[i]!.byteLength
        out.set(contents[i]!, at)
        at += contents[i]!.byteLength
        out.set(framing.crlf, at)
        at += framing.crlf.byteLength
      }
      out.set(framing.tail, at)
      return Effect.succeed(bytes(out, framing.contentType))
    }
  }
}
