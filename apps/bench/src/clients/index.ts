/**
 * The clients under test, each behind one interface: a session that runs
 * `count` requests of a path with `concurrency` in flight, decoding each
 * body in full and checking the result. Each client's module is loaded
 * only by the process that measures it, so a process holds one client's
 * code and its memory figure is that client's.
 */
import type { Session } from "./session.js"

export { describeError, type MakeSession, type Run, type RunOutcome, type Session } from "./session.js"

/** The clients, in the order of the report. */
export const clientIds = [
  "undici",
  "effect-baseline",
  "fetch",
  "axios",
  "ky",
  "got",
  "ofetch",
  "effect-undici",
  "effect-undici-full",
  "effect-fetch-full",
  "courier-bare",
  "courier-preset",
  "courier-preset-info"
] as const

export type ClientId = typeof clientIds[number]

export const isClientId = (id: string): id is ClientId => (clientIds as ReadonlyArray<string>).includes(id)

/** How each client appears in the report. */
export const clientLabels: Record<ClientId, string> = {
  "undici": "`undici.request` on a keep-alive Pool (reference)",
  "effect-baseline": "Effect baseline: the reference call in `Effect.tryPromise`, same Effect driver",
  "fetch": "global fetch",
  "axios": "axios (one request and one response interceptor)",
  "ky": "ky",
  "got": "got",
  "ofetch": "ofetch",
  "effect-undici": "@effect/platform bare, `NodeHttpClient.layerUndici`",
  "effect-undici-full": "@effect/platform full stack on `layerUndici`",
  "effect-fetch-full": "@effect/platform full stack on `FetchHttpClient`",
  "courier-bare": "Courier bare, `NodeTransport.layerClient({ baseUrl })`",
  "courier-preset": "Courier, recommended preset (tracing on)",
  "courier-preset-info": "Courier, recommended preset, every success logged at Info to a file"
}


/** A fresh session of a client against the server at `origin`. */
export const makeSession = async (id: ClientId, origin: string, logDir: string): Promise<Session> => {
  switch (id) {
    case "undici":
      return (await import("./undici.js")).make(origin, logDir)
    case "effect-baseline":
      return (await import("./effectBaseline.js")).make(origin, logDir)
    case "fetch":
      return (await import("./fetch.js")).make(origin, logDir)
    case "axios":
      return (await import("./axios.js")).make(origin, logDir)
    case "ky":
      return (await import("./ky.js")).make(origin, logDir)
    case "got":
      return (await import("./got.js")).make(origin, logDir)
    case "ofetch":
      return (await import("./ofetch.js")).make(origin, logDir)
    case "effect-undici":
      return (await import("./platform.js")).makeBare(origin, logDir)
    case "effect-undici-full":
      return (await import("./platform.js")).makeFull("undici")(origin, logDir)
    case "effect-fetch-full":
      return (await import("./platform.js")).makeFull("fetch")(origin, logDir)
    case "courier-bare":
      return (await import("./courier.js")).makeBare(origin, logDir)
    case "courier-preset":
      return (await import("./courier.js")).makePreset(origin, logDir)
    case "courier-preset-info":
      return (await import("./courier.js")).makePresetInfo(origin, logDir)
  }
}
