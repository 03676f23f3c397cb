/**
 * The transport's options read and checked once, when the Layer is built:
 * files loaded, `Redacted` values unwrapped only here, every problem a
 * `ConfigError` that names the option and never shows a secret.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { readFile } from "node:fs/promises"
import * as Net from "node:net"
import type * as CourierConfig from "../../CourierConfig.js"
import { decodeDuration, durationProblem, parseEnv } from "../../internal/core/config.js"
import type * as NodeTransport from "../NodeTransport.js"
import type * as Agent from "./agent.js"
import * as Proxy from "./proxy.js"

const invalid = (option: string, message: string) => ConfigError.InvalidData([], `${option}: ${message}`)

const millis = (d: Duration.Duration): number => (Duration.isFinite(d) ? Duration.toMillis(d) : 0)

const isFile = (source: NodeTransport.TlsSource): source is { readonly file: string } =>
  typeof source === "object" && source !== null && !Redacted.isRedacted(source) && !(source instanceof Uint8Array)

/** One piece of TLS material as node:tls takes it. */
const material = (name: string, source: NodeTransport.TlsSource): Effect.Effect<string | Buffer, ConfigError.ConfigError> => {
  if (isFile(source)) {
    return Effect.tryPromise({
      try: () => readFile(source.file),
      // The path is named (it is not a secret); the contents never are.
      catch: (error) =>
        invalid(name, `the file ${JSON.stringify(source.file)} could not be read (${(error as { code?: string }).code ?? "error"})`)
    })
  }
  const value: string | Uint8Array = Redacted.isRedacted(source)
    ? Redacted.value(source as Redacted.Redacted<string | Uint8Array>)
    : source
  return Effect.succeed(typeof value === "string" ? value : Buffer.from(value))
}

const optional = (name: string, source: NodeTransport.TlsSource | undefined) =>
  source === undefined ? Effect.succeed(undefined) : material(name, source)

const tls = (options: NodeTransport.Options): Effect.Effect<Agent.Tls, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const caList = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca]
    const ca = yield* Effect.forEach(caList as ReadonlyArray<NodeTransport.TlsSource>, (source) => material("ca", source))
    const cert = yield* optional("cert", options.cert)
    const key = yield* optional("key", options.key)
    const pfx = yield* optional("pfx", options.pfx)
    if (pfx !== undefined && (cert !== undefined || key !== undefined)) {
      return yield* Effect.fail(invalid("pfx", "give either pfx or cert and key, not both"))
    }
    if ((cert === undefined) !== (key === undefined)) {
      return yield* Effect.fail(invalid(cert === undefined ? "key" : "cert", "a client certificate needs both cert and key"))
    }
    const passphrase = options.passphrase === undefined
      ? undefined
      : Redacted.isRedacted(options.passphrase)
      ? Redacted.value(options.passphrase)
      : options.passphrase
    return {
      ...(ca.length === 0 ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(pfx === undefined ? {} : { pfx }),
      ...(passphrase === undefined ? {} : { passphrase })
    }
  })

const routing = (options: NodeTransport.Options): Either.Either<Proxy.Routing | undefined, ConfigError.ConfigError> => {
  const env = options.env === undefined || options.env === false
    ? undefined
    : options.env === true
    ? process.env
    : options.env
  const fromEnv = env === undefined ? undefined : Proxy.fromEnvironment(env)
  const noProxy = Proxy.parseNoProxy(options.noProxy ?? fromEnv?.noProxy)
  if (options.proxy !== undefined) {
    return Either.match(Proxy.parseProxy(options.proxy), {
      onLeft: (problem) => Either.left(invalid("proxy", problem)),
      onRight: (proxy) => Either.right({ http: proxy, https: proxy, noProxy })
    })
  }
  if (fromEnv === undefined) return Either.right(undefined)
  const parse = (variable: { readonly name: string; readonly value: string } | undefined) =>
    variable === undefined
      ? Either.right(undefined)
      : Either.mapLeft(Proxy.parseProxy(variable.value), (problem) => invalid(variable.name, problem))
  return Either.flatMap(parse(fromEnv.http), (http) =>
    Either.map(parse(fromEnv.https), (https) => ({ http, https, noProxy })))
}

const count = (name: string, value: number | undefined) =>
  value === undefined || (Number.isSafeInteger(value) && value > 0)
    ? Either.right(value)
    : Either.left(invalid(name, "is not a positive whole number"))

