import { CourierClient, FetchTransport } from "@courier/client"
import type { CourierConfig } from "@courier/client"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

// `prepare` runs every check a call runs before I/O, so URL rules are tested
// without a server; the wire-level proof is in the conformance suite.
const prepare = (options: CourierConfig.Options, path: string, rest: CourierClient.RequestOptions = {}) =>
  Effect.flatMap(CourierClient.CourierClient, (client) => client.prepare("GET", path, rest)).pipe(
    Effect.provide(FetchTransport.layerClient(options))
  )

const href = (options: CourierConfig.Options, path: string, rest: CourierClient.RequestOptions = {}) =>
  Effect.map(prepare(options, path, rest), (request) => request.url.href)

const refusal = (options: CourierConfig.Options, path: string, rest: CourierClient.RequestOptions = {}) =>
  Effect.map(Effect.flip(prepare(options, path, rest)), (error) => error._tag === "RequestRefused" ? error.reason : error._tag)

describe("joining the base URL and a path", () => {
  it.effect.each([
    ["http://h/api", "users", "http://h/api/users"],
    ["http://h/api", "/users", "http://h/api/users"],
    ["http://h/api/", "users", "http://h/api/users"],
    ["http://h/api/", "/users", "http://h/api/users"],
    ["http://h", "users", "http://h/users"],
    ["http://h/", "/users/", "http://h/users/"],
    ["http://h/api", "", "http://h/api/"],
    ["http://h/api", "users?x=1", "http://h/api/users?x=1"],
    ["http://h/api?key=k", "users?x=1", "http://h/api/users?key=k&x=1"]
  ])("%s + %s", ([base, path, expected]) =>
    Effect.map(href({ baseUrl: base }, path), (actual) => {
      expect(actual).toBe(expected)
    }))

  it.effect.each([
    ["users#top", "http://h/api/users"],
    ["users?x=1#", "http://h/api/users?x=1"],
    ["http://h/api/users#", "http://h/api/users"],
    ["users", "http://h/api/users"]
  ])("the fragment of %s is never part of the request", ([path, expected]) =>
    Effect.map(href({ baseUrl: "http://h/api" }, path), (actual) => {
      expect(actual).toBe(expected)
    }))

  it.effect("an absolute URL on the base origin is allowed", () =>
    Effect.map(href({ baseUrl: "http://h/api" }, "http://h/other"), (actual) => {
      expect(actual).toBe("http://h/other")
    }))

  it.effect("without a base URL, absolute URLs pass and relative ones are refused", () =>
    Effect.gen(function*() {
      expect(yield* href({}, "https://example.test/x")).toBe("https://example.test/x")
      expect(yield* refusal({}, "/x")).toBe("InvalidUrl")
    }))
})

describe("refusing URLs that leave the base", () => {
  it.effect.each([
    ["http://evil.test/x"],
    ["https://h/api/x"], // another scheme is another origin
    ["http://h:8080/api/x"], // another port too
    ["//evil.test/x"],
    ["\\\\evil.test/x"],
    ["/\\evil.test/x"]
  ])("absolute or protocol-relative %s", ([path]) =>
    // Any mix of two leading slashes and backslashes reads as another host,
    // as browsers read it.
    Effect.map(refusal({ baseUrl: "http://h/api" }, path), (reason) => {
      expect(reason).toBe("EscapesBaseUrl")
    }))

  it.effect.each([["../admin"], ["/../admin"], ["%2e%2e/admin"], ["%2E%2E/admin"], ["users/../../admin"], ["..\\admin"]])(
    "dot segments %s",
    ([path]) =>
      Effect.map(refusal({ baseUrl: "http://h/api" }, path), (reason) => {
        expect(reason).toBe("EscapesBaseUrl")
      })
  )

  it.effect("dot segments that stay under the base are fine", () =>
    Effect.map(href({ baseUrl: "http://h/api" }, "users/../posts"), (actual) => {
      expect(actual).toBe("http://h/api/posts")
    }))

  it.effect("an allow-listed origin opts in", () =>
    Effect.map(href({ baseUrl: "http://h/api", allowedOrigins: ["https://cdn.test"] }, "https://cdn.test/a.png"), (actual) => {
      expect(actual).toBe("https://cdn.test/a.png")
    }))

  it.effect.each([["ftp://h/x"], ["file:///etc/passwd"], ["data:text/plain,hello"], ["javascript:alert(1)"], ["ws://h/x"]])(
    "scheme %s is refused before any I/O",
    ([path]) =>
      Effect.map(refusal({ baseUrl: "http://h/api" }, path), (reason) => {
        expect(reason).toBe("UnsupportedScheme")
      })
  )

  it.effect("a huge data: URL is refused without parsing it", () =>
    Effect.map(refusal({}, "data:text/plain;base64," + "A".repeat(5_000_000)), (reason) => {
      expect(reason).toBe("UnsupportedScheme")
    }))
})

