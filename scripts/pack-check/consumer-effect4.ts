// An effect 4 service as a user of the published packages writes it: the
// preset (bearer auth with refresh, retry, logging, tracing, metrics) over
// the undici 8 transport with a total timeout, against the effect 4 test
// kit's server: a 401 answered by one refresh, a 503 answered by a retry, a
// stalled answer ended by the deadline as a typed Timeout. Type-checked with
// a strict NodeNext configuration and run by scripts/pack-check-effect4.sh in
// a project outside the workspace, on Node 22.
import { Auth, CourierClient, NodeTransport, Preset, TokenStore } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import { Effect, Layer, Schema } from "effect"

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

const program = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [
      ["GET", "/todos/1", Reply.sequence([
        Reply.status(401),
        Reply.status(503),
        Reply.json({ id: 1, title: "from the packed packages" })
      ])],
      ["POST", "/auth/refresh", Reply.json({ accessToken: "token-2", refreshToken: "refresh-2" })],
      ["GET", "/slow", Reply.stall]
    ]
  })
  const Client = Preset.layer(
    { refresh: Auth.refreshJson({ path: "/auth/refresh" }) },
    { logging: false, retry: { baseDelay: "10 millis" }, appHeaders: { appName: "pack-check", appVersion: "1.0.0" } }
  ).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: server.url, timeouts: { total: "1 second" } })),
    Layer.provide(TokenStore.layerMemory(TokenStore.tokens("token-1", "refresh-1")))
  )
  const [todo, slow] = yield* Effect.gen(function*() {
    const client = yield* CourierClient.CourierClient
    const todo = yield* client.get("/todos/{id}", { params: { id: 1 }, schema: Todo })
    const slow = yield* client.get("/slow").pipe(
      Effect.as("answered"),
      Effect.catchTag("Timeout", (error) => Effect.succeed(`Timeout(${error.phase})`))
    )
    return [todo, slow] as const
  }).pipe(Effect.provide(Client))

  const todos = yield* server.requests("/todos/1")
  const refreshes = yield* server.requests("/auth/refresh")
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${what}: ${JSON.stringify({ todo, slow, todos: todos.map((r) => r.headers), refreshes: refreshes.length })}`)
  }
  check(todo.title === "from the packed packages", "unexpected body")
  check(refreshes.length === 1, "one refresh")
  check(todos.length === 3, "the 401 replayed, the 503 retried")
  check(todos[0]?.headers["authorization"] === "Bearer token-1", "the first call carries the stored token")
  check(todos[2]?.headers["authorization"] === "Bearer token-2", "the replay carries the refreshed token")
  check(todos.every((r) => r.headers["x-app-name"] === "pack-check"), "app headers on every attempt")
  check(slow === "Timeout(total)", "the stalled call ends at its deadline")
  return todo
})

Effect.runPromise(Effect.scoped(program)).then(
  (todo) => console.log(`consumer (effect 4): ${todo.title}, one refresh, one retry, a Timeout at the deadline`),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
