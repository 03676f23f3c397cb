import * as Engine from "@courier/core/testkit/TestServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Reply from "../Reply.js"
import type * as TestServer from "../TestServer.js"
import { toEngine } from "./reply.js"
import { scoped, wait } from "./server.js"

const toService = (server: Engine.TestServer): TestServer.Service => ({
  url: server.url,
  origin: server.url,
  port: server.port,
  route: (method: string, path: string, reply: Reply.Reply) =>
    Effect.sync(() => server.route(method, path, toEngine(reply))),
  journal: Effect.sync(server.journal),
  requests: (path?: string) => Effect.sync(() => server.requests(path)),
  clearJournal: Effect.sync(server.clearJournal),
  openConnections: Effect.sync(server.openConnections),
  totalConnections: Effect.sync(server.totalConnections),
  awaitIdle: (timeout?: Duration.DurationInput) => wait(server.whenNoConnections, timeout),
  awaitNoConnections: (timeout?: Duration.DurationInput) => wait(server.whenNoConnections, timeout),
  awaitNoRequestsInFlight: (timeout?: Duration.DurationInput) => wait(server.whenNoRequestsInFlight, timeout),
  inFlight: Effect.sync(server.inFlight)
})

/** @internal */
export const make = (options?: TestServer.Options): Effect.Effect<TestServer.Service, never, Scope.Scope> =>
  Effect.map(
    scoped(() =>
      Engine.start({
        routes: options?.routes?.map(([method, path, reply]) => [method, path, toEngine(reply)] as const),
        keepAliveTimeoutMillis: Duration.toMillis(options?.keepAliveTimeout ?? Duration.seconds(5))
      })
    ),
    toService
  )
