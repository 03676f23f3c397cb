/**
 * The fault matrix: every socket-level fault of the kit's FaultServer against
 * every kind of request, through the recommended preset (auth with refresh,
 * retry, tracing, logging captured, metrics). Each cell checks what the caller
 * sees (a typed failure, or a success after a safe retry), that the call ended
 * within its deadline, how many requests reached the wire (a POST without an
 * Idempotency-Key is never sent twice once a byte went out), that every
 * connection is closed afterwards, and, for downloads, that no temporary file
 * is left. Then: nothing listening, no such host, an upload failing half-way,
 * and the caller interrupting at each stage. Wall clock throughout: the faults
 * are real sockets and timers, so the bounds are loose and the timeouts small.
 */
import { Check, Closers, type Case, type Context } from "./Case.js"
import type { CallSpec, Client, ClientSpec, JournalEntry, LogLine, Outcome, Reply, Server, Timeouts } from "./Line.js"
import { closedPort, listing, now, sleep, tempDir, waitUntil } from "./Support.js"
import { bodySize, callOf, type Cell, cellName, cells, type Expected, fastTimeouts, fastTotalMillis, json, type Kind, kinds, Ok, safe, uploadChunks } from "./faultMatrix/Cells.js"

export { callOf, type Cell, cellName, cells, type Expected, fastTimeouts, fastTotalMillis, type Kind, kinds, uploadChunks } from "./faultMatrix/Cells.js"

// ---------------------------------------------------------------------------
// The harness

/** The secrets of the preset's token store: never in a log line. */
export const tokenSecrets = ["token-one", "token-two", "refresh-one", "refresh-two"] as const

/** The recommended preset over `baseUrl`, with a backoff base small enough for a retry to fit under the total. */
export const presetSpec = (baseUrl: string, timeouts: Timeouts): ClientSpec => ({
  baseUrl,
  timeouts,
  preset: {
    refreshPath: "/auth/refresh",
    store: { _tag: "memory", initial: { accessToken: "token-one", refreshToken: "refresh-one" } },
    retryBaseDelayMs: 20,
    // Successes at Info, so every attempt writes a visible line to count.
    logging: { level: "Info" }
  }
})

export const faultServer = (context: Context, fault: Reply, more: ReadonlyArray<readonly [string, string, Reply]> = []) =>
  context.line.serve({
    kind: "fault",
    routes: [
      ["*", "/fault", fault],
      ["POST", "/auth/refresh", json({ accessToken: "token-two", refreshToken: "refresh-two" })],
      ...more
    ]
  }, context.scope)

/** Slack over the total timeout for a busy machine: the call must still end near its deadline. */
export const slackMillis = 1_500

/** How long the server may take to see the client close its sockets. */
export const closedWithinMillis = 3_000

/** Request lines for `/fault`: one per attempt, whether or not it reached a server. */
export const attemptLines = (logs: ReadonlyArray<LogLine>) =>
  logs.filter((line) => line.message === "http" && String(line.annotations["http.url"]).endsWith("/fault"))

export const expectOutcome = (check: Check, what: string, outcome: Outcome, expected: Expected): void => {
  if (expected.outcome === "success") {
    check.success(what, outcome)
    return
  }
  const fields: Record<string, unknown> = {}
  if (expected.reason !== undefined) fields["reason"] = expected.reason
  if (expected.phase !== undefined) fields["phase"] = expected.phase
  if (expected.status !== undefined) fields["status"] = expected.status
  check.failure(what, outcome, expected.outcome, fields)
}

/**
 * What a variant of the matrix adds (the effect 3 line's cookie jar): a step
 * before the calls, and checks after them.
 */
export interface Variant {
  readonly client?: (spec: ClientSpec) => ClientSpec
  readonly server?: ReadonlyArray<readonly [string, string, Reply]>
  readonly before?: (client: Client, server: Server) => Promise<void>
  readonly after?: (check: Check, server: Server, journal: ReadonlyArray<JournalEntry>, logs: ReadonlyArray<LogLine>) => Promise<void>
}

