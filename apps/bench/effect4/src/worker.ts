/**
 * The client process of the effect 4 section: the bench's own requests task
 * (same warm-up, workloads and checks), bundled into `apps/bench/effect4/.build`
 * so that its packages (effect 4, @effect/platform-node 4, undici 8, Courier's
 * effect 4 line) load from this package's node_modules; it runs on Node >= 22.19.
 */
import { requests, serve } from "../../src/requests.js"
import { isEffect4WorkerClient, makeSession } from "./clients/index.js"

serve(async (task) => {
  if (task.kind !== "requests") throw new Error(`the effect 4 section measures request workloads only, not ${task.kind}`)
  const client = task.client
  if (!isEffect4WorkerClient(client)) throw new Error(`unknown client of the effect 4 section: ${client}`)
  return requests(task, (origin, logDir) => makeSession(client, origin, logDir))
})
