/**
 * The Node transport's options read from `Config`: each problem names the
 * variable, and the TLS key is kept `Redacted` from the moment it is read.
 */
import * as CoreConfig from "@courier/core/Config"
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import type * as NodeTransport from "../../NodeTransport.js"
import { parseDuration, variable } from "../core/config.js"

const text = (value: string): CoreConfig.Result<string> => ({ _tag: "Ok", value })

/** @internal */
export const config = (prefix = "COURIER"): Config.Config<NodeTransport.Options> =>
  Config.all({
    ca: variable(prefix, "TLS_CA", text),
    cert: variable(prefix, "TLS_CERT", text),
    key: Config.option(Config.Redacted("TLS_KEY")),
    connections: variable(prefix, "CONNECTIONS", CoreConfig.parseCount),
    keepAliveTimeout: variable(prefix, "KEEP_ALIVE_TIMEOUT", parseDuration)
  }).pipe(
    Config.nested(prefix),
    Config.map((read) => {
      const options: { -readonly [K in keyof NodeTransport.Options]: NodeTransport.Options[K] } = {}
      if (read.ca !== undefined) options.ca = read.ca
      if (read.cert !== undefined) options.cert = read.cert
      if (Option.isSome(read.key)) options.key = read.key.value
      if (read.connections !== undefined) options.connections = read.connections
      if (read.keepAliveTimeout !== undefined) options.keepAliveTimeout = read.keepAliveTimeout
      return options
    })
  )

/** Options from code win over options from `Config`, field by field. @internal */
export const merge = (base: NodeTransport.Options, overrides: NodeTransport.Options): NodeTransport.Options => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value
  }
  return merged as NodeTransport.Options
}
