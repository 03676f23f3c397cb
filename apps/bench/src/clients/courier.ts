/**
 * Courier: bare (`NodeTransport.layerClient`) and the recommended preset
 * (bearer auth with refresh, retry, tracing on, logging in production mode
 * to a file, metrics), both decoding with Schema.
 */
import { Auth, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { storm } from "../shared.js"
import { effectSession, fileLogger, schemas } from "./effect.js"
import type { MakeSession } from "./index.js"

/**
 * The recommended preset over the Node transport, as the preset's own test
 * builds it. Tracing is left at its default: on (a span per attempt in
 * Effect's tracer, no exporter; trace headers to the base origin).
 */
export const presetLayer = (origin: string, accessToken: string) =>
  Preset.layer(
    { refresh: Auth.refreshJson({ path: storm.refreshPath }) },
    { logging: { mode: "production" } }
  ).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: origin })),
    Layer.provide(TokenStore.layerMemory(TokenStore.tokens(accessToken, storm.refreshToken)))
  )

export const makeBare: MakeSession = async (origin) => {
  const runtime = ManagedRuntime.make(NodeTransport.layerClient({ baseUrl: origin }))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  return effectSession(
    runtime,
    (path) => path === "/posts" ? client.get(path, { schema: schemas["/posts"] }) : client.get(path, { schema: schemas["/small"] })
  )
}

export const makePreset: MakeSession = async (origin, logDir) => {
  const logFile = `${logDir}/courier-preset-${process.pid}.log`
  const logger = fileLogger(logFile)
  const runtime = ManagedRuntime.make(Layer.merge(presetLayer(origin, "static-access-token"), logger.layer))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  const session = effectSession(
    runtime,
    (path) => path === "/posts" ? client.get(path, { schema: schemas["/posts"] }) : client.get(path, { schema: schemas["/small"] }),
    logFile
  )
  return { ...session, close: () => session.close().then(logger.close) }
}
