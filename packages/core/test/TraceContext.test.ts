import { describe, expect, it } from "vitest"
import * as TraceContext from "../src/TraceContext.js"

const ids = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true }

describe("TraceContext", () => {
  it("writes traceparent and b3, the parent span in b3", () => {
    expect(TraceContext.headersFor({}, { ...ids, parentSpanId: "00f067aa0ba902b7" })).toEqual({
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      b3: "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1-00f067aa0ba902b7"
    })
  })

  it("leaves a header the request sets alone, and ids that are not W3C ids", () => {
    expect(TraceContext.headersFor({ traceparent: "mine" }, ids)).toEqual({
      b3: "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"
    })
    expect(TraceContext.headersFor({ traceparent: "mine", b3: "mine" }, ids)).toBeUndefined()
    expect(TraceContext.headersFor({}, { ...ids, traceId: "not-hex" })).toBeUndefined()
  })
})
