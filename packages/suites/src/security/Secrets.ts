/**
 * The secret search: no secret in a log line or in any rendering of a failure.
 */
import type { Case } from "../Case.js"
import type { CallSpec, ClientSpec, Outcome, Reply, SchemaSpec } from "../Line.js"
import { closedPort } from "../Support.js"
import { json, redirect, serve } from "./support.js"

// ---------------------------------------------------------------------------

/** Answers `status` with a JSON description of the request (headers, query, body): a reflecting server. */
const reflect = (status: number): Reply => ({
  _tag: "custom",
  handler: (request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://x")
      const body = JSON.stringify({
        headers: request.headers,
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString("utf8")
      })
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      response.end(body)
    })
  }
})

export const secretSearch: Case = {
  name: "the secret search: class: secrets in logs and errors (CWE-532): no log line (development mode) or failure (message, toString, JSON, cause, inspect) holds one",
  run: async (context) => {
    const { check, line } = context
    const s = {
      bearer: "S3CRET-1-bearer",
      cookie: "S3CRET-2-cookie",
      proxy: "S3CRET-3-proxy",
      apiKey: "S3CRET-4-apikey",
      query: "S3CRET-5-query",
      password: "S3CRET-6-password",
      crlf: "S3CRET-7-crlf",
      userinfo: "S3CRET-8-userinfo",
      foreignQuery: "S3CRET-9-foreign",
      dataUrl: "S3CRET-10-data",
      access: "S3CRET-11-access",
      refresh: "S3CRET-12-refresh",
      newRefresh: "S3CRET-13-new-refresh",
      session: "S3CRET-14-session",
      raw: "S3CRET-15-raw"
    }
    const headers = {
      authorization: `Bearer ${s.bearer}`,
      cookie: `sid=${s.cookie}`,
      "proxy-authorization": `Basic ${s.proxy}`,
      "x-session": s.session,
      "x-api-key": s.apiKey
    }
    const attacker = await serve(context, [["*", "/*", reflect(500)]])
    const api = await serve(context, [
      ["*", "/api/ok", reflect(200)],
      ["*", "/api/500", reflect(500)],
      ["*", "/api/401", reflect(401)],
      ["*", "/api/slow", { _tag: "delay", ms: 5_000, reply: json({}) }],
      ["*", "/api/big", { _tag: "respond", status: 200, body: { bytes: new Uint8Array(10_000) } }],
      ["*", "/api/away", redirect(307, `${attacker.url}/land`)],
      ["*", "/api/loop", redirect(302, "/api/loop")],
      // First a malformed answer (the refresh is unavailable, the tokens stay),
      // then a rejection echoing the token (the session ends).
      ["POST", "/auth/refresh", {
        _tag: "sequence",
        replies: [json({ accessToken: 42, refreshToken: s.newRefresh }), json({ error: "invalid_grant", refresh_token: s.newRefresh }, 400)]
      }],
      ["*", "/api/protected", { _tag: "respond", status: 401 }],
      ["*", "/api/raw", { _tag: "respond", status: 200, headers: { "content-type": "application/json" }, body: { text: s.raw } }]
    ])
    const closed = await closedPort()
    const config: ClientSpec = {
      baseUrl: `${api.url}/api`,
      // x-session is named nowhere but here: a credential header is redacted in failures and logs.
      credentialHeaders: ["x-api-key", "x-session"],
      allowedOrigins: [`http://127.0.0.1:${closed}`]
    }
    const client = await line.client({ ...config, logging: { mode: "development" } }, context.scope)
    const Mismatch: SchemaSpec = { _tag: "Struct", fields: { id: { _tag: "Number" } } }
    const Wrong: SchemaSpec = { _tag: "Array", item: { _tag: "String" } }
    const withSecrets = { headers, query: { access_token: s.query, page: 1 } }
    const body = { _tag: "json", value: { password: s.password, note: "hello" } } as const
    const calls: ReadonlyArray<CallSpec> = [
      { method: "POST", path: "/ok", ...withSecrets, body },
      { method: "POST", path: "/ok", ...withSecrets, body, decode: { _tag: "schema", schema: Mismatch } },
      { method: "POST", path: "/ok", ...withSecrets, body, decode: { _tag: "schema", schema: Wrong } },
      { method: "GET", path: "/raw", ...withSecrets },
      { method: "POST", path: "/500", ...withSecrets, body },
      { method: "POST", path: "/401", ...withSecrets, body: { _tag: "form", fields: { password: s.password } } },
      { method: "GET", path: "/slow", ...withSecrets, timeouts: { receive: 200 } },
      { method: "GET", path: "/big", ...withSecrets, maxResponseBytes: 100 },
      { method: "POST", path: "/away", ...withSecrets, body },
      { method: "GET", path: "/loop", ...withSecrets },
      { method: "GET", path: `http://127.0.0.1:${closed}/x`, ...withSecrets },
      { method: "GET", path: "/ok", headers: { authorization: `Bearer ${s.crlf}\r\nx: y` } },
      { method: "GET", path: `http://user:${s.userinfo}@127.0.0.1:${api.port}/api/ok` },
      { method: "GET", path: `${attacker.url}/x?token=${s.foreignQuery}`, ...withSecrets },
      { method: "GET", path: `data:text/plain,${s.dataUrl}` },
      { method: "GET", path: `file:///tmp/${s.dataUrl}` }
    ]
    const outcomes: Array<Outcome> = []
    for (const call of calls) outcomes.push(await client.call(call))
    // The preset over the same configuration: the refresh answers bodies holding a new refresh token.
    const authed = await line.client({
      ...config,
      preset: {
        refreshPath: `${api.url}/auth/refresh`,
        store: { _tag: "memory", initial: { accessToken: s.access, refreshToken: s.refresh } },
        retryBaseDelayMs: 0,
        logging: { mode: "development" }
      }
    }, context.scope)
    outcomes.push(await authed.call({ method: "GET", path: "/protected" }))
    outcomes.push(await authed.call({ method: "GET", path: "/protected" }))

    // The secrets really travelled: the search below is not vacuous.
    const [ok] = await api.requests("/api/ok")
    check.equal("the bearer reached the api", ok?.headers["authorization"], `Bearer ${s.bearer}`)
    check.contains("the query reached the api", ok?.path ?? "", s.query)
    check.contains("the password reached the api", ok?.bodyText ?? "", s.password)
    const [refresh] = await api.requests("/auth/refresh")
    check.contains("the refresh token reached the token endpoint", refresh?.bodyText ?? "", s.refresh)
    check.equal("successes", outcomes.filter((o) => o._tag === "Success").length, 1)
    // Every failure is a typed one, none a defect.
    for (const [i, outcome] of outcomes.entries()) {
      check.ok(`call ${i + 1} ended with a value or a typed failure (${outcome._tag === "Defect" ? outcome.rendered.slice(0, 200) : outcome._tag})`, outcome._tag === "Success" || outcome._tag === "Failure")
    }
    const logs = [...client.logs, ...authed.logs]
    check.atLeast("log lines", logs.length, 10)
    const texts = [
      ...outcomes.flatMap((o) => o._tag === "Failure" ? o.rendered : o._tag === "Defect" ? [o.rendered] : []),
      ...logs.flatMap((l) => [...l.rendered, JSON.stringify(l.annotations) ?? ""])
    ]
    check.lacks("failures and log lines", texts, Object.values(s))
  }
}

