/**
 * The fault matrix's cells: the kinds of request, the faults, and what each
 * fault must do to each kind through the recommended preset.
 */
import type { CallSpec, Reply, SchemaSpec, Timeouts } from "../Line.js"

// ---------------------------------------------------------------------------
// The requests

export const kinds = ["GET", "POST", "POST+key", "upload", "download"] as const
export type Kind = typeof kinds[number]

export const Ok: SchemaSpec = { _tag: "Struct", fields: { ok: { _tag: "Boolean" } } }

/** 64 KiB in 4 chunks, streamed (chunked on the wire). */
export const uploadChunks = Array.from({ length: 4 }, (_, i) => new Uint8Array(16 * 1024).fill(97 + i))
const uploadBytes = uploadChunks.reduce((n, chunk) => n + chunk.byteLength, 0)
const jsonBody = { item: 1, note: "fault matrix" }

/** The body bytes a complete request of `kind` carries. */
export const bodySize = (kind: Kind): number =>
  kind === "upload" ? uploadBytes : kind === "POST" || kind === "POST+key" ? JSON.stringify(jsonBody).length : 0

/** Whether the retry policy may send `kind` again after bytes went out. */
export const safe = (kind: Kind) => kind === "GET" || kind === "POST+key" || kind === "download"

/** One call of `kind` to `/fault`. */
export const callOf = (kind: Kind, dir: string, more: Partial<CallSpec> = {}): CallSpec => {
  switch (kind) {
    case "GET":
      return { method: "GET", path: "/fault", decode: { _tag: "schema", schema: Ok }, ...more }
    case "POST":
      return { method: "POST", path: "/fault", body: { _tag: "json", value: jsonBody }, decode: { _tag: "schema", schema: Ok }, ...more }
    case "POST+key":
      return {
        method: "POST",
        path: "/fault",
        body: { _tag: "json", value: jsonBody },
        idempotencyKey: true,
        decode: { _tag: "schema", schema: Ok },
        ...more
      }
    case "upload":
      return { method: "POST", path: "/fault", body: { _tag: "stream", chunks: uploadChunks }, decode: { _tag: "schema", schema: Ok }, ...more }
    case "download":
      return { method: "GET", path: "/fault", decode: { _tag: "download", path: `${dir}/out.json` }, ...more }
  }
}

// ---------------------------------------------------------------------------
// What each cell expects

export interface Expected {
  readonly outcome: "success" | "Timeout" | "Unauthorized" | "BadResponse" | "Parse" | "Network" | "RequestRefused" | "LimitExceeded"
  /** The reason, or the reasons accepted. */
  readonly reason?: string | ReadonlyArray<string>
  readonly phase?: "connect" | "send" | "receive" | "total"
  readonly status?: number
  /** Requests that reached `/fault`. */
  readonly requests: number
  /** Refresh calls. Default 0. */
  readonly refreshes?: number
  /** The least wall-clock time the call may take (a Retry-After honoured). */
  readonly atLeastMillis?: number
}

const ok = (requests: number, more: Partial<Expected> = {}): Expected => ({ outcome: "success", requests, ...more })
const network = (reason: string | ReadonlyArray<string>, requests = 1): Expected => ({ outcome: "Network", reason, requests })
/** A body cut short after the head arrived. */
const cutShort = network(["IncompleteBody"])
const timeout = (phase: NonNullable<Expected["phase"]>, requests = 1): Expected => ({ outcome: "Timeout", phase, requests })
const status = (outcome: "BadResponse" | "Unauthorized", code: number, requests = 1): Expected => ({ outcome, status: code, requests })
const everyKind = (expected: Expected): Record<Kind, Expected> => ({
  GET: expected,
  POST: expected,
  "POST+key": expected,
  upload: expected,
  download: expected
})
/** A transient fault: a safe request retries once and succeeds; the others fail with `failure`. */
const retriedIfSafe = (failure: Expected, success: Expected = ok(2)): Record<Kind, Expected> => ({
  GET: success,
  POST: failure,
  "POST+key": success,
  upload: failure,
  download: success
})

export const fastTotalMillis = 700
/** The phase timeouts of a cell: small, so the matrix runs in seconds. */
export const fastTimeouts: Timeouts = { connect: 300, send: 500, receive: 300, total: fastTotalMillis }
/** For the Retry-After cells: a 1 s wait must fit under the total. */
const patientTimeouts: Timeouts = { ...fastTimeouts, total: 3_000 }

export const json = (value: unknown): Reply => ({ _tag: "respond", status: 200, body: { json: value } })
const retryAfter = (code: number, value: string | { readonly inMillis: number }): Reply => ({
  _tag: "respond",
  status: code,
  body: { json: { error: code } },
  retryAfter: value
})

