import { Body, CourierClient, CourierError, FetchTransport, Multipart, Retry } from "@courier/client"
import type { CourierConfig, CourierRequest } from "@courier/client"
import type * as Url from "@courier/client/Url"
import { Reply, TestClient } from "@courier/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { Parsed, parsingReply } from "./busboy.js"

// Properties of everything Courier computes from what a program (or a server)
// hands it: URLs, queries, headers, multipart bodies and retry delays. Each
// holds for any input fast-check finds, or the request is refused with a
// typed failure, never a defect.

/** Prepares a request as a call does, on a client configured with `options`; never sends. */
const prepare = (options: CourierConfig.Options, method: string, path: string, rest: CourierClient.RequestOptions = {}) =>
  Effect.either(
    Effect.flatMap(CourierClient.CourierClient, (client) => client.prepare(method, path, rest)).pipe(
      Effect.provide(Layer.orDie(FetchTransport.layerClient(options)))
    )
  )

const refusalReason = (result: Either.Either<CourierRequest.CourierRequest, CourierError.RequestRefused>) =>
  Either.isLeft(result) ? result.left.reason : undefined

// ---------------------------------------------------------------------------
// URLs

const bases = [
  "http://127.0.0.1:8080",
  "http://127.0.0.1:8080/api",
  "https://example.test/a/b/",
  "http://example.test/v1?key=k"
] as const

/** Pieces of paths that have escaped base URLs in other clients, mixed freely. */
const pathPiece = fc.constantFrom(
  "a", "users", "/", "//", "\\", "\\\\", ".", "..", "%2e", "%2E", "%2e%2e", "%2f", "%2F", "%5c", "%00", "%",
  "?", "#", "@", ":", ";", "~", " ", "\t", "\n", "\r", "é", "名", "{", "}", "{id}",
  "http:", "https:", "http://127.0.0.1:9/", "//127.0.0.1:9", "//evil.test", "\\\\evil.test", "data:", "file:", "javascript:",
  "user:pw@", "127.0.0.1", "evil.test"
)
const path = fc.oneof(
  fc.array(pathPiece, { maxLength: 10 }).map((pieces) => pieces.join("")),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 20 })
)

const absoluteOrProtocolRelative = /^(?:[a-zA-Z][a-zA-Z\d+\-.]*:|[\\/]{2})/

describe("URL joining", () => {
  it.effect.prop(
    "for any path, the origin never changes and a relative path stays under the base path, or the request is refused",
    [fc.constantFrom(...bases), path],
    ([base, input]) =>
      Effect.gen(function*() {
        const result = yield* prepare({ baseUrl: base }, "GET", input)
        if (Either.isLeft(result)) {
          expect(result.left).toBeInstanceOf(CourierError.RequestRefused)
          return
        }
        const url = result.right.url
        const baseUrl = new URL(base)
        const basePath = baseUrl.pathname.replace(/\/+$/, "")
        expect(url.origin).toBe(baseUrl.origin)
        expect(url.username + url.password).toBe("")
        expect(url.hash).toBe("")
        // An absolute URL on the base origin may name any path (by design); a relative one may not leave the base path.
        if (!absoluteOrProtocolRelative.test(input)) {
          expect(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`), url.pathname).toBe(true)
        }
      }),
    { fastCheck: { numRuns: 400 } }
  )

  it.effect.prop(
    "a path parameter is exactly one encoded segment, or refused as InvalidPathParameter",
    [fc.constantFrom(...bases), fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 12 }), fc.string16bits({ maxLength: 8 }), fc.constantFrom(".", "..", "", "%2e%2e", "../..", "\ud800"))],
    ([base, id]) =>
      Effect.gen(function*() {
        const result = yield* prepare({ baseUrl: base }, "GET", "/users/{id}/posts", { params: { id } })
        const basePath = new URL(base).pathname.replace(/\/+$/, "")
        if (Either.isLeft(result)) {
          expect(result.left.reason).toBe("InvalidPathParameter")
          return
        }
        expect(id === "" || id === "." || id === "..").toBe(false)
        expect(result.right.url.pathname).toBe(`${basePath}/users/${encodeURIComponent(id)}/posts`)
      }),
    { fastCheck: { numRuns: 300 } }
  )

  it.effect.prop(
    "credentials in any URL are refused, or (urlCredentials: basic) become a Basic header and leave the URL",
    [
      fc.oneof(fc.string({ unit: "binary", maxLength: 10 }), fc.constantFrom("%ff", "%", "%zz", "a%C3", "%00")),
      fc.oneof(fc.string({ unit: "binary", maxLength: 10 }), fc.constantFrom("%ff", "%C3%A9", "p@ss:w/rd")),
      fc.constantFrom("refuse", "basic") as fc.Arbitrary<"refuse" | "basic">
    ],
    ([user, password, urlCredentials]) =>
      Effect.gen(function*() {
        const input = `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:8080/x`
        const raw = `http://${user}:${password}@127.0.0.1:8080/x`
        for (const target of [input, raw]) {
          const result = yield* prepare({ urlCredentials }, "GET", target)
          if (Either.isLeft(result)) {
            expect(result.left).toBeInstanceOf(CourierError.RequestRefused)
            if (password.length > 3) expect(result.left.message).not.toContain(password)
            continue
          }
          expect(result.right.url.username + result.right.url.password).toBe("")
          // What the URL parser reads as credentials: it drops tabs and newlines
          // (`http://:\t@host` has none), so that is what must be refused or moved.
          const parsed = new URL(target)
          if (parsed.username !== "" || parsed.password !== "") {
            expect(urlCredentials).toBe("basic")
            expect(result.right.headers["authorization"]).toMatch(/^Basic [A-Za-z0-9+/=]*$/)
          }
        }
      }),
    { fastCheck: { numRuns: 200 } }
  )
})

// ---------------------------------------------------------------------------
// Queries and forms

const key = fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "prototype", "a[b]", "a=b", "&", "+", "%20"))
const scalar = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.bigInt()
)
const entries = fc.uniqueArray(
  fc.tuple(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant(null), fc.constant(undefined))),
  { selector: ([k]) => k, maxLength: 6 }
)

