import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Multipart from "@effect/platform/Multipart"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import { BadRequest, json } from "./http.js"

/** @internal What `/upload` reports for each file part. */
export interface UploadedFile {
  readonly field: string
  readonly filename: string
  readonly contentType: string
  readonly size: number
  readonly sha256: string
}

interface Parsed {
  readonly fields: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly files: ReadonlyArray<UploadedFile>
}

// Hashes while the part streams through: memory stays at one chunk however
// large the file is.
const describe = (file: Multipart.File): Effect.Effect<UploadedFile, Multipart.MultipartError> =>
  Effect.suspend(() => {
    const hash = Crypto.createHash("sha256")
    return file.content.pipe(
      Stream.runFold(0, (size, chunk) => {
        hash.update(chunk)
        return size + chunk.length
      }),
      Effect.map((size) => ({
        field: file.key,
        filename: file.name,
        contentType: file.contentType,
        size,
        sha256: hash.digest("hex")
      }))
    )
  })

const addField = (
  fields: Parsed["fields"],
  key: string,
  value: string
): Parsed["fields"] => {
  const previous = fields[key]
  // A repeated field name keeps every value, in order.
  const next = previous === undefined ? value : [...(typeof previous === "string" ? [previous] : previous), value]
  return { ...fields, [key]: next }
}

const upload = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  if (!/^multipart\/form-data\b/i.test(request.headers["content-type"] ?? "")) {
    return yield* new BadRequest({ error: "expected a multipart/form-data body", issues: [] })
  }
  const parsed = yield* request.multipartStream.pipe(
    Stream.runFoldEffect({ fields: {}, files: [] } as Parsed, (parsed, part) =>
      part._tag === "Field"
        ? Effect.succeed({ ...parsed, fields: addField(parsed.fields, part.key, part.value) })
        : Effect.map(describe(part), (file) => ({ ...parsed, files: [...parsed.files, file] }))),
    // No size limits: the route exists to stream multi-gigabyte bodies. An
    // empty mime list makes every part with a filename a file, even a JSON
    // one, so the echo says exactly what was sent.
    Multipart.withLimits({
      maxParts: Option.none(),
      maxFileSize: Option.none(),
      maxTotalSize: Option.none(),
      fieldMimeTypes: []
    }),
    Effect.mapError((error) =>
      new BadRequest({ error: "invalid multipart body", issues: [{ reason: error.reason, message: error.message }] })
    )
  )
  return json(parsed)
})

/** @internal `POST /upload`. */
export const router = HttpRouter.empty.pipe(HttpRouter.post("/upload", upload))
