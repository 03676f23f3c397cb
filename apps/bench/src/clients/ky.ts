/** ky with its defaults (on the global fetch). */
import ky from "ky"
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const api = ky.create({ prefixUrl: origin })
  return promiseSession((path) => api.get(path.slice(1)).json<unknown>(), async () => {})
}
