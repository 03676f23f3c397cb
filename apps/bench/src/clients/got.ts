/** got on a keep-alive agent. */
import got from "got"
import * as http from "node:http"
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const agent = new http.Agent({ keepAlive: true })
  const api = got.extend({ prefixUrl: origin, agent: { http: agent } })
  return promiseSession((path) => api.get(path.slice(1)).json<unknown>(), async () => agent.destroy())
}
