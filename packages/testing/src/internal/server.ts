import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * A wait of the engine as an Effect: the engine's own (wall-clock) timer
 * bounds it, so a `TestClock` does not freeze it; interrupting the Effect
 * cancels the wait.
 *
 * @internal
 */
export const wait = (
  register: (timeoutMillis: number, callback: (reached: boolean) => void) => () => void,
  timeout: Duration.DurationInput | undefined
): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const cancel = register(Duration.toMillis(timeout ?? Duration.seconds(5)), (reached) => resume(Effect.succeed(reached)))
    return Effect.sync(cancel)
  })

/**
 * An engine server started, closed with the scope. A failure to bind
 * 127.0.0.1 is a defect: the test cannot run.
 *
 * @internal
 */
export const scoped = <S extends { readonly close: () => Promise<void> }>(
  start: () => Promise<S>
): Effect.Effect<S, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.promise(() => start()), (server) => Effect.promise(() => server.close()))