/** What the query (or form) should hold, in order: undefined and null dropped, arrays repeated or bracketed. */
const expectedPairs = (
  pairs: ReadonlyArray<readonly [string, unknown]>,
  format: "repeat" | "brackets"
): Array<[string, string]> =>
  pairs.flatMap(([name, value]): Array<[string, string]> => {
    if (value === undefined || value === null) return []
    if (Array.isArray(value)) return value.map((item): [string, string] => [format === "brackets" ? `${name}[]` : name, String(item)])
    return [[name, String(value)]]
  })

describe("query and form serialisation", () => {
  it.effect.prop(
    "round-trips through URLSearchParams (repeat and brackets), keys like __proto__ staying plain keys",
    [entries, fc.constantFrom("repeat", "brackets") as fc.Arbitrary<"repeat" | "brackets">],
    ([pairs, arrayFormat]) =>
      Effect.gen(function*() {
        const query = Object.fromEntries(pairs) as Url.Query
        const expected = expectedPairs(pairs, arrayFormat)
        const get = yield* prepare({ baseUrl: "http://127.0.0.1:8080/api", arrayFormat }, "GET", "/q", { query })
        if (Either.isLeft(get)) return expect.fail(`refused: ${get.left.message}`)
        expect([...get.right.url.searchParams]).toEqual(expected)
        const post = yield* prepare({ baseUrl: "http://127.0.0.1:8080/api", arrayFormat }, "POST", "/f", { body: Body.form(query) })
        if (Either.isLeft(post)) return expect.fail(`refused: ${post.left.message}`)
        const body = post.right.body
        if (body._tag !== "Bytes") return expect.fail(`a ${body._tag} body`)
        expect([...new URLSearchParams(new TextDecoder().decode(body.bytes))]).toEqual(expected)
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false)
      }),
    { fastCheck: { numRuns: 300 } }
  )
})

// ---------------------------------------------------------------------------
// Headers

const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(""))
/** Headers with a rule of their own: the transport's (refused) and content-length (a number). */
const ownRule = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "expect", "te", "trailer", "content-length"])
const headerName = fc.array(tokenChar, { minLength: 1, maxLength: 16 }).map((chars) => chars.join(""))
  .filter((name) => !ownRule.has(name.toLowerCase()))
/** Field-value characters: visible ASCII, obs-text, space and tab. */
const valueChar = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.constantFrom(0x20, 0x09)
).map((code) => String.fromCharCode(code))
const headerValue = fc.array(valueChar, { maxLength: 24 }).map((chars) => chars.join(""))
/** HTTP trims optional whitespace (space and tab) at both ends, nothing else. */
const ows = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "")

