/** The reference: `undici.request` on a keep-alive Pool, body decoded with `body.json()`. */
import { Pool, request } from "undici"
import type { MakeSession } from "./index.js"
import { promiseSession } from "./promise.js"

export const make: MakeSession = async (origin) => {
  const pool = new Pool(origin)
  return promiseSession(async (path) => {
    const { body, statusCode } = await request(origin + path, { dispatcher: pool })
    if (statusCode !== 200) {
      await body.dump()
      throw new Error(`status ${statusCode}`)
    }
    return body.json()
  }, () => pool.close())
}
