/**
 * The benchmark server: a keep-alive `node:http` server on 127.0.0.1, in its
 * own process (pinned to its own core by the orchestrator), with bodies
 * serialised once so that its cost per request stays small and constant.
 * It reports its port over IPC and then answers control messages.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { makePosts, now, patternByte, storm } from "./shared.js"

const json = (value: unknown) => {
  const body = Buffer.from(JSON.stringify(value))
  return { body, headers: { "content-type": "application/json", "content-length": String(body.byteLength) } }
}
const small = json({ ok: true })
const posts = json(makePosts())
const notFound = json({ error: "not found" })
const unauthorized = json({ error: "unauthorized" })
const protectedOk = json({ ok: true })

// 64 KiB of the download pattern; its length is a multiple of 251, so
// chunk after chunk continues the pattern.
const chunk = Buffer.alloc(251 * 261, 0).map((_, i) => patternByte(i))

/** The refresh storm's state: the token the server accepts and what happened. */
const state = {
  validToken: "",
  generation: 0,
  refreshes: 0,
  unauthorized: 0,
  succeeded: 0,
  first401At: 0,
  lastSuccessAt: 0
}
const resetStorm = () => {
  state.generation += 1
  state.validToken = `fresh-access-token-${state.generation}`
  state.refreshes = 0
  state.unauthorized = 0
  state.succeeded = 0
  state.first401At = 0
  state.lastSuccessAt = 0
}
resetStorm()

const send = (res: http.ServerResponse, status: number, r: { body: Buffer; headers: Record<string, string> }) => {
  res.writeHead(status, r.headers)
  res.end(r.body)
}

const download = (res: http.ServerResponse, bytes: number) => {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes) })
  let left = bytes
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.byteLength ? chunk : chunk.subarray(0, left)
      left -= piece.byteLength
      if (left === 0) {
        res.end(piece)
        return
      }
      if (!res.write(piece)) {
        res.once("drain", pump)
        return
      }
    }
  }
  pump()
}

const server = http.createServer({ keepAlive: true }, (req, res) => {
  const url = req.url ?? "/"
  if (req.method === "GET" && url === "/small") return send(res, 200, small)
  if (req.method === "GET" && url === "/posts") return send(res, 200, posts)
  if (req.method === "GET" && url.startsWith("/download/")) {
    const bytes = Number(url.slice("/download/".length))
    if (!Number.isSafeInteger(bytes) || bytes < 0) return send(res, 404, notFound)
    return download(res, bytes)
  }
  if (req.method === "POST" && url === "/upload") {
    let bytes = 0
    req.on("data", (piece: Buffer) => {
      bytes += piece.byteLength
    })
    req.on("end", () => {
      const answer = json({ bytes, contentLength: Number(req.headers["content-length"] ?? -1) })
      send(res, 200, answer)
    })
    return
  }
  if (req.method === "GET" && url === storm.protectedPath) {
    if (req.headers["authorization"] === `Bearer ${state.validToken}`) {
      state.succeeded += 1
      state.lastSuccessAt = now()
      return send(res, 200, protectedOk)
    }
    state.unauthorized += 1
    if (state.first401At === 0) state.first401At = now()
    return send(res, 401, unauthorized)
  }
  if (req.method === "POST" && url === storm.refreshPath) {
    const parts: Array<Buffer> = []
    req.on("data", (piece: Buffer) => parts.push(piece))
    req.on("end", () => {
      state.refreshes += 1
      let token: unknown
      try {
        token = (JSON.parse(Buffer.concat(parts).toString("utf8")) as { refreshToken?: unknown }).refreshToken
      } catch {
        token = undefined
      }
      if (token !== storm.refreshToken) return send(res, 401, unauthorized)
      send(res, 200, json({ accessToken: state.validToken, refreshToken: storm.refreshToken }))
    })
    return
  }
  req.resume()
  send(res, 404, notFound)
})

// Idle keep-alive sockets stay open across a whole measurement; nothing times out under load.
server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000
server.requestTimeout = 0
server.maxRequestsPerSocket = 0

type Control =
  | { readonly type: "storm-reset" }
  | { readonly type: "storm-stats" }
  | { readonly type: "cpu" }
  | { readonly type: "stop" }

process.on("message", (message: Control) => {
  switch (message.type) {
    case "storm-reset":
      resetStorm()
      process.send?.({ type: "storm-reset", ok: true })
      break
    case "storm-stats":
      process.send?.({
        type: "storm-stats",
        refreshes: state.refreshes,
        unauthorized: state.unauthorized,
        succeeded: state.succeeded,
        first401At: state.first401At,
        lastSuccessAt: state.lastSuccessAt
      })
      break
    case "cpu": {
      const cpu = process.cpuUsage()
      process.send?.({ type: "cpu", seconds: (cpu.user + cpu.system) / 1e6 })
      break
    }
    case "stop":
      server.closeAllConnections()
      server.close(() => process.exit(0))
      break
  }
})
process.on("disconnect", () => process.exit(0))

server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  const { port } = server.address() as AddressInfo
  process.send?.({ type: "listening", port, postsBytes: posts.body.byteLength })
})