describe("header validation", () => {
  it.effect.prop(
    "any token name and field value is accepted, the value unchanged but for its outer spaces and tabs",
    [headerName, headerValue],
    ([name, value]) =>
      Effect.gen(function*() {
        const result = yield* prepare({}, "GET", "http://127.0.0.1:8080/", { headers: { [name]: value } })
        if (Either.isLeft(result)) return expect.fail(`refused: ${result.left.message}`)
        expect(result.right.headers[name.toLowerCase()]).toBe(ows(value))
      }),
    { fastCheck: { numRuns: 300 } }
  )

  it.effect.prop(
    "a value or name holding CR, LF or NUL (or any other control but tab) is refused, and never shown",
    [headerName, headerValue, headerValue, fc.constantFrom("\r", "\n", "\r\n", "\u0000", "\u0001", "\u007f", "\u001b"), fc.boolean()],
    ([name, before, after, control, inName]) =>
      Effect.gen(function*() {
        const headers = inName ? { [`${name}${control}x`]: "v" } : { [name]: `${before}${control}S3CRET${after}` }
        const result = yield* prepare({}, "GET", "http://127.0.0.1:8080/", { headers })
        expect(refusalReason(result)).toBe("InvalidHeader")
        if (Either.isLeft(result)) expect(result.left.message).not.toContain("S3CRET")
      }),
    { fastCheck: { numRuns: 300 } }
  )

  it.effect.prop(
    "any string at all is either a valid value (kept) or refused as InvalidHeader; any method a token or refused",
    [fc.string16bits({ maxLength: 16 }), fc.string({ unit: "binary-ascii", maxLength: 10 })],
    ([value, method]) =>
      Effect.gen(function*() {
        const result = yield* prepare({}, "GET", "http://127.0.0.1:8080/", { headers: { "x-any": value } })
        if (Either.isRight(result)) {
          expect(value).toMatch(/^[\t\x20-\x7e\x80-\xff]*$/)
          expect(result.right.headers["x-any"]).toBe(ows(value))
        } else {
          expect(result.left.reason).toBe("InvalidHeader")
        }
        const withMethod = yield* prepare({}, method, "http://127.0.0.1:8080/")
        if (Either.isRight(withMethod)) {
          expect(method).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/)
          expect(withMethod.right.method.toUpperCase()).toBe(method.toUpperCase())
        } else {
          expect(withMethod.left.reason).toBe("InvalidMethod")
        }
      }),
    { fastCheck: { numRuns: 300 } }
  )
})

layer(TestClient.layer({ routes: [["*", "/echo", Reply.echo]] }))("header values on the wire", (it) => {
  const Echo = Schema.Struct({ headers: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) }) })
  it.effect.prop(
    "what the server reads is the value sent (node reads field values as latin1)",
    [headerValue],
    ([value]) =>
      Effect.gen(function*() {
        const client = yield* CourierClient.CourierClient
        const echo = yield* client.get("/echo", { headers: { "x-value": value }, schema: Echo })
        expect(echo.headers["x-value"] ?? "").toBe(ows(value))
      }),
    { fastCheck: { numRuns: 40 } }
  )
})

// ---------------------------------------------------------------------------
// Multipart

/** The WHATWG form-data escaping (plus `\` as %5C, which quoted-string parsers would read as an escape). */
const escaped = (s: string) =>
  s.replace(/\\/g, "%5C").replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")
// eslint-disable-next-line no-control-regex
const refusedControl = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

const partText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.array(fc.constantFrom("\"", "\\", "\r", "\n", "\r\n", ";", "=", "%22", "name=\"x\"", "filename=", "é", "名", "🎉", " ", "\t", "a", "\u0000", "--"), { maxLength: 6 })
    .map((pieces) => pieces.join(""))
)
// Not empty: busboy reports a part without a name as nameless, and a file with
// an empty filename (a browser's "no file chosen") as a field.
const nonEmptyPartText = partText.filter((text) => text !== "")
const part = fc.oneof(
  fc.record({ kind: fc.constant("field" as const), name: nonEmptyPartText, value: fc.string({ unit: "binary", maxLength: 40 }) }),
  fc.record({
    kind: fc.constant("file" as const),
    name: nonEmptyPartText,
    filename: nonEmptyPartText,
    bytes: fc.uint8Array({ maxLength: 64 }),
    contentType: fc.constantFrom("text/plain", "application/octet-stream", "image/png; x=1")
  })
)

layer(TestClient.layer({ routes: [["POST", "/upload", parsingReply]] }))("multipart bodies parsed by busboy", (it) => {
  it.effect.prop(
    "every part arrives exactly (names as browsers escape them), or the body is refused as InvalidBody",
    [fc.array(part, { minLength: 1, maxLength: 5 })],
    ([parts]) =>
      Effect.gen(function*() {
        const client = yield* CourierClient.CourierClient
        const body = Multipart.body(parts.map((p) =>
          p.kind === "field"
            ? Multipart.field(p.name, p.value)
            : Multipart.bytes(p.name, p.bytes, { filename: p.filename, contentType: p.contentType })
        ))
        const result = yield* Effect.either(client.post("/upload", { body, schema: Parsed }))
        const refusable = parts.some((p) => refusedControl.test(p.name) || (p.kind === "file" && refusedControl.test(p.filename)))
        if (Either.isLeft(result)) {
          expect(result.left).toMatchObject({ _tag: "RequestRefused", reason: "InvalidBody" })
          expect(refusable).toBe(true)
          return
        }
        expect(refusable).toBe(false)
        const upload = result.right
        expect(upload.error).toBeUndefined()
        expect(upload.parts.map((received) => ({ ...received }))).toEqual(parts.map((p) =>
          p.kind === "field"
            ? { kind: "field", name: escaped(p.name), value: p.value, mimeType: "text/plain", hex: Buffer.from(p.value, "utf8").toString("hex") }
            : {
              kind: "file",
              name: escaped(p.name),
              filename: escaped(p.filename),
              mimeType: p.contentType.split(";")[0],
              hex: Buffer.from(p.bytes).toString("hex")
            }
        ))
      }),
    { fastCheck: { numRuns: 60 } }
  )
})

