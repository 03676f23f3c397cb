import { Auth, Body, CourierClient, Download, FetchTransport, Logging, Preset, Retry, TokenStore } from "@courier/client"
import type { CourierConfig, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { FaultServer } from "@courier/testing"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { closedPort, waitUntil } from "./support.js"

// Every socket-level fault of FaultServer against every kind of request,
// through the recommended preset (auth with refresh, retry, tracing,
// logging to a captured sink, metrics) on the node transport. Each cell
// checks what the caller sees (a typed failure, or a success after a safe
// retry), that the call ended within its deadline, how many requests
// reached the wire (a POST without an Idempotency-Key is never sent twice
// once a byte went out), that every connection is closed afterwards, and,
// for downloads, that no temporary file is left. Wall clock throughout
// (`it.live`): the faults are real sockets and real timers, so the bounds
// are loose and the timeouts small.

// ---------------------------------------------------------------------------
// The requests

const kinds = ["GET", "POST", "POST+key", "upload", "download"] as const
type Kind = typeof kinds[number]

const Ok = Schema.Struct({ ok: Schema.Boolean })

/** 64 KiB in 4 chunks, streamed (chunked on the wire). */
const uploadChunks = Array.from({ length: 4 }, (_, i) => new Uint8Array(16 * 1024).fill(97 + i))
const uploadBytes = uploadChunks.reduce((n, chunk) => n + chunk.byteLength, 0)
const jsonBody = { item: 1, note: "fault matrix" }

/** The body bytes a complete request of `kind` carries. */
const bodySize = (kind: Kind): number =>
  kind === "upload" ? uploadBytes : kind === "POST" || kind === "POST+key" ? JSON.stringify(jsonBody).length : 0

/** Whether the retry policy may send `kind` again after bytes went out. */
const safe = (kind: Kind) => kind === "GET" || kind === "POST+key" || kind === "download"

// ---------------------------------------------------------------------------
// What each cell expects

interface Expected {
  readonly outcome: "success" | CourierError.CourierError["_tag"]
  /** The Network reason, or the reasons accepted. */
  readonly reason?: CourierError.NetworkReason | ReadonlyArray<CourierError.NetworkReason>
  readonly phase?: CourierError.TimeoutPhase
  readonly status?: number
  /** Requests that reached `/fault`. */
  readonly requests: number
  /** Refresh calls. Default 0. */
  readonly refreshes?: number
  /** The least wall-clock time the call may take (a Retry-After honoured). */
  readonly atLeastMillis?: number
}

const ok = (requests: number, more: Partial<Expected> = {}): Expected => ({ outcome: "success", requests, ...more })
const network = (
  reason: CourierError.NetworkReason | ReadonlyArray<CourierError.NetworkReason>,
  requests = 1
): Expected => ({ outcome: "Network", reason, requests })
/** A body cut short after the head arrived (the matrix runs on the Node transport). */
const cutShort = network(["IncompleteBody"])
const timeout = (phase: CourierError.TimeoutPhase, requests = 1): Expected => ({ outcome: "Timeout", phase, requests })
const status = (outcome: "BadResponse" | "Unauthorized", code: number, requests = 1): Expected => ({
  outcome,
  status: code,
  requests
})
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

const fastTotalMillis = 700
/** The phase timeouts of a cell: small, so the matrix runs in seconds. */
const fastTimeouts: CourierConfig.TimeoutsInput = {
  connect: "300 millis",
  send: "500 millis",
  receive: "300 millis",
  total: Duration.millis(fastTotalMillis)
}
/** For the Retry-After cells: a 1 s wait must fit under the total. */
const patientTimeouts: CourierConfig.TimeoutsInput = { ...fastTimeouts, total: "3 seconds" }

interface Row {
  readonly fault: string
  /** The first request on `/fault` gets this; every later one gets `{"ok":true}`. */
  readonly first: () => FaultServer.Fault
  readonly expect: Record<Kind, Expected>
  readonly timeouts?: CourierConfig.TimeoutsInput
  /** Two calls in a row (the second on a pooled socket); `expect` is for each. */
  readonly twice?: boolean
}

const rows: ReadonlyArray<Row> = [
  { fault: "200 JSON", first: () => FaultServer.json({ ok: true }), expect: everyKind(ok(1)) },
  {
    fault: "reset before the response",
    first: () => FaultServer.reset,
    expect: retriedIfSafe(network("ConnectionReset"))
  },
  {
    fault: "stall before the headers",
    first: () => FaultServer.stallHeaders,
    expect: retriedIfSafe(timeout("receive"))
  },
  {
    fault: "stall mid-body",
    first: () => FaultServer.stallBody(),
    expect: { ...retriedIfSafe(timeout("receive")), download: timeout("receive") }
  },
  {
    fault: "one byte per 100 ms",
    first: () => FaultServer.drip("100 millis"),
    expect: everyKind(timeout("total"))
  },
  {
    fault: "close after a partial Content-Length body",
    first: () => FaultServer.truncated(),
    expect: { ...retriedIfSafe(cutShort), download: cutShort }
  },
  {
    fault: "chunked body cut short",
    first: () => FaultServer.chunkedCut(),
    expect: { ...retriedIfSafe(cutShort), download: cutShort }
  },
  { fault: "bad chunk size", first: () => FaultServer.badChunkSize, expect: everyKind(network("Protocol")) },
  {
    fault: "malformed status line",
    first: () => FaultServer.malformedStatusLine(),
    expect: everyKind(network("Protocol"))
  },
  { fault: "oversized headers", first: () => FaultServer.oversizedHeaders(), expect: everyKind(network("Protocol")) },
  {
    fault: "never-ending headers",
    first: () => FaultServer.endlessHeaders(),
    expect: retriedIfSafe(timeout("receive"))
  },
  {
    fault: "429 Retry-After 1 (seconds) then 200",
    first: () => FaultServer.retryAfter(429, "1"),
    expect: retriedIfSafe(status("BadResponse", 429), ok(2, { atLeastMillis: 950 })),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After an HTTP date 1.2 s ahead then 200",
    first: () => FaultServer.retryAfter(503, { inMillis: 1_200 }),
    // HTTP dates have whole seconds: the wait is between 0.2 and 1.2 s.
    expect: retriedIfSafe(status("BadResponse", 503), ok(2, { atLeastMillis: 150 })),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After a past date then 200",
    first: () => FaultServer.retryAfter(503, { inMillis: -60_000 }),
    expect: retriedIfSafe(status("BadResponse", 503)),
    timeouts: patientTimeouts
  },
  {
    fault: "503 Retry-After garbage then 200",
    first: () => FaultServer.retryAfter(503, "soon, maybe"),
    expect: retriedIfSafe(status("BadResponse", 503)),
    timeouts: patientTimeouts
  },
  {
    fault: "keep-alive socket closed by the server between two requests",
    first: () => FaultServer.keepAliveThenClose(),
    expect: everyKind(ok(1)),
    twice: true
  },
  {
    fault: "401 before reading the upload, then close",
    first: () => FaultServer.answerEarly(401),
    // A 401 means the request was not processed: the auth Layer refreshes and
    // replays it, unless its body is a one-shot stream.
    expect: {
      ...everyKind(ok(2, { refreshes: 1 })),
      upload: status("Unauthorized", 401)
    }
  },
  {
    fault: "413 before reading the upload, then close",
    first: () => FaultServer.answerEarly(413),
    expect: everyKind(status("BadResponse", 413))
  }
]

interface Cell {
  readonly fault: string
  readonly kind: Kind
  readonly expected: Expected
  readonly route: () => FaultServer.Fault
  readonly timeouts: CourierConfig.TimeoutsInput
  readonly twice: boolean
}

const okReply = FaultServer.json({ ok: true })

const cells: ReadonlyArray<Cell> = rows.flatMap((row) =>
  kinds.map((kind): Cell => ({
    fault: row.fault,
    kind,
    expected: row.expect[kind],
    route: row.twice === true ? row.first : () => FaultServer.sequence([row.first(), okReply]),
    timeouts: row.timeouts ?? fastTimeouts,
    twice: row.twice === true
  }))
)

// ---------------------------------------------------------------------------
// The harness

/** The request lines Logging writes, captured. */
const capture = () => {
  const lines: Array<Record<string, unknown>> = []
  const logger = Logger.make<unknown, void>((options) => {
    const message = Array.isArray(options.message) ? options.message[0] : options.message
    if (message === Logging.message) lines.push(Object.fromEntries(HashMap.toEntries(options.annotations)))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/**
 * The recommended preset over the node transport, scoped. The backoff base
 * is 20 ms instead of 200 ms so a retry fits under the small total timeout.
 */
/** Layers added to the preset for a variant of the matrix. */
interface Extra {
  readonly cache?: boolean
  readonly cookies?: boolean
}

const presetClient = (
  baseUrl: string,
  timeouts: CourierConfig.TimeoutsInput,
  transport: "node" | "fetch" = "node",
  extra: Extra = {}
) =>
  Effect.map(
    Layer.build(
      Preset.layer(
        { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
        // Successes at Info, so every attempt writes a visible line to count.
        { retry: { baseDelay: "20 millis" }, logging: { level: LogLevel.Info }, ...(extra.cache === true ? { cache: {} } : {}), cookies: extra.cookies === true }
      ).pipe(
        Layer.provide(
          transport === "node"
            ? NodeTransport.layerClient({ baseUrl, timeouts })
            : FetchTransport.layerClient({ baseUrl, timeouts })
        ),
        Layer.provide(TokenStore.layerMemory(TokenStore.tokens("token-one", "refresh-one")))
      )
    ),
    Context.get(CourierClient.CourierClient)
  ).pipe(Effect.orDie)

const tokenAnswer = FaultServer.json({ accessToken: "token-two", refreshToken: "refresh-two" })

/** The cookie the jar variant stores before the cell, from `/prime`. */
const jarCookie = "jar=SECRET-JAR-1"

const faultServer = (fault: FaultServer.Fault) =>
  FaultServer.make({
    routes: [
      ["*", "/fault", fault],
      ["POST", "/auth/refresh", tokenAnswer],
      // Closed after the answer: the cell's checks count the cell's own connections.
      [
        "GET",
        "/prime",
        FaultServer.json({ ok: true }, { headers: { "set-cookie": `${jarCookie}; HttpOnly` }, close: true })
      ]
    ]
  })

/** One call of `kind` to `/fault`, its value dropped. */
const call = (
  client: CourierClient.Service,
  kind: Kind,
  dir: string,
  extra: Pick<CourierClient.RequestOptions, "onDownloadProgress"> = {}
) => {
  switch (kind) {
    case "GET":
      return Effect.asVoid(client.get("/fault", { schema: Ok, ...extra }))
    case "POST":
      return Effect.asVoid(client.post("/fault", { body: Body.json(jsonBody), schema: Ok, ...extra }))
    case "POST+key":
      return Effect.asVoid(
        client.post("/fault", { body: Body.json(jsonBody), headers: Retry.idempotencyKey(), schema: Ok, ...extra })
      )
    case "upload":
      return Effect.asVoid(
        client.post("/fault", { body: Body.stream(Stream.fromIterable(uploadChunks)), schema: Ok, ...extra })
      )
    case "download":
      return Effect.asVoid(
        Download.toFile(client, "/fault", {
          path: `${dir}/out.json`,
          ...(extra.onDownloadProgress === undefined ? {} : { onProgress: extra.onDownloadProgress })
        })
      )
  }
}

const wallNow = Effect.sync(() => performance.now())

/** A temporary folder for downloads, removed with the scope. */
const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "courier-faults-" }))

const listing = (dir: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)).pipe(Effect.map((names) => [...names].sort()))

/** How a call ended, for messages: `success`, the failure's tag and fields, or the cause. */
const describeExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return Cause.pretty(exit.cause)
  const error = failure.value as Partial<Record<"_tag" | "reason" | "phase" | "status" | "message", unknown>>
  return `${String(error._tag)} reason=${String(error.reason)} phase=${String(error.phase)} status=${
    String(error.status)
  }: ${String(error.message)}`
}

