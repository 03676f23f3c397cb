import { describe, expect, it } from "vitest"
import * as Telemetry from "../src/Telemetry.js"

describe("Telemetry", () => {
  it("methods and status classes form closed sets", () => {
    expect(Telemetry.methodLabel("GET")).toBe("GET")
    expect(Telemetry.methodLabel("PROPFIND")).toBe("_OTHER")
    expect([undefined, 99, 204, 404, 503, 600].map(Telemetry.statusClass)).toEqual(["none", "none", "2xx", "4xx", "5xx", "none"])
  })

  it("a span's failure carries only the tag and the closed detail, with a stack that shows no internals", () => {
    const failure = new Telemetry.SpanFailure("Network", "ConnectionRefused")
    expect(failure).toBeInstanceOf(Error)
    expect(failure.name).toBe("Network")
    expect(failure.message).toBe("Network (ConnectionRefused)")
    expect(failure.stack).toBe("Network: Network (ConnectionRefused)")
    expect(new Telemetry.SpanFailure("BadResponse", undefined).message).toBe("BadResponse")
  })
})
