import { describe, expect, it } from "vitest"
import * as Telemetry from "../src/Telemetry.js"

describe("Telemetry", () => {
  it("methods and status classes form closed sets", () => {
    expect(Telemetry.methodLabel("GET")).toBe("GET")
    expect(Telemetry.methodLabel("PROPFIND")).toBe("_OTHER")
    expect([undefined, 99, 204, 404, 503, 600].map(Telemetry.statusClass)).toEqual(["none", "none", "2xx", "4xx", "5xx", "none"])
  })
})
