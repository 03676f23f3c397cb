/**
 * The contract between the shared suites and a line of Courier. Everything a
 * case hands a line is data (a server to start, a client to build, a call to
 * make), and everything a line hands back is data (what reached the wire, how
 * a call ended, what was logged), so one case definition runs against the
 * effect 3 and the effect 4 line alike. Each line implements {@link Line}
 * with its own client and its own test kit: the kits are exercised too.
 */
import type { JournalEntry } from "@courier/core/Journal"
import type * as Http from "node:http"

export type { JournalEntry }

// ---------------------------------------------------------------------------
// Servers

/** A node:http handler, for the few servers a case scripts itself (the scenario world). */
export type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse) => void

/** Response headers; an array value is written as repeated lines. */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string>>>

/** A `Retry-After` value sent as is, or an HTTP date `inMillis` from the moment of the answer. */
export type RetryAfter = string | { readonly inMillis: number }

/**
 * What a route answers. `http` servers (the kit's TestServer, node:http)
 * take the HTTP replies; `fault` servers (the kit's FaultServer, raw TCP)
 * take `respond`, `sequence` and the socket faults. A line refuses (throws)
 * a reply its server kind cannot give.
 */
export type Reply =
  /** A well-formed answer; `body` as text, bytes, or a value sent as JSON. */
  | {
    readonly _tag: "respond"
    readonly status: number
    readonly headers?: Headers
    readonly body?: { readonly text: string } | { readonly bytes: Uint8Array } | { readonly json: unknown }
    readonly retryAfter?: RetryAfter
    /** fault servers: close the connection after the answer. */
    readonly close?: boolean
  }
  | { readonly _tag: "redirect"; readonly status: number; readonly location: string }
  /** The body encoded with each coding in turn; `content-encoding` lists them. */
  | { readonly _tag: "encoded"; readonly body: Uint8Array; readonly encodings: ReadonlyArray<"gzip" | "deflate" | "br"> }
  | { readonly _tag: "stallAfterHeaders"; readonly declaredLength?: number }
  | { readonly _tag: "drip"; readonly chunk: string; readonly intervalMs: number; readonly count: number }
  | { readonly _tag: "closeMidBody"; readonly declaredLength: number; readonly body: string }
  | { readonly _tag: "reset" }
  | { readonly _tag: "delay"; readonly ms: number; readonly reply: Reply }
  /** Answers 200 with a JSON description of the request. */
  | { readonly _tag: "echo" }
  | { readonly _tag: "custom"; readonly handler: Handler }
  | { readonly _tag: "sequence"; readonly replies: ReadonlyArray<Reply> }
  // fault servers only
  | { readonly _tag: "stallHeaders" }
  | { readonly _tag: "stallBody" }
  | { readonly _tag: "dripBytes"; readonly intervalMs: number }
  | { readonly _tag: "truncated" }
  | { readonly _tag: "chunkedCut" }
  | { readonly _tag: "badChunkSize" }
  | { readonly _tag: "malformedStatusLine" }
  | { readonly _tag: "oversizedHeaders" }
  | { readonly _tag: "endlessHeaders" }
  | { readonly _tag: "keepAliveThenClose" }
  | { readonly _tag: "answerEarly"; readonly status: number }

export type Route = readonly [method: string, path: string, reply: Reply]

