/**
 * Your own Layer with `CourierClient.layerDecorate` on effect 4: the same
 * extension point as on effect 3, with the application's services declared
 * as `Context.Service` classes. The effect 3 version is
 * docs/examples/03-custom-layer.ts.
 */
import { CourierClient, CourierRequest, NodeTransport, Preset } from "@courier/client-effect4"
import { Reply, TestServer } from "@courier/testing-effect4"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

// 1. A Layer with no needs: one `x-request-id` per call. Placed above the
//    retry Layer, every attempt of one call carries the same id.
const RequestId = CourierClient.layerDecorate((execute) =>
  Effect.succeed((request: CourierRequest.CourierRequest) =>
    execute(CourierRequest.setHeader(request, "x-request-id", crypto.randomUUID())))
)

// 2. A Layer that reads an application service when it is built. effect 3:
//    `class Tenant extends Context.Tag("docs/Tenant")<Tenant, { ... }>() {}`.
class Tenant extends Context.Service<Tenant, { readonly id: string }>()("docs/Tenant") {}

const TenantHeader = CourierClient.layerDecorate((execute) =>
  Effect.map(Tenant, (tenant) => (request: CourierRequest.CourierRequest) =>
    execute(CourierRequest.setHeader(request, "x-tenant", tenant.id)))
)

// 3. A Layer that observes every attempt: placed below the retry Layer.
class Attempts extends Context.Service<Attempts, Ref.Ref<ReadonlyArray<string>>>()("docs/Attempts") {}

const RecordAttempts = CourierClient.layerDecorate((execute) =>
  Effect.map(Attempts, (seen) => (request: CourierRequest.CourierRequest) =>
    execute(request).pipe(
      Effect.tap((r) => Ref.update(seen, (all) => [...all, `attempt ${request.attempt}: ${r.status}`])),
      Effect.tapError((e) => Ref.update(seen, (all) => [...all, `attempt ${request.attempt}: ${e._tag}`]))
    ))
)

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  yield* client.get("/flaky")
  yield* Console.log((yield* Ref.get(yield* Attempts)).join("\n"))
})

// From the program inwards: RequestId → Preset (retry...) → RecordAttempts → TenantHeader → core.
const Client = (baseUrl: string) =>
  RequestId.pipe(
    Layer.provide(Preset.layerWithoutAuth({ retry: { baseDelay: "50 millis" }, logging: false })),
    Layer.provide(RecordAttempts),
    Layer.provide(TenantHeader),
    Layer.provide(NodeTransport.layerClient({ baseUrl }))
  )

const main = Effect.gen(function*() {
  const server = yield* TestServer.make({
    routes: [["GET", "/flaky", Reply.sequence([Reply.status(503), Reply.json({ ok: true })])]]
  })
  yield* program.pipe(
    Effect.provide(Client(server.url)),
    Effect.provide(Layer.mergeAll(
      Layer.succeed(Tenant, { id: "acme" }),
      Layer.effect(Attempts, Ref.make<ReadonlyArray<string>>([]))
    ))
  )
  const sent = yield* server.requests("/flaky")
  const ids = new Set(sent.map((r) => r.headers["x-request-id"]))
  yield* Console.log(`${sent.length} attempts, ${ids.size} request id, x-tenant ${sent[1]?.headers["x-tenant"]}`)
})

Effect.runPromise(Effect.scoped(main)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
