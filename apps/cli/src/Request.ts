/**
 * `courier <method> <url> [items...]`: one request, the body on stdout.
 */
import * as Body from "@courier/client/Body"
import * as CourierClient from "@courier/client/CourierClient"
import * as Multipart from "@courier/client/Multipart"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { UsageError } from "./CliError.js"
import * as ClientLayer from "./ClientLayer.js"
import * as Flags from "./Flags.js"
import * as Items from "./Items.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Stdio from "./Stdio.js"

/** The methods, each a subcommand. */
export const methods = ["get", "post", "put", "patch", "delete", "head", "options"] as const

/** What a request command parsed. */
export interface Args extends Flags.Shared {
  readonly url: string
  readonly items: ReadonlyArray<string>
  readonly bodyOnly: boolean
  readonly quiet: boolean
}

const mediaTypes: Readonly<Record<string, string>> = {
  txt: "text/plain",
  csv: "text/csv",
  html: "text/html",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  zip: "application/zip",
  gz: "application/gzip"
}

/** `path;type=mime` names the content type; otherwise the extension guesses it. */
const fileSpec = (spec: string): { readonly path: string; readonly contentType: string } => {
  const typed = /^(.*);type=([^;]+)$/.exec(spec)
  if (typed !== null) return { path: typed[1], contentType: typed[2] }
  const extension = /\.([a-z0-9]+)$/i.exec(spec)?.[1]?.toLowerCase()
  return { path: spec, contentType: (extension && mediaTypes[extension]) || "application/octet-stream" }
}

/** The body the items make: none, a JSON object, or multipart when a file is named. */
export const bodyOf = (parsed: Items.Parsed): Effect.Effect<Body.Body | undefined, UsageError, FileSystem.FileSystem> => {
  if (parsed.files.length === 0) {
    return Effect.succeed(parsed.fields.length === 0 ? undefined : Body.json(Items.jsonObject(parsed.fields)))
  }
  return Effect.map(
    Effect.forEach(parsed.files, (file) => {
      const { contentType, path } = fileSpec(file.path)
      return Multipart.file(file.name, path, { contentType }).pipe(
        Effect.mapError((error) => new UsageError({ message: `cannot read ${path} for the item ${file.name}@: ${error.message}` }))
      )
    }),
    (files) =>
      Multipart.body([
        ...parsed.fields.map((field) => Multipart.field(field.name, field._tag === "Field" ? field.value : field.raw)),
        ...files
      ])
  )
}

/** Parses the items, or fails with the first malformed one. */
export const parseItems = (items: ReadonlyArray<string>): Effect.Effect<Items.Parsed, UsageError> =>
  Either.match(Items.parseItems(items), {
    onLeft: (message) => Effect.fail(new UsageError({ message })),
    onRight: Effect.succeed
  })

/** Runs one request command. */
export const run = (method: (typeof methods)[number], args: Args) =>
  Effect.gen(function*() {
    const { settings, url } = yield* Flags.settings(args, args.url)
    const parsed = yield* parseItems(args.items)
    const stdio = yield* Stdio.Stdio
    const body = yield* bodyOf(parsed)
    const meter = yield* Progress.make({
      label: "upload",
      mode: parsed.files.length === 0 || args.bodyOnly ? "none" : Progress.modeFor(stdio.stderr, args.quiet),
      out: stdio.stderr
    })
    const response = yield* Effect.flatMap(CourierClient.CourierClient, (client) =>
      client.response(method.toUpperCase(), url, {
        query: parsed.query,
        headers: parsed.headers,
        body,
        onUploadProgress: meter.update
      })).pipe(
        Effect.ensuring(meter.end),
        Effect.provide(ClientLayer.layer(settings))
      )
    if (args.verbose && !args.bodyOnly) yield* Output.status(response.status)
    yield* Output.body(response)
  }).pipe(Effect.provide(ClientLayer.verbosity(args.verbose)))
