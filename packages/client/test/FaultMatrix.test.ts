import { assertCase } from "@courier/suites/Case"
import * as FaultMatrix from "@courier/suites/FaultMatrix"
import { describe, it } from "@effect/vitest"
import { line } from "./line.js"

// The fault matrix of @courier/suites (every socket fault × every kind of
// request through the recommended preset; no server; an upload failing
// half-way; the caller interrupting) on the effect 3 line's node transport.
// Below it, what only this line has: the same cells with the cache Layer or
// the cookie jar in the preset, and the failing upload on fetch.

const node = line("node")

describe("fault matrix", () => {
  for (const c of FaultMatrix.cases({ bodyFailureSentOnce: true })) {
    it(c.name, () => assertCase(node, c), c.timeoutMs)
  }
})

// On fetch too: there the body's failure crosses a ReadableStream and fetch's
// TypeError, and fetch may meet it before its connection is up.
describe("fault matrix on fetch: an upload stream failing half-way", () => {
  const fetch = line("fetch")
  for (const c of FaultMatrix.uploadFailing(false)) it(c.name, () => assertCase(fetch, c), c.timeoutMs)
})

// The same cells with the cache Layer in the preset, for the kinds it sees
// (a GET it may store, a POST it passes on and invalidates after): the faults
// carry no freshness, so every call is a miss and must fail, retry and close
// its sockets exactly as without it.
describe("fault matrix with the cache Layer on", () => {
  const cached = line("node", { cache: true })
  for (const cell of FaultMatrix.cells.filter((cell) => cell.kind === "GET" || cell.kind === "POST")) {
    it(`${cell.fault}: ${cell.kind} as without the cache`, () =>
      assertCase(cached, { name: FaultMatrix.cellName(cell), run: (context) => FaultMatrix.runCell(context, cell) }))
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
const jarKinds: ReadonlySet<FaultMatrix.Kind> = new Set(["GET", "POST+key", "upload"])

/** The cookie the jar stores before the cell, from `/prime`. */
const jarCookie = "jar=SECRET-JAR-1"

const jar: FaultMatrix.Variant = {
  // Closed after the answer: the cell's checks count the cell's own connections.
  server: [["GET", "/prime", {
    _tag: "respond",
    status: 200,
    body: { json: { ok: true } },
    headers: { "set-cookie": `${jarCookie}; HttpOnly` },
    close: true
  }]],
  before: async (client, server) => {
    await client.call({ method: "GET", path: "/prime" })
    for (let i = 0; i < 300 && (await server.openConnections()) > 0; i++) await new Promise((r) => setTimeout(r, 10))
  },
  after: async (check, server, journal, logs) => {
    // Every attempt, replay and refresh call read the jar when it was sent.
    for (const entry of [...journal, ...(await server.requests("/auth/refresh"))]) {
      check.equal(`${entry.method} ${entry.path} carried the jar's cookie`, entry.headers["cookie"], jarCookie)
    }
    check.lacks("log lines", logs.flatMap((l) => [...l.rendered, JSON.stringify(l.annotations)]), ["SECRET-JAR"])
  }
}

describe("fault matrix with the cookie jar", () => {
  const withJar = line("node", { cookies: true })
  for (const cell of FaultMatrix.cells.filter((cell) => jarFaults.has(cell.fault) && jarKinds.has(cell.kind))) {
    it(`${cell.fault}: ${cell.kind} as without the jar, every attempt with its cookie`, () =>
      assertCase(withJar, { name: FaultMatrix.cellName(cell), run: (context) => FaultMatrix.runCell(context, cell, jar) }))
  }
})