const expectOutcome = (exit: Exit.Exit<unknown, unknown>, expected: Expected) => {
  const got = describeExit(exit)
  if (expected.outcome === "success") {
    expect(Exit.isSuccess(exit), `expected a success, got ${got}`).toBe(true)
    return
  }
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  expect(Option.isSome(failure), `expected ${expected.outcome}, got ${got}`).toBe(true)
  const error = Option.getOrThrow(failure) as Record<string, unknown>
  expect(error["_tag"], got).toBe(expected.outcome)
  if (expected.reason !== undefined) {
    expect(typeof expected.reason === "string" ? [expected.reason] : expected.reason, got).toContain(error["reason"])
  }
  if (expected.phase !== undefined) expect(error["phase"], got).toBe(expected.phase)
  if (expected.status !== undefined) expect(error["status"], got).toBe(expected.status)
}

/** Slack over the total timeout for a busy machine: the call must still end near its deadline. */
const slackMillis = 1_500

/** How long the server may take to see the client close its sockets. */
const closedWithin = "3 seconds"

/**
 * The secrets never reach a log line (Logging redacts; the request line has
 * no headers in production mode anyway).
 */
const expectNoSecrets = (lines: ReadonlyArray<Record<string, unknown>>) => {
  const text = JSON.stringify(lines)
  for (const secret of ["token-one", "token-two", "refresh-one", "refresh-two"]) expect(text).not.toContain(secret)
}

