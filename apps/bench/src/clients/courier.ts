/**
 * Courier: bare (`NodeTransport.layerClient`) and the recommended preset
 * (bearer auth with refresh, retry, tracing on, logging in production mode
 * to a file, metrics), both decoding with Schema.
 */
import { Auth, CourierClient, Preset, TokenStore } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as LogLevel from "effect/LogLevel"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { storm } from "../shared.js"
import { effectSession, fileLogger, schemas } from "./effect.js"
import type { MakeSession } from "./session.js"

/** The preset's auth: bearer tokens from the store, refreshed with a JSON POST. */
export const presetAuth: Auth.Options = { refresh: Auth.refreshJson({ path: storm.refreshPath }) }

/**
 * The recommended preset over whatever client is provided below it, as the
 * preset's own test builds it. Tracing is left at its default: on (a span
 * per attempt in Effect's tracer, no exporter; trace headers to the base
 * origin).
 */
// `successesAtInfo`: one line per request, the cost of logging every call
// (the preset's own default logs routine successes at Debug).
// For measuring what each concern costs under load (`PRESET_OFF=logging,tracing`
// with `cpu.ts`): Layers left out. Unset in every benchmark run.
const off = new Set((process.env["PRESET_OFF"] ?? "").split(","))
export const presetStack = (successesAtInfo = false) => Preset.layer(presetAuth, {
  logging: off.has("logging") ? false : successesAtInfo ? { mode: "production", level: LogLevel.Info } : { mode: "production" },
  ...(off.has("tracing") ? { tracing: false } : {}),
  ...(off.has("metrics") ? { metrics: false } : {}),
  ...(off.has("retry") ? { retry: false } : {})
})

/** The preset's token store, holding `accessToken`. */
export const presetTokens = (accessToken: string) =>
  TokenStore.layerMemory(TokenStore.tokens(accessToken, storm.refreshToken))

/** The recommended preset over the Node transport. */
export const presetLayer = (origin: string, accessToken: string, successesAtInfo = false) =>
  presetStack(successesAtInfo).pipe(
    Layer.provide(NodeTransport.layerClient({ baseUrl: origin })),
    Layer.provide(presetTokens(accessToken))
  )

export const makeBare: MakeSession = async (origin) => {
  const runtime = ManagedRuntime.make(NodeTransport.layerClient({ baseUrl: origin }))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  return effectSession(
    runtime,
    (path) => path === "/posts" ? client.get(path, { schema: schemas["/posts"] }) : client.get(path, { schema: schemas["/small"] })
  )
}

const makePresetWith = (successesAtInfo: boolean): MakeSession => async (origin, logDir) => {
  const logFile = `${logDir}/courier-preset-${process.pid}.log`
  const logger = fileLogger(logFile)
  const runtime = ManagedRuntime.make(Layer.merge(presetLayer(origin, "static-access-token", successesAtInfo), logger.layer))
  const client = await runtime.runPromise(CourierClient.CourierClient)
  const session = effectSession(
    runtime,
    (path) => path === "/posts" ? client.get(path, { schema: schemas["/posts"] }) : client.get(path, { schema: schemas["/small"] }),
    // Only the row that logs every success is checked for one line per request.
    successesAtInfo ? logFile : undefined
  )
  return { ...session, close: () => session.close().then(logger.close) }
}

/** The recommended preset as the guide builds it: routine successes at Debug. */
export const makePreset: MakeSession = makePresetWith(false)

/** The same preset writing one line per successful request. */
export const makePresetInfo: MakeSession = makePresetWith(true)
