/**
 * The servers of a scenario: the base origin `A` (hops and the token
 * endpoint) and a second origin `B`, both real HTTP servers of the line's
 * test kit whose routes
 * interpret the scenario's script. Besides the servers' own journals, every
 * answer is recorded in a `Served` log: which call (its marker), which hop,
 * what the request carried and what it was answered, so the invariants can
 * tell what the client was entitled to do.
 */
import type * as Http from "node:http"
import * as Zlib from "node:zlib"
import type { Handler, Line, Scope, Server } from "../Line.js"
import { closedPort } from "../Support.js"
import type { Hop, Scenario, Shape, Step } from "./Scenario.js"

/** The secrets of a scenario: every one is unique to it, so a search can not match by chance. */
export interface Secrets {
  readonly access: Array<string>
  readonly refresh: Array<string>
  readonly apiKey: string
  readonly cookie: string
  /** Carried by response bodies (a `password` field). */
  readonly body: string
  /** Carried by redirect Locations (`token=` query parameter). */
  readonly location: string
}

export interface Served {
  readonly marker: string
  readonly origin: "A" | "B"
  readonly hop: number
  readonly method: string
  readonly authorization: string | undefined
  readonly idempotencyKey: string | undefined
  /** What the request was answered: a status, or a fault. */
  readonly answer: number | "reset" | "closeMidBody" | "stall"
  /** The answer's Retry-After, if any. */
  readonly retryAfter: string | undefined
  readonly at: number
}

export interface RefreshServed {
  readonly answer: number | "reset"
  /** Refused because the refresh token presented was not the latest issued (rotation with reuse detection). */
  readonly stale: boolean
  readonly at: number
}

export interface World {
  readonly a: Server
  readonly b: Server
  readonly refusedUrl: string
  readonly secrets: Secrets
  readonly served: Array<Served>
  readonly refreshes: Array<RefreshServed>
  /** The most token-endpoint requests open at once. */
  readonly maxRefreshesInFlight: () => number
}

const random = () => Math.random().toString(36).slice(2, 12)

/** The body of a 2xx of `shape` for `kind`: what the call's schema accepts, or a secret-carrying mismatch. */
const okBody = (scenario: Scenario, secrets: Secrets, shape: Shape): string => {
  const bad = shape === "secret"
  if (scenario.kind === "ndjson") {
    return bad ? `{"id":1}\n{"id":"x","password":"${secrets.body}"}\n` : `{"id":1}\n{"id":2}\n`
  }
  return bad ? `{"ok":"x","password":"${secrets.body}"}` : `{"ok":true}`
}


/** Runs `f` after `ms` unless the response is gone by then; timers are cleared with the servers. */
const later = (timers: Set<NodeJS.Timeout>, ms: number, f: () => void) => {
  if (ms <= 0) return f()
  const timer = setTimeout(() => {
    timers.delete(timer)
    f()
  }, ms)
  timers.add(timer)
}

