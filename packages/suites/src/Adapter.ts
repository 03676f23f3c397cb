/**
 * What the lines' adapters (`Line` implementations) share: the mapping of a
 * case's data onto a test kit's constructors, the client options and the
 * outcome built from plain fields, the `.part` file of a hand-written
 * download. Effect-free: each line passes in what is tied to its effect
 * version (its kit's constructors, its durations, how it runs an Effect).
 */
import * as Fs from "node:fs"
import { inspect } from "node:util"
import type {
  CallSpec,
  ClientSpec,
  Failure,
  Handler,
  Headers,
  JournalEntry,
  Outcome,
  PresetSpec,
  Reply,
  RetryAfter,
  SchemaSpec,
  Server,
  ServerSpec,
  Success,
  Timeouts,
  Tokens
} from "./Line.js"

// ---------------------------------------------------------------------------
// Servers

/** The constructors of a kit's `Reply` module (node:http servers) the cases use; `D` is the kit's duration. */
export interface HttpKit<R, D> {
  readonly status: (code: number, options: { readonly headers: Headers }) => R
  readonly text: (body: string, options: { readonly status: number; readonly headers: Headers }) => R
  readonly bytes: (body: Uint8Array, options: { readonly status: number; readonly headers: Headers }) => R
  readonly json: (body: unknown, options: { readonly status: number; readonly headers: Headers }) => R
  readonly redirect: (status: 301, location: string) => R
  readonly encoded: (body: Uint8Array, encodings: ReadonlyArray<"gzip" | "deflate" | "br">) => R
  readonly stallAfterHeaders: (options: { readonly declaredLength?: number }) => R
  readonly drip: (options: { readonly chunk: string; readonly interval: D; readonly count: number }) => R
  readonly closeMidBody: (options: { readonly declaredLength: number; readonly body: string }) => R
  readonly reset: R
  readonly delay: (duration: D, reply: R) => R
  readonly echo: R
  readonly custom: (handler: Handler) => R
  readonly sequence: (replies: ReadonlyArray<R>) => R
}

/** A case's reply as the kit's http reply; throws for a fault-server-only reply. */
export const httpReply = <R, D>(kit: HttpKit<R, D>, millis: (ms: number) => D) => {
  const of = (reply: Reply): R => {
    switch (reply._tag) {
      case "respond": {
        const headers = { ...reply.headers, ...(typeof reply.retryAfter === "string" ? { "retry-after": reply.retryAfter } : {}) }
        const options = { status: reply.status, headers }
        if (reply.body === undefined) return kit.status(reply.status, { headers })
        if ("text" in reply.body) return kit.text(reply.body.text, options)
        if ("bytes" in reply.body) return kit.bytes(reply.body.bytes, options)
        return kit.json(reply.body.json, options)
      }
      case "redirect":
        // The kit types the status as a redirect code; the cases pick valid ones.
        return kit.redirect(reply.status as 301, reply.location)
      case "encoded":
        return kit.encoded(reply.body, reply.encodings)
      case "stallAfterHeaders":
        return kit.stallAfterHeaders(reply.declaredLength === undefined ? {} : { declaredLength: reply.declaredLength })
      case "drip":
        return kit.drip({ chunk: reply.chunk, interval: millis(reply.intervalMs), count: reply.count })
      case "closeMidBody":
        return kit.closeMidBody({ declaredLength: reply.declaredLength, body: reply.body })
      case "reset":
        return kit.reset
      case "delay":
        return kit.delay(millis(reply.ms), of(reply.reply))
      case "echo":
        return kit.echo
      case "custom":
        return kit.custom(reply.handler)
      case "sequence":
        return kit.sequence(reply.replies.map(of))
      default:
        throw new Error(`an http server cannot answer ${reply._tag}`)
    }
  }
  return of
}

interface FaultOptions {
  readonly headers: Readonly<Record<string, string>>
  readonly close: boolean
}

