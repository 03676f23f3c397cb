/**
 * Scripted answers for a test server: a sequence gives its steps one per
 * request, then repeats its last, and sequences nest.
 */

/**
 * The step a request gets, advancing every sequence it goes through
 * (`counters` holds how far each has gone). An empty sequence, or one nested
 * in itself more than 64 deep (a test's mistake), gives `fallback()`.
 */
export const next = <S, Q extends S>(
  step: S,
  isSequence: (step: S) => step is Q,
  stepsOf: (sequence: Q) => ReadonlyArray<S>,
  counters: Map<Q, number>,
  fallback: () => Exclude<S, Q>
): Exclude<S, Q> => {
  let current = step
  for (let depth = 0; depth < 64; depth++) {
    // Not a sequence, by `isSequence`: TypeScript does not narrow a generic to the Exclude.
    if (!isSequence(current)) return current as Exclude<S, Q>
    const steps = stepsOf(current)
    if (steps.length === 0) return fallback()
    const index = counters.get(current) ?? 0
    counters.set(current, index + 1)
    current = steps[Math.min(index, steps.length - 1)]!
  }
  return fallback()
}
