import { CourierError } from "@courier/client"
import { Reply, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { clientOn, transports } from "./support.js"

// Responses as values: `exchange` keeps the status and headers next to the
// decoded body. Each case is checked on a real loopback server and its journal.

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const NotFound = Schema.Struct({ error: Schema.String })

describe("exchange", () => {
  for (const kind of transports) {
    it.scoped(`${kind}: status, lower-cased headers and the schema-decoded body together`, () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({
          routes: [["GET", "/posts/7", Reply.json({ id: 7, title: "seven", extra: true }, {
            headers: { "ETag": "\"v7\"", "X-Total-Count": "42" }
          })]]
        })
        const client = yield* clientOn(server, kind)
        const result = yield* client.exchange("GET", "/posts/{id}", { params: { id: 7 }, schema: Post })
        expect(result.status).toBe(200)
        expect(result.body).toEqual({ id: 7, title: "seven" })
        expect(result.headers["etag"]).toBe("\"v7\"")
        expect(result.headers["x-total-count"]).toBe("42")
        expect((yield* server.requests("/posts/7")).length).toBe(1)
      }))
  }

  it.scoped("decodes as responseType says without a schema, and fails as the other calls do", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/text", Reply.text("hello", { status: 201 })],
          ["GET", "/missing", Reply.json({ error: "no such post" }, { status: 404 })],
          ["GET", "/wrong", Reply.json({ id: "seven" })]
        ]
      })
      const client = yield* clientOn(server, "node")
      expect(yield* client.exchange("POST", "/text", { responseType: "text" }).pipe(Effect.flip)).toBeInstanceOf(
        CourierError.BadResponse
      )
      const text = yield* client.exchange("GET", "/text", { responseType: "text" })
      expect([text.status, text.body]).toEqual([201, "hello"])
      const missing = yield* Effect.flip(client.exchange("GET", "/missing", { schema: Post, errorSchema: NotFound }))
      expect(missing).toMatchObject({ _tag: "BadResponse", status: 404, errorBody: { _tag: "Some", value: { error: "no such post" } } })
      const wrong = yield* Effect.flip(client.exchange("GET", "/wrong", { schema: Post }))
      expect(wrong).toMatchObject({ _tag: "Parse", reason: "SchemaMismatch", status: 200 })
    }))
})
