/**
 * The reference: the fastest honest undici call, `pool.request({ path, method })`
 * on a keep-alive `Pool` (no URL parse per call), body decoded with `body.json()`.
 */
import { Pool } from "undici"
import type { MakeSession } from "./session.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const pool = new Pool(origin)
  return promiseSession(async (path) => {
    const { body, statusCode } = await pool.request({ path, method: "GET" })
    if (statusCode !== 200) {
      await body.dump()
      throw new Error(`status ${statusCode}`)
    }
    return body.json()
  }, () => pool.close())
}