/** The constructors of a kit's `FaultServer` module (raw TCP) the cases use; `D` is the kit's duration. */
export interface FaultKit<F, D> {
  readonly retryAfter: (code: number, value: RetryAfter, options: FaultOptions) => F
  readonly status: (code: number, options: FaultOptions) => F
  readonly text: (body: string, options: FaultOptions & { readonly status: number }) => F
  readonly json: (value: unknown, options: FaultOptions & { readonly status: number }) => F
  readonly reset: F
  readonly sequence: (faults: ReadonlyArray<F>) => F
  readonly stallHeaders: F
  readonly stallBody: () => F
  readonly drip: (interval: D) => F
  readonly truncated: () => F
  readonly chunkedCut: () => F
  readonly badChunkSize: F
  readonly malformedStatusLine: () => F
  readonly oversizedHeaders: () => F
  readonly endlessHeaders: () => F
  readonly keepAliveThenClose: () => F
  readonly answerEarly: (code: number) => F
}

/** Repeated header lines joined with `, `: a raw fault answer takes one value per name. */
const flatHeaders = (headers: Headers | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : v.join(", ")]))

/** A case's reply as the kit's fault; throws for an http-server-only reply. */
export const faultReply = <F, D>(kit: FaultKit<F, D>, millis: (ms: number) => D) => {
  const of = (reply: Reply): F => {
    switch (reply._tag) {
      case "respond": {
        const options = { headers: flatHeaders(reply.headers), close: reply.close === true }
        if (reply.retryAfter !== undefined) return kit.retryAfter(reply.status, reply.retryAfter, options)
        if (reply.body === undefined) return kit.status(reply.status, options)
        if ("text" in reply.body) return kit.text(reply.body.text, { ...options, status: reply.status })
        if ("json" in reply.body) return kit.json(reply.body.json, { ...options, status: reply.status })
        throw new Error("a fault server answers text or JSON")
      }
      case "reset":
        return kit.reset
      case "sequence":
        return kit.sequence(reply.replies.map(of))
      case "stallHeaders":
        return kit.stallHeaders
      case "stallBody":
        return kit.stallBody()
      case "dripBytes":
        return kit.drip(millis(reply.intervalMs))
      case "truncated":
        return kit.truncated()
      case "chunkedCut":
        return kit.chunkedCut()
      case "badChunkSize":
        return kit.badChunkSize
      case "malformedStatusLine":
        return kit.malformedStatusLine()
      case "oversizedHeaders":
        return kit.oversizedHeaders()
      case "endlessHeaders":
        return kit.endlessHeaders()
      case "keepAliveThenClose":
        return kit.keepAliveThenClose()
      case "answerEarly":
        return kit.answerEarly(reply.status)
      default:
        throw new Error(`a fault server cannot answer ${reply._tag}`)
    }
  }
  return of
}

/** The routes of a spec with their replies mapped by `of`. */
export const routes = <R>(spec: ServerSpec, of: (reply: Reply) => R) =>
  (spec.routes ?? []).map(([method, path, reply]) => [method, path, of(reply)] as const)

/**
 * A started kit server (TestServer or FaultServer) as the suites' `Server`.
 * Its accessors are Effects of the line's version: `run` runs one to a
 * promise (the kit documents what each yields: the journal's entries, counts, a boolean).
 */
export interface KitServer<R, D, E> {
  readonly url: string
  readonly port: number
  readonly route: (method: string, path: string, reply: R) => E
  readonly journal: E
  readonly requests: (path: string) => E
  readonly openConnections: E
  readonly totalConnections: E
  readonly awaitIdle: (timeout: D) => E
}

export const server = <R, D, E>(
  kit: KitServer<R, D, E>,
  of: (reply: Reply) => R,
  millis: (ms: number) => D,
  run: (effect: E) => Promise<unknown>
): Server => ({
  url: kit.url,
  port: kit.port,
  route: (method, path, reply) => run(kit.route(method, path, of(reply))).then(() => undefined),
  journal: () => run(kit.journal) as Promise<ReadonlyArray<JournalEntry>>,
  requests: (path) => run(kit.requests(path)) as Promise<ReadonlyArray<JournalEntry>>,
  openConnections: () => run(kit.openConnections) as Promise<number>,
  totalConnections: () => run(kit.totalConnections) as Promise<number>,
  awaitIdle: (ms) => run(kit.awaitIdle(millis(ms))) as Promise<boolean>
})

