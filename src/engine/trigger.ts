import type { CronJobRow } from "../db/schema";
import type { EngineDeps } from "./deps";
import { insertRunStatement, type NewRun, runId, takeLeaseStatement } from "./ledger";
import { executeLeased, type RunOutcome } from "./run";

/**
 * Run now: a manual run of its own — its slot is the request time and a random nonce keeps runs started in the
 * same millisecond apart — written to the ledger and leased in one batch before the first attempt executes inline,
 * on the same code path as a scheduled run (retries and callbacks follow through the queue). If the client goes
 * away mid-run, the leased row remains; the tick's relay re-sends it once the lease expires, so the run still ends
 * recorded. next_run_at and the occurrence count are untouched. Returns null when the job was paused or deleted
 * before the lease was taken.
 */
export async function triggerNow(deps: EngineDeps, job: CronJobRow): Promise<RunOutcome | null> {
  const now = deps.now();
  const run: NewRun = {
    jobId: job.id,
    accountId: job.accountId,
    slot: now,
    attempt: 0,
    nonce: crypto.randomUUID(),
    origin: "manual",
    plannedAt: now,
    // No message: the request itself is the delivery.
    sentAt: now,
    now,
  };
  const [, leased] = await deps.db.batch([
    insertRunStatement(deps.db, run),
    takeLeaseStatement(deps.db, runId(run), now, job.timeoutSeconds),
  ]);
  const row = leased[0];
  if (!row) return null;
  return executeLeased(deps, job, row);
}
