import * as Engine from "@courier/core/testkit/BlackholeServer"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as BlackholeServer from "../BlackholeServer.js"
import { scoped } from "./server.js"

/** @internal */
export const make: Effect.Effect<BlackholeServer.BlackholeServer, never, Scope.Scope> = Effect.map(
  scoped(Engine.start),
  ({ port, url }) => ({ url, port })
)
