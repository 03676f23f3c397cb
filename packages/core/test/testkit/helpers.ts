import * as Http from "node:http"
import * as Net from "node:net"
import { expect, onTestFinished } from "vitest"

/** Closes `server` when the running test ends, pass or fail. */
export const closing = async <S extends { readonly close: () => Promise<void> }>(started: Promise<S>): Promise<S> => {
  const server = await started
  onTestFinished(() => server.close())
  return server
}

/** What a raw node:http request saw. */
export interface RawResponse {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
  /** ms from sending the request to each body chunk. */
  readonly chunkTimes: ReadonlyArray<number>
  readonly headersAt: number
  readonly endAt: number
}

/** The error a raw request failed with, with node's code and syscall. */
export interface RawError {
  readonly message: string
  readonly code: string | undefined
  readonly syscall: string | undefined
}

export interface RawOptions {
  readonly method?: string
  readonly headers?: Http.OutgoingHttpHeaders
  readonly body?: string | Uint8Array
  readonly agent?: Http.Agent | false
  readonly signal?: AbortSignal
}

/**
 * A request through node:http without a pooled agent (unless given), so the
 * bytes are exactly what the server sent: no decompression, no retries.
 * Rejects with a {@link RawError}.
 */
export const raw = (url: string, options: RawOptions = {}): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const request = Http.request(url, {
      method: options.method ?? "GET",
      headers: options.headers ?? {},
      agent: options.agent ?? false,
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    const fail = (error: NodeJS.ErrnoException): void =>
      reject({ message: error.message, code: error.code, syscall: error.syscall } satisfies RawError)
    request.on("error", fail)
    request.on("response", (response) => {
      const headersAt = performance.now() - started
      const chunks: Array<Buffer> = []
      const chunkTimes: Array<number> = []
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk)
        chunkTimes.push(performance.now() - started)
      })
      response.on("error", fail)
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          chunkTimes,
          headersAt,
          endAt: performance.now() - started
        }))
    })
    request.end(options.body)
  })

/** The error `promise` rejected with; fails the test when it resolved. */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

/** Re-reads `read` every 10 ms until `predicate` holds, for at most 2 s; the test fails otherwise. */
export const eventually = async <A>(read: () => A, predicate: (a: A) => boolean): Promise<A> => {
  for (let i = 0; i < 200 && !predicate(read()); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  const value = read()
  expect(predicate(value)).toBe(true)
  return value
}

/** How a TCP connect stands after `millis`: connected, refused (the error code), or still pending. */
export const connectOutcome = (port: number, millis = 1_000): Promise<string> =>
  new Promise((resolve) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const settle = (outcome: string): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => settle("pending"), millis)
    socket.once("connect", () => settle("connected"))
    socket.once("error", (error: NodeJS.ErrnoException) => settle(error.code ?? "error"))
  })

/** A keep-alive agent with one socket, destroyed when the test ends. */
export const keepAliveAgent = (): Http.Agent => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
  onTestFinished(() => agent.destroy())
  return agent
}
