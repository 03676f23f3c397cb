import * as Engine from "@courier/core/testkit/FaultServer"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as FaultServer from "../FaultServer.js"
import { toEngine } from "./fault.js"
import { scoped, wait } from "./server.js"

const toService = (server: Engine.FaultServer): FaultServer.Service => ({
  url: server.url,
  origin: server.url,
  port: server.port,
  route: (method: string, path: string, fault: FaultServer.Fault) =>
    Effect.sync(() => server.route(method, path, toEngine(fault))),
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
export const make = (options?: FaultServer.ServerOptions): Effect.Effect<FaultServer.Service, never, Scope.Scope> =>
  Effect.map(
    scoped(() =>
      Engine.start({
        routes: options?.routes?.map(([method, path, fault]) => [method, path, toEngine(fault)] as const),
        journal: options?.journal
      })
    ),
    toService
  )
