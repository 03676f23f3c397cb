/** ofetch with its defaults (on the global fetch). */
import { ofetch } from "ofetch"
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const api = ofetch.create({ baseURL: origin })
  return promiseSession((path) => api<unknown>(path), async () => {})
}
