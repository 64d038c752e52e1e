import type { RunRow, RunTrigger } from "../db/schema";

/** What started an attempt, as its log says: its origin for a first attempt, `retry` after that. */
export function runTrigger(run: Pick<RunRow, "origin" | "attempt">): RunTrigger {
  return run.attempt > 0 ? "retry" : run.origin;
}
