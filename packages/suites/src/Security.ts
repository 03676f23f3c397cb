/**
 * The security regression suite, the part every line must pass: one case per
 * public advisory in another HTTP client (or per class of attack, where no
 * single advisory names it), each proven on the wire with a second,
 * "attacker" server on another port. Everything runs on 127.0.0.1, so
 * "another host" is another port here: a stricter test, since the origin
 * check that drops credentials for a port change is the one that drops them
 * for a host change.
 */
import type { Case, Check, Context } from "./Case.js"
import type { CallSpec, ClientSpec, Outcome, Reply, Route, SchemaSpec, Server } from "./Line.js"
import { closedPort } from "./Support.js"
import * as Zlib from "node:zlib"

const secret = {
  bearer: "S3CRET-bearer-5b1d9",
  cookie: "S3CRET-cookie-c07e1",
  proxy: "S3CRET-proxy-8a2f4",
  apiKey: "S3CRET-apikey-44e0b"
} as const

const credentials = {
  authorization: `Bearer ${secret.bearer}`,
  cookie: `sid=${secret.cookie}`,
  "proxy-authorization": `Basic ${secret.proxy}`,
  "x-api-key": secret.apiKey
} as const
type CredentialName = keyof typeof credentials
const credentialNames = Object.keys(credentials) as Array<CredentialName>

/** `x-api-key` is declared a credential: dropped on an origin change like `authorization`. */
const withApiKey: ClientSpec = { credentialHeaders: ["x-api-key"] }

const Landing: SchemaSpec = { _tag: "Struct", fields: { landed: { _tag: "String" } } }
const landing = { _tag: "schema", schema: Landing } as const

const json = (value: unknown, status = 200, headers: Record<string, string | ReadonlyArray<string>> = {}) =>
  ({ _tag: "respond", status, headers, body: { json: value } }) as const
const redirect = (status: number, location: string) => ({ _tag: "redirect", status, location }) as const

const serve = (context: Context, routes: ReadonlyArray<Route> = []): Promise<Server> =>
  context.line.serve({ kind: "http", routes }, context.scope)

const clientOn = (context: Context, server: Server, more: ClientSpec = {}) =>
  context.line.client({ baseUrl: server.url, ...more }, context.scope)

/** Nothing at all reached the server: no request, no connection. */
const untouched = async (check: Check, what: string, server: Server) => {
  check.equal(`${what}: journal`, await server.journal(), [])
  check.equal(`${what}: connections`, await server.totalConnections(), 0)
}

const refusedWith = (check: Check, what: string, outcome: Outcome, reason: string) =>
  check.failure(what, outcome, "RequestRefused", { reason })

// ---------------------------------------------------------------------------

const ssrf: ReadonlyArray<Case> = [
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
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api, { baseUrl: `${api.url}/api` })
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
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api, { baseUrl: `${api.url}/api/v1` })
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
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api, { baseUrl: `${api.url}/api` })
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

const schemes: ReadonlyArray<Case> = [
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

const crlf: ReadonlyArray<Case> = [
  {
    name: "CR/LF/NUL: CVE-2020-26137 (urllib3): CR/LF/NUL in the method is refused before any I/O",
    run: async (context) => {
      const { check } = context
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api)
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
      const { check } = context
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api)
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
      const { check } = context
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api)
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
  }
]

// ---------------------------------------------------------------------------
// Credentials on redirects

type RedirectStatus = 301 | 302 | 303 | 307 | 308
const statuses: ReadonlyArray<RedirectStatus> = [301, 302, 303, 307, 308]

const redirectAdvisories: ReadonlyArray<readonly [advisory: string, names: ReadonlyArray<CredentialName>]> = [
  ["CVE-2018-1000007 (curl): Authorization is not passed to another host on redirect", ["authorization"]],
  ["CVE-2022-27776 (curl): Authorization and Cookie are not sent to the same host on another port", ["authorization", "cookie"]],
  ["CVE-2022-0155 (follow-redirects): Cookie is dropped on a redirect to another origin", ["cookie"]],
  ["CVE-2023-43804 (urllib3): Cookie is dropped on a cross-origin redirect", ["cookie"]],
  ["CVE-2024-24758 (undici): Proxy-Authorization is dropped on a cross-origin redirect", ["proxy-authorization"]],
  ["CVE-2024-28849 (follow-redirects): Proxy-Authorization is dropped across hosts", ["proxy-authorization"]],
  ["CVE-2023-32681 (requests): Proxy-Authorization does not reach the redirect target", ["proxy-authorization"]],
  ["class: a custom credential header (credentialHeaders: x-api-key) does not follow a cross-origin redirect", ["x-api-key"]]
]

