import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Respondable from "@effect/platform/HttpServerRespondable"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as DemoApi from "../DemoApi.js"
import * as Auth from "./auth.js"
import * as Faults from "./faults.js"
import * as Files from "./files.js"
import * as Flags from "./flags.js"
import * as OAuth from "./oauth.js"
import { json, toResponse } from "./http.js"
import * as Resources from "./resources.js"
import * as Session from "./session.js"
import * as Stats from "./stats.js"
import * as Upload from "./upload.js"

// Counted when the handler starts, so a stalled request shows up too. The
// method is the request's: a HEAD served by a GET route counts as HEAD.
const counted = (stats: Stats.StatsStore) =>
<E, R>(handler: HttpApp.HttpApp<Respondable.Respondable, E, R>) =>
  Effect.zipRight(
    Effect.flatMap(
      Effect.all([HttpRouter.RouteContext, HttpServerRequest.HttpServerRequest]),
      ([context, request]) => stats.request(`${request.method} ${context.route.path}`)
    ),
    handler
  )

/** A listener on 127.0.0.1 and its URL. */
const listen = (port: number) =>
  Effect.gen(function*() {
    const node = Http.createServer()
    const server = yield* NodeHttpServer.make(() => node, { host: "127.0.0.1", port })
    // Runs before the listener's own finalizer, which waits for every
    // connection to end: a stalled or dripping response would hold it forever.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        node.close()
        node.closeAllConnections()
      })
    )
    const bound = server.address._tag === "TcpAddress" ? server.address.port : 0
    return { server, port: bound, url: `http://127.0.0.1:${bound}` } as const
  })

/** @internal */
export const make = (
  options: DemoApi.Options = {}
): Effect.Effect<DemoApi.Service, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const { port, server, url } = yield* listen(options.port ?? 0)
    // The authorization server listens on its own port: another origin, as
    // `auth.example.com` is to `api.example.com`.
    const authorization = yield* listen(0)

    const stats = yield* Stats.make
    const auth = yield* Auth.make({
      accessTokenTtl: Duration.decode(options.accessTokenTtl ?? Duration.seconds(60)),
      refreshTokenTtl: Duration.decode(options.refreshTokenTtl ?? Duration.hours(1)),
      stats
    })
    const resources = yield* Resources.make({ baseUrl: url, auth: auth.store })
    const faults = yield* Faults.make
    const session = yield* Session.make
    const flags = yield* Flags.make
    const resourceFaults: Faults.ResourceFaults = {
      latency: Option.map(Option.fromNullable(options.faults?.latency), Duration.decode),
      errorRate: Math.min(1, Math.max(0, options.faults?.errorRate ?? 0))
    }

    const router = HttpRouter.concatAll(
      HttpRouter.transform(resources, Faults.withFaults(resourceFaults)),
      auth.router,
      Upload.router,
      Files.router,
      session,
      flags,
      faults
    ).pipe(HttpRouter.transform(counted(stats)))

    const app = router.pipe(
      Effect.catchAll((error) =>
        Effect.succeed(error._tag === "RouteNotFound" ? json({ error: "not found" }, 404) : toResponse(error))
      ),
      Effect.tap((response) => response.status === 401 ? stats.unauthorized : Effect.void)
    )
    yield* HttpServer.serveEffect(app).pipe(Effect.provideService(HttpServer.HttpServer, server))

    const authApp = OAuth.router(auth.grants).pipe(
      HttpRouter.transform(counted(stats)),
      Effect.catchTag("RouteNotFound", () => Effect.succeed(json({ error: "not found" }, 404))),
      Effect.tap((response) => response.status === 401 ? stats.unauthorized : Effect.void)
    )
    yield* HttpServer.serveEffect(authApp).pipe(Effect.provideService(HttpServer.HttpServer, authorization.server))

    return {
      url,
      port,
      authUrl: authorization.url,
      stats: stats.get,
      expireAccessTokens: auth.store.expireAccessTokens,
      resetStats: stats.reset
    }
  })
