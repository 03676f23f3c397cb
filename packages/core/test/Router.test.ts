import { describe, expect, it } from "vitest"
import * as Router from "../src/Router.js"

const make = (headServedByGet: boolean) => {
  const router = new Router.Router<string>({ headServedByGet })
  router.add("*", "*", "catch-all")
  router.add("get", "/a/*", "get a/*")
  router.add("*", "/a/b/*", "any a/b/*")
  router.add("GET", "/a/b/c", "get a/b/c")
  router.add("*", "/a/b/c", "any a/b/c")
  return router
}

describe("Router", () => {
  it("the most specific route wins: exact path, then the longer prefix, then a named method", () => {
    const router = make(true)
    expect(router.match("GET", "/a/b/c")).toBe("get a/b/c")
    expect(router.match("POST", "/a/b/c")).toBe("any a/b/c")
    expect(router.match("GET", "/a/b/d")).toBe("any a/b/*")
    expect(router.match("GET", "/a/x")).toBe("get a/*")
    expect(router.match("POST", "/a/x")).toBe("catch-all")
    expect(new Router.Router<string>({ headServedByGet: true }).match("GET", "/")).toBeUndefined()
  })

  it("a GET route serves HEAD only when asked to, and below a HEAD route", () => {
    expect(make(true).match("HEAD", "/a/x")).toBe("get a/*")
    expect(make(false).match("HEAD", "/a/x")).toBe("catch-all")
    const router = make(true)
    router.add("HEAD", "/a/x", "head a/x")
    expect(router.match("HEAD", "/a/x")).toBe("head a/x")
  })

  it("registering the same method and path again replaces the route", () => {
    const router = make(true)
    router.add("GET", "/a/b/c", "replaced")
    expect(router.match("GET", "/a/b/c")).toBe("replaced")
  })
})