// ---------------------------------------------------------------------------
// Clients

/** The schema constructors of a line's `Schema` module, as the suites' `SchemaSpec` needs them. */
export interface SchemaKit<S> {
  readonly Number: S
  readonly String: S
  readonly Boolean: S
  readonly Unknown: S
  readonly Void: S
  readonly Undefined: S
  readonly Struct: (fields: Readonly<Record<string, S>>) => S
  readonly Array: (item: S) => S
  readonly NullOr: (of: S) => S
  /** String keys. */
  readonly Record: (value: S) => S
  readonly suspend: (self: () => S) => S
}

/** A `SchemaSpec` as the line's schema; a `Recursive` one refers to itself through `suspend`. */
export const schema = <S>(kit: SchemaKit<S>) => {
  const of = (spec: SchemaSpec, self?: () => S): S => {
    switch (spec._tag) {
      case "Number":
      case "String":
      case "Boolean":
      case "Unknown":
      case "Void":
      case "Undefined":
        return kit[spec._tag]
      case "Struct":
        return kit.Struct(Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, of(v, self)])))
      case "Array":
        return kit.Array(of(spec.item, self))
      case "NullOr":
        return kit.NullOr(of(spec.of, self))
      case "Record":
        return kit.Record(of(spec.value, self))
      case "Recursive": {
        const recursive: S = of(spec.body, () => recursive)
        return recursive
      }
      case "Self":
        if (self === undefined) throw new Error("Self outside a Recursive schema")
        return kit.suspend(self)
    }
  }
  return (spec: SchemaSpec): S => of(spec)
}

/** Timeouts in the line's duration `D`; absent ones left out. */
export const timeouts = <D>(spec: Timeouts | undefined, millis: (ms: number) => D): Readonly<Record<string, D>> | undefined =>
  spec === undefined ? undefined : Object.fromEntries(
    Object.entries(spec).filter(([, v]) => v !== undefined).map(([k, v]) => [k, millis(v as number)])
  )

/** The client's configuration (both lines' `CourierConfig.Options`), with durations from `millis`. */
export const config = <D>(spec: ClientSpec, millis: (ms: number) => D) => ({
  ...(spec.baseUrl === undefined ? {} : { baseUrl: spec.baseUrl }),
  ...(spec.headers === undefined ? {} : { headers: spec.headers }),
  ...(spec.timeouts === undefined ? {} : { timeouts: timeouts(spec.timeouts, millis)! }),
  ...(spec.maxResponseBytes === undefined ? {} : { maxResponseBytes: spec.maxResponseBytes }),
  ...(spec.maxRedirects === undefined ? {} : { maxRedirects: spec.maxRedirects }),
  ...(spec.credentialHeaders === undefined ? {} : { credentialHeaders: spec.credentialHeaders }),
  ...(spec.allowedOrigins === undefined ? {} : { allowedOrigins: spec.allowedOrigins }),
  ...(spec.allowInsecureRedirects === undefined ? {} : { allowInsecureRedirects: spec.allowInsecureRedirects })
})

/**
 * The request options of a call that are plain data (both lines'
 * `RequestOptions` minus query, body and schemas, whose types are the
 * line's); `idempotencyKey` is the line's header maker.
 */
export const request = <D>(spec: CallSpec, millis: (ms: number) => D, idempotencyKey: () => Readonly<Record<string, string>>) => {
  const perCall = timeouts(spec.timeouts, millis)
  return {
    ...(spec.params === undefined ? {} : { params: spec.params }),
    headers: { ...spec.headers, ...(spec.idempotencyKey === true ? idempotencyKey() : {}) },
    ...(perCall === undefined ? {} : { timeouts: perCall }),
    ...(spec.maxRedirects === undefined ? {} : { maxRedirects: spec.maxRedirects }),
    ...(spec.maxResponseBytes === undefined ? {} : { maxResponseBytes: spec.maxResponseBytes })
  }
}

