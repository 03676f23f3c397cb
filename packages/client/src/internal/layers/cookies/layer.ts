import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Client from "../../core/client.js"
import type * as CourierRequest from "../../../CourierRequest.js"
import * as Request from "../../core/request.js"
import { CookieJarError } from "./error.js"
import { writeAtomic } from "../../util/atomicFile.js"
import * as Jar from "./jar.js"

/**
 * The hop hook of a jar: each hop sends the cookies that belong to its URL
 * and stores what its response sets, redirects included. A `Cookie` header
 * the caller set comes first; the redirect follower has already dropped it
 * on a cross-origin hop, so only the jar's cookies for that origin remain.
 */
const hookFor = (jar: Jar.Jar, saved: Effect.Effect<void>): CourierRequest.HopHook => ({
  onRequest: (request) =>
    Effect.map(jar.header(request.url), (value) => {
      if (value === undefined) return request
      const own = request.headers["cookie"]
      return { ...request, headers: { ...request.headers, cookie: own === undefined ? value : `${own}; ${value}` } }
    }),
  onResponse: (request, response) =>
    Effect.flatMap(jar.store(request.url, response.setCookie), (changed) => (changed ? saved : Effect.void))
})

/** @internal */
export const layer = () =>
  Client.layerDecorate((execute) =>
    Effect.sync(() => {
      const hook = hookFor(Jar.empty(), Effect.void)
      return (request: CourierRequest.CourierRequest) => execute(Request.addHopHook(request, hook))
    })
  )

/** @internal */
export const layerFile = (options: { readonly path: string }) =>
  Client.layerDecorate((execute) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { path } = options
      const text = yield* fs.readFileString(path).pipe(
        Effect.map((text): string | undefined => text),
        // A missing file is an empty jar.
        Effect.catchIf(
          (error) => error._tag === "SystemError" && error.reason === "NotFound",
          () => Effect.succeed(undefined)
        ),
        Effect.mapError((cause) => new CookieJarError({ operation: "read", path, cause }))
      )
      let jar: Jar.Jar
      if (text === undefined) jar = Jar.empty()
      else {
        const read = Jar.fromJSON(text)
        // The cause is not the parser's error: V8 quotes the text, and that is cookies.
        if (read === undefined) {
          return yield* new CookieJarError({ operation: "read", path, cause: "the file is not a cookie jar" })
        }
        jar = read
      }
      const lock = yield* Effect.makeSemaphore(1)
      // Each change is written whole; a failed write is logged (the path and
      // the error, never the cookies) and the call goes on with the jar in memory.
      const saved = lock.withPermits(1)(
        Effect.flatMap(jar.serialize, (json) => writeAtomic(fs, path, json + "\n"))
      ).pipe(
        Effect.catchAll((cause) =>
          Effect.logWarning("the cookie jar could not be saved").pipe(
            Effect.annotateLogs({ path, error: cause.message })
          )
        )
      )
      const hook = hookFor(jar, saved)
      return (request: CourierRequest.CourierRequest) => execute(Request.addHopHook(request, hook))
    })
  )
