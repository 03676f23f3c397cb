/**
 * One measurement in a fresh process: the task comes as JSON on argv, the
 * result goes back over IPC (or to stdout when run by hand).
 */
import { isClientId, makeSession } from "./clients/index.js"
import { requests, serve } from "./requests.js"

serve(async (task) => {
  switch (task.kind) {
    case "requests": {
      const client = task.client
      if (!isClientId(client)) throw new Error(`unknown client ${client}`)
      return requests(task, (origin, logDir) => makeSession(client, origin, logDir))
    }
    case "download":
      return task.client === "undici"
        ? (await import("./transfers/undici.js")).download(task)
        : (await import("./transfers/courier.js")).download(task)
    case "upload":
      return task.client === "undici"
        ? (await import("./transfers/undici.js")).upload(task)
        : (await import("./transfers/courier.js")).upload(task)
    case "storm":
      return (await import("./storm.js")).run(task)
    case "layers":
      return (await import("./layers.js")).run(task)
  }
})
