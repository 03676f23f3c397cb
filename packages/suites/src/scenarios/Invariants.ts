/**
 * What must hold after any scenario. Each check returns the violations it
 * found, as sentences naming the call and the evidence; an empty list is a
 * pass. The checks judge the client by what reached the wire (the servers'
 * records), never by what the client says about itself.
 */
import { summary } from "../Case.js"
import type { Failure } from "../Line.js"
import type { CallResult, Observation } from "./Run.js"
import { watchdogMillis } from "./Run.js"
import { nonIdempotent, type Scenario } from "./Scenario.js"
import type { Served } from "./Servers.js"

/** How long past its `total` a call may end, on a loaded machine. */
export const marginMillis = 1_500

const failureTags = new Set(["Timeout", "Unauthorized", "BadResponse", "Parse", "Network", "RequestRefused", "LimitExceeded"])

/**
 * Every string reachable from `value` (own properties, `message`, nested
 * causes). A line's redacted wrapper keeps its secret out of its own
 * properties, so walking it finds nothing.
 */
const strings = (value: unknown, out: Array<string> = [], seen = new Set<unknown>(), depth = 0): Array<string> => {
  if (typeof value === "string") out.push(value)
  else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") out.push(String(value))
  else if (value !== null && typeof value === "object" && !seen.has(value) && depth < 8) {
    seen.add(value)
    if (value instanceof Error) strings(value.message, out, seen, depth + 1)
    if (value instanceof Map) value.forEach((v, k) => strings([k, v], out, seen, depth + 1))
    for (const key of Object.keys(value)) {
      out.push(key)
      strings((value as Record<string, unknown>)[key], out, seen, depth + 1)
    }
  }
  return out
}

const failureOf = (result: CallResult): Failure | undefined => result.outcome?._tag === "Failure" ? result.outcome : undefined

const tagOf = (result: CallResult): string | undefined => failureOf(result)?.tag

const retryAfterTooLong = (value: string | undefined): boolean => {
  if (value === undefined) return false
  if (/^\s*\d+\s*$/.test(value)) return Number(value) > 30
  const at = Date.parse(value)
  return !Number.isNaN(at) && at - Date.now() > 30_000
}

/** A call ended in time, with a value or one of the typed failures. */
const ended = (scenario: Scenario, obs: Observation): Array<string> =>
  obs.calls.flatMap((result) => {
    if (result.outcome === undefined) return [`call ${result.marker} had not ended ${watchdogMillis} ms after its total timeout`]
    const out: Array<string> = []
    if (result.elapsed > scenario.total + marginMillis) {
      out.push(`call ${result.marker} ended after ${Math.round(result.elapsed)} ms, past its total timeout of ${scenario.total} ms`)
    }
    if (result.outcome._tag === "Defect" || result.outcome._tag === "Interrupted") {
      out.push(`call ${result.marker} ended without a typed failure: ${summary(result.outcome)}`)
    } else if (result.outcome._tag === "Failure" && !failureTags.has(result.outcome.tag)) {
      out.push(`call ${result.marker} failed with an untyped error: ${summary(result.outcome)}`)
    }
    return out
  })

/** The failure fits what the servers did to that call: no Network error without a network fault, and so on. */
const fitting = (scenario: Scenario, obs: Observation): Array<string> =>
  obs.calls.flatMap((result) => {
    const tag = tagOf(result)
    if (tag === undefined) return []
    const mine = obs.world.served.filter((s) => s.marker === result.marker)
    const refusedHop = scenario.hops.findIndex((h) => h.origin === "refused")
    const reachedRefused = refusedHop > 0 && mine.some((s) => s.hop === refusedHop - 1 && typeof s.answer === "number" && s.answer >= 300 && s.answer < 400)
    const allowed = (() => {
      switch (tag) {
        case "Timeout":
          return true
        case "Network":
          return reachedRefused || mine.some((s) => s.answer === "reset" || s.answer === "closeMidBody") ||
            obs.world.refreshes.some((r) => r.answer === "reset")
        case "Unauthorized":
          return mine.some((s) => s.answer === 401)
        case "BadResponse":
          return mine.some((s) => typeof s.answer === "number" && s.answer >= 300)
        case "Parse":
          return scenario.hops.some((h) => h.steps.some((s) => s._tag === "ok" && s.shape === "secret"))
        case "RequestRefused":
          // A header the transport owns is refused before any I/O; a one-shot
          // body can not follow a redirect that resends it.
          return scenario.forbiddenHeader !== undefined ||
            (scenario.kind === "oneShot" && mine.some((s) => s.answer === 307 || s.answer === 308))
        case "LimitExceeded":
          // The only limit a scenario can reach: more redirects than it allows.
          return scenario.maxRedirects !== undefined
        default:
          return false
      }
    })()
    if (allowed) return []
    const failure = failureOf(result)
    const detail = failure === undefined ? "" : summary(failure)
    return [`call ${result.marker} failed with ${tag} though the servers gave no cause for it (${detail})`]
  })