export interface ServerSpec {
  readonly kind: "http" | "fault"
  readonly routes?: ReadonlyArray<Route>
  /** http servers: how long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs?: number
}

/** A running server, as a case reads it. */
export interface Server {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  readonly port: number
  readonly route: (method: string, path: string, reply: Reply) => Promise<void>
  readonly journal: () => Promise<ReadonlyArray<JournalEntry>>
  /** Entries for a pathname (or path and query, when `path` has one). */
  readonly requests: (path: string) => Promise<ReadonlyArray<JournalEntry>>
  readonly openConnections: () => Promise<number>
  readonly totalConnections: () => Promise<number>
  /** `true` once no connection is open, `false` after `timeoutMs`. */
  readonly awaitIdle: (timeoutMs: number) => Promise<boolean>
}

// ---------------------------------------------------------------------------
// Clients

/** Timeouts in milliseconds; an absent one is the line's default. */
export interface Timeouts {
  readonly connect?: number
  readonly send?: number
  readonly receive?: number
  readonly total?: number
}

export interface Tokens {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
}

/**
 * The recommended preset: auth with a JSON refresh endpoint over retry,
 * tracing, logging and metrics.
 */
export interface PresetSpec {
  /** The refresh endpoint (a path under the base URL, or absolute). */
  readonly refreshPath: string
  /** `memory` starts with `initial`; `file` is a file store shared by clients of the same path and key. */
  readonly store:
    | { readonly _tag: "memory"; readonly initial: Tokens }
    | { readonly _tag: "file"; readonly path: string; readonly key: string; readonly initial: Tokens }
  /** The retry policy's backoff base (the cases use a small one so retries fit under small totals). */
  readonly retryBaseDelayMs: number
  readonly logging?: {
    readonly mode?: "production" | "development"
    /** The level of a success's request line. */
    readonly level?: "Debug" | "Info"
  }
}

export interface ClientSpec {
  readonly baseUrl?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly timeouts?: Timeouts
  readonly maxResponseBytes?: number
  readonly maxRedirects?: number
  readonly credentialHeaders?: ReadonlyArray<string>
  readonly allowedOrigins?: ReadonlyArray<string>
  readonly allowInsecureRedirects?: boolean
  /** Without it: the bare client (no auth, retry or logging Layers). */
  readonly preset?: PresetSpec
  /** The logging Layer alone over the bare client (ignored with `preset`, which has its own). */
  readonly logging?: PresetSpec["logging"]
}

/** A schema, as data: each line builds its own from it. */
export type SchemaSpec =
  | { readonly _tag: "Number" }
  | { readonly _tag: "String" }
  | { readonly _tag: "Boolean" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Void" }
  | { readonly _tag: "Undefined" }
  | { readonly _tag: "Struct"; readonly fields: Readonly<Record<string, SchemaSpec>> }
  | { readonly _tag: "Array"; readonly item: SchemaSpec }
  | { readonly _tag: "NullOr"; readonly of: SchemaSpec }
  | { readonly _tag: "Record"; readonly value: SchemaSpec }
  /** A recursive schema: `body` refers to itself through `{ _tag: "Self" }`. */
  | { readonly _tag: "Recursive"; readonly body: SchemaSpec }
  | { readonly _tag: "Self" }

/** A request body. Stream chunks go out one by one (chunked on the wire). */
export type BodySpec =
  | { readonly _tag: "json"; readonly value: unknown }
  | { readonly _tag: "text"; readonly text: string }
  | { readonly _tag: "bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "form"; readonly fields: Readonly<Record<string, unknown>> }
  | {
    readonly _tag: "stream"
    readonly chunks: ReadonlyArray<Uint8Array>
    /** Rebuilt for each attempt (a retry or replay may send it again); one-shot otherwise. */
    readonly replayable?: boolean
    readonly contentType?: string
    /** After the chunks: end (the default), fail (the source errs), or hang (never ends). */
    readonly then?: "end" | "fail" | "hang"
  }

/** How the answer is read. */
export type Decode =
  | { readonly _tag: "schema"; readonly schema: SchemaSpec }
  /** JSON without a schema (the client's default). */
  | { readonly _tag: "json" }
  | { readonly _tag: "text" }
  | { readonly _tag: "bytes" }
  | { readonly _tag: "none" }
  /** The body as a stream of bytes, drained: the success's body is their count. */
  | { readonly _tag: "stream" }
  /** The whole response: the success carries status, headers and final URL. */
  | { readonly _tag: "response" }
  /** Newline-delimited JSON, each line checked by `schema`, drained: the body is the line count. */
  | { readonly _tag: "ndjson"; readonly schema: SchemaSpec }
  /**
   * The body written to the file `path`, through a temporary file (`*.part`)
   * removed on failure: the line's download helper, or, on a line without
   * one, the body's stream drained into the file the way a program would.
   */
  | { readonly _tag: "download"; readonly path: string }

export interface CallSpec {
  readonly method: string
  readonly path: string
  readonly params?: Readonly<Record<string, string>>
  /** Values as a program would pass them; hostile ones (objects, deep arrays) are the point of some cases. */
  readonly query?: Readonly<Record<string, unknown>>
  /** `undefined` removes a default header. */
  readonly headers?: Readonly<Record<string, string | undefined>>
  readonly body?: BodySpec
  /** Default: `json`. */
  readonly decode?: Decode
  /** Decodes a failure's body (`BadResponse.errorBody`). */
  readonly errorSchema?: SchemaSpec
  /** Adds an `Idempotency-Key` header, the same on every attempt. */
  readonly idempotencyKey?: boolean
  readonly timeouts?: Timeouts
  readonly maxRedirects?: number
  readonly maxResponseBytes?: number
  /** Called as response body bytes arrive, with the count so far. */
  readonly onProgress?: (transferred: number) => void
}

// ---------------------------------------------------------------------------
// Outcomes

/** A call that ended with a value. */
export interface Success {
  readonly _tag: "Success"
  readonly elapsed: number
  /** The decoded value (see {@link Decode}); `undefined` for `none`. */
  readonly body: unknown
  /** `response` decoding only. */
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly url?: string
}

/** A call that ended with one of Courier's typed failures. */
export interface Failure {
  readonly _tag: "Failure"
  readonly elapsed: number
  /** `Timeout`, `Unauthorized`, `BadResponse`, `Parse`, `Network`, `RequestRefused`, `LimitExceeded`. */
  readonly tag: string
  readonly reason?: string
  readonly phase?: string
  readonly status?: number
  readonly message: string
  /** The method and redacted URL the failure names. */
  readonly request?: { readonly method: string; readonly url: string }
  readonly headers?: Readonly<Record<string, string>>
  readonly bodyExcerpt?: string
  readonly contentType?: string
  /** The body decoded by the call's `errorSchema`, when it decoded. */
  readonly errorBody?: unknown
  readonly code?: string
  readonly nothingSent?: boolean
  readonly limit?: number
  /** The paths of a schema mismatch's issues. */
  readonly issuePaths?: ReadonlyArray<ReadonlyArray<string | number>>
  /** Every way the failure gets shown: message, String, JSON, the line's cause rendering, util.inspect. */
  readonly rendered: ReadonlyArray<string>
}

/** A call that ended with anything else: a defect, an untyped failure. */
export interface Defect {
  readonly _tag: "Defect"
  readonly elapsed: number
  readonly rendered: string
}

export interface Interrupted {
  readonly _tag: "Interrupted"
  readonly elapsed: number
}

export type Outcome = Success | Failure | Defect | Interrupted

/** A log line the client wrote, captured. */
export interface LogLine {
  readonly message: unknown
  readonly level: string
  readonly annotations: Readonly<Record<string, unknown>>
  /** The line as the line's loggers would write it (JSON, logfmt, ...). */
  readonly rendered: ReadonlyArray<string>
}

/** A call in flight. */
export interface Running {
  readonly outcome: Promise<Outcome>
  /** Interrupts the call and waits for it to end. */
  readonly interrupt: () => Promise<Outcome>
}

export interface Client {
  readonly call: (spec: CallSpec) => Promise<Outcome>
  readonly start: (spec: CallSpec) => Running
  /** Every line written so far, at every level. */
  readonly logs: ReadonlyArray<LogLine>
  /** The preset's token store, read now. */
  readonly tokens: () => Promise<Tokens | undefined>
}

// ---------------------------------------------------------------------------

/** What must be released when a case ends: servers, clients, folders. Closed last-in first-out. */
export interface Scope {
  readonly add: (close: () => Promise<void> | void) => void
}

/**
 * What a line offers beyond the common ground. A case that needs a missing
 * capability says so in its report rather than pass or fail on a stand-in.
 */
export interface Capabilities {
  /**
   * `onProgress` is called for every decode, not only for the ones whose
   * body the caller reads as a stream (`stream`, `download`). Default true.
   */
  readonly bufferedProgress?: boolean
  /** The `ndjson` decode. Default true. */
  readonly ndjson?: boolean
  /** The preset's `file` token store. Default true. */
  readonly fileTokenStore?: boolean
}

/** A line of Courier, as the suites drive it. */
export interface Line {
  /** `effect3 (node)`, `effect4`, ...: shown in test names. */
  readonly name: string
  /** Starts a server with the line's test kit; it closes with `scope`. */
  readonly serve: (spec: ServerSpec, scope: Scope) => Promise<Server>
  /** Builds a client; it closes (with every socket) with `scope`. */
  readonly client: (spec: ClientSpec, scope: Scope) => Promise<Client>
  readonly capabilities?: Capabilities
}
