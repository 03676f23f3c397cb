/**
 * What the orchestrator, the server and the client processes agree on: the
 * payloads, the checks every client's decoded result must pass, the shape
 * of a measurement request and of its result.
 */

/** The paths of the request workloads. */
export type Path = "/small" | "/posts"

export interface Post {
  readonly userId: number
  readonly id: number
  readonly title: string
  readonly body: string
}

/** `/posts`: 100 objects of four fields, about 12.8 KB of JSON. */
export const makePosts = (): Array<Post> =>
  Array.from({ length: 100 }, (_, i) => ({
    userId: 1 + Math.floor(i / 10),
    id: i + 1,
    title: `post ${String(i + 1).padStart(3, "0")}: a title of a benchmark post`,
    body: `body of post ${String(i + 1).padStart(3, "0")}, long enough to look like prose.`
  }))

/**
 * The check applied to every decoded result, the same for every client: a
 * client that answers the wrong thing (or a half-decoded body) is an error,
 * not a fast client.
 */
export const checkResult = (path: Path, value: unknown): boolean => {
  if (path === "/small") {
    return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === true
  }
  if (!Array.isArray(value) || value.length !== 100) return false
  const first = value[0] as Post | undefined
  const last = value[99] as Post | undefined
  return first !== undefined && last !== undefined &&
    first.id === 1 && first.userId === 1 && typeof first.title === "string" && typeof first.body === "string" &&
    last.id === 100 && last.userId === 10 && typeof last.title === "string" && typeof last.body === "string"
}

/** The refresh storm's routes and tokens. */
export const storm = {
  expiredToken: "expired-access-token",
  refreshToken: "refresh-token",
  refreshPath: "/auth/refresh",
  protectedPath: "/protected"
} as const

/** Byte `i` of every `/download/:bytes` body, so a client's file can be checked. */
export const patternByte = (i: number): number => i % 251

/**
 * The stacks of the Layer costs, measured one after the other in one
 * process: the stubbed client alone, each Layer of the recommended preset
 * over it, then the whole preset over it.
 */
export const layerStacks = ["stub", "retry", "tracing", "logging", "metrics", "auth", "preset"] as const

export type LayerStack = typeof layerStacks[number]

/** The stacks that must write one log line per call. */
export const loggingStacks: ReadonlyArray<LayerStack> = ["logging"]

/** A measured phase in a client process: requests until the count or the time limit, whichever comes first. */
export interface Phase {
  readonly path: Path
  readonly concurrency: number
  readonly count: number
  readonly seconds: number
}

/**
 * The warm-up before the measured phases: `count` requests at
 * `concurrency`, split evenly between the paths, so that the code every
 * phase runs is compiled and the heap has grown to its working size. It
 * is a count, not a time, so a slow client is as warm as a fast one.
 */
export interface Warmup {
  readonly paths: ReadonlyArray<Path>
  readonly count: number
  readonly concurrency: number
  /** A safety limit only. */
  readonly seconds: number
}

/** One measurement, as a client process receives it (JSON on argv). */
export type Task =
  | {
    readonly kind: "requests"
    readonly client: string
    readonly origin: string
    readonly warmup: Warmup
    /** The server's process id, to read how busy its core was during each phase (Linux). */
    readonly serverPid: number | undefined
    /** The workloads, measured one after the other in this process. */
    readonly phases: ReadonlyArray<Phase>
    /** Where a client that logs writes its log file. */
    readonly logDir: string
  }
  | {
    readonly kind: "download"
    readonly client: "undici" | "courier"
    readonly origin: string
    readonly bytes: number
    readonly dir: string
    readonly logDir: string
  }
  | {
    readonly kind: "upload"
    readonly client: "undici" | "courier"
    readonly origin: string
    readonly file: string
    readonly logDir: string
  }
  | {
    readonly kind: "storm"
    readonly client: "courier-preset"
    readonly origin: string
    readonly requests: number
    readonly logDir: string
  }
  | {
    readonly kind: "layers"
    readonly client: "courier-preset"
    /** In the order measured. */
    readonly stacks: ReadonlyArray<LayerStack>
    /** Calls before each stack's measured ones, not limited in time (but for a safety limit). */
    readonly warmup: number
    readonly count: number
    readonly concurrency: number
    /** The time limit of each stack's measured calls. */
    readonly seconds: number
    readonly logDir: string
  }

export interface PhaseResult {
  readonly path: Path
  readonly concurrency: number
  /** Measured requests completed. */
  readonly count: number
  /** Failed requests and wrong results. */
  readonly errors: number
  readonly firstError: string | undefined
  readonly seconds: number
  readonly rps: number
  readonly p50Us: number
  readonly p99Us: number
  readonly cpuUsPerRequest: number
  /** The peak during this phase (the kernel's mark is reset as it starts). */
  readonly peakRssMb: number
  /** How busy the server's process was during the phase, in % of one core. */
  readonly serverCpuPct: number | undefined
}

export interface RequestsResult {
  readonly kind: "requests"
  readonly warmupDone: number
  readonly warmupErrors: number
  readonly warmupFirstError: string | undefined
  readonly phases: ReadonlyArray<PhaseResult>
  /** The peak of the process from the start of the warm-up to the end of the last phase. */
  readonly peakRssMb: number
  /** Lines written to the log file, for a client that logs (one per request expected). */
  readonly logLines: number | undefined
}

export interface TransferResult {
  readonly kind: "download" | "upload"
  readonly bytes: number
  readonly seconds: number
  readonly mibPerSecond: number
  readonly rssBeforeMb: number
  readonly peakRssMb: number
  readonly rssGrowthMb: number
  readonly cpuSeconds: number
  readonly error: string | undefined
}

export interface StormResult {
  readonly kind: "storm"
  readonly requests: number
  readonly succeeded: number
  readonly firstError: string | undefined
  /** Client clock (epoch ms, sub-ms precision) when the last request succeeded. */
  readonly lastSuccessAt: number
  readonly startedAt: number
}

export interface LayerResult {
  readonly stack: LayerStack
  readonly warmupDone: number
  /** Measured calls completed. */
  readonly count: number
  /** Failed calls and wrong results, over the warm-up and the measured calls. */
  readonly errors: number
  readonly firstError: string | undefined
  readonly seconds: number
  readonly cpuUsPerCall: number
  /** Lines written to the stack's log file over the warm-up and the measured calls. */
  readonly logLines: number
}

export interface LayersResult {
  readonly kind: "layers"
  readonly stacks: ReadonlyArray<LayerResult>
}

export type Result = RequestsResult | TransferResult | StormResult | LayersResult

/** Epoch milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now()
