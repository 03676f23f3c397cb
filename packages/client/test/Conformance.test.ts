import { assertCase } from "@courier/suites/Case"
import * as Conformance from "@courier/suites/Conformance"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Reply, TestServer } from "@courier/testing"
import { line } from "./line.js"
import { clientOn, transports } from "./support.js"

// One suite, every transport: what a program observes must not depend on
// whether undici or fetch carries the bytes. The cases are @courier/suites'
// conformance suite, which the effect 4 line runs too.

for (const kind of transports) {
  describe(`conformance on ${kind}`, () => {
    const onKind = line(kind)
    for (const c of Conformance.cases) it(c.name, () => assertCase(onKind, c), c.timeoutMs)

    // The effect 3 API itself: a failure's tag is what `catchTag` branches on.
    it.scopedLive("catchTag branches on the failure, never on a status code", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ routes: [["GET", "/missing", Reply.status(404)]] })
        const client = yield* clientOn(server, kind)
        const result = yield* client.get("/missing", { schema: Schema.Array(Schema.Number) }).pipe(
          Effect.catchTag("BadResponse", (e) => Effect.succeed(`bad ${e.status}`)),
          Effect.catchTag("Parse", () => Effect.succeed("parse"))
        )
        expect(result).toBe("bad 404")
      }))
  })
}
