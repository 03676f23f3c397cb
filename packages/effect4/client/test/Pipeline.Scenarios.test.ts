import { describe, expect, it } from "@effect/vitest"
import * as Reply from "@courier/testing-effect4/Reply"
import * as TestServer from "@courier/testing-effect4/TestServer"
import * as Effect from "effect/Effect"
import * as Body from "../src/Body.js"
import { client } from "./support.js"

// Seeded scenarios over the pipeline's concerns at once: a chain of
// redirects across two origins, the method and body each status implies,
// credentials that leave with the first origin change, a final answer that
// may be compressed, too large, an error or a 401. Each scenario is checked
// on the wire (both journals) and against a small model of the outcome.

const random = (seed: number) => {
  let state = seed * 2654435761 % 4294967296
  return (n: number): number => {
    state = (state * 1664525 + 1013904223) % 4294967296
    return state % n
  }
}

type Final = "json" | "gzip" | "chain" | "large" | "error" | "unauthorized"

interface Scenario {
  readonly method: "GET" | "POST" | "PUT"
  readonly hops: ReadonlyArray<{ readonly status: 301 | 302 | 303 | 307 | 308; readonly toOther: boolean }>
  readonly final: Final
}

const generate = (seed: number): Scenario => {
  const next = random(seed + 1)
  const statuses = [301, 302, 303, 307, 308] as const
  const finals: ReadonlyArray<Final> = ["json", "gzip", "chain", "large", "error", "unauthorized"]
  return {
    method: (["GET", "POST", "PUT"] as const)[next(3)]!,
    hops: Array.from({ length: next(4) }, () => ({ status: statuses[next(5)]!, toOther: next(2) === 1 })),
    final: finals[next(finals.length)]!
  }
}

const limit = 2000
const value = { ok: true, text: "z".repeat(100) }

const finalReply = (final: Final) => {
  switch (final) {
    case "json":
      return Reply.json(value)
    case "gzip":
      return Reply.encoded(JSON.stringify(value), ["gzip"], { headers: { "content-type": "application/json" } })
    case "chain":
      return Reply.encoded(JSON.stringify(value), ["gzip", "br"], { headers: { "content-type": "application/json" } })
    case "large":
      // Small on the wire, over the limit once decoded.
      return Reply.encoded(JSON.stringify({ big: "y".repeat(limit * 10) }), ["gzip"])
    case "error":
      return Reply.json({ error: "nope" }, { status: 500 })
    case "unauthorized":
      return Reply.status(401)
  }
}

describe("pipeline scenarios", () => {
  it.live("40 seeded chains: methods, bodies, credentials on the wire; outcome as modelled", () =>
    Effect.gen(function*() {
      const a = yield* TestServer.make()
      const b = yield* TestServer.make()
      const c = yield* client({ baseUrl: a.url, maxResponseBytes: limit })
      for (let seed = 0; seed < 40; seed++) {
        const scenario = generate(seed)
        // Where each hop lives: the first on A, then wherever its redirect points.
        const servers = [a]
        for (const hop of scenario.hops) servers.push(hop.toOther ? (servers.at(-1) === a ? b : a) : servers.at(-1)!)
        const path = (i: number) => `/s${seed}/h${i}`
        for (const [i, hop] of scenario.hops.entries()) {
          yield* servers[i]!.route("*", path(i), Reply.redirect(hop.status, `${servers[i + 1]!.url}${path(i + 1)}`))
        }
        yield* servers.at(-1)!.route("*", path(scenario.hops.length), finalReply(scenario.final))

        const body = scenario.method === "GET" ? undefined : Body.json({ seed })
        const exit = yield* Effect.exit(
          c.request(scenario.method, path(0), { headers: { authorization: "Bearer token-abcdef" }, body })
        )

        // The model: each hop's method, body and credentials.
        let method: string = scenario.method
        let hasBody = body !== undefined
        let credentials = true
        const expected = [{ method, hasBody, credentials }]
        for (const [i, hop] of scenario.hops.entries()) {
          if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === "POST")) {
            method = "GET"
            hasBody = false
          }
          if (servers[i + 1] !== servers[i]) credentials = false
          expected.push({ method, hasBody, credentials })
        }
        const seen = []
        for (const [i, server] of servers.entries()) {
          const [entry] = yield* server.requests(path(i))
          seen.push({
            method: entry?.method,
            hasBody: entry !== undefined && entry.bodyText !== "",
            credentials: entry?.headers["authorization"] === "Bearer token-abcdef"
          })
        }
        expect({ seed, seen }).toEqual({ seed, seen: expected })
        if (hasBody) {
          const [last] = yield* servers.at(-1)!.requests(path(scenario.hops.length))
          expect(last!.bodyText).toBe(JSON.stringify({ seed }))
        }

        const redirects = scenario.hops.length === 0 ? undefined : scenario.hops.length
        if (scenario.final === "json" || scenario.final === "gzip" || scenario.final === "chain") {
          expect({ seed, exit: exit._tag }).toEqual({ seed, exit: "Success" })
          if (exit._tag === "Success") expect(exit.value).toEqual(value)
        } else {
          expect({ seed, exit: exit._tag }).toEqual({ seed, exit: "Failure" })
          const error = exit._tag === "Failure" ? Effect.runSync(Effect.flip(Effect.failCause(exit.cause))) : undefined
          expect(error?.request.redirects).toBe(redirects)
          switch (scenario.final) {
            case "large":
              expect(error?._tag === "LimitExceeded" && error.reason).toBe("ResponseTooLarge")
              break
            case "error":
              expect(error?._tag === "BadResponse" && error.status).toBe(500)
              break
            case "unauthorized":
              expect(error?._tag === "Unauthorized" && error.credentialsSent).toBe(credentials)
              break
          }
        }
      }
    }).pipe(Effect.scoped), 60_000)
})
