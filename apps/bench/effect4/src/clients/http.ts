/**
 * effect 4's HttpClient (`effect/http`) bare on @effect/platform-node 4's
 * `NodeHttpClient.layerUndici`, as the effect 3 section's `effect-undici` row:
 * the fastest honest use, `client.get(url)` then `response.json`, defaults
 * everywhere (so the default tracer is on).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { MakeSession } from "../../../src/clients/session.js"
import { effectSession } from "./effect.js"

export const make: MakeSession = async (origin) => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = await runtime.runPromise(HttpClient.HttpClient)
  return effectSession(runtime, (path) => Effect.flatMap(client.get(origin + path), (response) => response.json))
}