const redirects: ReadonlyArray<Case> = [
  ...redirectAdvisories.map(([advisory, names]): Case => ({
    name: `credentials on redirects: ${advisory}, for 301, 302, 303, 307 and 308`,
    run: async (context) => {
      const { check } = context
      for (const status of statuses) {
        const attacker = await serve(context, [["*", "/land", json({ landed: "attacker" })]])
        const api = await serve(context, [["*", "/start", redirect(status, `${attacker.url}/land`)]])
        const client = await clientOn(context, api, withApiKey)
        // POST with a body for 307/308 (so the body is sent again), GET otherwise.
        const post = status === 307 || status === 308
        const call: CallSpec = {
          method: post ? "POST" : "GET",
          path: "/start",
          headers: { ...credentials, "x-trace": "t-1" },
          ...(post ? { body: { _tag: "json", value: { note: "hello" } } } : {}),
          decode: landing
        }
        const outcome = await client.call(call)
        if (check.success(`${status}`, outcome)) check.equal(`${status}: the value`, outcome.body, { landed: "attacker" })
        const [atApi] = await api.requests("/start")
        const [atAttacker] = await attacker.requests("/land")
        for (const name of names) {
          // They did go to the first origin, so their absence at the attacker means something.
          check.equal(`${status} ${name} at the api`, atApi?.headers[name], credentials[name])
          check.equal(`${status} ${name} at the attacker`, atAttacker?.headers[name], undefined)
          check.lacks(`${status} at the attacker`, [(atAttacker?.bodyText ?? "") + JSON.stringify(atAttacker?.headers)], [credentials[name]])
        }
        check.equal(`${status} x-trace at the attacker`, atAttacker?.headers["x-trace"], "t-1")
      }
    }
  })),
  {
    name: "credentials on redirects: class: along a redirect chain: same origin keeps them, the first origin change drops them, coming back does not restore them",
    run: async (context) => {
      const { check } = context
      const api = await serve(context)
      const attacker = await serve(context, [["POST", "/bounce", redirect(307, `${api.url}/back`)]])
      await api.route("POST", "/start", redirect(308, "/next"))
      await api.route("POST", "/next", redirect(307, `${attacker.url}/bounce`))
      await api.route("POST", "/back", json({ landed: "api" }))
      const client = await clientOn(context, api, withApiKey)
      const outcome = await client.call({ method: "POST", path: "/start", headers: credentials, body: { _tag: "json", value: { n: 1 } }, decode: landing })
      if (check.success("the call", outcome)) check.equal("the value", outcome.body, { landed: "api" })
      const [next] = await api.requests("/next")
      const [bounce] = await attacker.requests("/bounce")
      const [back] = await api.requests("/back")
      for (const name of credentialNames) {
        check.equal(`${name} on /next`, next?.headers[name], credentials[name])
        check.equal(`${name} on /bounce`, bounce?.headers[name], undefined)
        check.equal(`${name} on /back`, back?.headers[name], undefined)
      }
      // 307/308 keep the method and the body along the chain.
      check.equal("method and body along the chain", [next, bounce, back].map((entry) => `${entry?.method} ${entry?.bodyText}`), Array(3).fill("POST {\"n\":1}"))
    }
  },
  {
    name: "credentials on redirects: CVE-2023-45803 (urllib3): the body is dropped on a 303 (and on a 301/302 of a POST)",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/land", json({ landed: "attacker" })]])
      const api = await serve(context)
      for (const status of [301, 302, 303] as const) await api.route("*", `/form/${status}`, redirect(status, `${attacker.url}/land`))
      const client = await clientOn(context, api)
      const body = { _tag: "form", fields: { password: secret.bearer, card: "4111111111111111" } } as const
      for (const status of [301, 302, 303] as const) check.success(`POST ${status}`, await client.call({ method: "POST", path: `/form/${status}`, body, decode: landing }))
      check.success("PUT 303", await client.call({ method: "PUT", path: "/form/303", body, decode: landing }))
      check.success("PATCH 303", await client.call({ method: "PATCH", path: "/form/303", body, decode: landing }))
      const landed = await attacker.requests("/land")
      check.equal("requests landed", landed.length, 5)
      for (const entry of landed) {
        check.equal("method", entry.method, "GET")
        check.equal("body size", entry.body.byteLength, 0)
        check.equal("content-type", entry.headers["content-type"], undefined)
        check.equal("content-length", entry.headers["content-length"], undefined)
      }
      check.ok("every request to the api carried the body", (await api.journal()).every((entry) => entry.bodyText.includes(secret.bearer)))
    }
  },
  {
    name: "credentials on redirects: CVE-2023-45857 (axios): no XSRF or cookie value is ever echoed into a header, to any origin",
    run: async (context) => {
      const { check } = context
      const other = await serve(context, [["*", "/*", json({ ok: true })]])
      const api = await serve(context, [
        ["GET", "/login", json({ ok: true }, 200, { "set-cookie": ["XSRF-TOKEN=S3CRET-xsrf; Path=/", "sid=S3CRET-sid"] })],
        ["*", "/*", json({ ok: true })]
      ])
      const client = await clientOn(context, api, { allowedOrigins: [other.url] })
      check.success("login", await client.call({ method: "GET", path: "/login" }))
      check.success("change", await client.call({ method: "POST", path: "/api/change", body: { _tag: "json", value: { a: 1 } } }))
      check.success("change elsewhere", await client.call({ method: "POST", path: `${other.url}/api/change`, body: { _tag: "json", value: { a: 1 } } }))
      const wire = [...(await api.journal()).slice(1), ...(await other.journal())]
      check.equal("requests", wire.length, 2)
      for (const entry of wire) {
        check.lacks("raw headers", [JSON.stringify(entry.rawHeaders)], ["S3CRET"])
        check.equal("x-xsrf-token", entry.headers["x-xsrf-token"], undefined)
        check.equal("cookie", entry.headers["cookie"], undefined)
      }
    }
  },
  {
    name: "credentials on redirects: CVE-2020-28168 (axios, SSRF through a redirect): every hop is checked again",
    run: async (context) => {
      const { check } = context
      const attacker = await serve(context, [["*", "/*", json({ landed: "attacker" })]])
      const api = await serve(context, [
        ["GET", "/to-file", redirect(302, "file:///etc/passwd")],
        ["GET", "/to-gopher", redirect(302, `gopher://127.0.0.1:${attacker.port}/_x`)],
        ["GET", "/to-userinfo", redirect(302, `http://127.0.0.1:80@127.0.0.1:${attacker.port}/x`)],
        ["GET", "/to-attacker", redirect(302, `${attacker.url}/x`)]
      ])
      const client = await clientOn(context, api)
      refusedWith(check, "file:", await client.call({ method: "GET", path: "/to-file" }), "UnsupportedScheme")
      refusedWith(check, "gopher:", await client.call({ method: "GET", path: "/to-gopher" }), "UnsupportedScheme")
      refusedWith(check, "userinfo", await client.call({ method: "GET", path: "/to-userinfo" }), "CredentialsInUrl")
      // maxRedirects: 0 turns following off: the 3xx is the answer.
      check.failure("maxRedirects 0", await client.call({ method: "GET", path: "/to-attacker", maxRedirects: 0 }), "BadResponse", { status: 302 })
      await untouched(check, "attacker", attacker)
    }
  }
]

