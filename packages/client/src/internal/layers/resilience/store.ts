/**
 * The state behind the circuit breaker and the rate limiter: plain data
 * under a string key, changed only through `modify`. The in-memory store
 * below serves one process; a store shared by several replicas (Redis, say)
 * implements the same `modify` with an optimistic transaction, which is why
 * `f` must be pure and the state serialisable (numbers, strings, arrays).
 */
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { markLocal } from "../../core/localStore.js"

/** @internal */
export interface KeyedStore<S> {
  readonly modify: <A>(key: string, f: (state: Option.Option<S>) => readonly [A, S]) => Effect.Effect<A>
}

/** @internal */
export const makeMemory = <S>(): Effect.Effect<KeyedStore<S>> =>
  Effect.map(Ref.make(HashMap.empty<string, S>()), (ref) =>
    markLocal<KeyedStore<S>>({
      modify: <A>(key: string, f: (state: Option.Option<S>) => readonly [A, S]) =>
        Ref.modify(ref, (states) => {
          const [result, next] = f(HashMap.get(states, key))
          return [result, HashMap.set(states, key, next)] as const
        })
    }))
