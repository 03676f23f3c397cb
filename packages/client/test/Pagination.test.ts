import { CourierClient, Pagination, Retry } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { clientOn, transports } from "./support.js"

// Paged collections as a Stream, proven on the wire: the journal says which
// pages were requested, in which order, and that no page was fetched that
// the stream did not need.

const Item = Schema.Struct({ id: Schema.Number })
const Items = Schema.Array(Item)
const Feed = Schema.Struct({ items: Items, cursor: Schema.NullOr(Schema.String) })

const page = (ids: ReadonlyArray<number>, link?: string) =>
  Reply.json(ids.map((id) => ({ id })), link === undefined ? {} : { headers: { link } })

const idsOf = (items: Chunk.Chunk<{ readonly id: number }>) => Chunk.toReadonlyArray(items).map((item) => item.id)

/** Pages of a cursor API: `?cursor=n` answers items n*10+1, n*10+2 and the next cursor, up to cursor 2. */
const cursorFeed = Reply.custom((request, response) => {
  request.resume()
  const cursor = Number(new URL(request.url ?? "/", "http://x").searchParams.get("cursor") ?? "0")
  const body = JSON.stringify({ items: [{ id: cursor * 10 + 1 }, { id: cursor * 10 + 2 }], cursor: cursor < 2 ? String(cursor + 1) : null })
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  response.end(body)
})

/** Every page links to itself plus one: an endless chain. */
const endless = Reply.custom((request, response) => {
  request.resume()
  const n = Number(new URL(request.url ?? "/", "http://x").searchParams.get("n") ?? "1")
  const body = JSON.stringify([{ id: n }])
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "link": `</endless?n=${n + 1}>; rel="next"`
  })
  response.end(body)
})

