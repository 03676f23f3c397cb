/**
 * The security cases about what a server can make a client hold (response
 * limits, decompression bombs) and what hostile input a program can pass
 * (prototype pollution, deep nesting).
 */
import type { Case } from "../Case.js"
import type { CallSpec, Route, SchemaSpec } from "../Line.js"
import * as Zlib from "node:zlib"
import { clientOn, okApi, serve, untouched } from "./support.js"

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

export const limits: ReadonlyArray<Case> = [
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

export const inputs: ReadonlyArray<Case> = [
  {
    name: "request bodies and queries: class: prototype pollution through query or form serialisation: __proto__ and constructor stay plain keys",
    run: async (context) => {
      const { check, api, client } = await okApi(context)
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

