/**
 * Support for the Layers' tests: a client built over a real loopback server
 * with a stack of Layers on top, and a spy Layer that records what each
 * attempt carried on its way to the transport.
 */
import { CourierClient, type CourierConfig, type CourierRequest, NodeTransport } from "@courier/client-effect4"
import type { TestServer } from "@courier/testing-effect4"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"

type Decorator<E, R> = Layer.Layer<CourierClient.CourierClient, E, CourierClient.CourierClient | R>

/** What reached the spy: one entry per attempt that went below the Layers. */
export interface Seen {
  readonly attempts: Array<number>
  readonly authorization: Array<string | undefined>
}

/**
 * A client whose stack is `top` over a spy over the Node transport pointed at
 * `server`; `extra` provides what `top` needs (a token store).
 */
export const clientWith = <E, R>(
  server: TestServer.Service,
  top: Decorator<E, R>,
  extra: Layer.Layer<R> | undefined = undefined,
  config: CourierConfig.Options = {}
) =>
  Effect.gen(function*() {
    const seen: Seen = { attempts: [], authorization: [] }
    const spy = CourierClient.layerDecorate((execute) =>
      Effect.succeed((request: CourierRequest.CourierRequest) => {
        seen.attempts.push(request.attempt)
        seen.authorization.push(request.headers["authorization"])
        return execute(request)
      })
    )
    const base = NodeTransport.layerClient({ baseUrl: server.url, ...config })
    const stacked = top.pipe(Layer.provide(spy), Layer.provide(base))
    const built = extra === undefined
      ? yield* Layer.build(stacked as Layer.Layer<CourierClient.CourierClient, E>)
      : yield* Layer.build(Layer.provide(stacked, extra))
    return { client: Context.get(built, CourierClient.CourierClient), seen }
  })

/** One captured log line: level, message and annotations. */
export interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/** `effect` with its log lines captured into `lines`, at `minimum` and above (default every level). */
export const capturingLogs = <A, E, R>(
  lines: Array<Line>,
  effect: Effect.Effect<A, E, R>,
  minimum: LogLevel.LogLevel = "All"
) => {
  const logger = Logger.make<unknown, void>((options) => {
    const message = Array.isArray(options.message) ? options.message.map(String).join(" ") : String(options.message)
    lines.push({
      level: options.logLevel,
      message,
      annotations: { ...options.fiber.getRef(References.CurrentLogAnnotations) }
    })
  })
  return effect.pipe(
    Effect.provideService(References.CurrentLoggers, new Set([logger])),
    Effect.provideService(References.MinimumLogLevel, minimum)
  )
}

/** The requests the server saw on `path`. */
export const hits = (server: TestServer.Service, path: string) =>
  Effect.map(server.requests(path), (entries) => entries.length)
