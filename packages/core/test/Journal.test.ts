import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import * as Journal from "../src/Journal.js"

describe("Journal", () => {
  it("records the head and the body as the server reads it, from a real request", async () => {
    const journal = new Journal.Journal()
    const server = Http.createServer((request, response) => {
      journal.open(request, 1)
      request.setEncoding("utf8")
      request.on("data", () => {})
      request.on("end", () => response.end("ok"))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const { port } = server.address() as AddressInfo
      const answer = await fetch(`http://127.0.0.1:${port}/items?id=1`, {
        method: "POST",
        headers: { "x-test": "a" },
        body: "héllo"
      })
      expect(await answer.text()).toBe("ok")
      const [entry] = journal.snapshot()
      expect(entry).toMatchObject({ method: "POST", path: "/items?id=1", connection: 1, bodyText: "héllo", bodyComplete: true })
      expect(entry!.headers["x-test"]).toBe("a")
      expect(entry!.rawHeaders).toContain("x-test")
      journal.clear()
      expect(journal.snapshot()).toEqual([])
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it("matches targets by pathname, or by path and query when the test names a query", () => {
    expect(Journal.pathnameOf("/a/b?c=1#f")).toBe("/a/b")
    expect(Journal.pathnameOf("http://h.test/a?c=1")).toBe("/a")
    expect(Journal.pathnameOf("*")).toBe("*")
    expect(Journal.matchesPath("/todos?userId=1", "/todos")).toBe(true)
    expect(Journal.matchesPath("/todos?userId=1", "/todos?userId=1")).toBe(true)
    expect(Journal.matchesPath("/todos?userId=2", "/todos?userId=1")).toBe(false)
    expect(Journal.matchesPath("http://h.test/todos?userId=1#x", "/todos?userId=1")).toBe(true)
  })
})
