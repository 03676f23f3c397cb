import { CourierClient } from "@courier/client"
import { FeatureFlags } from "@courier/flags"
import { Reply } from "@courier/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import type * as Http from "node:http"
import { clientOn, flagServer, waitForSleepUntil, waitUntil } from "./support.js"

const definitions = {
  enable_new_ui: FeatureFlags.flag(Schema.Boolean, false),
  max_items: FeatureFlags.flag(Schema.Number, 10)
}

describe("FeatureFlags over server-sent events", () => {
  it.scoped("an event triggers an evaluation; a dropped stream reconnects with Last-Event-ID and backs off", () =>
    Effect.gen(function*() {
      const flags = yield* flagServer({ enable_new_ui: false, max_items: 10 })
      const open: Array<Http.ServerResponse> = []
      let refuse = false
      yield* flags.server.route("GET", "/events", Reply.custom((_request, response) => {
        if (refuse) {
          response.writeHead(503)
          response.end()
          return
        }
        response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
        response.write(": connected\n\n")
        open.push(response)
      }))
      const events = flags.server.requests("/events")
      const client = yield* clientOn(flags.server)
      const service = yield* FeatureFlags.make(definitions, { events: { path: "/events" }, pollInterval: "1 hour" }).pipe(
        Effect.provideService(CourierClient.CourierClient, client)
      )
      yield* waitUntil(Effect.map(events, (r) => r.length === 1 && open.length === 1), "the first connection")
      expect((yield* events)[0]?.headers["accept"]).toBe("text/event-stream")
      expect((yield* events)[0]?.headers["last-event-id"]).toBeUndefined()

      flags.set("enable_new_ui", true)
      open[0]!.write("id: 1\nevent: flags-changed\ndata: {}\n\n")
      yield* waitUntil(service.get("enable_new_ui"), "the value the event announced")

      // The server drops the stream: one reconnect after 1 second, resuming from id 1.
      open[0]!.socket?.destroy()
      yield* waitForSleepUntil(1_000)
      yield* TestClock.adjust("1 second")
      yield* waitUntil(Effect.map(events, (r) => r.length === 2 && open.length === 2), "the reconnection")
      expect((yield* events)[1]?.headers["last-event-id"]).toBe("1")

      flags.set("max_items", 99)
      open[1]!.write("id: 2\ndata: {}\n\n")
      yield* waitUntil(Effect.map(service.get("max_items"), (n) => n === 99), "the second event's value")

      // Connections that fail back off: 1 second, then 2, then 4.
      refuse = true
      open[1]!.socket?.destroy()
      yield* waitForSleepUntil(2_000)
      yield* TestClock.adjust("1 second")
      yield* waitUntil(Effect.map(events, (r) => r.length === 3), "the refused reconnection")
      yield* waitForSleepUntil(4_000)
      yield* TestClock.adjust("2 seconds")
      yield* waitUntil(Effect.map(events, (r) => r.length === 4), "the second refused reconnection")
      yield* waitForSleepUntil(8_000)
      expect((yield* events)[3]?.headers["last-event-id"]).toBe("2")
    }))
})
