import * as Engine from "@courier/core/testkit/TestServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Reply from "../Reply.js"
import type * as TestServer from "../TestServer.js"
import { scoped, wait } from "./server.js"

const toService = (server: Engine.TestServer): TestServer.Service => ({
  url: server.url,
  origin: server.url,
  port: server.port,
  route: (method: string, path: string, reply: Reply.Reply) => Effect.sync(() => server.route(method, path, reply)),
  journal: Effect.sync(server.journal),
  requests: (path?: string) => Effect.sync(() => server.requests(path)),
  clearJournal: Effect.sync(server.clearJournal),
  openConnections: Effect.sync(server.openConnections),
  totalConnections: Effect.sync(server.totalConnections),
  awaitIdle: (timeout?: Duration.Input) => wait(server.whenNoConnections, timeout),
  awaitNoConnections: (timeout?: Duration.Input) => wait(server.whenNoConnections, timeout),
  awaitNoRequestsInFlight: (timeout?: Duration.Input) => wait(server.whenNoRequestsInFlight, timeout),
  inFlight: Effect.sync(server.inFlight)
})

/** @internal */
export const make = (options?: TestServer.Options): Effect.Effect<TestServer.Service, never, Scope.Scope> =>
  Effect.map(
    scoped(() =>
      Engine.start({
        routes: options?.routes,
        keepAliveTimeoutMillis: options?.keepAliveTimeout === undefined ? undefined : Duration.toMillis(options.keepAliveTimeout)
      })
    ),
    toService
  )
