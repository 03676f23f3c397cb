import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DemoApi } from "../src/index.js"

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
  )

/** Reads an event stream until `count` events (blank-line separated blocks with data) arrived. */
const readEvents = (url: string, headers: Record<string, string>, count: number, afterOpen: Effect.Effect<unknown> = Effect.void) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new AbortController()),
    (controller) =>
      Effect.gen(function*() {
        const response = yield* Effect.promise(() => fetch(url, { headers, signal: controller.signal }))
        expect(response.headers.get("content-type")).toContain("text/event-stream")
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
        // The first bytes come after the server subscribed to changes.
        let text = ""
        const first = yield* Effect.promise(() => reader.read())
        if (!first.done) text += first.value
        yield* afterOpen
        const events = () => text.split("\n\n").filter((block) => block.includes("data:"))
        while (events().length < count) {
          const chunk = yield* Effect.promise(() => reader.read())
          if (chunk.done) break
          text += chunk.value
        }
        return events()
      }),
    (controller) => Effect.sync(() => controller.abort())
  )

describe("demo API feature flags over OFREP", () => {
  it.scopedLive("bulk evaluation answers an ETag, 304 for it, and a new ETag after a flip", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const first = yield* post(`${api.url}/ofrep/v1/evaluate/flags`, { context: { targetingKey: "u" } })
      const etag = first.headers.get("etag")!
      const body = (yield* Effect.promise(() => first.json())) as { flags: Array<{ key: string; value: unknown }> }
      expect(body.flags).toContainEqual(expect.objectContaining({ key: "enable_new_ui", value: false, reason: "STATIC" }))
      const again = yield* post(`${api.url}/ofrep/v1/evaluate/flags`, { context: {} }, { "if-none-match": etag })
      expect(again.status).toBe(304)
      expect(again.headers.get("etag")).toBe(etag)
      const flipped = yield* post(`${api.url}/flags/enable_new_ui/flip`, {})
      expect(flipped.status).toBe(200)
      const after = yield* post(`${api.url}/ofrep/v1/evaluate/flags`, { context: {} }, { "if-none-match": etag })
      expect(after.status).toBe(200)
      expect(after.headers.get("etag")).not.toBe(etag)
      const notBoolean = yield* post(`${api.url}/flags/max_items/flip`, {})
      expect(notBoolean.status).toBe(400)
    }))

  it.scopedLive("the event stream opens with the current version, and a Last-Event-ID at it waits for the next change", () =>
    Effect.gen(function*() {
      const api = yield* DemoApi.make()
      const [opening] = yield* readEvents(`${api.url}/flags/events`, {}, 1)
      expect(opening).toContain("id: 1")
      const flip = post(`${api.url}/flags/enable_new_ui/flip`, {})
      const resumed = yield* readEvents(`${api.url}/flags/events`, { "last-event-id": "1" }, 1, flip)
      expect(resumed).toHaveLength(1)
      expect(resumed[0]).toContain("id: 2")
      const behind = yield* readEvents(`${api.url}/flags/events`, { "last-event-id": "1" }, 1)
      expect(behind[0]).toContain("id: 2")
    }))
})
