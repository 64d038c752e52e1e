import type { CronJobRow } from "../db/schema";
import type { EngineDeps } from "./deps";
import { type RunOutcome, runAttempt } from "./run";

/**
 * Run now: the first attempt executes inline, on the same code path as a scheduled run (retries and callbacks
 * follow through the queue). The slot is the request time, so next_run_at and the occurrence count are untouched.
 */
export function triggerNow(deps: EngineDeps, job: CronJobRow, now = Date.now()): Promise<RunOutcome> {
  return runAttempt(deps, job, { type: "run", jobId: job.id, slot: now, attempt: 0, source: "manual" });
}
