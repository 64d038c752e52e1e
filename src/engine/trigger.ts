import type { CronJobRow, RunRow } from "../db/schema";
import type { EngineDeps } from "./deps";
import { sendFollowUps } from "./follow-ups";
import { insertRunStatement, type NewRun, runId, takeLeaseStatement } from "./ledger";
import { executeLeased, type RunOutcome } from "./run";
import { toRunRow } from "./run-row";

/**
 * Run now: a manual run of its own — its slot is the request time and a random nonce keeps runs started in the
 * same millisecond apart — written to the ledger and leased in one batch before the first attempt executes inline,
 * on the same code path as a scheduled run (retries and callbacks follow through the queue). If the client goes
 * away mid-run, the leased row remains; the tick's relay re-sends it once the lease expires, so the run still ends
 * recorded. next_run_at and the occurrence count are untouched. Returns null when the job was paused or deleted
 * before the lease was taken. POST /trigger goes through src/engine/run-now.ts, which picks this inline path or
 * the queue (enqueueManualRun) by the job's timeout.
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

/**
 * A manual run left to the queue (a job whose timeout outlasts the request's bounded wait, src/engine/run-now.ts):
 * its ledger row, queued and not yet sent, then its message. If the send fails the row stays unsent and the
 * tick's relay sends it, so the run is never lost; the lease taken by the consumer keeps it to one call.
 */
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