/** A header the transport owns (framing, upgrade, expect) is refused before any byte goes out. */
const refusedBeforeSending = (scenario: Scenario, obs: Observation): Array<string> =>
  scenario.forbiddenHeader === undefined ? [] : obs.calls.flatMap((result) => {
    const sent = obs.world.served.filter((s) => s.marker === result.marker).length
    const tag = tagOf(result)
    return tag === "RequestRefused" && sent === 0
      ? []
      : [`call ${result.marker} with a per-call ${scenario.forbiddenHeader} header ended with ${tag ?? "a value"} after ${sent} request(s) reached the servers`]
  })

/**
 * A POST without an Idempotency-Key reached each hop once, unless that hop
 * answered it 401 (refused: the replay with a fresh token is the point) or
 * 307/308 (not acted on: "send it there instead").
 */
const atMostOnce = (scenario: Scenario, obs: Observation): Array<string> => {
  if (!nonIdempotent(scenario.kind)) return []
  const out: Array<string> = []
  const groups = new Map<string, Array<Served>>()
  for (const s of obs.world.served) {
    if (s.method !== "POST") continue
    const id = `${s.marker} hop ${s.hop}`
    groups.set(id, [...(groups.get(id) ?? []), s])
  }
  for (const [id, list] of groups) {
    const resent = list.slice(0, -1).filter((s) => s.answer !== 401 && s.answer !== 307 && s.answer !== 308)
    if (resent.length > 0) {
      out.push(`the POST of call ${id} reached the server ${list.length} times (answers: ${list.map((s) => s.answer).join(", ")})`)
    }
  }
  return out
}

/** Nothing of a call reaches the servers after an answer whose Retry-After is past the longest honoured. */
const retryAfterHonoured = (_: Scenario, obs: Observation): Array<string> =>
  obs.calls.flatMap((result) => {
    const mine = obs.world.served.filter((s) => s.marker === result.marker)
    // Only statuses the policy retries: a 401 is answered by a refresh whatever its Retry-After.
    const stop = mine.findIndex((s) => (s.answer === 429 || s.answer === 500 || s.answer === 503) && retryAfterTooLong(s.retryAfter))
    return stop >= 0 && stop < mine.length - 1
      ? [`call ${result.marker} was retried after Retry-After: ${mine[stop].retryAfter} (${mine.length - stop - 1} more request(s))`]
      : []
  })

/**
 * Refresh: only after a 401 to a request that carried a token, at most one
 * per rejected token and one at a time, and the tokens cleared only after
 * the token endpoint rejected the refresh token (400 or 401).
 */
