/**
 * The process's standard streams as a service, so commands say what they
 * print and the live Layer alone touches `process`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Writable } from "node:stream"

/** One output stream. */
export interface Output {
  readonly isTTY: boolean
  /** Colour is wanted: a terminal, and NO_COLOR unset (FORCE_COLOR forces it). */
  readonly colour: boolean
  /** Terminal width, 80 when unknown. */
  readonly columns: () => number
  /** Writes and waits until the stream took it (back-pressure). Never fails: a closed pipe is ignored. */
  readonly write: (chunk: string | Uint8Array) => Effect.Effect<void>
  /** Writes now, without waiting: for teardown, where nothing can be awaited. */
  readonly unsafeWrite: (chunk: string) => void
}

/** The service. */
export interface Service {
  readonly stdout: Output
  readonly stderr: Output
  readonly stdinIsTTY: boolean
  /** All of stdin as text, up to `limit` bytes. */
  readonly readStdin: (limit: number) => Effect.Effect<string, string>
}

/** The service tag. */
export class Stdio extends Context.Tag("cli/Stdio")<Stdio, Service>() {}

const wantsColour = (isTTY: boolean, env: NodeJS.ProcessEnv): boolean => {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true
  return isTTY
}

const output = (stream: Writable & { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): Output => {
  // A reader that went away (`courier get ... | head`) is not our failure.
  stream.on("error", () => {})
  const isTTY = stream.isTTY === true
  return {
    isTTY,
    colour: wantsColour(isTTY, env),
    columns: () => (stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80),
    write: (chunk) =>
      Effect.async<void>((resume) => {
        if (stream.destroyed || !stream.writable) return resume(Effect.void)
        stream.write(chunk, () => resume(Effect.void))
      }),
    unsafeWrite: (chunk) => {
      if (!stream.destroyed && stream.writable) stream.write(chunk)
    }
  }
}

const readStdin = (limit: number) =>
  Effect.async<string, string>((resume) => {
    const stdin = process.stdin
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      stdin.off("data", onData)
      stdin.off("end", onEnd)
      stdin.off("error", onError)
      stdin.pause()
    }
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) {
        cleanup()
        return resume(Effect.fail(`standard input is longer than ${limit} bytes`))
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = (error: Error) => {
      cleanup()
      resume(Effect.fail(`standard input could not be read: ${error.message}`))
    }
    stdin.on("data", onData)
    stdin.on("end", onEnd)
    stdin.on("error", onError)
    stdin.resume()
    return Effect.sync(cleanup)
  })

/** The live streams of this process. */
export const layer: Layer.Layer<Stdio> = Layer.sync(Stdio, () => ({
  stdout: output(process.stdout, process.env),
  stderr: output(process.stderr, process.env),
  stdinIsTTY: process.stdin.isTTY === true,
  readStdin
}))
