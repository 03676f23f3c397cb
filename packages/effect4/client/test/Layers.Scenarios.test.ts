import { Auth, Body, Preset, Retry, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { clientWith, hits } from "./layers.js"

// Retry x auth over generated scenarios: a method (idempotent or not, with
// or without an Idempotency-Key), a script of statuses the route answers in
// turn, and how the token endpoint answers. A small model says how many
// requests must reach each route and how the call ends; the wire must agree.
// The generator is seeded, so a failure names a scenario that replays.

type Method = "GET" | "PUT" | "POST" | "POST+key"
type RefreshAnswer = 200 | 503 | 400

interface Scenario {
  readonly method: Method
  readonly script: ReadonlyArray<number>
  readonly refresh: RefreshAnswer
}

/** mulberry32: a tiny seeded generator, so scenarios are the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const statuses = [200, 401, 429, 500, 503, 404] as const
const methods: ReadonlyArray<Method> = ["GET", "PUT", "POST", "POST+key"]
const refreshes: ReadonlyArray<RefreshAnswer> = [200, 503, 400]

const generate = (count: number, seed: number): ReadonlyArray<Scenario> => {
  const next = seeded(seed)
  const pick = <A>(values: ReadonlyArray<A>): A => values[Math.floor(next() * values.length)]!
  return Array.from({ length: count }, () => ({
    method: pick(methods),
    script: Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(statuses)),
    refresh: pick(refreshes)
  }))
}

const retries = 2

/** What the stack must do: requests on the route, on the token endpoint, and the outcome. */
const model = (scenario: Scenario) => {
  const safe = scenario.method !== "POST"
  let sent = 0
  const answer = () => scenario.script[Math.min(sent++, scenario.script.length - 1)]!
  // Retry below Auth: transient statuses again for a safe call, up to `retries` times.
  const throughRetry = (): number => {
    for (let attempt = 0;; attempt++) {
      const status = answer()
      if (status === 200 || status === 401) return status
      if (!safe || status === 404 || attempt >= retries) return status
    }
  }
  const first = throughRetry()
  if (first !== 401) return { route: sent, refresh: 0, outcome: first === 200 ? "ok" : "BadResponse" }
  // The refresh POST is retried after a 503, not after a 400.
  const refreshCalls = scenario.refresh === 503 ? retries + 1 : 1
  if (scenario.refresh !== 200) {
    return {
      route: sent,
      refresh: refreshCalls,
      outcome: scenario.refresh === 400 ? "Unauthorized:SessionExpired" : "Unauthorized:RefreshUnavailable"
    }
  }
  const replay = throughRetry()
  return { route: sent, refresh: 1, outcome: replay === 200 ? "ok" : replay === 401 ? "Unauthorized" : "BadResponse" }
}

const call = (scenario: Scenario, client: Effect.Success<ReturnType<typeof clientWith>>["client"]) => {
  switch (scenario.method) {
    case "GET":
      return client.get("/r")
    case "PUT":
      return client.put("/r", { body: Body.json({ v: 1 }) })
    case "POST":
      return client.post("/r", { body: Body.json({ v: 1 }) })
    case "POST+key":
      return client.post("/r", { body: Body.json({ v: 1 }), headers: Retry.idempotencyKey() })
  }
}

describe("Retry x auth scenarios", () => {
  it.live("the wire agrees with the model over 40 generated scenarios", () =>
    Effect.gen(function*() {
      for (const scenario of generate(40, 20261203)) {
        const server = yield* TestServer.make({
          routes: [
            ["*", "/r", Reply.sequence(scenario.script.map((status) => status === 200 ? Reply.json({ ok: true }) : Reply.status(status)))],
            [
              "POST",
              "/auth/refresh",
              scenario.refresh === 200
                ? Reply.json({ accessToken: "new-access-0000" })
                : Reply.json({ error: scenario.refresh === 400 ? "invalid_grant" : "busy" }, { status: scenario.refresh })
            ]
          ]
        })
        const { client } = yield* clientWith(
          server,
          Preset.layer(
            { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
            { retry: { retries, baseDelay: 0, budget: false }, logging: false, tracing: false, metrics: false }
          ),
          TokenStore.layerMemory(TokenStore.tokens("old-access-0000", "refresh-0000")),
          { timeouts: { total: "10 seconds" } }
        )
        const exit = yield* Effect.result(call(scenario, client))
        const outcome = exit._tag === "Success"
          ? "ok"
          : exit.failure._tag === "Unauthorized" && exit.failure.reason !== undefined
          ? `Unauthorized:${exit.failure.reason}`
          : exit.failure._tag
        const seen = { route: yield* hits(server, "/r"), refresh: yield* hits(server, "/auth/refresh"), outcome }
        expect(seen, JSON.stringify(scenario)).toEqual(model(scenario))
      }
    }), 60_000)
})