const refreshes = (scenario: Scenario, obs: Observation): Array<string> => {
  const out: Array<string> = []
  const rejected = new Set(obs.world.served.filter((s) => s.answer === 401 && s.authorization !== undefined).map((s) => s.authorization))
  const count = obs.world.refreshes.length
  // Two clients on one file are two processes: each may refresh once per rejected token.
  const clients = scenario.store === "sharedFile" ? 2 : 1
  // A refresh the token endpoint failed without rejecting it (5xx, reset) may be tried again.
  const transient = obs.world.refreshes.filter((r) => r.answer !== 200 && r.answer !== 400 && r.answer !== 401).length
  if (count > rejected.size * clients + transient) {
    out.push(`${count} refresh(es) for ${rejected.size} distinct token(s) answered 401 (401s: ${obs.world.served.filter((s) => s.answer === 401).map((s) => `${s.origin} hop ${s.hop} ${s.authorization === undefined ? "without token" : "with token"}`).join(", ")})`)
  }
  if (obs.world.maxRefreshesInFlight() > clients) out.push(`${obs.world.maxRefreshesInFlight()} refreshes were in flight at once`)
  // A refresh token refused for reuse is dead, but the newer session it lost to is not.
  const definitive = obs.world.refreshes.some((r) => (r.answer === 400 || r.answer === 401) && !r.stale)
  const kept = obs.tokens !== undefined && obs.tokens.refreshToken !== undefined
  if (!definitive && !kept) {
    out.push(`the tokens were cleared though the token endpoint never rejected the refresh token (it answered: ${obs.world.refreshes.map((r) => `${r.answer}${r.stale ? " (reused refresh token)" : ""}`).join(", ") || "nothing"})`)
  }
  return out
}

/** No secret in a log line, a failure, or anything the second origin received. */
const secretsKept = (_: Scenario, obs: Observation): Array<string> => {
  const s = obs.world.secrets
  const credentials = [...s.access, ...s.refresh, s.apiKey, s.cookie]
  const all = [...credentials, s.body, s.location]
  const out: Array<string> = []
  const find = (texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>) =>
    secrets.filter((secret) => texts.some((text) => text.includes(secret)))
  for (const line of obs.logs) {
    const leaked = find([...line.rendered, ...strings(line.annotations)], all)
    if (leaked.length > 0) out.push(`log line ${JSON.stringify(line.message)} shows ${leaked.join(", ")}: ${line.rendered[0]}`)
  }
  for (const result of obs.calls) {
    const outcome = result.outcome
    if (outcome === undefined || outcome._tag === "Success" || outcome._tag === "Interrupted") continue
    const texts = outcome._tag === "Defect" ? [outcome.rendered] : [...outcome.rendered, ...strings(outcome)]
    const leaked = find(texts, all)
    if (leaked.length > 0) {
      out.push(`the failure of call ${result.marker} (${tagOf(result)}) shows ${leaked.join(", ")}: ${texts.filter((t) => leaked.some((l) => t.includes(l))).slice(0, 3).join(" | ").slice(0, 400)}`)
    }
  }
  // Read synchronously: the journal is a plain snapshot.
  for (const entry of obs.journalB) {
    const leaked = find([entry.path, entry.bodyText, ...entry.rawHeaders], credentials)
    if (leaked.length > 0) out.push(`the second origin received ${leaked.join(", ")} (${entry.method} ${entry.path})`)
  }
  return out
}

/** Connections close with the client, and a download leaves no temporary file. */
const cleanedUp = (_: Scenario, obs: Observation): Array<string> => {
  const out: Array<string> = []
  if (obs.openAfter.a > 0 || obs.openAfter.b > 0) {
    out.push(`connections still open after the client closed: ${obs.openAfter.a} on A, ${obs.openAfter.b} on B`)
  }
  const temporary = obs.files.filter((f) => f.endsWith(".part"))
  if (temporary.length > 0) out.push(`temporary files left: ${temporary.join(", ")}`)
  return out
}

/** Each log line of a call counts its attempts up: a replay is not attempt 1 again. */
const attemptsCounted = (_: Scenario, obs: Observation): Array<string> =>
  obs.calls.flatMap((result) => {
    const attempts = obs.logs
      .filter((l) => l.message === "http" && String(l.annotations["http.url"]).includes(`/s/${result.marker}/`))
      .map((l) => Number(l.annotations["http.attempt"]))
    const repeated = attempts.some((n, i) => i > 0 && n <= attempts[i - 1])
    return repeated ? [`the log lines of call ${result.marker} number its attempts ${attempts.join(", ")}`] : []
  })

export const checks = {
  ended,
  fitting,
  refusedBeforeSending,
  atMostOnce,
  retryAfterHonoured,
  refreshes,
  secretsKept,
  cleanedUp,
  attemptsCounted
} as const

export const violations = (scenario: Scenario, obs: Observation): Array<string> =>
  Object.entries(checks).flatMap(([name, check]) => check(scenario, obs).map((v) => `[${name}] ${v}`))
