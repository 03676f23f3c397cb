/**
 * The conformance suite: what a program observes of a call (what reaches the
 * wire, how answers decode, which typed failure a problem becomes) must not
 * depend on the line or on the transport that carries the bytes.
 */
import type { Case, Context } from "./Case.js"
import type { Route, SchemaSpec, Server } from "./Line.js"
import { closedPort } from "./Support.js"

const Num: SchemaSpec = { _tag: "Number" }
const Str: SchemaSpec = { _tag: "String" }
const Post: SchemaSpec = { _tag: "Struct", fields: { id: Num, title: Str } }
const Posts: SchemaSpec = { _tag: "Array", item: Post }
const ApiError: SchemaSpec = { _tag: "Struct", fields: { code: Str, detail: Str } }

const posts = [{ id: 1, title: "one" }, { id: 2, title: "two" }]

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  ({ _tag: "respond", status, headers, body: { json: value } }) as const
const text = (value: string, status = 200, headers: Record<string, string> = {}) =>
  ({ _tag: "respond", status, headers, body: { text: value } }) as const
const status = (code: number) => ({ _tag: "respond", status: code }) as const

const serve = (context: Context, routes: ReadonlyArray<Route> = []): Promise<Server> =>
  context.line.serve({ kind: "http", routes }, context.scope)

const bare = (context: Context, server: Server, more: Parameters<Context["line"]["client"]>[0] = {}) =>
  context.line.client({ baseUrl: server.url, ...more }, context.scope)

const requestsOnTheWire: ReadonlyArray<Case> = [
  {
    name: "requests on the wire: GET with query and default headers",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [["GET", "/api/posts", json(posts)]])
      const client = await bare(context, server, { baseUrl: `${server.url}/api`, headers: { "x-app": "demo" } })
      const outcome = await client.call({
        method: "GET",
        path: "/posts",
        query: { userId: 1, tag: ["a", "b"] },
        decode: { _tag: "schema", schema: Posts }
      })
      if (check.success("the call", outcome)) check.equal("the value", outcome.body, posts)
      const [entry] = await server.journal()
      check.equal("method", entry?.method, "GET")
      check.equal("path", entry?.path, "/api/posts?userId=1&tag=a&tag=b")
      check.equal("x-app", entry?.headers["x-app"], "demo")
      check.equal("accept", entry?.headers["accept"], "application/json, text/plain, */*")
    }
  },
  {
    name: "requests on the wire: a per-request header overrides a default one, undefined removes it",
    run: async (context) => {
      const server = await serve(context, [["GET", "/h", json({})]])
      const client = await bare(context, server, { headers: { "x-a": "default", "x-b": "default" } })
      context.check.success("the call", await client.call({ method: "GET", path: "/h", headers: { "X-A": "mine", "x-b": undefined } }))
      const [entry] = await server.journal()
      context.check.equal("x-a", entry?.headers["x-a"], "mine")
      context.check.equal("x-b", entry?.headers["x-b"], undefined)
    }
  },
  ...([
    ["json", { _tag: "json", value: { a: 1, b: "é" } }, "application/json", "{\"a\":1,\"b\":\"é\"}"],
    ["text", { _tag: "text", text: "hello" }, "text/plain; charset=utf-8", "hello"],
    ["bytes", { _tag: "bytes", bytes: new Uint8Array([1, 2, 3]) }, "application/octet-stream", "\u0001\u0002\u0003"],
    ["form", { _tag: "form", fields: { a: 1, b: ["x", "y"], c: "a&b=c" } }, "application/x-www-form-urlencoded", "a=1&b=x&b=y&c=a%26b%3Dc"]
  ] as const).map(([name, body, contentType, sent]): Case => ({
    name: `requests on the wire: POST a ${name} body`,
    run: async (context) => {
      const server = await serve(context, [["POST", "/echo", { _tag: "echo" }]])
      const client = await bare(context, server)
      context.check.success("the call", await client.call({ method: "POST", path: "/echo", body }))
      const [entry] = await server.journal()
      context.check.equal("content-type", entry?.headers["content-type"], contentType)
      context.check.equal("body", entry?.bodyText, sent)
      context.check.equal("body complete", entry?.bodyComplete, true)
    }
  })),
  {
    name: "requests on the wire: a large body and a streamed body arrive byte for byte",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [["PUT", "/upload", status(204)]])
      const client = await bare(context, server)
      const big = new Uint8Array(1024 * 1024 + 7).map((_, i) => i % 251)
      check.success("the large body", await client.call({ method: "PUT", path: "/upload", body: { _tag: "bytes", bytes: big }, decode: { _tag: "none" } }))
      const chunks = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array(100_000).fill(9)]
      check.success(
        "the streamed body",
        await client.call({
          method: "PUT",
          path: "/upload",
          body: { _tag: "stream", chunks, contentType: "application/x-test" },
          decode: { _tag: "none" }
        })
      )
      const [first, second] = await server.journal()
      check.equal("large: size", first?.body.byteLength, big.byteLength)
      check.equal("large: bytes", first !== undefined && Buffer.compare(first.body, big) === 0, true)
      check.equal("stream: content-type", second?.headers["content-type"], "application/x-test")
      check.equal("stream: size", second?.body.byteLength, 100_003)
      check.equal("stream: first bytes", second === undefined ? [] : [...second.body.subarray(0, 3)], [1, 2, 3])
    }
  },
  {
    name: "requests on the wire: a custom method is sent as written",
    run: async (context) => {
      const server = await serve(context, [["PROPFIND", "/dav", status(207)]])
      const client = await bare(context, server)
      context.check.success("the call", await client.call({ method: "PROPFIND", path: "/dav", decode: { _tag: "none" } }))
      context.check.equal("method", (await server.journal())[0]?.method, "PROPFIND")
    }
  }
]

