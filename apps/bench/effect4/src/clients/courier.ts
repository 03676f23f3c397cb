/**
 * Courier's effect 4 line (`@courier/client-effect4`, from its built `dist`):
 * bare (`NodeTransport.layerClient`) and the recommended preset, as the effect 3
 * rows build them (bearer auth with refresh, retry, tracing on, logging in
 * production mode to a file, metrics), both decoding with effect 4's Schema.
 */
import { Auth, CourierClient, NodeTransport, Preset, TokenStore } from "@courier/client-effect4"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import type { MakeSession } from "../../../src/clients/session.js"
import { storm } from "../../../src/shared.js"
import { effectSession, schemas } from "./effect.js"

const get = (client: CourierClient.Service) => (path: "/small" | "/posts") =>
  path === "/posts" ? client.get(path, { schema: schemas["/posts"] }) : client.get(path, { schema: schemas["/small"] })

export const makeBare: MakeSession = async (origin) => {
  const runtime = ManagedRuntime.make(NodeTransport.layerClient({ baseUrl: origin }))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  return effectSession(runtime, get(client))
}

/**
 * A logger writing logfmt lines to a file, replacing effect 4's default
 * (console) loggers: production logging without the console's cost, as the
 * effect 3 rows' `fileLogger`.
 */
const fileLogger = (file: string) => {
  const stream = fs.createWriteStream(file, { flags: "w" })
  const layer = Logger.layer([Logger.map(Logger.formatLogFmt, (line) => {
    stream.write(line + "\n")
  })])
  const close = () => new Promise<void>((resolve) => stream.end(resolve))
  return { layer, close }
}

/**
 * The recommended preset over the Node transport, with the token store the
 * effect 3 preset row uses; routine successes at Debug (the preset's
 * default), so they write nothing.
 */
export const makePreset: MakeSession = async (origin, logDir) => {
  const logger = fileLogger(`${logDir}/courier-effect4-preset-${process.pid}.log`)
  const stack = Preset.layer({ refresh: Auth.refreshJson({ path: storm.refreshPath }) }, { logging: { mode: "production" } }).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: origin })),
    Layer.provide(TokenStore.layerMemory(TokenStore.tokens("static-access-token", storm.refreshToken)))
  )
  const runtime = ManagedRuntime.make(Layer.merge(stack, logger.layer))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  const session = effectSession(runtime, get(client))
  return { ...session, close: () => session.close().then(logger.close) }
}
