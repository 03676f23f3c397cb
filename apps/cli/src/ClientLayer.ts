/**
 * The client every command uses, composed from the library's Layers the way
 * any program would, from the program inwards:
 *
 * ```text
 * Auth        bearer token from the token file, one refresh on a 401
 *   → Retry   transient failures (--retries)
 *   → Logging development mode, only with --verbose
 *   → AppHeaders  user-agent
 *   → Cookies     the session's cookie file, only with --session NAME
 *   → NodeTransport  undici, timeouts (--timeout, --connect-timeout), redirects,
 *                    proxy (--proxy, $https_proxy...), TLS (--cert, --key, --cacert), --http2
 * ```
 *
 * The configuration starts from the environment (`COURIER_*`, read by
 * `NodeTransport.layerClientConfig`), and the flags override it. Like curl,
 * the command reads `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`
 * (lower case first, then upper case).
 */
import * as AppHeaders from "@courier/client/AppHeaders"
import * as Auth from "@courier/client/Auth"
import * as Cookies from "@courier/client/Cookies"
import type * as CourierClient from "@courier/client/CourierClient"
import type * as CourierConfig from "@courier/client/CourierConfig"
import type { NodeTransport } from "@courier/client/node"
import * as Logging from "@courier/client/Logging"
import * as Retry from "@courier/client/Retry"
import * as TokenStore from "@courier/client/TokenStore"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { homedir } from "node:os"
import { join } from "node:path"
import { LocalError, UsageError } from "./CliError.js"
import * as Stdio from "./Stdio.js"
import * as VerboseLog from "./VerboseLog.js"

/** The command's version, sent in the user-agent. */
export const version = "0.1.0"

/** The refresh endpoint, relative to the base URL (so a base URL with a path prefixes it). */
export const refreshPath = "/auth/refresh"

/** The transport flags: --proxy, --noproxy, --cert, --key, --cacert, --http2. */
export interface Transport {
  readonly proxy: string | undefined
  readonly noProxy: string | undefined
  readonly cert: string | undefined
  readonly key: string | undefined
  readonly cacert: string | undefined
  readonly http2: boolean
}

/** The flags shared by every command that sends requests, as parsed. */
export interface Settings {
  /** The base URL: --base-url, else COURIER_BASE_URL, else the origin of an absolute URL. */
  readonly baseUrl: string | undefined
  /** Seconds; 0 means no limit. */
  readonly timeout: Option.Option<number>
  readonly connectTimeout: Option.Option<number>
  readonly retries: Option.Option<number>
  readonly maxRedirects: Option.Option<number>
  readonly verbose: boolean
  /** --session NAME: cookies kept in {@link sessionFile}. */
  readonly session: Option.Option<string>
  readonly transport: Transport
}

/**
 * The transport options the flags make, over the environment's proxy
 * variables (read as curl does). A flag left out leaves the `COURIER_*`
 * variable of the same setting in force.
 */
export const transportOptions = (transport: Transport): NodeTransport.Options => ({
  env: true,
  ...(transport.proxy === undefined ? {} : { proxy: Redacted.make(transport.proxy) }),
  ...(transport.noProxy === undefined ? {} : { noProxy: transport.noProxy }),
  ...(transport.cert === undefined ? {} : { cert: { file: transport.cert } }),
  ...(transport.key === undefined ? {} : { key: { file: transport.key } }),
  ...(transport.cacert === undefined ? {} : { ca: { file: transport.cacert } }),
  ...(transport.http2 ? { http2: true } : {})
})

const seconds = (value: number): Duration.Duration => value === 0 ? Duration.infinity : Duration.millis(value * 1000)

/** The configuration overrides the flags make. `defaultTotal` applies when --timeout is absent. */
export const overrides = (settings: Settings, defaultTotal?: Duration.Duration): CourierConfig.Options => {
  const timeouts: { -readonly [K in keyof CourierConfig.Timeouts]?: Duration.Duration } = {}
  if (Option.isSome(settings.timeout)) timeouts.total = seconds(settings.timeout.value)
  else if (defaultTotal !== undefined) timeouts.total = defaultTotal
  if (Option.isSome(settings.connectTimeout)) timeouts.connect = seconds(settings.connectTimeout.value)
  return {
    ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    ...(Option.isSome(settings.maxRedirects) ? { maxRedirects: settings.maxRedirects.value } : {}),
    timeouts
  }
}

/** The origin tokens are stored under, or none for a URL that is not http(s). */
export const originOf = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined
  try {
    const parsed = new URL(url)
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : undefined
  } catch {
    return undefined
  }
}

