/**
 * A cookie jar: a session cookie set on a redirect reaches the next hop and
 * the next calls; a file jar keeps it between runs of a CLI.
 * Run it with `pnpm docs:example 17-cookies`.
 */
import { Cookies, CourierClient, Preset } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const Session = Schema.Struct({ session: Schema.Boolean, visits: Schema.optional(Schema.Number) })

// `POST /session/start` answers 302 to `/session` with a Set-Cookie;
// `/session` knows the visitor only by that cookie.
const signIn = Effect.flatMap(CourierClient.CourierClient, (client) => client.post("/session/start", { schema: Session }))
const visit = Effect.flatMap(CourierClient.CourierClient, (client) => client.get("/session", { schema: Session }))

const main = Effect.gen(function*() {
  const api = yield* DemoApi.DemoApi
  const transport = NodeTransport.layerClient({ baseUrl: api.url })

  // Without a jar, the cookie set on the 302 is dropped.
  const bare = yield* signIn.pipe(Effect.provide(transport))
  yield* Console.log(`no jar: session after the redirect = ${bare.session}`)

  // The preset with `cookies: true`: a jar in memory, used on every hop.
  const WithJar = Preset.layerWithoutAuth({ cookies: true, logging: false, tracing: false }).pipe(Layer.provide(transport))
  const [first, second] = yield* Effect.all([signIn, visit]).pipe(Effect.provide(WithJar))
  yield* Console.log(`memory jar: session = ${first.session}, visits ${first.visits} then ${second.visits}`)

  // A file jar, as a CLI keeps a session between runs. Each `Effect.provide`
  // builds the Layer anew, like a new process reading the file.
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "courier-docs-"))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )
  const path = Path.join(dir, "cookies.json")
  const FileJar = Cookies.layerFile({ path }).pipe(Layer.provide(transport), Layer.provide(NodeContext.layer))
  yield* signIn.pipe(Effect.provide(FileJar))
  const later = yield* visit.pipe(Effect.provide(FileJar))
  const mode = (Fs.statSync(path).mode & 0o777).toString(8)
  yield* Console.log(`file jar: another run is still signed in = ${later.session} (visit ${later.visits}); file mode ${mode}`)
})

main.pipe(Effect.scoped, Effect.provide(DemoApi.layer()), NodeRuntime.runMain)