const refused: ReadonlyArray<Case> = [
  {
    name: "refused before sending: nothing reaches the wire",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [["*", "/*", json({})]])
      const client = await bare(context, server, { baseUrl: `${server.url}/api` })
      const attempts = [
        [{ method: "GET", path: "/x", headers: { "x-a": "1\r\nx-injected: yes" } }, "InvalidHeader"],
        [{ method: "GET\r\nX", path: "/x" }, "InvalidMethod"],
        [{ method: "GET", path: "http://127.0.0.2:1/x" }, "EscapesBaseUrl"],
        [{ method: "GET", path: "/../x" }, "EscapesBaseUrl"],
        [{ method: "GET", path: "ftp://127.0.0.1/x" }, "UnsupportedScheme"],
        [{ method: "GET", path: "/{id}", params: { id: ".." } }, "InvalidPathParameter"],
        [{ method: "POST", path: "/x", body: { _tag: "json", value: { n: 1n } } }, "InvalidBody"],
        [{ method: "GET", path: "/x", body: { _tag: "text", text: "no" } }, "InvalidBody"]
      ] as const
      for (const [call, reason] of attempts) {
        check.failure(`${call.method} ${call.path}`, await client.call(call), "RequestRefused", { reason })
      }
      check.equal("journal", await server.journal(), [])
      check.equal("connections", await server.totalConnections(), 0)
    }
  },
  {
    name: "refused before sending: deeply nested JSON is a typed refusal, not a stack overflow",
    run: async (context) => {
      const server = await serve(context)
      const client = await bare(context, server)
      let value: unknown = 1
      for (let i = 0; i < 200_000; i++) value = [value]
      context.check.failure("the call", await client.call({ method: "POST", path: "/x", body: { _tag: "json", value } }), "RequestRefused", {
        reason: "InvalidBody"
      })
    }
  }
]

