/**
 * Writing your own Layer with `CourierClient.layerDecorate`: a function from
 * the `execute` below to a new `execute`. Two examples: a request id, and a
 * tenant header read from a service of the application. Where each sits in
 * the stack decides what it sees. Run it with `pnpm docs:example 03-custom`.
 */
import { CourierClient, CourierRequest, Preset } from "@courier/client"
import { NodeTransport } from "@courier/client/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DemoApi } from "demo-api"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

// 1. A Layer with no needs: one `x-request-id` per call. Placed above the
//    retry Layer, every attempt of one call carries the same id.
const RequestId = CourierClient.layerDecorate((execute) =>
  Effect.succeed((request) =>
    // A value with CR, LF or NUL is never sent: the call fails with
    // RequestRefused (InvalidHeader) instead. A UUID is safe.
    execute(CourierRequest.setHeader(request, "x-request-id", crypto.randomUUID())))
)

// 2. A Layer that reads an application service when it is built.
class Tenant extends Context.Tag("docs/Tenant")<Tenant, { readonly id: string }>() {}

const TenantHeader = CourierClient.layerDecorate((execute) =>
  Effect.map(Tenant, (tenant) => (request: CourierRequest.CourierRequest) =>
    execute(CourierRequest.setHeader(request, "x-tenant", tenant.id)))
)

// 3. A Layer that observes: counts attempts and failures by tag. Placed below
//    the retry Layer, it sees every attempt.
class Attempts extends Context.Tag("docs/Attempts")<Attempts, Ref.Ref<ReadonlyArray<string>>>() {}

const RecordAttempts = CourierClient.layerDecorate((execute) =>
  Effect.map(Attempts, (seen) => (request: CourierRequest.CourierRequest) =>
    execute(request).pipe(
      Effect.tapBoth({
        onFailure: (e) => Ref.update(seen, (all) => [...all, `attempt ${request.attempt}: ${e._tag}`]),
        onSuccess: (r) => Ref.update(seen, (all) => [...all, `attempt ${request.attempt}: ${r.status}`])
      })
    ))
)

const program = Effect.gen(function*() {
  const client = yield* CourierClient.CourierClient
  const seen = yield* Attempts
  yield* client.get("/fault/flaky", { query: { key: "custom", failures: 2 } })
  yield* Console.log((yield* Ref.get(seen)).join("\n"))
})

// ── Wiring, from the program inwards: RequestId → Preset (retry, logging...) → RecordAttempts → TenantHeader → core.
const Client = Layer.unwrapEffect(
  Effect.map(DemoApi.DemoApi, (api) =>
    RequestId.pipe(
      Layer.provide(Preset.layerWithoutAuth({ retry: { baseDelay: "50 millis" }, tracing: false, logging: false })),
      Layer.provide(RecordAttempts),
      Layer.provide(TenantHeader),
      Layer.provide(NodeTransport.layerClient({ baseUrl: api.url }))
    ))
)

program.pipe(
  Effect.provide(Client),
  Effect.provide(Layer.mergeAll(
    Layer.succeed(Tenant, { id: "acme" }),
    Layer.effect(Attempts, Ref.make<ReadonlyArray<string>>([])),
    DemoApi.layer()
  )),
  NodeRuntime.runMain
)