const runCell = (cell: Cell, extra: Extra = {}) => {
  const cookies = extra.cookies === true
  const { layer: logs, lines } = capture()
  return Effect.gen(function*() {
    const server = yield* faultServer(cell.route())
    const dir = yield* tempDir
    const totalMillis = Duration.toMillis(Duration.decode(cell.timeouts.total ?? "60 seconds"))
    const calls = cell.twice ? 2 : 1
    yield* Effect.scoped(Effect.gen(function*() {
      const client = yield* presetClient(server.url, cell.timeouts, "node", extra)
      if (cookies) {
        yield* client.get("/prime")
        yield* waitUntil(Effect.map(server.openConnections, (open) => open === 0), "the priming connection closed", 300)
      }
      // Twice: the second call starts right after the first answer, while the
      // server is destroying the socket that answer promised to keep alive.
      for (let n = 0; n < calls; n++) {
        const start = yield* wallNow
        const exit = yield* Effect.exit(call(client, cell.kind, dir))
        const elapsed = (yield* wallNow) - start
        expectOutcome(exit, cell.expected)
        expect(elapsed, "the call ended within its deadline").toBeLessThan(totalMillis + slackMillis)
        if (cell.expected.atLeastMillis !== undefined) expect(elapsed).toBeGreaterThanOrEqual(cell.expected.atLeastMillis)
      }
      // A transport failure leaves no socket behind even while the client lives:
      // the faulted one was closed by one side or the other, not put back in the
      // pool. (After an HTTP answer the pool keeps healthy sockets until it closes.)
      if (cell.expected.outcome === "Network" || cell.expected.outcome === "Timeout") {
        yield* waitUntil(
          Effect.map(server.openConnections, (open) => open === 0),
          "no connection open after a transport failure",
          300
        )
      }
    }))
    expect(yield* server.awaitIdle(closedWithin), "a connection is left open").toBe(true)

    const journal = yield* server.requests("/fault")
    if (cell.twice) expect(yield* server.totalConnections, "the second call did not reuse the closed socket").toBe(2)
    expect(journal.length, "requests that reached the server").toBe(cell.expected.requests * calls)
    expect((yield* server.requests("/auth/refresh")).length, "refresh calls").toBe(cell.expected.refreshes ?? 0)
    if (!safe(cell.kind)) {
      // Never sent twice once a byte went out; a 401 (not processed) is the one exception.
      const replays = cell.expected.refreshes ?? 0
      expect(journal.length).toBeLessThanOrEqual(calls * (1 + replays))
    }
    if (cell.kind === "POST+key" && calls === 1 && journal.length > 1) {
      expect(new Set(journal.map((entry) => entry.headers["idempotency-key"])).size, "one key for every attempt").toBe(1)
    }
    if (cell.expected.outcome === "success") {
      const last = journal[journal.length - 1]!
      expect(last.bodyComplete).toBe(true)
      expect(last.body.byteLength).toBe(bodySize(cell.kind))
    }
    if (cell.kind === "download") {
      expect(yield* listing(dir), "no temporary file left").toEqual(cell.expected.outcome === "success" ? ["out.json"] : [])
    }
    // Each attempt that reached the server wrote one request line.
    const attemptLines = lines.filter((line) => String(line["http.url"]).endsWith("/fault"))
    expect(attemptLines.length, "one log line per attempt").toBe(journal.length)
    expectNoSecrets(lines)
    if (cookies) {
      // Every attempt, replay and refresh call read the jar when it was sent.
      for (const entry of [...journal, ...(yield* server.requests("/auth/refresh"))]) {
        expect(entry.headers["cookie"], `${entry.method} ${entry.path} carried the jar's cookie`).toBe(jarCookie)
      }
      expect(JSON.stringify(lines)).not.toContain("SECRET-JAR")
    }
  }).pipe(Effect.provide(logs))
}