export const make = async (line: Line, scenario: Scenario, scope: Scope): Promise<World> => {
  const secrets: Secrets = {
    access: [`at1-${random()}`],
    refresh: [`rt1-${random()}`],
    apiKey: `key-${random()}`,
    cookie: `sid-${random()}`,
    body: `pw-${random()}`,
    location: `loc-${random()}`
  }
  const served: Array<Served> = []
  const refreshes: Array<RefreshServed> = []
  const accepted = new Set<string>(scenario.token === "expired" ? [] : [secrets.access[0]])
  const counters = new Map<string, number>()
  const timers = new Set<NodeJS.Timeout>()
  scope.add(() => timers.forEach(clearTimeout))
  let refreshesOpen = 0
  let maxRefreshesInFlight = 0

  const a = await line.serve({ kind: "http", keepAliveTimeoutMs: 2_000 }, scope)
  const b = await line.serve({ kind: "http", keepAliveTimeoutMs: 2_000 }, scope)
  const refusedUrl = `http://127.0.0.1:${await closedPort()}`
  const urlOf = (hop: Hop) => hop.origin === "A" ? a.url : hop.origin === "B" ? b.url : refusedUrl

  const hopHandler = (origin: "A" | "B"): Handler =>
    (request, response) => {
      const url = new URL(request.url ?? "/", "http://x")
      // `/api/s/<marker>/<hop>`: in the path, which logs and failures show.
      const [marker = "?", hopText = ""] = url.pathname.split("/").slice(3)
      const hop = Number(hopText)
      const spec = scenario.hops[hop]
      const authorization = typeof request.headers.authorization === "string" ? request.headers.authorization : undefined
      const key = request.headers["idempotency-key"]
      const record = (answer: Served["answer"], retryAfter?: string) =>
        served.push({
          marker,
          origin,
          hop,
          method: request.method ?? "?",
          authorization,
          idempotencyKey: typeof key === "string" ? key : undefined,
          answer,
          retryAfter,
          at: performance.now()
        })
      const send = (status: number, headers: Record<string, string | number>, body: string | Uint8Array = "") => {
        if (response.destroyed) return
        response.writeHead(status, { "content-length": Buffer.byteLength(body), ...headers })
        response.end(request.method === "HEAD" ? undefined : body)
      }
      let bodyDone = false
      const afterBody: Array<() => void> = []
      request.on("data", () => {})
      request.on("end", () => {
        bodyDone = true
        afterBody.forEach((f) => f())
      })
      const whenBodyRead = (f: () => void) => bodyDone ? f() : afterBody.push(f)

      if (spec === undefined || spec.origin !== origin) {
        record(404)
        return whenBodyRead(() => send(404, { "content-type": "text/plain" }, "no such hop"))
      }
      // The base origin checks the token (a hop of B never should see one).
      if (origin === "A") {
        const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined
        const valid = token !== undefined && accepted.has(token)
        // An expiring first token is good for one request.
        if (valid && scenario.token === "expiring" && token === secrets.access[0]) accepted.delete(token)
        if (!valid) {
          record(401)
          const echoed = authorization ?? "none"
          return whenBodyRead(() =>
            scenario.echo === "json"
              ? send(401, { "content-type": "application/json" }, JSON.stringify({ error: "invalid token", got: echoed }))
              : send(401, { "content-type": "text/plain" }, `invalid token: ${echoed}`)
          )
        }
      }
      const id = `${marker}|${hop}`
      const n = counters.get(id) ?? 0
      counters.set(id, n + 1)
      const step: Step = spec.steps[Math.min(n, spec.steps.length - 1)]
      act(step, hop, marker, request, response, send, whenBodyRead, record)
    }

  const act = (
    step: Step,
    hop: number,
    marker: string,
    request: Http.IncomingMessage,
    response: Http.ServerResponse,
    send: (status: number, headers: Record<string, string | number>, body?: string | Uint8Array) => void,
    whenBodyRead: (f: () => void) => void,
    record: (answer: Served["answer"], retryAfter?: string) => void
  ) => {
    switch (step._tag) {
      case "reset": {
        record("reset")
        if (step.afterBody) return whenBodyRead(() => request.socket.resetAndDestroy())
        return request.socket.resetAndDestroy()
      }
      case "stall":
        return record("stall")
      case "closeMidBody":
        record("closeMidBody")
        return whenBodyRead(() =>
          later(timers, step.delay, () => {
            if (response.destroyed) return
            response.writeHead(200, { "content-type": "application/json", "content-length": 100 })
            response.write(`{"ok":`)
            later(timers, 10, () => request.socket.destroy())
          })
        )
      case "status": {
        record(step.status, step.retryAfter)
        const headers: Record<string, string> = { "content-type": "application/json" }
        if (step.retryAfter !== undefined) headers["retry-after"] = step.retryAfter
        return whenBodyRead(() => later(timers, step.delay, () => send(step.status, headers, `{"error":${step.status}}`)))
      }
      case "redirect": {
        record(step.status)
        const next = scenario.hops[hop + 1]
        const query = step.tokenInLocation ? `?token=${secrets.location}` : ""
        const location = `${urlOf(next)}/api/s/${marker}/${hop + 1}${query}`
        return whenBodyRead(() => later(timers, step.delay, () => send(step.status, { location })))
      }
      case "ok": {
        const body = okBody(scenario, secrets, step.shape)
        const type = scenario.kind === "ndjson" ? "application/x-ndjson" : "application/json"
        return whenBodyRead(() =>
          later(timers, step.delay, () => {
            switch (step.shape) {
              case "empty":
                record(204)
                if (response.destroyed) return
                response.writeHead(204, { "content-encoding": "gzip" })
                return response.end()
              case "notModified":
                record(304)
                if (response.destroyed) return
                response.writeHead(304, { "content-encoding": "gzip", etag: "\"v1\"" })
                return response.end()
              case "gzip":
                record(200)
                return send(200, { "content-type": type, "content-encoding": "gzip" }, Zlib.gzipSync(body))
              case "drip": {
                record(200)
                if (response.destroyed) return
                response.writeHead(200, { "content-type": type })
                if (request.method === "HEAD") return response.end()
                const bytes = Buffer.from(body)
                const drip = (i: number): void => {
                  if (response.destroyed) return
                  if (i >= bytes.length) return void response.end()
                  response.write(bytes.subarray(i, i + 1))
                  later(timers, 5, () => drip(i + 1))
                }
                return drip(0)
              }
              default:
                record(200)
                return send(200, { "content-type": type }, body)
            }
          })
        )
      }
    }
  }

  const tokenEndpoint: Handler = (request, response) => {
    refreshesOpen += 1
    maxRefreshesInFlight = Math.max(maxRefreshesInFlight, refreshesOpen)
    let closed = false
    const done = () => {
      if (!closed) refreshesOpen -= 1
      closed = true
    }
    response.once("close", done)
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const n = refreshes.length
      let presented: unknown
      try {
        presented = JSON.parse(Buffer.concat(chunks).toString("utf8")).refreshToken
      } catch {
        presented = undefined
      }
      const answer = (status: number, body: string, stale = false) => {
        refreshes.push({ answer: status, stale, at: performance.now() })
        if (response.destroyed) return
        response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        response.end(body)
      }
      const issue = () => {
        // Rotation: only the latest refresh token is good, once.
        if (presented !== secrets.refresh[secrets.refresh.length - 1]) {
          return answer(401, `{"error":"invalid_grant","detail":"refresh token reused"}`, true)
        }
        const access = `at${secrets.access.length + 1}-${random()}`
        const refresh = `rt${secrets.refresh.length + 1}-${random()}`
        secrets.access.push(access)
        secrets.refresh.push(refresh)
        accepted.add(access)
        answer(200, JSON.stringify({ accessToken: access, refreshToken: refresh }))
      }
      switch (scenario.refresh) {
        case "ok":
          return issue()
        case "slow":
          return later(timers, scenario.refreshDelay, issue)
        case "fail500":
          return answer(500, `{"error":"token service down"}`)
        case "transient503":
          return n === 0 ? answer(503, `{"error":"try later"}`) : issue()
        case "reset":
          if (n > 0) return issue()
          refreshes.push({ answer: "reset", stale: false, at: performance.now() })
          done()
          return request.socket.resetAndDestroy()
        case "rejected401":
          return answer(401, `{"error":"invalid_grant"}`)
        case "rejected400":
          return answer(400, `{"error":"invalid_grant"}`)
      }
    })
  }

  await a.route("*", "/api/s/*", { _tag: "custom", handler: hopHandler("A") })
  await b.route("*", "/api/s/*", { _tag: "custom", handler: hopHandler("B") })
  await a.route("POST", "/api/auth/refresh", { _tag: "custom", handler: tokenEndpoint })
  return { a, b, refusedUrl, secrets, served, refreshes, maxRefreshesInFlight: () => maxRefreshesInFlight }
}
