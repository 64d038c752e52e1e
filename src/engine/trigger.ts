import type { CronJobRow, RunRow } from "../db/schema";
import type { EngineDeps } from "./deps";
import { sendFollowUps } from "./follow-ups";
import { insertRunStatement, type NewRun, runId, takeLeaseStatement } from "./ledger";
import { executeLeased, type RunOutcome } from "./run";
import { toRunRow } from "./run-row";

/**
 * Run now, inline: slot = request time plus a random nonce; row written and leased in one batch, then run on the
 * scheduled path. If the client leaves mid-run the relay re-sends after the lease expires. next_run_at is
 * untouched; null when the job was paused or deleted first.
 */
export async function triggerNow(deps: EngineDeps, job: CronJobRow): Promise<RunOutcome | null> {
  const row = await leaseManualRun(deps, job);
  return row ? executeLeased(deps, job, row) : null;
}

/** A manual run's first attempt, written to the ledger and leased in one batch (undefined: paused or deleted). */
export async function leaseManualRun(deps: EngineDeps, job: CronJobRow): Promise<RunRow | undefined> {
  const now = deps.now();
  // No message: the request itself is the delivery.
  const run = { ...manualRun(job, now), sentAt: now };
  const ref = { id: runId(run), jobId: job.id, accountId: job.accountId };
  const [, leased] = await deps.db.batch([
    insertRunStatement(deps.db, run),
    takeLeaseStatement(deps.db, ref, now, job.timeoutSeconds),
  ]);
  return leased[0] && toRunRow(leased[0], ref);
}

/** A manual run left to the queue: its row queued and unsent, then its message; the relay sends it if that fails. */
export async function enqueueManualRun(deps: EngineDeps, job: CronJobRow): Promise<string> {
  const run = manualRun(job, deps.now());
  await insertRunStatement(deps.db, run);
  const row = { id: runId(run), jobId: run.jobId, accountId: run.accountId, plannedAt: run.plannedAt };
  try {
    await sendFollowUps(deps, [row], []);
  } catch (err) {
    console.error(JSON.stringify({ event: "run_now_enqueue_failed", run_id: row.id, error: String(err) }));
  }
  return row.id;
}

/** The ledger row of a manual run's first attempt requested at `now`, its message not sent yet. */
function manualRun(job: CronJobRow, now: number): NewRun {
  return {
    jobId: job.id,
    accountId: job.accountId,
    slot: now,
    attempt: 0,
    nonce: crypto.randomUUID(),
    origin: "manual",
    plannedAt: now,
    sentAt: null,
    now,
  };
}
