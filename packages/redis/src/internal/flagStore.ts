import { FlagStore } from "@courier/flags"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as RedisConnection from "../RedisConnection.js"

/** @internal */
export const make = (connection: RedisConnection.Service, name: string): FlagStore.FlagStore => {
  const key = connection.key("flags", name)
  return {
    load: connection.run("flags.load", (client) => client.get(key)).pipe(
      // The service validates what comes back; only the JSON must parse.
      Effect.flatMap((text) => text === null ? Effect.succeed(Option.none()) : Effect.try(() => Option.some<unknown>(JSON.parse(text)))),
      Effect.mapError((cause) => new FlagStore.FlagStoreError({ operation: "load", cause }))
    ),
    save: (stored) =>
      connection.run("flags.save", (client) => client.set(key, JSON.stringify(stored))).pipe(
        Effect.asVoid,
        Effect.mapError((cause) => new FlagStore.FlagStoreError({ operation: "save", cause }))
      )
  }
}
