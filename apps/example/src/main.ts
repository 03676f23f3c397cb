/**
 * The README's example: a program that depends only on the client service,
 * run against a loopback server embedded in this process. No internet.
 */
import { CourierClient } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { Reply, TestServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

class Post extends Schema.Class<Post>("Post")({ id: Schema.Number, userId: Schema.Number, title: Schema.String }) {}
const Posts = Schema.Array(Post)

// Program code: one client service, typed failures, no status codes.
const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  const posts = yield* client.get("/posts", { query: { userId: 1 }, schema: Posts })
  yield* Console.log(`user 1 wrote ${posts.length} posts: ${posts.map((p) => p.title).join(", ")}`)

  const missing = yield* client.get("/posts/{id}", { params: { id: 999 }, schema: Post }).pipe(
    Effect.map((post) => post.title),
    Effect.catchTag("BadResponse", (e) => Effect.succeed(`no post 999 (status ${e.status})`))
  )
  yield* Console.log(missing)

  const broken = yield* client.get("/broken", { schema: Posts }).pipe(
    Effect.as("decoded"),
    Effect.catchTag("Parse", (e) => Effect.succeed(`Parse failure (${e.reason}): ${e.bodyExcerpt.slice(0, 30)}`))
  )
  yield* Console.log(broken)

  const slow = yield* client.get("/slow", { timeouts: { receive: "300 millis" } }).pipe(
    Effect.as("answered"),
    Effect.catchTag("Timeout", (e) => Effect.succeed(`Timeout in the ${e.phase} phase, as configured`))
  )
  yield* Console.log(slow)
})

// The embedded server stands in for a real API.
const seeded = [
  { id: 1, userId: 1, title: "Hello Courier" },
  { id: 2, userId: 1, title: "Typed failures" },
  { id: 3, userId: 2, title: "Someone else's" }
]
const Server = Layer.scoped(
  TestServer.TestServer,
  TestServer.make({
    routes: [
      ["GET", "/api/posts", Reply.json(seeded.filter((p) => p.userId === 1))],
      ["GET", "/api/posts/999", Reply.json({ error: "not found" }, { status: 404 })],
      ["GET", "/api/broken", Reply.text("<html>502 Bad Gateway</html>", { headers: { "content-type": "text/html" } })],
      ["GET", "/api/slow", Reply.stall]
    ]
  })
)

// Wiring: the client Layer, configured once, pointed at the server.
const Client = Layer.unwrapEffect(
  Effect.map(TestServer.TestServer, (server) => NodeTransport.layerClient({ baseUrl: `${server.url}/api` }))
)

program.pipe(
  Effect.provide(Client.pipe(Layer.provide(Server))),
  NodeRuntime.runMain
)