describe("paginate", () => {
  it.scoped("follows Link rel=next, resolving relative targets against the page URL, in order", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/api/p1", page([1, 2], "<p2?size=2>; rel=\"next\"")],
          ["GET", "/api/p2", page([3, 4], "</api/p1>; rel=\"first\", <http://ignored.invalid/x>; rel=\"prev\", </api/p3?a=%7B1%7D>; rel=\"last next\"")],
          ["GET", "/api/p3", page([5], "</api/p1>; rel=\"first\"")]
        ]
      })
      const client = yield* clientOn(server, "node", { baseUrl: `${server.url}/api` })
      const items = yield* Stream.runCollect(client.paginate("/p1", { query: { size: 2 }, schema: Items }))
      expect(idsOf(items)).toEqual([1, 2, 3, 4, 5])
      expect((yield* server.journal).map((entry) => entry.path)).toEqual(["/api/p1?size=2", "/api/p2?size=2", "/api/p3?a=%7B1%7D"])
    }))

  for (const kind of transports) {
    it.scoped(`${kind}: a relative link resolves against the URL after redirects; several Link fields are all read`, () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [
            ["GET", "/old/list", Reply.redirect(301, "/v2/list")],
            ["GET", "/v2/list", Reply.json([{ id: 1 }], { headers: { link: ["<list>; rel=\"first\"", "<list2>; rel=\"next\""] } })],
            ["GET", "/v2/list2", page([2])]
          ]
        })
        const client = yield* clientOn(server, kind)
        const items = yield* Stream.runCollect(client.paginate("/old/list", { schema: Items }))
        expect(idsOf(items)).toEqual([1, 2])
        expect((yield* server.journal).map((entry) => entry.path)).toEqual(["/old/list", "/v2/list", "/v2/list2"])
      }))
  }

  it.scoped("a cursor `next` replaces the query; each page is decoded by the schema and `items` picks the items", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/feed", cursorFeed]] })
      const client = yield* clientOn(server, "node")
      const items = yield* Stream.runCollect(client.paginate("/feed", {
        query: { limit: 2 },
        headers: { "x-app": "demo" },
        schema: Feed,
        items: (page) => page.body.items,
        next: (page) => Option.map(Option.fromNullable(page.body.cursor), (cursor) => ({ query: { limit: 2, cursor } }))
      }))
      expect(idsOf(items)).toEqual([1, 2, 11, 12, 21, 22])
      const journal = yield* server.journal
      expect(journal.map((entry) => entry.path)).toEqual(["/feed?limit=2", "/feed?limit=2&cursor=1", "/feed?limit=2&cursor=2"])
      expect(journal.every((entry) => entry.method === "GET" && entry.headers["x-app"] === "demo")).toBe(true)
    }))

  it.scoped("maxItems ends the stream and no further page is requested; so does taking fewer items", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/endless", endless]] })
      const client = yield* clientOn(server, "node")
      const capped = yield* Stream.runCollect(client.paginate("/endless", { schema: Items, maxItems: 3 }))
      expect(idsOf(capped)).toEqual([1, 2, 3])
      expect((yield* server.requests("/endless")).length).toBe(3)
      yield* server.clearJournal
      const taken = yield* Stream.runCollect(Stream.take(client.paginate("/endless", { schema: Items }), 2))
      expect(idsOf(taken)).toEqual([1, 2])
      expect((yield* server.requests("/endless")).length).toBe(2)
    }))

  it.scoped("past maxPages the stream fails with LimitExceeded(TooManyPages), after the items it fetched", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ routes: [["GET", "/endless", endless]] })
      const client = yield* clientOn(server, "node")
      const seen: Array<number> = []
      const error = yield* client.paginate("/endless", { schema: Items, maxPages: 4 }).pipe(
        Stream.runForEach((item) => Effect.sync(() => seen.push(item.id))),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "LimitExceeded", reason: "TooManyPages", limit: 4 })
      expect(error.message).toContain("more than 4 pages")
      expect(seen).toEqual([1, 2, 3, 4])
      expect((yield* server.requests("/endless")).length).toBe(4)
    }))

  it.scoped("a next link to another origin is refused like any call, before any byte reaches it", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make({ routes: [["GET", "/steal", page([99])]] })
      const server = yield* TestServer.make({
        routes: [["GET", "/posts", page([1], `<${other.url}/steal>; rel="next"`)]]
      })
      const client = yield* clientOn(server, "node")
      const seen: Array<number> = []
      const error = yield* client.paginate("/posts", { schema: Items, headers: { authorization: "Bearer T" } }).pipe(
        Stream.runForEach((item) => Effect.sync(() => seen.push(item.id))),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "RequestRefused", reason: "EscapesBaseUrl" })
      expect(seen).toEqual([1])
      expect((yield* other.journal).length).toBe(0)
    }))

  it.scoped("a page that does not match the schema fails the stream with Parse; a 404 page with BadResponse", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/a", page([1], "</b>; rel=\"next\"")],
          ["GET", "/b", Reply.json([{ id: "two" }], { headers: { link: "</c>; rel=\"next\"" } })],
          ["GET", "/x", page([1], "</gone>; rel=\"next\"")]
        ]
      })
      const client = yield* clientOn(server, "node")
      const parse = yield* Effect.flip(Stream.runCollect(client.paginate("/a", { schema: Items })))
      expect(parse).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch" })
      const missing = yield* Effect.flip(Stream.runCollect(client.paginate("/x", { schema: Items })))
      expect(missing).toMatchObject({ _tag: "BadResponse", status: 404 })
      expect((yield* server.requests("/c")).length).toBe(0)
    }))

  it.scoped("each page goes through the client's Layers: a 503 page is retried by Retry", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/p1", page([1], "</p2>; rel=\"next\"")],
          ["GET", "/p2", Reply.sequence([Reply.status(503), page([2])])]
        ]
      })
      const context = yield* Layer.build(
        Retry.layer({ baseDelay: 0 }).pipe(Layer.provide(TestClient.layerFor(server, {}, "node")))
      ).pipe(Effect.orDie)
      const client = Context.get(context, CourierClient.CourierClient)
      const items = yield* Stream.runCollect(client.paginate("/p1", { schema: Items }))
      expect(idsOf(items)).toEqual([1, 2])
      expect((yield* server.journal).map((entry) => entry.path)).toEqual(["/p1", "/p2", "/p2"])
    }))
})

describe("parseLinkHeader", () => {
  it("reads targets and parameters per RFC 8288, commas inside <> and quotes included", () => {
    expect(Pagination.parseLinkHeader(
      "<https://x.test/a?b=1,2>; rel=\"next\"; title=\"a, b; c\", <../up>;REL=prev;rel=ignored , junk, <y>"
    )).toEqual([
      { target: "https://x.test/a?b=1,2", params: { rel: "next", title: "a, b; c" } },
      { target: "../up", params: { rel: "prev" } },
      { target: "y", params: {} }
    ])
    expect(Pagination.parseLinkHeader("")).toEqual([])
    expect(Pagination.parseLinkHeader("<unterminated; rel=next")).toEqual([])
    expect(Pagination.parseLinkHeader("<a>; title=\"esc\\\"aped\"; rel=NEXT")).toEqual([
      { target: "a", params: { title: "esc\"aped", rel: "NEXT" } }
    ])
  })

  it("nextFromLink picks rel=next among several relation types, case-insensitively", () => {
    const at = (link: string | undefined) =>
      Pagination.nextFromLink({
        status: 200,
        headers: link === undefined ? {} : { link },
        body: null,
        url: new URL("https://api.test/v1/posts?page=1")
      })
    expect(at("<?page=2>; rel=\"Last NEXT\"")).toEqual(Option.some({ url: "https://api.test/v1/posts?page=2" }))
    expect(at("<https://api.test/v1/posts?page=1>; rel=prev")).toEqual(Option.none())
    expect(at(undefined)).toEqual(Option.none())
  })
})