// ---------------------------------------------------------------------------

/** A route that writes 64 KiB chunks for as long as the client reads, at most 256 MiB; `written()` tells how much. */
const endless = () => {
  let written = 0
  const route: Route = ["GET", "/endless", {
    _tag: "custom",
    handler: (_request, response) => {
      response.writeHead(200, { "content-type": "application/octet-stream" })
      const chunk = new Uint8Array(64 * 1024).fill(65)
      const pump = (): void => {
        while (written < 256 * 1024 * 1024) {
          written += chunk.byteLength
          if (!response.write(chunk)) {
            response.once("drain", pump)
            return
          }
        }
        response.end()
      }
      pump()
    }
  }]
  return { route, written: () => written }
}

const limits: ReadonlyArray<Case> = [
  {
    name: "response limits: CVE-2019-10742 (axios): a body past maxResponseBytes is not read on, and the connection is dropped",
    run: async (context) => {
      const { check } = context
      const pump = endless()
      const api = await serve(context, [pump.route])
      const client = await clientOn(context, api, { maxResponseBytes: 1024 * 1024 })
      check.failure("the call", await client.call({ method: "GET", path: "/endless", decode: { _tag: "bytes" } }), "LimitExceeded", {
        reason: "ResponseTooLarge",
        limit: 1024 * 1024
      })
      check.ok("the connection is dropped", await api.awaitIdle(5_000))
      check.below("bytes the server wrote", pump.written(), 64 * 1024 * 1024)
    }
  },
  {
    name: "response limits: class: unbounded allocation (CWE-770): a declared 5 GB Content-Length is LimitExceeded on the headers, before any body byte",
    run: async (context) => {
      const api = await serve(context, [["GET", "/huge", { _tag: "stallAfterHeaders", declaredLength: 5 * 1024 * 1024 * 1024 }]])
      const client = await clientOn(context, api, { timeouts: { receive: 20_000, total: 30_000 } })
      // The body never comes: only the headers can settle the call, long before the receive timeout.
      const outcome = await client.call({ method: "GET", path: "/huge", decode: { _tag: "bytes" } })
      context.check.failure("the call", outcome, "LimitExceeded", { reason: "ResponseTooLarge", limit: 32 * 1024 * 1024 })
      context.check.below("elapsed (ms)", outcome.elapsed, 3_000)
    }
  },
  {
    name: "response limits: class: decompression bombs (CWE-409: gzip, brotli, gzip inside gzip) are counted after decoding: LimitExceeded",
    run: async (context) => {
      const zeros = new Uint8Array(50_000_000)
      const api = await serve(context, [
        ["GET", "/gzip", { _tag: "encoded", body: zeros, encodings: ["gzip"] }],
        ["GET", "/br", { _tag: "encoded", body: zeros, encodings: ["br"] }],
        ["GET", "/nested", { _tag: "encoded", body: zeros, encodings: ["gzip", "gzip"] }]
      ])
      const client = await clientOn(context, api, { maxResponseBytes: 1024 * 1024 })
      for (const path of ["/gzip", "/br", "/nested"]) {
        context.check.failure(path, await client.call({ method: "GET", path, decode: { _tag: "bytes" } }), "LimitExceeded", { reason: "ResponseTooLarge" })
      }
    }
  },
  {
    name: "response limits: class: a chain of three content codings is refused before anything is decoded",
    run: async (context) => {
      const deep = Zlib.gzipSync(Zlib.gzipSync(Zlib.gzipSync(new TextEncoder().encode("{}"))))
      const api = await serve(context, [
        ["GET", "/three", { _tag: "respond", status: 200, headers: { "content-encoding": "gzip, gzip, gzip", "content-type": "application/json" }, body: { bytes: deep } }]
      ])
      const client = await clientOn(context, api)
      context.check.failure("the call", await client.call({ method: "GET", path: "/three" }), "LimitExceeded", { reason: "TooManyEncodings", limit: 2 })
    }
  },
  {
    // A fetch transport has a limit of its own (5) and fails before the client sees the headers.
    name: "response limits: class: a thousand content codings (decompression-chain DoS) are refused before anything is decoded",
    run: async (context) => {
      const api = await serve(context, [
        ["GET", "/thousand", { _tag: "respond", status: 200, headers: { "content-encoding": Array(1000).fill("gzip").join(", ") }, body: { text: "{}" } }]
      ])
      const client = await clientOn(context, api)
      context.check.failure("the call", await client.call({ method: "GET", path: "/thousand" }), "LimitExceeded", { reason: "TooManyEncodings", limit: 2 })
    }
  }
]