// ---------------------------------------------------------------------------
// Retry delays

const millis = (max: number) => fc.integer({ min: 0, max })

describe("retry delays", () => {
  it.effect.prop(
    "backoff: as many delays as retries, each within [0, min(maxDelay, baseDelay * 2^n))",
    [millis(10_000), millis(60_000), fc.integer({ min: 0, max: 8 })],
    ([base, max, retries]) =>
      Effect.gen(function*() {
        const policy = { baseDelay: Duration.millis(base), maxDelay: Duration.millis(max), retries }
        // Schedule.run also collects the output of the final, stopping step (a zero delay).
        const outputs = Chunk.toReadonlyArray(
          yield* Schedule.run(Schedule.delays(Retry.backoff(policy)), 0, Array.from({ length: retries + 3 }, () => undefined))
        ).map(Duration.toMillis)
        expect(outputs.length).toBe(retries + 1)
        expect(outputs[retries]).toBe(0)
        const delays = outputs.slice(0, retries)
        delays.forEach((delay, n) => {
          const ceiling = Math.min(max, base * 2 ** n)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay <= Math.max(0, ceiling - 1) || (ceiling === 0 && delay === 0)).toBe(true)
        })
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "Retry-After: integer seconds and HTTP dates are read, anything else ignored, never a throw",
    [fc.oneof(
      fc.integer({ min: 0, max: 9_999_999_999 }).map(String),
      fc.date({ min: new Date(0), max: new Date(4_000_000_000_000) }).map((d) => d.toUTCString()),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("-1", "1.5", "5 GMT", "", " 12 ", "0x10", "Infinity", "NaN", "1e3")
    ), fc.integer({ min: 0, max: 4_000_000_000_000 })],
    ([value, now]) => {
      const parsed = Retry.retryAfter({ "retry-after": value }, now)
      if (/^\s*\d{1,10}\s*$/.test(value)) {
        expect(parsed).toEqual(Option.some(Duration.seconds(Number(value))))
      } else if (Option.isSome(parsed)) {
        const at = Date.parse(value)
        expect(Number.isNaN(at)).toBe(false)
        expect(value).toMatch(/GMT\s*$/)
        expect(Duration.toMillis(parsed.value)).toBe(Math.max(0, at - now))
      }
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.effect.prop(
    "a 503 with Retry-After is retried after exactly that delay, unless it is over maxRetryAfter or past the deadline",
    [fc.integer({ min: 0, max: 120 }), millis(60_000), fc.integer({ min: 1, max: 200_000 })],
    ([seconds, maxRetryAfter, total]) =>
      Effect.gen(function*() {
        const client = yield* CourierClient.CourierClient
        const request = yield* client.prepare("GET", "/x", { timeouts: { total: Duration.millis(total) } })
        const error = new CourierError.BadResponse({
          request: request.info,
          status: 503,
          headers: { "retry-after": String(seconds) },
          bodyExcerpt: "",
          errorBody: Option.none()
        })
        const policy = { ...Retry.defaultPolicy, maxRetryAfter: Duration.millis(maxRetryAfter) }
        // The request was prepared at Clock time 0 (TestClock), so its deadline is `total`.
        const schedule = Retry.schedule(policy, request, undefined)
        // The schedule's output counts retries: 1 when it retries, 0 when it stops at once.
        const [retries] = Chunk.toReadonlyArray(yield* Schedule.run(schedule, 0, [error]))
        const [delay] = Chunk.toReadonlyArray(yield* Schedule.run(Schedule.delays(schedule), 0, [error])).map(Duration.toMillis)
        const wanted = seconds * 1000
        const retried = wanted <= maxRetryAfter && wanted < total
        expect(retries).toBe(retried ? 1 : 0)
        if (retried) expect(delay).toBe(wanted)
      }).pipe(Effect.provide(FetchTransport.layerClient({ baseUrl: "http://127.0.0.1:8080" }))),
    { fastCheck: { numRuns: 200 } }
  )
})
