import type { RunRow, RunTrigger } from "../db/schema";

/** What started an attempt, as its log says: its origin (or `replay`) for a first attempt, `retry` after that. */
export function runTrigger(run: Pick<RunRow, "origin" | "attempt" | "replayOf">): RunTrigger {
  if (run.attempt > 0) return "retry";
  return run.replayOf ? "replay" : run.origin;
}
