import { describe, expect, it } from "vitest"
import * as Script from "../src/Script.js"

type Step = { readonly _tag: "Say"; readonly text: string } | Seq
interface Seq {
  readonly _tag: "Seq"
  readonly steps: ReadonlyArray<Step>
}

const say = (text: string): Step => ({ _tag: "Say", text })
const seq = (...steps: ReadonlyArray<Step>): Seq => ({ _tag: "Seq", steps })
const isSeq = (step: Step): step is Seq => step._tag === "Seq"

const run = (script: Step, requests: number) => {
  const counters = new Map<Seq, number>()
  return Array.from({ length: requests }, () => Script.next(script, isSeq, (s) => s.steps, counters, () => ({ _tag: "Say" as const, text: "fallback" })).text)
}

describe("Script.next", () => {
  it("gives a sequence's steps one per request, then repeats the last", () => {
    expect(run(seq(say("a"), say("b")), 4)).toEqual(["a", "b", "b", "b"])
    expect(run(say("x"), 2)).toEqual(["x", "x"])
  })

  it("advances nested sequences each by the requests that reach them", () => {
    // The inner sequence is reached once, by the second request.
    expect(run(seq(say("a"), seq(say("b"), say("c")), say("d")), 5)).toEqual(["a", "b", "d", "d", "d"])
    expect(run(seq(say("a"), seq(say("b"), say("c"))), 5)).toEqual(["a", "b", "c", "c", "c"])
  })

  it("an empty sequence, or one nested past 64 levels, gives the fallback", () => {
    expect(run(seq(), 1)).toEqual(["fallback"])
    let deep: Step = say("deep")
    for (let i = 0; i < 70; i++) deep = seq(deep)
    expect(run(deep, 1)).toEqual(["fallback"])
  })
})
