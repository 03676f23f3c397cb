/** Node's global fetch (the undici bundled with Node). */
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) =>
  promiseSession(async (path) => {
    const response = await fetch(origin + path)
    if (!response.ok) {
      await response.arrayBuffer()
      throw new Error(`status ${response.status}`)
    }
    return response.json()
  }, async () => {})