/**
 * The config dir: `$COURIER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/courier`,
 * else `~/.config/courier`.
 */
export const configDir: Effect.Effect<string> = Effect.gen(function*() {
  const dir = yield* Config.option(Config.nonEmptyString("COURIER_CONFIG_DIR"))
  if (Option.isSome(dir)) return dir.value
  const xdg = yield* Config.option(Config.nonEmptyString("XDG_CONFIG_HOME"))
  const home = yield* Config.option(Config.nonEmptyString("HOME"))
  const base = Option.isSome(xdg) ? xdg.value : join(Option.getOrElse(home, () => homedir()), ".config")
  return join(base, "courier")
}).pipe(Effect.orDie)

/** The token file: `tokens.json` in the {@link configDir}. */
export const tokenFile: Effect.Effect<string> = Effect.map(configDir, (dir) => join(dir, "tokens.json"))

/**
 * The cookie file of a session: `sessions/NAME.json` in the {@link configDir}
 * (the name is checked by the flags: no separators). The jar scopes each
 * cookie to the host that set it, so one session can span several APIs.
 */
export const sessionFile = (name: string): Effect.Effect<string> =>
  Effect.map(configDir, (dir) => join(dir, "sessions", `${name}.json`))

/** The token store of one origin, in the token file. */
export const tokenStore = (origin: string | undefined): Layer.Layer<TokenStore.TokenStore, never, FileSystem.FileSystem> =>
  origin === undefined
    ? TokenStore.layerMemory()
    : Layer.unwrapEffect(Effect.map(tokenFile, (path) => TokenStore.layerFile({ path, key: origin })))

/** The client without auth: transport, app headers, logging (--verbose) and retry. */
export const layerWithoutAuth = (
  settings: Settings,
  defaultTotal?: Duration.Duration
): Layer.Layer<CourierClient.CourierClient, UsageError | LocalError, FileSystem.FileSystem> => {
  // The transport (undici: half of the bundle) is loaded when a command
  // builds a client, not at every start: --help, --version, usage errors and
  // the login prompt come up without it.
  const transport = Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("@courier/client/node")),
      ({ NodeTransport }) =>
        NodeTransport.layerClientConfig(overrides(settings, defaultTotal), transportOptions(settings.transport))
    )
  )
  // Innermost, as in the library's preset: the jar works on every hop in the core anyway.
  const client = Option.isNone(settings.session) ? transport : Layer.unwrapEffect(
    Effect.map(sessionFile(settings.session.value), (path) =>
      Cookies.layerFile({ path }).pipe(
        Layer.mapError((error) => new LocalError({ message: error.message, cause: error })),
        Layer.provide(transport)
      ))
  )
  const headers = AppHeaders.layer({ userAgent: `courier-cli/${version}` }).pipe(Layer.provide(client))
  const logged = settings.verbose
    ? Logging.layer({ mode: "development", maxBodyBytes: 2048 }).pipe(Layer.provide(headers))
    : headers
  const retried = Option.isSome(settings.retries)
    ? Retry.layer({ retries: settings.retries.value }).pipe(Layer.provide(logged))
    : Retry.layer().pipe(Layer.provide(logged))
  return Layer.mapError(retried, (error) =>
    error._tag === "LocalError" ? error : new UsageError({
      // Courier's own messages name the variable or option at fault.
      message: `invalid configuration: ${error._op === "InvalidData" ? error.message : String(error)}`
    }))
}

/** The whole client: bearer auth with the token file of the base URL's origin, over {@link layerWithoutAuth}. */
export const layer = (
  settings: Settings,
  defaultTotal?: Duration.Duration
): Layer.Layer<CourierClient.CourierClient, UsageError | LocalError, FileSystem.FileSystem> =>
  Auth.layer({ refresh: Auth.refreshJson({ path: refreshPath }) }).pipe(
    Layer.provide(layerWithoutAuth(settings, defaultTotal)),
    Layer.provide(tokenStore(originOf(settings.baseUrl)))
  )

/** Logs go to stderr, never stdout (the body's): provided once, by main. */
export const stderrLogger: Layer.Layer<never, never, Stdio.Stdio> = Layer.unwrapEffect(
  Effect.map(Stdio.Stdio, (stdio) => Logger.replace(Logger.defaultLogger, VerboseLog.make(stdio.stderr)))
)

/** --verbose lets the Logging Layer's Debug details through. */
export const verbosity = (verbose: boolean): Layer.Layer<never> =>
  verbose ? Logger.minimumLogLevel(LogLevel.Debug) : Layer.empty
