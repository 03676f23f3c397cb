import { describe, expect, it } from "vitest"
import * as BlackholeServer from "../../src/testkit/BlackholeServer.js"
import { closing, connectOutcome, rejection } from "./helpers.js"

describe("testkit BlackholeServer", () => {
  it("a connect to it neither completes nor fails", async () => {
    const blackhole = await closing(BlackholeServer.start())
    expect(blackhole.url).toBe(`http://127.0.0.1:${blackhole.port}`)
    expect(await connectOutcome(blackhole.port, 500)).toBe("pending")
  })

  it("fetch to it does not get an answer before the client gives up", async () => {
    const blackhole = await closing(BlackholeServer.start())
    const error = await rejection(fetch(`${blackhole.url}/`, { signal: AbortSignal.timeout(300) }))
    expect((error as Error).name).toBe("TimeoutError")
  })

  it("close() releases the port", async () => {
    const blackhole = await BlackholeServer.start()
    await blackhole.close()
    // The listener is gone: the kernel refuses at once instead of dropping the SYN.
    expect(await connectOutcome(blackhole.port, 1_000)).toBe("ECONNREFUSED")
  })
})