interface Row {
  readonly fault: string
  /** The first request on `/fault` gets this; every later one gets `{"ok":true}`. */
  readonly first: Reply
  readonly expect: Record<Kind, Expected>
  readonly timeouts?: Timeouts
  /** Two calls in a row (the second on a pooled socket); `expect` is for each. */
  readonly twice?: boolean
}

const rows: ReadonlyArray<Row> = [
  { fault: "200 JSON", first: json({ ok: true }), expect: everyKind(ok(1)) },
  { fault: "reset before the response", first: { _tag: "reset" }, expect: retriedIfSafe(network("ConnectionReset")) },
  { fault: "stall before the headers", first: { _tag: "stallHeaders" }, expect: retriedIfSafe(timeout("receive")) },
  {
    fault: "stall mid-body",
    first: { _tag: "stallBody" },
    expect: { ...retriedIfSafe(timeout("receive")), download: timeout("receive") }
  },
  { fault: "one byte per 100 ms", first: { _tag: "dripBytes", intervalMs: 100 }, expect: everyKind(timeout("total")) },
  {
    fault: "close after a partial Content-Length body",
    first: { _tag: "truncated" },
    expect: { ...retriedIfSafe(cutShort), download: cutShort }
  },
  { fault: "chunked body cut short", first: { _tag: "chunkedCut" }, expect: { ...retriedIfSafe(cutShort), download: cutShort } },
  { fault: "bad chunk size", first: { _tag: "badChunkSize" }, expect: everyKind(network("Protocol")) },
  { fault: "malformed status line", first: { _tag: "malformedStatusLine" }, expect: everyKind(network("Protocol")) },
  { fault: "oversized headers", first: { _tag: "oversizedHeaders" }, expect: everyKind(network("Protocol")) },
  { fault: "never-ending headers", first: { _tag: "endlessHeaders" }, expect: retriedIfSafe(timeout("receive")) },
  {
    fault: "429 Retry-After 1 (seconds) then 200",
    first: retryAfter(429, "1"),
    expect: retriedIfSafe(status("BadResponse", 429), ok(2, { atLeastMillis: 950 })),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After an HTTP date 1.2 s ahead then 200",
    first: retryAfter(503, { inMillis: 1_200 }),
    // HTTP dates have whole seconds: the wait is between 0.2 and 1.2 s.
    expect: retriedIfSafe(status("BadResponse", 503), ok(2, { atLeastMillis: 150 })),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After a past date then 200",
    first: retryAfter(503, { inMillis: -60_000 }),
    expect: retriedIfSafe(status("BadResponse", 503)),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After garbage then 200",
    first: retryAfter(503, "soon, maybe"),
    expect: retriedIfSafe(status("BadResponse", 503)),
    timeouts: patientTimeouts
  },
  {
    fault: "keep-alive socket closed by the server between two requests",
    first: { _tag: "keepAliveThenClose" },
    expect: everyKind(ok(1)),
    twice: true
  },
  {
    fault: "401 before reading the upload, then close",
    first: { _tag: "answerEarly", status: 401 },
    // A 401 means the request was not processed: the auth Layer refreshes and
    // replays it, unless its body is a one-shot stream.
    expect: { ...everyKind(ok(2, { refreshes: 1 })), upload: status("Unauthorized", 401) }
  },
  {
    fault: "413 before reading the upload, then close",
    first: { _tag: "answerEarly", status: 413 },
    expect: everyKind(status("BadResponse", 413))
  }
]

export interface Cell {
  readonly fault: string
  readonly kind: Kind
  readonly expected: Expected
  readonly route: Reply
  readonly timeouts: Timeouts
  readonly twice: boolean
}

export const cells: ReadonlyArray<Cell> = rows.flatMap((row) =>
  kinds.map((kind): Cell => ({
    fault: row.fault,
    kind,
    expected: row.expect[kind],
    route: row.twice === true ? row.first : { _tag: "sequence", replies: [row.first, json({ ok: true })] },
    timeouts: row.timeouts ?? fastTimeouts,
    twice: row.twice === true
  }))
)

/** The name a cell's test carries. */
export const cellName = (cell: Cell): string => {
  const e = cell.expected
  const detail = e.reason ?? e.phase ?? e.status
  return e.outcome === "success"
    ? `${cell.fault}: ${cell.kind} succeeds after ${e.requests} request(s)`
    : `${cell.fault}: ${cell.kind} fails with ${e.outcome}${detail === undefined ? "" : `(${[detail].flat().join(" or ")})`} after ${e.requests} request(s)`
}
