import type { CronJobRow, RunRow } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";
import {
  type CompletionAnswer,
  type CompletionReport,
  completeRun,
  type DeadlineReport,
  expireAwaitingRuns,
} from "./completion";
import type { EngineDeps } from "./deps";
import { closeAttempt } from "./run";
import type { RunRef } from "./run-row";

/** An awaiting run's outcome goes through the one recording path: retries, callbacks and alerts as for any. */
const closeWith = (deps: EngineDeps) => (job: CronJobRow, run: RunRow, startedAt: number, result: ExecutionResult) =>
  closeAttempt(deps, job, run, startedAt, result);

/** A POST to a completion URL (src/engine/completion.ts completeRun), recorded by closeAttempt. */
export function recordCompletion(
  deps: EngineDeps,
  ref: RunRef & { accountId: string },
  token: string,
  report: CompletionReport,
): Promise<CompletionAnswer> {
  return completeRun(deps, ref, token, report, closeWith(deps));
}

/** The tick's deadline check (src/engine/completion.ts expireAwaitingRuns), recorded by closeAttempt. */
export function expireDeadlines(
  deps: EngineDeps,
  now: number,
  opts: { queryBudget?: number; pageSize?: number } = {},
): Promise<DeadlineReport> {
  return expireAwaitingRuns(deps, now, closeWith(deps), opts);
}