/** The logging Layer's options of a spec, with the level as the line's `L`. */
export const logging = <L>(spec: PresetSpec["logging"], level: (level: "Debug" | "Info") => L) => ({
  ...(spec?.mode === undefined ? {} : { mode: spec.mode }),
  ...(spec?.level === undefined ? {} : { level: level(spec.level) })
})

/** A token store's tokens as plain strings; `reveal` opens the line's redacted values. */
export const tokens = <S>(
  stored: { readonly accessToken: S; readonly refreshToken?: S | undefined } | undefined,
  reveal: (secret: S) => string
): Tokens | undefined =>
  stored === undefined ? undefined : {
    accessToken: reveal(stored.accessToken),
    refreshToken: stored.refreshToken === undefined ? undefined : reveal(stored.refreshToken)
  }

// ---------------------------------------------------------------------------
// Outcomes

/** A call's decoded value as a `Success` (`elapsed` is added once the call ended). */
export const success = (body: unknown): Omit<Success, "elapsed"> => ({ _tag: "Success", body })

/** A whole response (`response` decoding) as a `Success`: status, headers and the final URL. */
export const response = (response: {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly request: { readonly url: URL }
}): Omit<Success, "elapsed"> => ({
  _tag: "Success",
  body: undefined,
  status: response.status,
  headers: response.headers,
  url: response.request.url.href
})

/** The fields of a Courier failure the suites compare, on either line. */
const fields = ["reason", "phase", "status", "request", "headers", "bodyExcerpt", "contentType", "code", "nothingSent", "limit"] as const

/**
 * A Courier error as the suites' `Failure`. `cause` is the line's rendering
 * of the whole cause; `unwrap` turns the line's optional `errorBody` (an
 * Option) into the value or `undefined`.
 */
export const failure = (
  error: { readonly _tag: string; readonly message: string },
  elapsed: number,
  cause: string,
  unwrap: (errorBody: unknown) => unknown
): Failure => {
  const record = error as typeof error & Readonly<Record<string, unknown>>
  const issues = record["issues"]
  return {
    _tag: "Failure",
    elapsed,
    tag: error._tag,
    message: error.message,
    rendered: [error.message, String(error), JSON.stringify(error) ?? "", cause, inspect(error, { depth: 20 })],
    ...Object.fromEntries(fields.filter((key) => record[key] !== undefined).map((key) => [key, record[key]])),
    ...(record["errorBody"] === undefined ? {} : { errorBody: unwrap(record["errorBody"]) }),
    ...(Array.isArray(issues) ? { issuePaths: issues.map((issue: { readonly path: ReadonlyArray<string | number> }) => issue.path) } : {})
  }
}

export const defect = (elapsed: number, rendered: string): Outcome => ({ _tag: "Defect", elapsed, rendered })

export const interrupted = (elapsed: number): Outcome => ({ _tag: "Interrupted", elapsed })

// ---------------------------------------------------------------------------
// Downloads

/** A chunk counter that tells `onProgress` the bytes so far (a line that reports progress from the body's stream). */
export const progress = (onProgress: (transferred: number) => void) => {
  let seen = 0
  return (chunk: Uint8Array): void => {
    seen += chunk.byteLength
    onProgress(seen)
  }
}

/** A download written to `path.part`, renamed to `path` on success and removed otherwise. */
export interface PartFile {
  readonly write: (chunk: Uint8Array) => void
  /** Closes the file, then keeps it as `path` when `ok`, removes it otherwise. */
  readonly close: (ok: boolean) => void
}

/** Opens `path.part` for a download a program writes by hand (a line without a download helper). */
export const partFile = (path: string): PartFile => {
  const part = `${path}.part`
  const fd = Fs.openSync(part, "w")
  return {
    write: (chunk) => void Fs.writeSync(fd, chunk),
    close: (ok) => {
      Fs.closeSync(fd)
      if (ok) Fs.renameSync(part, path)
      else Fs.rmSync(part, { force: true })
    }
  }
}
