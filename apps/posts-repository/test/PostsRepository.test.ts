import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { PostsRepository, layer as repositoryLayer } from "../src/PostsRepository.js"

// The library's own tests: a real loopback server scripted per route, the
// repository's Layer over a client pointed at it. No mock of the client.
const posts = [
  { id: 1, userId: 7, title: "first", body: "..." },
  { id: 2, userId: 7, title: "second", body: "..." }
]

const Env = repositoryLayer.pipe(
  Layer.provideMerge(
    TestClient.layer({
      routes: [
        ["GET", "/posts", Reply.json(posts)],
        ["GET", "/posts/1", Reply.json(posts[0])],
        ["GET", "/posts/404", Reply.json({ error: "not found" }, { status: 404 })],
        ["GET", "/posts/500", Reply.status(500)],
        ["POST", "/posts", Reply.json({ id: 101, userId: 7, title: "new", body: "b" }, { status: 201 })]
      ]
    })
  )
)

layer(Env)("PostsRepository", (it) => {
  it.effect("lists a user's posts, asking with the right query", () =>
    Effect.gen(function*() {
      const repository = yield* PostsRepository
      const result = yield* repository.byUser(7)
      expect(result.map((p) => p.title)).toEqual(["first", "second"])
      const server = yield* TestServer.TestServer
      const [entry] = yield* server.requests("/posts")
      expect(entry.path).toBe("/posts?userId=7")
    }))

  it.effect("a 404 is None, a 500 is PostsUnavailable", () =>
    Effect.gen(function*() {
      const repository = yield* PostsRepository
      expect(Option.map(yield* repository.find(1), (p) => p.title)).toEqual(Option.some("first"))
      expect(yield* repository.find(404)).toEqual(Option.none())
      const failure = yield* Effect.flip(repository.find(500))
      expect(failure._tag).toBe("PostsUnavailable")
      expect(failure.cause).toMatchObject({ _tag: "BadResponse", status: 500 })
    }))

  it.effect("creates a post with a JSON body", () =>
    Effect.gen(function*() {
      const repository = yield* PostsRepository
      const created = yield* repository.create({ userId: 7, title: "new", body: "b" })
      expect(created.id).toBe(101)
      const server = yield* TestServer.TestServer
      const [entry] = (yield* server.requests("/posts")).filter((e) => e.method === "POST")
      expect(JSON.parse(entry.bodyText)).toEqual({ userId: 7, title: "new", body: "b" })
      expect(entry.headers["content-type"]).toBe("application/json")
    }))
})

describe("PostsRepository without a server", () => {
  it("is only a Layer over the client service", () => {
    expect(Layer.isLayer(repositoryLayer)).toBe(true)
  })
})
