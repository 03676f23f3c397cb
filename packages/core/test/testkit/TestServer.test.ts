import * as Http from "node:http"
import * as Net from "node:net"
import { describe, expect, it } from "vitest"
import * as Fault from "../../src/testkit/Fault.js"
import * as FaultServer from "../../src/testkit/FaultServer.js"
import * as Reply from "../../src/testkit/Reply.js"
import * as TestServer from "../../src/testkit/TestServer.js"

// The engine without an Effect kit around it: Promises to start and close,
// waits as callbacks with a cancel.

/** A GET through node:http without a pool; resolves with the status or the error code. */
const get = (url: string): Promise<number | string> =>
  new Promise((resolve) => {
    const request = Http.get(url, { agent: false }, (response) => {
      response.resume()
      response.on("end", () => resolve(response.statusCode ?? 0))
      response.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    })
    request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })

const connectOutcome = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    socket.on("connect", () => {
      socket.destroy()
      resolve("connected")
    })
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"))
  })

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(condition()).toBe(true)
}

describe("testkit TestServer", () => {
  it("serves its routes and journals, and close() ends stalled and dripping exchanges and the listener", async () => {
    const server = await TestServer.start({
      routes: [
        ["GET", "/ok", Reply.text("ok")],
        ["GET", "/stall", Reply.stall],
        ["GET", "/drip", Reply.drip({ chunk: "x", intervalMillis: 60_000, count: 2 })]
      ]
    })
    expect(await get(`${server.url}/ok`)).toBe(200)
    expect(server.requests("/ok")).toHaveLength(1)
    const stalled = get(`${server.url}/stall`)
    const dripping = get(`${server.url}/drip`)
    await until(() => server.inFlight() === 2)
    const settled: Array<boolean> = []
    server.whenNoRequestsInFlight(60_000, (done) => settled.push(done))
    await server.close()
    expect(await stalled).toBe("ECONNRESET")
    expect(await dripping).toBe("ECONNRESET")
    // The pending wait settled when the exchanges ended, not after its minute.
    expect(settled).toEqual([true])
    expect(server.openConnections()).toBe(0)
    expect(await connectOutcome(server.port)).toBe("ECONNREFUSED")
  })

  it("waits: a Promise with a timeout, and a callback that a cancel silences", async () => {
    const server = await TestServer.start({ routes: [["GET", "/stall", Reply.stall]] })
    try {
      expect(await server.awaitNoRequestsInFlight()).toBe(true)
      const request = Http.get(`${server.url}/stall`, { agent: false })
      request.on("error", () => {})
      await until(() => server.inFlight() === 1)
      expect(await server.awaitNoRequestsInFlight(50)).toBe(false)
      const called: Array<boolean> = []
      const cancel = server.whenNoRequestsInFlight(60_000, (settled) => called.push(settled))
      cancel()
      const waited = server.awaitNoConnections(5_000)
      request.destroy()
      expect(await waited).toBe(true)
      expect(server.inFlight()).toBe(0)
      expect(called).toEqual([])
    } finally {
      await server.close()
    }
  })
})

describe("testkit FaultServer", () => {
  it("answers its faults, and close() ends a stalled exchange and the listener", async () => {
    const server = await FaultServer.start({
      routes: [["GET", "/ok", Fault.json({ ok: true })], ["GET", "/stall", Fault.stallHeaders]]
    })
    expect(await get(`${server.url}/ok`)).toBe(200)
    const stalled = get(`${server.url}/stall`)
    await until(() => server.inFlight() === 1)
    await server.close()
    expect(await stalled).toBe("ECONNRESET")
    expect(server.journal().map((entry) => entry.path)).toEqual(["/ok", "/stall"])
    expect(await connectOutcome(server.port)).toBe("ECONNREFUSED")
  })
})
