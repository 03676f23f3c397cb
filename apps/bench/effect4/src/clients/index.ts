/**
 * The clients of the effect 4 section, as its worker knows them. The
 * reference is the bench's own raw undici client module, here resolving
 * undici 8 from this package's node_modules.
 */
import type { Session } from "../../../src/clients/session.js"

export const effect4WorkerClients = ["undici", "effect4-http", "courier-effect4-bare", "courier-effect4-preset"] as const

export type Effect4WorkerClient = typeof effect4WorkerClients[number]

export const isEffect4WorkerClient = (id: string): id is Effect4WorkerClient =>
  (effect4WorkerClients as ReadonlyArray<string>).includes(id)

/** A fresh session of a client against the server at `origin`; each module is loaded only by the process measuring it. */
export const makeSession = async (id: Effect4WorkerClient, origin: string, logDir: string): Promise<Session> => {
  switch (id) {
    case "undici":
      return (await import("../../../src/clients/undici.js")).make(origin, logDir)
    case "effect4-http":
      return (await import("./http.js")).make(origin, logDir)
    case "courier-effect4-bare":
      return (await import("./courier.js")).makeBare(origin, logDir)
    case "courier-effect4-preset":
      return (await import("./courier.js")).makePreset(origin, logDir)
  }
}