const duration = (name: string, value: Duration.DurationInput | undefined, otherwise: Duration.Duration | undefined) => {
  if (value === undefined) return Either.right(otherwise)
  const decoded = decodeDuration(value)
  return decoded === undefined ? Either.left(ConfigError.InvalidData([name], durationProblem(name, value)!)) : Either.right(decoded)
}

/** @internal */
export const resolve = (
  options: NodeTransport.Options,
  config: CourierConfig.ResolvedConfig
): Effect.Effect<Agent.Settings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const keepAlive = yield* duration("keepAliveTimeout", options.keepAliveTimeout, Duration.seconds(4))
    const keepAliveMax = yield* duration("keepAliveMaxTimeout", options.keepAliveMaxTimeout, undefined)
    const connections = yield* count("connections", options.connections)
    if (options.family !== undefined && options.family !== 4 && options.family !== 6) {
      return yield* Effect.fail(invalid("family", "is neither 4 nor 6"))
    }
    if (options.localAddress !== undefined && Net.isIP(options.localAddress) === 0) {
      return yield* Effect.fail(invalid("localAddress", `${JSON.stringify(options.localAddress)} is not an IP address`))
    }
    return {
      connectTimeout: millis(config.timeouts.connect),
      tls: yield* tls(options),
      connections,
      keepAliveTimeout: Duration.toMillis(keepAlive!),
      keepAliveMaxTimeout: keepAliveMax === undefined ? undefined : Duration.toMillis(keepAliveMax),
      allowH2: options.http2 === true,
      lookup: options.lookup,
      family: options.family,
      autoSelectFamily: options.autoSelectFamily,
      localAddress: options.localAddress,
      routing: yield* routing(options)
    }
  })

/**
 * The transport's options from `Config` (the environment by default), each
 * variable under `prefix`. Secrets (`PROXY`, `KEY_PASSPHRASE`) are read as
 * `Redacted`; certificates are named by file.
 *
 * @internal
 */
export const config = (prefix: string): Config.Config<NodeTransport.Options> => {
  const variable = <A>(name: string, parse: (text: string) => Either.Either<A, string>) =>
    Config.option(Config.mapOrFail(Config.string(name), (text) =>
      Either.mapLeft(parse(text), (problem) => ConfigError.InvalidData([], `${prefix}_${name}: ${problem}`))))
  const text = (text: string) => Either.right(text)
  const secret = (name: string) => Config.option(Config.redacted(name))
  const family = (text: string): Either.Either<4 | 6, string> =>
    text === "4" ? Either.right(4) : text === "6" ? Either.right(6) : Either.left(`${JSON.stringify(text)} is neither 4 nor 6`)
  const positive = (text: string) =>
    Either.flatMap(parseEnv.count(text), (n) => n > 0 ? Either.right(n) : Either.left("is not a positive whole number"))
  return Config.nested(
    Config.all({
      proxy: Config.option(Config.mapOrFail(Config.redacted("PROXY"), (value) =>
        Either.map(
          Either.mapLeft(Proxy.parseProxy(value), (problem) => ConfigError.InvalidData([], `${prefix}_PROXY: ${problem}`)),
          () => value
        ))),
      noProxy: variable("NO_PROXY", text),
      env: variable("PROXY_FROM_ENV", parseEnv.boolean),
      ca: variable("CA_FILE", text),
      cert: variable("CERT_FILE", text),
      key: variable("KEY_FILE", text),
      pfx: variable("PFX_FILE", text),
      passphrase: secret("KEY_PASSPHRASE"),
      http2: variable("HTTP2", parseEnv.boolean),
      connections: variable("CONNECTIONS", positive),
      keepAliveTimeout: variable("KEEP_ALIVE_TIMEOUT", parseEnv.duration),
      family: variable("FAMILY", family),
      autoSelectFamily: variable("AUTO_SELECT_FAMILY", parseEnv.boolean),
      localAddress: variable("LOCAL_ADDRESS", text)
    }),
    prefix
  ).pipe(Config.map((values): NodeTransport.Options => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(values) as Array<[string, Option.Option<unknown>]>) {
      if (Option.isNone(value)) continue
      out[key] = key === "ca" || key === "cert" || key === "key" || key === "pfx" ? { file: value.value } : value.value
    }
    return out as NodeTransport.Options
  }))
}

/** Options from code win over options from `Config`, field by field. @internal */
export const merge = (base: NodeTransport.Options, overrides: NodeTransport.Options): NodeTransport.Options => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value
  }
  return merged as NodeTransport.Options
}
