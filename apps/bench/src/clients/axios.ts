/** axios on a keep-alive agent, with one request and one response interceptor. */
import axios from "axios"
import * as http from "node:http"
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const agent = new http.Agent({ keepAlive: true })
  const instance = axios.create({ baseURL: origin, httpAgent: agent })
  instance.interceptors.request.use((config) => {
    config.headers.set("x-request-source", "bench")
    return config
  })
  instance.interceptors.response.use((response) => {
    if (response.status !== 200) throw new Error(`status ${response.status}`)
    return response
  })
  return promiseSession(async (path) => (await instance.get<unknown>(path)).data, async () => agent.destroy())
}
