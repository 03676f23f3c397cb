/**
 * The security cases about where a request goes and what it carries: SSRF and
 * base-URL escapes, schemes other than http(s), CR/LF/NUL in methods, headers
 * and URLs.
 */
import type { Case } from "../Case.js"
import type { Outcome } from "../Line.js"
import { clientOn, credentials, json, okApi, redirect, refusedWith, secret, serve, untouched, withApiKey } from "./support.js"

// ---------------------------------------------------------------------------

export const ssrf: ReadonlyArray<Case> = [
  {
    name: "SSRF: CVE-2025-27152 (axios): an absolute URL in the path does not escape baseURL, credentials stay home",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/*", json({ stolen: true })]])
      const api = await serve(context, [["*", "/api/*", json({ ok: true })]])
      const client = await clientOn(context, api, { baseUrl: `${api.url}/api`, ...withApiKey })
      const targets = [
        `${attacker.url}/steal`,
        `HTTP://127.0.0.1:${attacker.port}/steal`,
        `http://localhost:${attacker.port}/steal`,
        `https://127.0.0.1:${api.port}/api/x`, // another scheme is another origin
        `${attacker.url}/steal?access_token=${secret.bearer}`
      ]
      for (const target of targets) {
        const outcome = await client.call({ method: "GET", path: target, headers: credentials })
        if (refusedWith(check, target, outcome, "EscapesBaseUrl")) check.lacks(target, outcome.rendered, [secret.bearer])
      }
      await untouched(check, "attacker", attacker)
      check.equal("api journal", await api.journal(), [])
    }
  },
  {
    name: "SSRF: CVE-2024-39338 (axios): a protocol-relative path is not read as another host",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/*", json({ stolen: true })]])
      const { api, client } = await okApi(context, (api) => ({ baseUrl: `${api.url}/api` }))
      const authority = `127.0.0.1:${attacker.port}`
      for (const path of [`//${authority}/x`, `\\\\${authority}/x`, `/\\${authority}/x`, `\\/${authority}/x`]) {
        refusedWith(check, path, await client.call({ method: "GET", path, headers: credentials }), "EscapesBaseUrl")
      }
      // Whitespace the URL parser strips does not turn a path into an authority either:
      // the request stays on the base origin, under the base path.
      for (const path of [`\t//${authority}/x`, `/\n/${authority}/x`, ` //${authority}/x`]) {
        const outcome = await client.call({ method: "GET", path })
        if (outcome._tag !== "Success") check.failure(JSON.stringify(path), outcome, "RequestRefused")
      }
      await untouched(check, "attacker", attacker)
      for (const entry of await api.journal()) check.ok(`${entry.path} is under /api/`, entry.path.startsWith("/api/"))
    }
  },
  {
    name: "SSRF: class: base path traversal (dot segments, %2e%2e, backslashes) is refused; %2f stays encoded on the wire",
    run: async (context) => {
      const { check } = context
      const { api, client } = await okApi(context, (api) => ({ baseUrl: `${api.url}/api/v1` }))
      const escaping = [
        "../admin",
        "../../admin",
        "/../secret",
        "%2e%2e/admin",
        "%2E%2E/admin",
        ".%2e/admin",
        "%2e./admin",
        "users/../../admin",
        "..\\admin",
        "users\\..\\..\\admin",
        "..",
        "%2e%2e",
        "../v1evil/x" // a sibling sharing the prefix's first letters
      ]
      for (const path of escaping) refusedWith(check, path, await client.call({ method: "GET", path }), "EscapesBaseUrl")
      // Encoded slashes are not path separators for the URL parser: the request goes
      // out under the base path with %2F intact, never decoded into a traversal.
      for (const path of ["..%2fadmin", "..%2Fadmin", "%2e%2e%2fadmin", "a%2f..%2f..%2fadmin", "%252e%252e/admin"]) {
        check.success(path, await client.call({ method: "GET", path }))
      }
      check.equal("paths sent", (await api.journal()).map((entry) => entry.path), [
        "/api/v1/..%2fadmin",
        "/api/v1/..%2Fadmin",
        "/api/v1/%2e%2e%2fadmin",
        "/api/v1/a%2f..%2f..%2fadmin",
        "/api/v1/%252e%252e/admin"
      ])
    }
  },
  {
    name: "SSRF: class: path parameter injection: each parameter is one segment: traversal, query, fragment and authority characters cannot move the target",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context)
      const { api, client } = await okApi(context, (api) => ({ baseUrl: `${api.url}/api` }))
      const values = ["../../admin", "..%2f..%2fadmin", "?admin=1", "#x", `@127.0.0.1:${attacker.port}`, "a/b", "%2e%2e"]
      for (const id of values) check.success(id, await client.call({ method: "GET", path: "/users/{id}/posts", params: { id } }))
      for (const id of ["..", ".", ""]) {
        refusedWith(check, JSON.stringify(id), await client.call({ method: "GET", path: "/users/{id}", params: { id } }), "InvalidPathParameter")
      }
      check.equal("paths sent", (await api.journal()).map((entry) => entry.path), values.map((id) => `/api/users/${encodeURIComponent(id)}/posts`))
      await untouched(check, "attacker", attacker)
    }
  }
]

// ---------------------------------------------------------------------------

export const schemes: ReadonlyArray<Case> = [
  {
    name: "schemes: class: non-http(s) schemes (file:, data:, ftp:, gopher:, javascript:, ws:) are RequestRefused(UnsupportedScheme) before any I/O",
    run: async (context) => {
      const { check } = context
      const api = await serve(context)
      for (const spec of [{}, { baseUrl: api.url }]) {
        const client = await context.line.client(spec, context.scope)
        for (
          const target of [
            "file:///etc/passwd",
            "FILE:///etc/passwd",
            "data:text/plain;base64,U0VDUkVU",
            "ftp://127.0.0.1/x",
            "gopher://127.0.0.1:6379/_SET",
            "javascript:alert(1)",
            "ws://127.0.0.1/x"
          ]
        ) {
          const outcome = await client.call({ method: "GET", path: target })
          if (refusedWith(check, target, outcome, "UnsupportedScheme")) check.lacks(target, outcome.rendered, ["/etc/passwd", "U0VDUkVU"])
        }
      }
      await untouched(check, "api", api)
    }
  },
  {
    name: "schemes: class: a redirect to file: or data: is not followed (RequestRefused, nothing decoded)",
    run: async (context) => {
      const api = await serve(context, [
        ["GET", "/file", redirect(302, "file:///etc/passwd")],
        ["GET", "/data", redirect(302, "data:text/html;base64,PHNjcmlwdD4=")]
      ])
      const client = await clientOn(context, api)
      for (const path of ["/file", "/data"]) refusedWith(context.check, path, await client.call({ method: "GET", path }), "UnsupportedScheme")
      context.check.equal("requests", (await api.journal()).length, 2)
    }
  },
  {
    name: "schemes: class: a 100 MB data: URL is refused without being parsed, copied or decoded",
    run: async (context) => {
      // Every URL a line parses goes through the global constructor: a spy on
      // it sees the largest input. The refusal must come from the scheme
      // alone, the failure's URL from the scheme alone too.
      const { check } = context
      const client = await context.line.client({}, context.scope)
      const huge = "data:application/octet-stream;base64," + "QUFB".repeat(25_000_000)
      const original = globalThis.URL
      let largest = 0
      class SpyUrl extends original {
        constructor(input: string | URL, base?: string | URL) {
          largest = Math.max(largest, typeof input === "string" ? input.length : 0)
          super(input, base)
        }
      }
      globalThis.URL = SpyUrl
      let outcome: Outcome
      try {
        outcome = await client.call({ method: "GET", path: huge })
      } finally {
        globalThis.URL = original
      }
      if (refusedWith(check, "the call", outcome, "UnsupportedScheme")) check.equal("the failure's URL", outcome.request?.url, "data:<redacted>")
      check.below("the longest string given to URL", largest, 1024)
      check.below("elapsed (ms)", outcome.elapsed, 1000)
    }
  }
]

// ---------------------------------------------------------------------------

export const crlf: ReadonlyArray<Case> = [
  {
    name: "CR/LF/NUL: CVE-2020-26137 (urllib3): CR/LF/NUL in the method is refused before any I/O",
    run: async (context) => {
      const { check, api, client } = await okApi(context)
      for (const method of ["GET\r\nX-Injected: 1\r\n", "GET /admin HTTP/1.1\r\nHost: x\r\n\r\nGET", "GET\n", "GET\r", "GET\u0000", "G ET"]) {
        const outcome = await client.call({ method, path: "/x" })
        if (refusedWith(check, JSON.stringify(method), outcome, "InvalidMethod")) check.lacks(JSON.stringify(method), outcome.rendered, ["X-Injected"])
      }
      await untouched(check, "api", api)
    }
  },
  {
    name: "CR/LF/NUL: class: header injection (CWE-113): CR/LF/NUL in header names and values is refused before any I/O, and the value never shown",
    run: async (context) => {
      const { check, api, client } = await okApi(context)
      const cases: ReadonlyArray<Readonly<Record<string, string>>> = [
        { authorization: `Bearer ${secret.bearer}\r\nX-Injected: 1` },
        { authorization: `Bearer ${secret.bearer}\nX-Injected: 1` },
        { authorization: `Bearer ${secret.bearer}\rX-Injected: 1` },
        { authorization: `Bearer ${secret.bearer}\u0000` },
        { "x-a": "\r\n\r\nGET /smuggled HTTP/1.1" },
        { "x-a\r\nx-injected": "1" },
        { "x-a\u0000": "1" },
        { "x a": "1" },
        { "": "1" }
      ]
      for (const headers of cases) {
        const outcome = await client.call({ method: "GET", path: "/x", headers })
        if (refusedWith(check, JSON.stringify(headers), outcome, "InvalidHeader")) {
          check.lacks(JSON.stringify(headers), outcome.rendered, [secret.bearer, "smuggled"])
        }
      }
      await untouched(check, "api", api)
    }
  },
  {
    name: "CR/LF/NUL: CVE-2019-9740 (CPython urllib): CR/LF in the URL or query cannot add a header line",
    run: async (context) => {
      const { check, api, client } = await okApi(context)
      // The URL parser drops tabs and line breaks; the query serialiser encodes them.
      check.success("CR/LF in the query string", await client.call({ method: "GET", path: "/x?a=1\r\nX-Injected: 1\r\n" }))
      check.success("CR/LF in the path", await client.call({ method: "GET", path: "/x HTTP/1.1\r\nX-Injected: 2\r\n\r\nGET /y" }))
      check.success("CR/LF in a query value", await client.call({ method: "GET", path: "/x", query: { a: "1\r\nX-Injected: 3", b: "\u0000" } }))
      const journal = await api.journal()
      check.equal("requests", journal.length, 3)
      for (const entry of journal) {
        check.equal(`${entry.path}: x-injected`, entry.headers["x-injected"], undefined)
        check.ok(`${JSON.stringify(entry.path)} has no CR, LF, NUL or space`, !/[\r\n\u0000 ]/.test(entry.path))
      }
      check.equal("the encoded query", journal[2]?.path, "/x?a=1%0D%0AX-Injected%3A+3&b=%00")
    }
  },
  {
    name: "CR/LF/NUL: class: header injection through a refreshed token: one holding CR/LF is never sent: no replay, the session ends",
    run: async (context) => {
      const { check } = context
      let calls = 0
      const api = await serve(context, [
        ["POST", "/auth/refresh", json({ accessToken: "T2\r\nX-Injected: 1", refreshToken: "R2\r\n" })],
        ["*", "/api/*", {
          _tag: "custom",
          handler: (request, response) => {
            calls += 1
            request.resume()
            response.writeHead(401, { "content-length": 0 })
            response.end()
          }
        }]
      ])
      const client = await clientOn(context, api, {
        preset: {
          refreshPath: "/auth/refresh",
          store: { _tag: "memory", initial: { accessToken: "T1", refreshToken: "R1" } },
          retryBaseDelayMs: 0
        }
      })
      check.failure("the call", await client.call({ method: "GET", path: "/api/me" }), "Unauthorized")
      check.equal("requests to the api", calls, 1)
      check.equal("the tokens after the session ended", await client.tokens(), undefined)
      for (const entry of await api.journal()) {
        check.equal(`${entry.path}: x-injected`, entry.headers["x-injected"], undefined)
        check.ok(`${entry.path}: the bad token is not sent`, !String(entry.headers["authorization"] ?? "").includes("T2"))
      }
    }
  },
  {
    name: "an empty access token from a refresh is never sent: no replay as a bare `Bearer`, the session ends",
    run: async (context) => {
      const { check } = context
      const api = await serve(context, [
        ["POST", "/auth/refresh", json({ accessToken: "", refreshToken: "R2" })],
        ["GET", "/api/me", json({}, 401)]
      ])
      const client = await clientOn(context, api, {
        preset: {
          refreshPath: "/auth/refresh",
          store: { _tag: "memory", initial: { accessToken: "T1", refreshToken: "R1" } },
          retryBaseDelayMs: 0
        }
      })
      check.failure("the call", await client.call({ method: "GET", path: "/api/me" }), "Unauthorized")
      const sent = (await api.requests("/api/me")).map((entry) => entry.headers["authorization"])
      check.equal("what reached /api/me", sent, ["Bearer T1"])
      check.equal("refreshes", (await api.requests("/auth/refresh")).length, 1)
      check.equal("the tokens after the session ended", await client.tokens(), undefined)
    }
  }
]