export const runCell = async (context: Context, cell: Cell, variant: Variant = {}): Promise<void> => {
  const { check, line, scope } = context
  const server = await faultServer(context, cell.route, variant.server)
  const dir = tempDir(scope, "courier-faults-")
  const totalMillis = cell.timeouts.total ?? 60_000
  const calls = cell.twice ? 2 : 1
  const clientScope = new Closers()
  let logs: ReadonlyArray<LogLine> = []
  try {
    const spec = presetSpec(server.url, cell.timeouts)
    const client = await line.client(variant.client?.(spec) ?? spec, clientScope)
    logs = client.logs
    await variant.before?.(client, server)
    // Twice: the second call starts right after the first answer, while the
    // server is destroying the socket that answer promised to keep alive.
    for (let n = 0; n < calls; n++) {
      const outcome = await client.call(callOf(cell.kind, dir))
      expectOutcome(check, `call ${n + 1}`, outcome, cell.expected)
      check.below("the call ended within its deadline (ms)", outcome.elapsed, totalMillis + slackMillis)
      if (cell.expected.atLeastMillis !== undefined) {
        check.atLeast("the call waited for Retry-After (ms)", outcome.elapsed, cell.expected.atLeastMillis)
      }
    }
    // A transport failure leaves no socket behind even while the client lives:
    // the faulted one was closed by one side or the other, not put back in the
    // pool. (After an HTTP answer the pool keeps healthy sockets until it closes.)
    if (cell.expected.outcome === "Network" || cell.expected.outcome === "Timeout") {
      check.ok(
        "no connection open after a transport failure",
        await waitUntil(async () => (await server.openConnections()) === 0, 3_000)
      )
    }
  } finally {
    await clientScope.close()
  }
  check.ok("no connection open once the client closed", await server.awaitIdle(closedWithinMillis))

  const journal = await server.requests("/fault")
  if (cell.twice) check.equal("connections (the second call did not reuse the closed socket)", await server.totalConnections(), 2)
  check.equal("requests that reached the server", journal.length, cell.expected.requests * calls)
  check.equal("refresh calls", (await server.requests("/auth/refresh")).length, cell.expected.refreshes ?? 0)
  if (!safe(cell.kind)) {
    // Never sent twice once a byte went out; a 401 (not processed) is the one exception.
    check.atMost("requests of a non-idempotent call", journal.length, calls * (1 + (cell.expected.refreshes ?? 0)))
  }
  if (cell.kind === "POST+key" && calls === 1 && journal.length > 1) {
    check.equal("one Idempotency-Key for every attempt", new Set(journal.map((entry) => entry.headers["idempotency-key"])).size, 1)
  }
  if (cell.expected.outcome === "success") {
    const last = journal[journal.length - 1]
    if (last !== undefined) {
      check.equal("the last request's body arrived in full", last.bodyComplete, true)
      check.equal("the last request's body size", last.body.byteLength, bodySize(cell.kind))
    }
  }
  if (cell.kind === "download") {
    check.equal("files left in the download folder", listing(dir), cell.expected.outcome === "success" ? ["out.json"] : [])
  }
  // Each attempt that reached the server wrote one request line.
  check.equal("request lines logged (one per attempt)", attemptLines(logs).length, journal.length)
  check.lacks("log lines", logs.flatMap((l) => [...l.rendered, JSON.stringify(l.annotations)]), tokenSecrets)
  await variant.after?.(check, server, journal, logs)
}

// ---------------------------------------------------------------------------
// Beyond the server's faults

const noServer: ReadonlyArray<Case> = [
  ...kinds.map((kind): Case => {
    // Nothing was sent, so even a POST may be retried; a one-shot stream never is.
    const attempts = kind === "upload" ? 1 : 3
    return {
      name: `no server: connection refused: ${kind} fails with Network(ConnectionRefused) after ${attempts} attempt(s)`,
      run: async ({ check, line, scope }) => {
        const port = await closedPort()
        const dir = tempDir(scope, "courier-faults-")
        const client = await line.client(presetSpec(`http://127.0.0.1:${port}`, fastTimeouts), scope)
        const outcome = await client.call(callOf(kind, dir))
        check.below("elapsed (ms)", outcome.elapsed, fastTotalMillis + slackMillis)
        check.failure("the call", outcome, "Network", { reason: "ConnectionRefused" })
        check.equal("attempts logged", attemptLines(client.logs).length, attempts)
        check.equal("files left", listing(dir), [])
      }
    }
  }),
  ...(["GET", "POST"] as const).map((kind): Case => ({
    name: `no server: DNS failure (a .invalid host): ${kind} fails fast with Network(DnsLookup)`,
    run: async ({ check, line, scope }) => {
      const dir = tempDir(scope, "courier-faults-")
      // `.invalid` never resolves (RFC 2606); with no network the resolver fails at once too.
      const client = await line.client(presetSpec("http://courier-test.invalid", fastTimeouts), scope)
      const outcome = await client.call(callOf(kind, dir))
      check.below("elapsed (ms)", outcome.elapsed, fastTotalMillis + slackMillis)
      check.failure("the call", outcome, "Network", { reason: "DnsLookup" })
      // ENOTFOUND is final; only a temporary failure (EAI_AGAIN) is retried.
      const attempts = attemptLines(client.logs).length
      check.ok(`attempts logged between 1 and 3 (got ${attempts})`, attempts >= 1 && attempts <= 3)
    }
  }))
]

/**
 * An upload whose source fails half-way: Network(RequestBody), sent at most
 * once, the half-sent connection closed. `sentOnce`: the line's transport
 * starts sending before the body fails (a fetch transport may meet the
 * failure before its connection is up, and send nothing).
 */
