/**
 * A cookie session, the way a web login does it: `POST /session/start`
 * sets the session cookie on a 302 to `/session`, and `/session` answers
 * only with that cookie. A client that drops cookies set on a redirect
 * sees `{ "session": false }`.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import { json } from "./http.js"

const cookieName = "demo_session"

/** @internal */
export const make = Effect.sync(() => {
  // Session id → number of visits; a demo server lives for one run.
  const sessions = new Map<string, number>()

  const start = Effect.sync(() => {
    const id = Crypto.randomBytes(16).toString("hex")
    sessions.set(id, 0)
    return HttpServerResponse.redirect("/session", {
      status: 302,
      headers: { "set-cookie": `${cookieName}=${id}; Path=/session; HttpOnly; SameSite=Lax; Max-Age=3600` }
    })
  })

  const show = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const id = request.cookies[cookieName]
    const visits = id === undefined ? undefined : sessions.get(id)
    if (id === undefined || visits === undefined) return json({ session: false })
    sessions.set(id, visits + 1)
    return json({ session: true, visits: visits + 1 })
  })

  const end = Effect.succeed(
    HttpServerResponse.empty({ status: 204, headers: { "set-cookie": `${cookieName}=; Path=/session; Max-Age=0` } })
  )

  return HttpRouter.empty.pipe(
    HttpRouter.post("/session/start", start),
    HttpRouter.get("/session", show),
    HttpRouter.post("/session/end", end)
  )
})