describe("fault matrix", () => {
  for (const cell of cells) {
    const detail = cell.expected.reason ?? cell.expected.phase ?? cell.expected.status
    const expected = cell.expected.outcome === "success"
      ? `succeeds after ${cell.expected.requests} request(s)`
      : `fails with ${cell.expected.outcome}${detail === undefined ? "" : `(${[detail].flat().join(" or ")})`} after ${cell.expected.requests} request(s)`
    it.live(`${cell.fault}: ${cell.kind} ${expected}`, () =>
      runCell(cell).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
  }
})

// The same cells with the cache Layer in the preset, for the kinds it sees
// (a GET it may store, a POST it passes on and invalidates after): the faults
// carry no freshness, so every call is a miss and must fail, retry and close
// its sockets exactly as without it.
describe("fault matrix with the cache Layer on", () => {
  for (const cell of cells.filter((cell) => cell.kind === "GET" || cell.kind === "POST")) {
    it.live(`${cell.fault}: ${cell.kind} as without the cache`, () =>
      runCell(cell, { cache: true }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
  }
})

// The same harness with the cookie jar on, over the faults that retry,
// replay or cut a body, for the requests that may and may not be sent again:
// the outcomes and counts are unchanged, and every attempt carries the jar.
const jarFaults = new Set([
  "reset before the response",
  "stall before the headers",
  "close after a partial Content-Length body",
  "429 Retry-After 1 (seconds) then 200",
  "401 before reading the upload, then close"
])
const jarKinds: ReadonlySet<Kind> = new Set(["GET", "POST+key", "upload"])

describe("fault matrix with the cookie jar", () => {
  for (const cell of cells.filter((cell) => jarFaults.has(cell.fault) && jarKinds.has(cell.kind))) {
    it.live(`${cell.fault}: ${cell.kind} as without the jar, every attempt with its cookie`, () =>
      runCell(cell, { cookies: true }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
  }
})

// ---------------------------------------------------------------------------
// Beyond the server's faults: nothing listening, no such host, an upload
// that fails half-way, and the caller giving up at each stage.

/** Request lines written for `/fault`: one per attempt, whether or not it reached a server. */
const attemptsLogged = (lines: ReadonlyArray<Record<string, unknown>>) =>
  lines.filter((line) => String(line["http.url"]).endsWith("/fault")).length

const expectNetwork = (exit: Exit.Exit<unknown, unknown>, reason: CourierError.NetworkReason) =>
  expectOutcome(exit, { outcome: "Network", reason, requests: 0 })

describe("fault matrix: no server", () => {
  for (const kind of kinds) {
    // Nothing was sent, so even a POST may be retried; a one-shot stream never is.
    const attempts = kind === "upload" ? 1 : 3
    it.live(`connection refused: ${kind} fails with Network(ConnectionRefused) after ${attempts} attempt(s)`, () => {
      const { layer: logs, lines } = capture()
      return Effect.gen(function*() {
        const port = yield* closedPort
        const dir = yield* tempDir
        const client = yield* presetClient(`http://127.0.0.1:${port}`, fastTimeouts)
        const start = yield* wallNow
        const exit = yield* Effect.exit(call(client, kind, dir))
        expect((yield* wallNow) - start).toBeLessThan(fastTotalMillis + slackMillis)
        expectNetwork(exit, "ConnectionRefused")
        expect(attemptsLogged(lines)).toBe(attempts)
        expect(yield* listing(dir)).toEqual([])
      }).pipe(Effect.provide(logs), Effect.scoped, Effect.provide(NodeFileSystem.layer))
    })
  }

  for (const kind of ["GET", "POST"] as const) {
    it.live(`DNS failure (a .invalid host): ${kind} fails fast with Network(DnsLookup)`, () => {
      const { layer: logs, lines } = capture()
      return Effect.gen(function*() {
        const dir = yield* tempDir
        // `.invalid` never resolves (RFC 2606); with no network the resolver fails at once too.
        const client = yield* presetClient("http://courier-test.invalid", fastTimeouts)
        const start = yield* wallNow
        const exit = yield* Effect.exit(call(client, kind, dir))
        expect((yield* wallNow) - start).toBeLessThan(fastTotalMillis + slackMillis)
        expectNetwork(exit, "DnsLookup")
        // ENOTFOUND is final; only a temporary failure (EAI_AGAIN) is retried.
        expect(attemptsLogged(lines)).toBeGreaterThanOrEqual(1)
        expect(attemptsLogged(lines)).toBeLessThanOrEqual(3)
      }).pipe(Effect.provide(logs), Effect.scoped, Effect.provide(NodeFileSystem.layer))
    })
  }
})

const halfThenFail = Stream.concat(Stream.fromIterable(uploadChunks.slice(0, 2)), Stream.fail("the disk went away"))

describe("fault matrix: an upload stream failing half-way", () => {
  const bodies = [
    ["a one-shot stream", () => Body.stream(halfThenFail), {}],
    ["a replayable stream with an Idempotency-Key", () => Body.replayableStream(() => halfThenFail), Retry.idempotencyKey()]
  ] as const
  // On fetch too: there the body's failure crosses a ReadableStream and fetch's TypeError.
  for (const [name, body, headers] of bodies) {
    for (const transport of ["node", "fetch"] as const) {
      it.live(`${name} on ${transport} fails with Network(RequestBody), sent once, the connection closed`, () =>
        Effect.gen(function*() {
          const server = yield* faultServer(FaultServer.json({ ok: true }))
          yield* Effect.scoped(Effect.gen(function*() {
            const client = yield* presetClient(server.url, fastTimeouts, transport)
            const start = yield* wallNow
            const exit = yield* Effect.exit(client.post("/fault", { body: body(), headers, schema: Ok }))
            expect((yield* wallNow) - start).toBeLessThan(fastTotalMillis + slackMillis)
            expectNetwork(exit, "RequestBody")
            // The half-sent request must not be completed by a reused socket: it is closed.
            expect(yield* server.awaitIdle(closedWithin), "the half-sent connection is closed").toBe(true)
          }))
          const journal = yield* server.requests("/fault")
          // A RequestBody failure is the caller's, not transient: never retried. (fetch
          // may meet the failure before its connection is up: then nothing was sent.)
          expect(journal.length).toBeLessThanOrEqual(1)
          if (transport === "node") expect(journal.length).toBe(1)
          for (const entry of journal) {
            expect(entry.bodyComplete).toBe(false)
            expect(entry.body.byteLength).toBeLessThanOrEqual(2 * 16 * 1024)
          }
        }).pipe(Effect.scoped, Effect.provide(capture().layer)))
    }
  }
})

/** Patient timeouts: in these cells the caller's interruption, not a timer, ends the call. */
const interruptTimeouts: CourierConfig.TimeoutsInput = { receive: "10 seconds", total: "20 seconds" }

const expectInterrupted = (exit: Exit.Exit<unknown, unknown>) => {
  expect(Exit.isInterrupted(exit), `expected an interruption, got ${describeExit(exit)}`).toBe(true)
  if (Exit.isFailure(exit)) expect(Cause.isInterruptedOnly(exit.cause)).toBe(true)
}

type Stage = "before the headers" | "mid-body" | "mid-upload"

interface InterruptCell {
  readonly stage: Stage
  readonly kind: Kind
}

const interruptCells: ReadonlyArray<InterruptCell> = [
  ...kinds.map((kind): InterruptCell => ({ stage: "before the headers", kind })),
  ...kinds.map((kind): InterruptCell => ({ stage: "mid-body", kind })),
  { stage: "mid-upload", kind: "upload" },
  { stage: "mid-upload", kind: "POST+key" }
]

/** For mid-upload: a first chunk, then a stream that never ends. */
const hangingUpload = Stream.concat(Stream.make(uploadChunks[0]!), Stream.never)

const startCall = (client: CourierClient.Service, cell: InterruptCell, dir: string, progressed: Deferred.Deferred<void>) => {
  if (cell.stage === "mid-upload") {
    const body = cell.kind === "upload"
      ? Body.stream(hangingUpload)
      : Body.replayableStream(() => hangingUpload)
    const headers = cell.kind === "upload" ? {} : Retry.idempotencyKey()
    return Effect.asVoid(client.post("/fault", { body, headers, schema: Ok }))
  }
  return call(client, cell.kind, dir, {
    onDownloadProgress: (progress) => progress.transferred > 0 ? Deferred.succeed(progressed, undefined) : Effect.void
  })
}

describe("fault matrix: the caller interrupts", () => {
  for (const cell of interruptCells) {
    it.live(`${cell.stage}: ${cell.kind} ends at once, sent once, its connection closed`, () =>
      Effect.gen(function*() {
        const fault = cell.stage === "mid-body" ? FaultServer.stallBody() : FaultServer.stallHeaders
        const server = yield* faultServer(fault)
        const dir = yield* tempDir
        const progressed = yield* Deferred.make<void>()
        yield* Effect.scoped(Effect.gen(function*() {
          const client = yield* presetClient(server.url, interruptTimeouts)
          const fiber = yield* Effect.fork(startCall(client, cell, dir, progressed))
          switch (cell.stage) {
            case "before the headers":
              yield* waitUntil(
                Effect.map(server.requests("/fault"), (entries) => entries.length === 1 && entries[0]!.bodyComplete),
                "the whole request reached the server"
              )
              break
            case "mid-body":
              yield* waitUntil(Deferred.isDone(progressed), "the first body bytes reached the caller")
              break
            case "mid-upload":
              yield* waitUntil(
                Effect.map(server.requests("/fault"), (entries) => entries.length === 1 && entries[0]!.body.byteLength > 0),
                "the first upload bytes reached the server"
              )
              break
          }
          const start = yield* wallNow
          const exit = yield* Fiber.interrupt(fiber)
          expect((yield* wallNow) - start, "the interruption took effect at once").toBeLessThan(1_000)
          expectInterrupted(exit)
          // While the client lives: the interrupted exchange's socket is closed, not pooled.
          expect(yield* server.awaitIdle(closedWithin), "the interrupted connection is closed").toBe(true)
        }))
        expect(yield* server.awaitIdle(closedWithin)).toBe(true)
        const journal = yield* server.requests("/fault")
        expect(journal.length, "sent once, not again after the interruption").toBe(1)
        if (cell.stage === "mid-upload") expect(journal[0]!.bodyComplete).toBe(false)
        expect(yield* listing(dir), "no temporary file left").toEqual([])
      }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer), Effect.provide(capture().layer)))
  }
})
