/**
 * Runs the demo API until interrupted (Ctrl-C): `PORT` picks the port,
 * otherwise the OS does. Prints one line with the URL.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as DemoApi from "./DemoApi.js"

const program = Effect.gen(function*() {
  // Not Config.port: it refuses 0, which is how a caller asks for a free port.
  const port = yield* Config.integer("PORT").pipe(
    Config.validate({ message: "PORT must be from 0 to 65535", validation: (port) => port >= 0 && port <= 65535 }),
    Config.withDefault(0)
  )
  return yield* Effect.scoped(Effect.gen(function*() {
    const api = yield* DemoApi.make({ port })
    yield* Console.log(`demo-api listening on ${api.url}`)
    return yield* Effect.never
  }))
})

NodeRuntime.runMain(program)
