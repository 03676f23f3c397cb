import { Cookies, CourierClient } from "@courier/client"
import { Reply, TestClient, TestServer } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// A jar's cookie is a credential the caller never wrote: a server that echoes
// it back in an error must not put it in the failure.

const secret = "jar-S3CRET-5f1c"

describe("the jar's cookies in failures", () => {
  it.scoped("a 500 or a 401 echoing the jar's cookie: the value is not in the failure", () =>
    Effect.gen(function*() {
      const echo = (status: number) =>
        Reply.custom((request, response) => {
          request.resume()
          response.writeHead(status, { "content-type": "text/plain" })
          response.end(`you sent ${String(request.headers["cookie"])}`)
        })
      const server = yield* TestServer.make({
        routes: [
          ["GET", "/login", Reply.json({}, { headers: { "set-cookie": `sid=${secret}` } })],
          ["GET", "/boom", echo(500)],
          ["GET", "/denied", echo(401)]
        ]
      })
      const client = yield* Effect.map(
        Layer.build(Cookies.layer().pipe(Layer.provide(TestClient.layerFor(server, {}, "node")))),
        (context) => Context.get(context, CourierClient.CourierClient)
      ).pipe(Effect.orDie)
      yield* client.get("/login")
      for (const path of ["/boom", "/denied"]) {
        const error = yield* Effect.flip(client.get(path))
        // It did reach the server.
        expect(JSON.stringify(yield* server.requests(path))).toContain(secret)
        const rendered = [String(error), error.message, JSON.stringify(error), "bodyExcerpt" in error ? error.bodyExcerpt : ""]
        for (const text of rendered) expect(text).not.toContain(secret)
      }
    }))
})
