import { describe, expect, it } from "vitest"
import * as Fault from "../../src/testkit/Fault.js"
import * as FaultServer from "../../src/testkit/FaultServer.js"
import * as Reply from "../../src/testkit/Reply.js"
import * as TestServer from "../../src/testkit/TestServer.js"
import type * as Loopback from "../../src/testkit/Loopback.js"
import { closing, eventually, keepAliveAgent, raw, rejection } from "./helpers.js"

// What the waits mean with a client whose pool keeps a keep-alive socket
// open after a successful call (a node:http Agent here), on both servers.

/** What both servers share, which is all these tests use. */
interface Server extends Loopback.Waits {
  readonly url: string
  readonly inFlight: () => number
  readonly requests: TestServer.TestServer["requests"]
  readonly close: () => Promise<void>
}

const servers: ReadonlyArray<readonly [string, () => Promise<Server>]> = [
  ["TestServer", () => TestServer.start({ routes: [["GET", "/todos", Reply.json([])], ["GET", "/stall", Reply.stall]] })],
  ["FaultServer", () =>
    FaultServer.start({ routes: [["GET", "/todos", Fault.json([])], ["GET", "/stall", Fault.stallHeaders]] })]
]

describe.each(servers)("testkit %s waits", (_name, start) => {
  it("after a successful call: no request in flight, but the pooled socket is still open", async () => {
    const server = await closing(start())
    const agent = keepAliveAgent()
    expect((await raw(`${server.url}/todos`, { agent })).status).toBe(200)
    expect(await server.awaitNoRequestsInFlight(2_000)).toBe(true)
    expect(server.inFlight()).toBe(0)
    expect(await server.awaitNoConnections(100)).toBe(false)
    // The agent is destroyed: its pool closed the socket.
    agent.destroy()
    expect(await server.awaitNoConnections(2_000)).toBe(true)
  })

  it("a stalled answer is in flight until the call gives up", async () => {
    const server = await closing(start())
    const abort = new AbortController()
    const call = rejection(raw(`${server.url}/stall`, { signal: abort.signal }))
    await eventually(server.inFlight, (n) => n === 1)
    expect(await server.awaitNoRequestsInFlight(100)).toBe(false)
    abort.abort()
    await call
    expect(await server.awaitNoRequestsInFlight(2_000)).toBe(true)
  })

  it("requests(path) matches the pathname, or the path and query when it has one", async () => {
    const server = await closing(start())
    await raw(`${server.url}/todos?userId=1`)
    await raw(`${server.url}/todos?userId=2`)
    expect(server.requests("/todos")).toHaveLength(2)
    const [first] = server.requests("/todos?userId=1")
    expect(first?.path).toBe("/todos?userId=1")
    expect(server.requests("/todos?userId=1")).toHaveLength(1)
    expect(server.requests("/todos?userId=3")).toHaveLength(0)
  })
})
