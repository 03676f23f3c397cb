/**
 * Runs one scenario through the line's recommended preset (auth with a JSON
 * refresh endpoint, retry, tracing, logging, metrics) against the
 * scenario's servers, and gathers what the invariants look at.
 */
import * as Fs from "node:fs"
import { Closers } from "../Case.js"
import type { CallSpec, Client, ClientSpec, JournalEntry, Line, LogLine, Outcome, SchemaSpec, Scope, Tokens } from "../Line.js"
import { tempDir } from "../Support.js"
import type { Scenario } from "./Scenario.js"
import * as Servers from "./Servers.js"

const Ok: SchemaSpec = { _tag: "Struct", fields: { ok: { _tag: "Boolean" } } }
const Item: SchemaSpec = { _tag: "Struct", fields: { id: { _tag: "Number" } } }

/** 48 KiB in 3 chunks. */
const uploadChunks = Array.from({ length: 3 }, (_, i) => new Uint8Array(16 * 1024).fill(97 + i))

export interface CallResult {
  readonly marker: string
  /** `undefined`: did not end before the watchdog. */
  readonly outcome: Outcome | undefined
  readonly elapsed: number
}

export interface Observation {
  readonly world: Servers.World
  readonly calls: ReadonlyArray<CallResult>
  readonly logs: ReadonlyArray<LogLine>
  /** The store after the client's scope closed. */
  readonly tokens: Tokens | undefined
  /** Open connections on each server after the client's scope closed (once idle, or at the timeout). */
  readonly openAfter: { readonly a: number; readonly b: number }
  /** Files left in the download folder. */
  readonly files: ReadonlyArray<string>
  /** Everything the second origin received. */
  readonly journalB: ReadonlyArray<JournalEntry>
}

/** How long past its `total` a call may run before it counts as hung. */
export const watchdogMillis = 10_000

/** What a caller would plausibly put in a header the transport owns. */
const forbiddenValues = {
  "transfer-encoding": "chunked",
  upgrade: "websocket",
  connection: "close",
  expect: "100-continue"
} as const

const callOf = (scenario: Scenario, marker: string, dir: string): CallSpec => {
  const headers: Record<string, string> = {}
  if (scenario.forbiddenHeader !== undefined) headers[scenario.forbiddenHeader] = forbiddenValues[scenario.forbiddenHeader]
  const base = {
    path: `/s/${marker}/0`,
    headers,
    idempotencyKey: scenario.kind === "postKey",
    ...(scenario.maxRedirects === undefined ? {} : { maxRedirects: scenario.maxRedirects }),
    timeouts: scenario.receive === undefined ? { total: scenario.total } : { total: scenario.total, receive: scenario.receive }
  }
  // A 204 or 304 has no body a schema could accept: the call asks for none.
  const none = scenario.hops.some((hop) => hop.steps.some((s) => s._tag === "ok" && (s.shape === "empty" || s.shape === "notModified")))
  const send = (method: string, body?: CallSpec["body"]): CallSpec => ({
    ...base,
    method,
    ...(body === undefined ? {} : { body }),
    decode: none || method === "HEAD" ? { _tag: "none" } : { _tag: "schema", schema: Ok }
  })
  switch (scenario.kind) {
    case "get":
      return send("GET")
    case "head":
      return send("HEAD")
    case "post":
    case "postKey":
      return send("POST", { _tag: "json", value: { marker } })
    case "upload":
      return send("PUT", { _tag: "stream", chunks: uploadChunks, replayable: true })
    case "oneShot":
      return send("POST", { _tag: "stream", chunks: uploadChunks })
    case "download":
      return { ...base, method: "GET", decode: { _tag: "download", path: `${dir}/out-${marker}.json` } }
    case "ndjson":
      return { ...base, method: "GET", decode: { _tag: "ndjson", schema: Item } }
  }
}

/** The call's outcome, or `undefined` (after interrupting it) when it runs `limit` ms. */
const watched = async (client: Client, spec: CallSpec, limit: number): Promise<Outcome | undefined> => {
  const running = client.start(spec)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), limit)
  })
  const first = await Promise.race([running.outcome, late])
  clearTimeout(timer)
  if (first !== "late") return first
  await running.interrupt()
  return undefined
}

export const run = async (line: Line, scenario: Scenario, scope: Scope): Promise<Observation> => {
  const world = await Servers.make(line, scenario, scope)
  const dir = tempDir(scope, "courier-scenario-")
  const initial: Tokens = { accessToken: world.secrets.access[0]!, refreshToken: world.secrets.refresh[0]! }
  // Memory: one client, one store. Shared file: each client opens its own
  // store on the file, as two processes of one program would.
  const store = scenario.store === "memory"
    ? { _tag: "memory" as const, initial }
    : { _tag: "file" as const, path: `${dir}/session/tokens.json`, key: "api", initial }
  const headers: Record<string, string> = {}
  if (scenario.apiKey) headers["x-api-key"] = world.secrets.apiKey
  if (scenario.cookie) headers["cookie"] = `sid=${world.secrets.cookie}`
  const spec: ClientSpec = {
    baseUrl: `${world.a.url}/api`,
    headers,
    preset: { refreshPath: "/auth/refresh", store, retryBaseDelayMs: 20, logging: { mode: scenario.logging } }
  }

  const clientScope = new Closers()
  let calls: ReadonlyArray<CallResult>
  let logs: Array<LogLine> = []
  let readTokens: () => Promise<Tokens | undefined>
  try {
    const one = await line.client(spec, clientScope)
    const clients = scenario.store === "memory" ? [one, one] : [one, await line.client(spec, clientScope)]
    readTokens = one.tokens
    const markers = Array.from({ length: scenario.calls }, (_, i) => `c${i}${Math.random().toString(36).slice(2, 8)}`)
    calls = await Promise.all(markers.map(async (marker, i) => {
      const started = performance.now()
      const outcome = await watched(clients[i]!, callOf(scenario, marker, dir), scenario.total + watchdogMillis)
      return { marker, outcome, elapsed: performance.now() - started }
    }))
    logs = [...new Set([...one.logs, ...clients[1]!.logs])]
  } finally {
    await clientScope.close()
  }

  const idleA = await world.a.awaitIdle(3_000)
  const idleB = await world.b.awaitIdle(3_000)
  return {
    world,
    calls,
    logs,
    tokens: await readTokens(),
    openAfter: {
      a: idleA ? 0 : await world.a.openConnections(),
      b: idleB ? 0 : await world.b.openConnections()
    },
    files: Fs.readdirSync(dir),
    journalB: await world.b.journal()
  }
}