describe("path parameters", () => {
  it.effect.each([
    ["a/b", "a%2Fb"],
    ["?x=1", "%3Fx%3D1"],
    ["#frag", "%23frag"],
    ["user@evil.test", "user%40evil.test"],
    ["%2e%2e", "%252e%252e"],
    ["..%2f", "..%252f"],
    ["ünï code", "%C3%BCn%C3%AF%20code"],
    [42, "42"]
  ] as const)("%s is one segment", ([value, encoded]) =>
    Effect.map(href({ baseUrl: "http://h/api" }, "/users/{id}/posts", { params: { id: value } }), (actual) => {
      expect(actual).toBe(`http://h/api/users/${encoded}/posts`)
    }))

  it.effect.each([[".."], ["."], [""]])("%j is refused", ([value]) =>
    Effect.map(refusal({ baseUrl: "http://h/api" }, "/users/{id}", { params: { id: value } }), (reason) => {
      expect(reason).toBe("InvalidPathParameter")
    }))

  it.effect("a missing parameter is refused", () =>
    Effect.map(refusal({ baseUrl: "http://h/api" }, "/users/{id}", { params: {} }), (reason) => {
      expect(reason).toBe("InvalidPathParameter")
    }))
})

describe("query parameters", () => {
  const query = { a: 1, b: true, c: "x y", d: undefined, e: null, list: [1, 2], big: 10n }
  it.effect("numbers and booleans are stringified, undefined and null dropped, arrays repeated", () =>
    Effect.map(href({ baseUrl: "http://h" }, "/q", { query }), (actual) => {
      expect(actual).toBe("http://h/q?a=1&b=true&c=x+y&list=1&list=2&big=10")
    }))
  it.effect("csv and brackets formats", () =>
    Effect.gen(function*() {
      expect(yield* href({ baseUrl: "http://h", arrayFormat: "csv" }, "/q", { query: { list: [1, 2, undefined, "a,b"] } }))
        .toBe("http://h/q?list=1%2C2%2Ca%2Cb")
      expect(yield* href({ baseUrl: "http://h", arrayFormat: "brackets" }, "/q", { query: { list: [1, 2] } }))
        .toBe("http://h/q?list%5B%5D=1&list%5B%5D=2")
    }))
  it.effect("merges with a query already in the path", () =>
    Effect.map(href({ baseUrl: "http://h" }, "/q?x=1", { query: { y: 2 } }), (actual) => {
      expect(actual).toBe("http://h/q?x=1&y=2")
    }))
  it.effect("an object value is refused, not sent as [object Object]", () =>
    Effect.map(refusal({ baseUrl: "http://h" }, "/q", { query: { nested: { a: 1 } as unknown as string } }), (reason) => {
      expect(reason).toBe("InvalidQuery")
    }))
  it.effect("__proto__ keys are plain parameters", () =>
    Effect.gen(function*() {
      const query = JSON.parse("{\"__proto__\": \"x\", \"constructor\": \"y\"}") as Record<string, string>
      expect(yield* href({ baseUrl: "http://h" }, "/q", { query })).toBe("http://h/q?__proto__=x&constructor=y")
      expect(({} as Record<string, unknown>)["x"]).toBeUndefined()
    }))
})

describe("credentials in URLs", () => {
  it.effect("are refused by default, and the message does not show them", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(prepare({}, "http://alice:s3cret@h/x"))
      expect(error).toMatchObject({ reason: "CredentialsInUrl" })
      expect(error.message).not.toContain("s3cret")
      expect(error.message).not.toContain("alice")
    }))
  it.effect("become a Basic header when asked", () =>
    Effect.gen(function*() {
      const request = yield* prepare({ urlCredentials: "basic" }, "http://alice:s3cret@h/x")
      expect(request.url.href).toBe("http://h/x")
      expect(request.headers["authorization"]).toBe("Basic " + btoa("alice:s3cret"))
      expect(request.info.url).not.toContain("s3cret")
    }))
})

describe("headers and methods", () => {
  it.effect.each([
    [{ "x-a": "a\r\nx-injected: 1" }],
    [{ "x-a": "a\nb" }],
    [{ "x-a": "a\u0000b" }],
    [{ "x-a\r\nx-b": "v" }],
    [{ "bad name": "v" }],
    [{ "x-a": "caf\u00e9 \u20ac" }]
  ])("%j is refused", ([headers]) =>
    Effect.map(refusal({ baseUrl: "http://h" }, "/", { headers }), (reason) => {
      expect(reason).toBe("InvalidHeader")
    }))

  it.effect("default headers are validated when the client is built", () =>
    Effect.map(Effect.flip(prepare({ headers: { "x-a": "a\r\nb" } }, "http://h/")), (error) => {
      expect(error._tag).toBe("ConfigError")
    }))

  it.effect.each([["GET\r\nX"], ["G ET"], ["GET\u0000"], [""], ["CONNECT"]])("method %j is refused", ([method]) =>
    Effect.gen(function*() {
      const client = yield* CourierClient.CourierClient
      const error = yield* Effect.flip(client.prepare(method, "/x"))
      expect(error.reason).toBe("InvalidMethod")
    }).pipe(Effect.provide(FetchTransport.layerClient({ baseUrl: "http://h" }))))

  it.effect("header values are never echoed in a refusal", () =>
    Effect.map(Effect.flip(prepare({ baseUrl: "http://h" }, "/", { headers: { authorization: "Bearer tok\r\nen" } })), (error) => {
      expect(error.message).not.toContain("tok")
    }))
})