// ---------------------------------------------------------------------------

const inputs: ReadonlyArray<Case> = [
  {
    name: "request bodies and queries: class: prototype pollution through query or form serialisation: __proto__ and constructor stay plain keys",
    run: async (context) => {
      const { check } = context
      const api = await serve(context, [["*", "/*", json({ ok: true })]])
      const client = await clientOn(context, api)
      const fields = JSON.parse(
        "{\"__proto__\":\"p\",\"constructor\":\"c\",\"prototype\":\"x\",\"__proto__[polluted]\":\"1\",\"constructor[prototype][polluted]\":\"2\",\"constructor.prototype.polluted\":\"3\"}"
      ) as Record<string, string>
      check.success("query", await client.call({ method: "GET", path: "/q", query: fields }))
      check.success("form", await client.call({ method: "POST", path: "/f", body: { _tag: "form", fields } }))
      check.success("json", await client.call({ method: "POST", path: "/j", body: { _tag: "json", value: JSON.parse("{\"__proto__\":{\"polluted\":\"4\"}}") } }))
      // Objects as values are refused, not walked.
      const nested = JSON.parse("{\"__proto__\":{\"polluted\":\"5\"}}") as unknown
      check.failure("an object in the query", await client.call({ method: "GET", path: "/q", query: { a: nested } }), "RequestRefused", { reason: "InvalidQuery" })
      check.failure("an object in a form", await client.call({ method: "POST", path: "/f", body: { _tag: "form", fields: { a: nested } } }), "RequestRefused", {
        reason: "InvalidBody"
      })
      const [q, f, j] = await api.journal()
      const expected = Object.entries(fields)
      check.equal("the query sent", q === undefined ? [] : [...new URLSearchParams(q.path.slice(q.path.indexOf("?") + 1))], expected)
      check.equal("the form sent", [...new URLSearchParams(f?.bodyText ?? "")], expected)
      check.equal("the JSON sent", j?.bodyText, "{\"__proto__\":{\"polluted\":\"4\"}}")
      // A JSON answer with such keys does not pollute either.
      await api.route("GET", "/evil", {
        _tag: "respond",
        status: 200,
        headers: { "content-type": "application/json" },
        body: { text: "{\"__proto__\":{\"polluted\":\"6\"},\"constructor\":{\"prototype\":{\"polluted\":\"7\"}}}" }
      })
      check.success("an answer with __proto__", await client.call({ method: "GET", path: "/evil" }))
      check.success(
        "an answer with __proto__, by a record schema",
        await client.call({ method: "GET", path: "/evil", decode: { _tag: "schema", schema: { _tag: "Record", value: { _tag: "Unknown" } } } })
      )
      const probe: Record<string, unknown> = {}
      check.equal("a fresh object's polluted", probe["polluted"], undefined)
      check.equal("Object.prototype has polluted", Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false)
    }
  },
  {
    name: "request bodies and queries: class: 100k-deep nested JSON, query or form input is a typed RequestRefused, never a RangeError",
    run: async (context) => {
      const api = await serve(context)
      const client = await clientOn(context, api)
      let deep: unknown = "leaf"
      let deepArray: unknown = "leaf"
      for (let i = 0; i < 100_000; i++) {
        deep = { a: deep }
        deepArray = [deepArray]
      }
      const attempts: ReadonlyArray<readonly [string, CallSpec]> = [
        ["json object", { method: "POST", path: "/x", body: { _tag: "json", value: deep } }],
        ["json array", { method: "POST", path: "/x", body: { _tag: "json", value: deepArray } }],
        ["query object", { method: "GET", path: "/x", query: { q: deep } }],
        ["query array", { method: "GET", path: "/x", query: { q: deepArray } }],
        ["form", { method: "POST", path: "/x", body: { _tag: "form", fields: { q: deep } } }],
        ["form array", { method: "POST", path: "/x", body: { _tag: "form", fields: { q: deepArray } } }]
      ]
      for (const [what, call] of attempts) context.check.failure(what, await client.call(call), "RequestRefused")
      await untouched(context.check, "api", api)
    }
  },
  {
    name: "request bodies and queries: class: a deeply nested JSON answer decoded with a recursive schema is a typed failure, never a RangeError",
    run: async (context) => {
      const depth = 100_000
      const api = await serve(context, [[
        "GET",
        "/deep",
        { _tag: "respond", status: 200, headers: { "content-type": "application/json" }, body: { text: "{\"a\":".repeat(depth) + "null" + "}".repeat(depth) } }
      ]])
      const client = await clientOn(context, api)
      const Tree: SchemaSpec = { _tag: "Recursive", body: { _tag: "Struct", fields: { a: { _tag: "NullOr", of: { _tag: "Self" } } } } }
      const outcome = await client.call({ method: "GET", path: "/deep", decode: { _tag: "schema", schema: Tree } })
      // Either decoded, or a typed failure: not a defect.
      if (outcome._tag !== "Success") context.check.failure("the call", outcome, "Parse")
    }
  }
]

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

const secretSearch: Case = {
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

/** Every case of the shared security suite. */
export const cases: ReadonlyArray<Case> = [...ssrf, ...schemes, ...crlf, ...redirects, ...limits, ...inputs, secretSearch]

