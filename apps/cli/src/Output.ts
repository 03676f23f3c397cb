/**
 * Printing a response: the body on stdout (pretty, coloured JSON on a
 * terminal, the raw bytes otherwise), the status line on stderr.
 */
import * as CourierError from "@courier/client/CourierError"
import type * as CourierResponse from "@courier/client/CourierResponse"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Stdio from "./Stdio.js"

const decoder = new TextDecoder()

const bytesOf = (response: CourierResponse.CourierResponse): Uint8Array =>
  response.body._tag === "Buffered" ? response.body.bytes : new Uint8Array(0)

/**
 * The JSON value of a body whose content type says JSON, `undefined` for
 * other bodies and empty ones, or `Parse` when it does not parse: a body
 * that lies about its type is a failure even when it would be printed raw.
 */
export const decodeJson = (
  response: CourierResponse.CourierResponse
): Effect.Effect<{ readonly value: unknown } | undefined, CourierError.Parse> =>
  Effect.suspend(() => {
    const contentType = response.headers["content-type"]
    if (!Format.isJsonContentType(contentType)) return Effect.succeed(undefined)
    const text = decoder.decode(bytesOf(response))
    if (text.trim() === "") return Effect.succeed(undefined)
    try {
      return Effect.succeed({ value: JSON.parse(text) as unknown })
    } catch (cause) {
      return Effect.fail(
        new CourierError.Parse({
          request: response.request.info,
          status: response.status,
          reason: "InvalidJson",
          contentType,
          issues: [],
          bodyExcerpt: text.slice(0, 1024),
          cause: cause instanceof SyntaxError ? cause : undefined
        })
      )
    }
  })

/** Writes the body to stdout as the module doc says. */
export const body = (response: CourierResponse.CourierResponse): Effect.Effect<void, CourierError.Parse, Stdio.Stdio> =>
  Effect.gen(function*() {
    const { stderr, stdout } = yield* Stdio.Stdio
    const bytes = bytesOf(response)
    const json = yield* decodeJson(response)
    if (!stdout.isTTY) {
      if (bytes.byteLength > 0) yield* stdout.write(bytes)
      return
    }
    if (json !== undefined) {
      yield* stdout.write(Format.json(json.value, stdout.colour ? Format.colours : Format.plain) + "\n")
      return
    }
    if (bytes.byteLength === 0) return
    if (Format.looksBinary(bytes)) {
      yield* stderr.write(
        `courier: the body is binary (${Format.bytes(bytes.byteLength)}), not shown on a terminal; redirect stdout or use courier download\n`
      )
      return
    }
    yield* stdout.write(bytes)
    // A terminal prompt after the body should start on its own line.
    if (bytes[bytes.byteLength - 1] !== 0x0a) yield* stdout.write("\n")
  })

/** `HTTP 200 OK` on stderr. */
export const status = (status: number): Effect.Effect<void, never, Stdio.Stdio> =>
  Effect.flatMap(
    Stdio.Stdio,
    ({ stderr }) => stderr.write(Format.statusLine(status, stderr.colour ? Format.colours : Format.plain) + "\n")
  )
