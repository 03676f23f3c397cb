/**
 * What a real multipart parser (busboy, the one behind multer and fastify)
 * makes of a request: a route that parses it and answers the parts as JSON,
 * so a test (or a property) reads what the server saw from the response.
 */
import { Reply } from "@courier/testing"
import Busboy from "busboy"
import * as Schema from "effect/Schema"
import type * as Http from "node:http"

/** One part as busboy delivered it; a file's bytes as hex. */
export const ParsedPart = Schema.Struct({
  kind: Schema.Literal("field", "file"),
  name: Schema.String,
  value: Schema.optional(Schema.String),
  filename: Schema.optional(Schema.String),
  mimeType: Schema.String,
  hex: Schema.String
})

/** The whole upload: the parts in order, or why busboy refused it. */
export const Parsed = Schema.Struct({
  contentType: Schema.String,
  parts: Schema.Array(ParsedPart),
  error: Schema.optional(Schema.String)
})
export type Parsed = typeof Parsed.Type

type Part = typeof ParsedPart.Type

/** Parses with `preservePath` and UTF-8 parameters, keeping names as sent, as browsers send them. */
export const parse = (request: Http.IncomingMessage): Promise<Parsed> =>
  new Promise((resolve) => {
    const parts: Array<Part> = []
    const pending: Array<Promise<void>> = []
    const contentType = String(request.headers["content-type"] ?? "")
    let error: string | undefined
    const done = () => void Promise.all(pending).then(() => resolve(error === undefined ? { contentType, parts } : { contentType, parts, error }))
    let parser: Busboy.Busboy
    try {
      parser = Busboy({ headers: request.headers, preservePath: true, defParamCharset: "utf8" })
    } catch (e) {
      error = String(e)
      request.resume()
      request.on("end", done)
      return
    }
    parser.on("field", (name, value, info) => {
      parts.push({ kind: "field", name, value, mimeType: info.mimeType, hex: Buffer.from(value, "utf8").toString("hex") })
    })
    parser.on("file", (name, file, info) => {
      const chunks: Array<Buffer> = []
      const index = parts.length
      parts.push({ kind: "file", name, filename: info.filename, mimeType: info.mimeType, hex: "" })
      pending.push(
        new Promise<void>((fileDone) => {
          file.on("data", (chunk: Buffer) => chunks.push(chunk))
          file.on("end", () => {
            parts[index] = { ...parts[index], hex: Buffer.concat(chunks).toString("hex") }
            fileDone()
          })
        })
      )
    })
    parser.on("error", (e) => {
      error = String(e)
      request.unpipe(parser)
      request.resume()
      if (request.readableEnded) done()
      else request.on("end", done)
    })
    parser.on("close", done)
    request.pipe(parser)
  })

/** A route answering 200 with the `Parsed` upload as JSON. */
export const parsingReply: Reply.Reply = Reply.custom((request, response) => {
  void parse(request).then((parsed) => {
    const body = JSON.stringify(parsed)
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    response.end(body)
  })
})
