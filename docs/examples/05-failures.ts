/**
 * Handling failures with `Effect.catchTag`: the seven Courier failures of
 * any call (the three of the resilience Layers are in guide 16), provoked
 * against the demo API, with what each carries and what a user should be
 * shown. Run it with `pnpm docs:example 05`.
 */
import { CourierClient, CourierError } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import { TestServer } from "@courier/testing"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

const Post = Schema.Struct({ id: Schema.Number, title: Schema.String })
const NotFound = Schema.Struct({ error: Schema.String })

// What to show a person: short, actionable, never a token, never a stack.
// The switch is exhaustive: a new failure tag would not compile.
const forUser = (error: CourierError.CourierError): string => {
  switch (error._tag) {
    case "Timeout":
      return error.phase === "connect" ? "The server cannot be reached right now." : "The server is taking too long. Try again."
    case "Unauthorized":
      return "Your session has ended. Please sign in again."
    case "BadResponse":
      return error.status === 404 ? "Not found." : error.status >= 500 ? "The service has a problem. Try again later." : "The request was not accepted."
    case "Parse":
      return "The service answered something unexpected." // a bug or a proxy page: log it, alert
    case "Network":
      return "No connection to the service. Check your network."
    case "RequestRefused":
      return "This request cannot be sent." // a bug in the program: log it
    case "LimitExceeded":
      return "The answer is too large."
    case "CircuitOpen":
    case "RateLimited":
    case "BulkheadFull":
      return "The service is busy. Try again later." // only with the resilience Layers (guide 16)
  }
}

// What to log: the tag, the fields that explain it, and `message` (safe: the
// URL's query values and credentials are redacted).
const forLog = (error: CourierError.CourierError): string => {
  switch (error._tag) {
    case "Timeout":
      return `phase=${error.phase}`
    case "Unauthorized":
      return `status=${error.status}`
    case "BadResponse":
      return `status=${error.status} excerpt=${error.bodyExcerpt.slice(0, 40)}`
    case "Parse":
      return `reason=${error.reason} issues=${error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`
    case "Network":
      return `reason=${error.reason} code=${error.code} nothingSent=${error.nothingSent}`
    case "RequestRefused":
      return `reason=${error.reason} detail=${error.detail}`
    case "LimitExceeded":
      return `reason=${error.reason} limit=${error.limit}`
    case "CircuitOpen":
    case "RateLimited":
      return `key=${error.key} retryAfter=${Duration.format(error.retryAfter)}`
    case "BulkheadFull":
      return `key=${error.key} maxConcurrent=${error.maxConcurrent} maxQueue=${error.maxQueue}`
  }
}

const show = (call: Effect.Effect<unknown, CourierError.CourierError>) =>
  call.pipe(
    Effect.flatMap(() => Console.log("ok")),
    Effect.catchAll((error) =>
      Console.log(`${error._tag.padEnd(15)} ${forLog(error)}\n${"".padEnd(15)} user sees: ${forUser(error)}`)
    )
  )

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient

  yield* show(client.get("/fault/stall", { timeouts: { receive: "200 millis" } })) // Timeout
  yield* show(client.get("/me")) // Unauthorized: no token
  yield* show(client.get("/posts/{id}", { params: { id: 9999 }, schema: Post })) // BadResponse 404
  yield* show(client.get("/fault/html", { schema: Post })) // Parse: InvalidJson (a proxy's HTML page)
  yield* show(client.get("/users/{id}", { params: { id: 1 }, schema: Post })) // Parse: SchemaMismatch, with the path
  yield* show(client.get("/posts/{id}", { params: { id: ".." } })) // RequestRefused: a parameter that would leave its segment
  yield* show(client.get("https://elsewhere.example/steal")) // RequestRefused: escapes the base URL
  yield* show(client.get("/files/{size}", { params: { size: 100_000 }, maxResponseBytes: 10_000, responseType: "bytes" })) // LimitExceeded

  // Network: a port with nothing listening (a server started and stopped).
  const closed = yield* Effect.scoped(Effect.map(TestServer.make(), (server) => server.url))
  yield* show(
    Effect.flatMap(CourierClient.CourierClient, (other) => other.get("/")).pipe(
      Effect.provide(NodeTransport.layerClient({ baseUrl: closed }).pipe(Layer.orDie)) // a bad config is a bug here
    )
  )

  // Handling one tag and letting the others through: the type says what is left.
  const post = yield* client.get("/posts/{id}", { params: { id: 9999 }, schema: Post, errorSchema: NotFound }).pipe(
    Effect.map(Option.some),
    Effect.catchTag("BadResponse", (e) => e.status === 404 ? Effect.succeed(Option.none()) : Effect.fail(e))
  ) // Effect<Option<Post>, Timeout | Unauthorized | BadResponse<{ error: string }> | Parse | Network | RequestRefused | LimitExceeded | CircuitOpen | RateLimited | BulkheadFull>
  yield* Console.log(`post 9999: ${Option.isNone(post) ? "none" : "found"}`)

  // Several at once with catchTags; the rest still typed.
  const text = yield* client.get("/fault/status/{code}", { params: { code: 503 }, responseType: "text" }).pipe(
    Effect.catchTags({
      Timeout: () => Effect.succeed("timed out"),
      BadResponse: (e) => Effect.succeed(`status ${e.status}`)
    })
  )
  yield* Console.log(`503 handled: ${text}`)
})

// ── Wiring: the demo API on a free 127.0.0.1 port, and a client pointed at it.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) => NodeTransport.layerClient({ baseUrl: api.url }))
)

program.pipe(Effect.provide(Client.pipe(Layer.provide(DemoApi.layer()))), NodeRuntime.runMain)