export const uploadFailing = (sentOnce: boolean): ReadonlyArray<Case> =>
  ([
    ["a one-shot stream", { _tag: "stream", chunks: uploadChunks.slice(0, 2), then: "fail" }, false],
    ["a replayable stream with an Idempotency-Key", { _tag: "stream", chunks: uploadChunks.slice(0, 2), then: "fail", replayable: true }, true]
  ] as const).map(([name, body, key]): Case => ({
    name: `an upload stream failing half-way: ${name} fails with Network(RequestBody), sent once, the connection closed`,
    run: async (context) => {
      const { check, line } = context
      const server = await faultServer(context, json({ ok: true }))
      const clientScope = new Closers()
      try {
        const client = await line.client(presetSpec(server.url, fastTimeouts), clientScope)
        const outcome = await client.call({ method: "POST", path: "/fault", body, idempotencyKey: key, decode: { _tag: "schema", schema: Ok } })
        check.below("elapsed (ms)", outcome.elapsed, fastTotalMillis + slackMillis)
        check.failure("the call", outcome, "Network", { reason: "RequestBody" })
        // The half-sent request must not be completed by a reused socket: it is closed.
        check.ok("the half-sent connection is closed", await server.awaitIdle(closedWithinMillis))
      } finally {
        await clientScope.close()
      }
      const journal = await server.requests("/fault")
      // A RequestBody failure is the caller's, not transient: never retried.
      if (sentOnce) check.equal("requests", journal.length, 1)
      else check.atMost("requests", journal.length, 1)
      for (const entry of journal) {
        check.equal("the body is incomplete", entry.bodyComplete, false)
        check.atMost("body bytes", entry.body.byteLength, 2 * 16 * 1024)
      }
    }
  }))

/** Patient timeouts: in these cells the caller's interruption, not a timer, ends the call. */
const interruptTimeouts: Timeouts = { receive: 10_000, total: 20_000 }

type Stage = "before the headers" | "mid-body" | "mid-upload"

const interruptCells: ReadonlyArray<{ readonly stage: Stage; readonly kind: Kind }> = [
  ...kinds.map((kind) => ({ stage: "before the headers" as const, kind })),
  ...kinds.map((kind) => ({ stage: "mid-body" as const, kind })),
  { stage: "mid-upload", kind: "upload" },
  { stage: "mid-upload", kind: "POST+key" }
]

const interrupts: ReadonlyArray<Case> = interruptCells.map(({ kind, stage }): Case => ({
  name: `the caller interrupts ${stage}: ${kind} ends at once, sent once, its connection closed`,
  run: async (context) => {
    const { check, line, scope } = context
    const server = await faultServer(context, stage === "mid-body" ? { _tag: "stallBody" } : { _tag: "stallHeaders" })
    const dir = tempDir(scope, "courier-faults-")
    let progressed = false
    const clientScope = new Closers()
    try {
      const client = await line.client(presetSpec(server.url, interruptTimeouts), clientScope)
      const spec: CallSpec = stage === "mid-upload"
        ? {
          method: "POST",
          path: "/fault",
          body: { _tag: "stream", chunks: [uploadChunks[0]!], then: "hang", replayable: kind !== "upload" },
          idempotencyKey: kind !== "upload",
          decode: { _tag: "schema", schema: Ok }
        }
        : callOf(kind, dir, { onProgress: (n) => {
          if (n > 0) progressed = true
        } })
      const running = client.start(spec)
      const reached = stage === "before the headers"
        ? await waitUntil(async () => {
          const entries = await server.requests("/fault")
          return entries.length === 1 && entries[0]!.bodyComplete
        })
        : stage === "mid-body"
        ? await (line.capabilities?.bufferedProgress === false && kind !== "download"
          // No progress to watch on a buffered call: the stalled body's first
          // bytes go out right after the whole request arrived.
          ? waitUntil(async () => {
            const entries = await server.requests("/fault")
            return entries.length === 1 && entries[0]!.bodyComplete
          }).then(async (ok) => {
            await sleep(300)
            return ok
          })
          : waitUntil(() => progressed))
        : await waitUntil(async () => {
          const entries = await server.requests("/fault")
          return entries.length === 1 && entries[0]!.body.byteLength > 0
        })
      check.ok(`the call reached the stage (${stage}) before the interruption`, reached)
      const start = now()
      const outcome = await running.interrupt()
      check.below("the interruption took effect at once (ms)", now() - start, 1_000)
      check.equal("the call ended interrupted", outcome._tag, "Interrupted")
      // While the client lives: the interrupted exchange's socket is closed, not pooled.
      check.ok("the interrupted connection is closed", await server.awaitIdle(closedWithinMillis))
    } finally {
      await clientScope.close()
    }
    check.ok("no connection open after the client closed", await server.awaitIdle(closedWithinMillis))
    const journal = await server.requests("/fault")
    check.equal("sent once, not again after the interruption", journal.length, 1)
    if (stage === "mid-upload") check.equal("the upload is incomplete", journal[0]?.bodyComplete, false)
    check.equal("no temporary file left", listing(dir), [])
  }
}))

export interface Options {
  /** See `uploadFailing`: whether the line's transport puts a failing body's first bytes on the wire. */
  readonly bodyFailureSentOnce: boolean
}

/** Every case of the fault matrix: the cells, then no server, a failing upload, the caller interrupting. */
export const cases = (options: Options): ReadonlyArray<Case> => [
  ...cells.map((cell): Case => ({ name: cellName(cell), run: (context) => runCell(context, cell) })),
  ...noServer,
  ...uploadFailing(options.bodyFailureSentOnce),
  ...interrupts
]