const responses: ReadonlyArray<Case> = [
  {
    name: "responses: text and bytes",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [
        ["GET", "/t", text("héllo")],
        ["GET", "/b", { _tag: "respond", status: 200, body: { bytes: new Uint8Array([0, 255]) } }]
      ])
      const client = await bare(context, server)
      const t = await client.call({ method: "GET", path: "/t", decode: { _tag: "text" } })
      if (check.success("text", t)) check.equal("text", t.body, "héllo")
      const b = await client.call({ method: "GET", path: "/b", decode: { _tag: "bytes" } })
      if (check.success("bytes", b)) check.equal("bytes", b.body, new Uint8Array([0, 255]))
    }
  },
  {
    name: "responses: 204, 304 and HEAD decode as no body",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [["DELETE", "/204", status(204)], ["GET", "/304", status(304)], ["GET", "/posts", json(posts)]])
      const client = await bare(context, server)
      const nothing = async (what: string, call: Parameters<typeof client.call>[0]) => {
        const outcome = await client.call(call)
        if (check.success(what, outcome)) check.equal(what, outcome.body, undefined)
      }
      await nothing("204 with a Void schema", { method: "DELETE", path: "/204", decode: { _tag: "schema", schema: { _tag: "Void" } } })
      await nothing("204 as JSON", { method: "DELETE", path: "/204" })
      await nothing("HEAD with an Undefined schema", { method: "HEAD", path: "/posts", decode: { _tag: "schema", schema: { _tag: "Undefined" } } })
      check.failure(
        "204 where the schema wants a value",
        await client.call({ method: "DELETE", path: "/204", decode: { _tag: "schema", schema: Post } }),
        "Parse",
        { reason: "EmptyBody", status: 204 }
      )
      // 304 is not 2xx: with no cache in between it is a failure the program can branch on.
      check.failure("304", await client.call({ method: "GET", path: "/304" }), "BadResponse", { status: 304 })
    }
  },
  {
    name: "responses: an HTML error page where JSON was expected is a Parse failure with an excerpt",
    run: async (context) => {
      const page = "<!doctype html><html><body>Maintenance</body></html>"
      const server = await serve(context, [["GET", "/posts", text(page, 200, { "content-type": "text/html" })]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/posts", decode: { _tag: "schema", schema: Posts } })
      if (context.check.failure("the call", outcome, "Parse", { reason: "InvalidJson", contentType: "text/html", bodyExcerpt: page })) {
        context.check.contains("message", outcome.message, "not valid JSON")
      }
    }
  },
  {
    name: "responses: a schema mismatch names the path of the offending value",
    run: async (context) => {
      const server = await serve(context, [["GET", "/posts", json([{ id: 1, title: "ok" }, { id: "2", title: "bad" }])]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/posts", decode: { _tag: "schema", schema: Posts } })
      if (context.check.failure("the call", outcome, "Parse", { reason: "SchemaMismatch" })) {
        context.check.equal("the first issue's path", outcome.issuePaths?.[0], [1, "id"])
        context.check.contains("message", outcome.message, "1.id")
        context.check.contains("excerpt", outcome.bodyExcerpt ?? "", "\"bad\"")
      }
    }
  },
  {
    name: "responses: an empty 200 body where the schema expects a value",
    run: async (context) => {
      const server = await serve(context, [["GET", "/x", text("")]])
      const client = await bare(context, server)
      context.check.failure("the call", await client.call({ method: "GET", path: "/x", decode: { _tag: "schema", schema: Post } }), "Parse", {
        reason: "EmptyBody"
      })
    }
  },
  {
    name: "responses: the whole response is available for a 2xx",
    run: async (context) => {
      const server = await serve(context, [["GET", "/x", json({ a: 1 }, 201, { "x-request-id": "r1" })]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/x", decode: { _tag: "response" } })
      if (context.check.success("the call", outcome)) {
        context.check.equal("status", outcome.status, 201)
        context.check.equal("x-request-id", outcome.headers?.["x-request-id"], "r1")
        context.check.equal("url", outcome.url, `${server.url}/x`)
      }
    }
  },
  {
    name: "responses: a body as a stream of bytes",
    run: async (context) => {
      const server = await serve(context, [["GET", "/drip", { _tag: "drip", chunk: "ab", intervalMs: 5, count: 5 }]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/drip", decode: { _tag: "stream" } })
      if (context.check.success("the call", outcome)) context.check.equal("bytes", outcome.body, 10)
    }
  }
]

const failures: ReadonlyArray<Case> = [
  {
    name: "typed failures: a 401 is Unauthorized",
    run: async (context) => {
      const server = await serve(context, [["GET", "/me", json({ error: "expired" }, 401, { "www-authenticate": "Bearer" })]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/me" })
      if (context.check.failure("the call", outcome, "Unauthorized", { status: 401, bodyExcerpt: "{\"error\":\"expired\"}" })) {
        context.check.contains("message", outcome.message, "GET")
        context.check.contains("message", outcome.message, "/me")
      }
    }
  },
  {
    name: "typed failures: any other status is BadResponse with status, headers, excerpt and the decoded error body",
    run: async (context) => {
      const { check } = context
      const server = await serve(context, [
        ["GET", "/fail", json({ code: "E42", detail: "broken" }, 503, { "retry-after": "3" })],
        ["GET", "/other", text("plain", 404)]
      ])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/fail", decode: { _tag: "schema", schema: Posts }, errorSchema: ApiError })
      check.failure("503", outcome, "BadResponse", { status: 503, headers: { "retry-after": "3" }, errorBody: { code: "E42", detail: "broken" } })
      const other = await client.call({ method: "GET", path: "/other", errorSchema: ApiError })
      if (check.failure("404", other, "BadResponse", { status: 404, bodyExcerpt: "plain" })) {
        check.equal("404: no error body", other.errorBody, undefined)
      }
    }
  },
  {
    name: "typed failures: a status failure is told from a decoding one (BadResponse, never Parse, for a 404 with a schema)",
    run: async (context) => {
      const server = await serve(context, [["GET", "/missing", status(404)]])
      const client = await bare(context, server)
      context.check.failure(
        "the call",
        await client.call({ method: "GET", path: "/missing", decode: { _tag: "schema", schema: Posts } }),
        "BadResponse",
        { status: 404 }
      )
    }
  },
  {
    name: "typed failures: a refused connection is Network(ConnectionRefused), proving nothing was sent",
    run: async (context) => {
      const port = await closedPort()
      const client = await context.line.client({ baseUrl: `http://127.0.0.1:${port}` }, context.scope)
      context.check.failure("the call", await client.call({ method: "GET", path: "/x" }), "Network", {
        reason: "ConnectionRefused",
        code: "ECONNREFUSED",
        nothingSent: true
      })
    }
  },
  {
    name: "typed failures: a reset before the response is Network(ConnectionReset)",
    run: async (context) => {
      const server = await serve(context, [["GET", "/reset", { _tag: "reset" }]])
      const client = await bare(context, server)
      context.check.failure("the call", await client.call({ method: "GET", path: "/reset" }), "Network", {
        reason: "ConnectionReset",
        nothingSent: false
      })
    }
  },
  {
    name: "typed failures: a body cut short of its Content-Length is a Network failure, never a success",
    run: async (context) => {
      const server = await serve(context, [["GET", "/cut", { _tag: "closeMidBody", declaredLength: 1000, body: "{\"partial\":" }]])
      const client = await bare(context, server)
      // The head had arrived: on every transport the body was cut short.
      context.check.failure("the call", await client.call({ method: "GET", path: "/cut", decode: { _tag: "text" } }), "Network", {
        reason: "IncompleteBody"
      })
    }
  },
  {
    name: "typed failures: a failure's excerpt and headers are redacted: error bodies may echo secrets",
    run: async (context) => {
      const server = await serve(context, [[
        "POST",
        "/login",
        json({ error: "locked", access_token: "s3cret-a", user: "ann" }, 423, { "set-cookie": "sid=s3cret-c" })
      ]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "POST", path: "/login", body: { _tag: "json", value: { password: "s3cret-p" } } })
      if (context.check.failure("the call", outcome, "BadResponse", { headers: { "set-cookie": "<redacted>" } })) {
        context.check.contains("excerpt", outcome.bodyExcerpt ?? "", "\"user\":\"ann\"")
        context.check.lacks("renderings", outcome.rendered, ["s3cret"])
      }
    }
  },
  {
    name: "typed failures: failures carry the method and a redacted URL",
    run: async (context) => {
      const server = await serve(context, [["GET", "/x", status(500)]])
      const client = await bare(context, server)
      const outcome = await client.call({ method: "GET", path: "/x", query: { access_token: "s3cret", page: 2 } })
      if (context.check.failure("the call", outcome, "BadResponse")) {
        context.check.equal("request", outcome.request, { method: "GET", url: `${server.url}/x?access_token=<redacted>&page=<redacted>` })
        context.check.lacks("renderings", outcome.rendered, ["s3cret"])
      }
    }
  }
]

/** Every conformance case. */
export const cases: ReadonlyArray<Case> = [...requestsOnTheWire, ...refused, ...responses, ...failures]
