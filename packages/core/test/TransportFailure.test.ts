import { describe, expect, it } from "vitest"
import * as TransportFailure from "../src/TransportFailure.js"

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })
/** As fetch reports it: a TypeError whose cause is the real error. */
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause })

describe("TransportFailure.classify", () => {
  it("reads node and undici codes, through fetch's wrapper", () => {
    const cases: ReadonlyArray<readonly [string, TransportFailure.NetworkReason]> = [
      ["ECONNREFUSED", "ConnectionRefused"],
      ["ECONNRESET", "ConnectionReset"],
      ["UND_ERR_SOCKET", "ConnectionReset"],
      ["ENOTFOUND", "DnsLookup"],
      ["ENETUNREACH", "Unreachable"],
      ["UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "IncompleteBody"],
      ["HPE_INVALID_CHUNK_SIZE", "Protocol"],
      ["UND_ERR_HEADERS_OVERFLOW", "Protocol"],
      ["DEPTH_ZERO_SELF_SIGNED_CERT", "Tls"],
      ["ERR_TLS_CERT_ALTNAME_INVALID", "Tls"],
      ["EWHATEVER", "Unknown"]
    ]
    for (const [code, reason] of cases) {
      expect(TransportFailure.classify(fetchFailed(withCode("x", code))), code).toEqual({ _tag: "Network", reason, code })
    }
  })

  it("reads what has no code by its messages or its name", () => {
    expect(TransportFailure.classify(fetchFailed(new Error("other side closed")))).toMatchObject({ reason: "ConnectionReset" })
    expect(TransportFailure.classify(new TypeError("fetch failed", { cause: new Error("too many content-encodings") })))
      .toMatchObject({ reason: "Protocol" })
    const parser = Object.assign(new Error("Invalid status code"), { name: "HTTPParserError" })
    expect(TransportFailure.classify(parser)).toMatchObject({ reason: "Protocol", code: undefined })
    expect(TransportFailure.classify("a string")).toEqual({ _tag: "Network", reason: "Unknown", code: undefined })
  })

  it("the marker errors win over what wraps them", () => {
    const source = new Error("disk gone")
    expect(TransportFailure.classify(fetchFailed(new TransportFailure.BodySourceFailure(source))))
      .toEqual({ _tag: "RequestBody", cause: source })
    expect(TransportFailure.classify(fetchFailed(new TransportFailure.ContentDecodingFailure(withCode("bad gzip", "Z_DATA_ERROR")))))
      .toEqual({ _tag: "ContentDecoding", code: "Z_DATA_ERROR" })
    expect(TransportFailure.classify(withCode("slow", "UND_ERR_CONNECT_TIMEOUT"))).toEqual({ _tag: "ConnectTimeout" })
    expect(TransportFailure.classify(new TransportFailure.ProxyFailure("http://proxy.test:3128", undefined, withCode("x", "ECONNREFUSED"))))
      .toEqual({ _tag: "Proxy", proxy: "http://proxy.test:3128", status: undefined, code: "ECONNREFUSED" })
    expect(TransportFailure.classify(new TransportFailure.ProxyFailure("http://proxy.test:3128", 407, undefined)))
      .toEqual({ _tag: "Proxy", proxy: "http://proxy.test:3128", status: 407, code: undefined })
  })

  it("stops on a cause that is itself, and after a bounded depth", () => {
    const loop: { cause?: unknown; code: string } = { code: "ECONNRESET" }
    loop.cause = loop
    expect(TransportFailure.classify(loop)).toMatchObject({ reason: "ConnectionReset" })
    let deep: unknown = withCode("deep", "ECONNREFUSED")
    for (let i = 0; i < 20; i++) deep = new Error(`level ${i}`, { cause: deep })
    expect(TransportFailure.classify(deep)).toMatchObject({ reason: "Unknown" })
  })

  it("in the body, a connection that ends is a body cut short; other reasons stay", () => {
    expect(TransportFailure.inBody("ConnectionReset")).toBe("IncompleteBody")
    expect(TransportFailure.inBody("Protocol")).toBe("Protocol")
    expect(TransportFailure.inBody("IncompleteBody")).toBe("IncompleteBody")
  })
})
