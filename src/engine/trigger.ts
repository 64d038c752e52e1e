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

/**
 * A manual run's first attempt, written to the ledger and leased in one batch (undefined: paused or deleted).
 * `replayOf`: the execution it replays (POST …/replay).
 */
export async function leaseManualRun(
  deps: EngineDeps,
  job: CronJobRow,
  replayOf: string | null = null,
): Promise<RunRow | undefined> {
  const now = deps.now();
  // No message: the request itself is the delivery.
  const run = { ...manualRun(job, now, replayOf), sentAt: now };
  const ref = { id: runId(run), jobId: job.id, accountId: job.accountId };
  const [, leased] = await deps.db.batch([
    insertRunStatement(deps.db, run),
    takeLeaseStatement(deps.db, ref, now, job.timeoutSeconds),
  ]);
  return leased[0] && toRunRow(leased[0], ref);
}

/** A manual run left to the queue: its row queued and unsent, then its message; the relay sends it if that fails. */
export async function enqueueManualRun(deps: EngineDeps, job: CronJobRow, replayOf: string | null = null) {
  const [id] = await enqueueManualRuns(deps, [{ job, replayOf }]);
  return id as string;
}

/** enqueueManualRun for many runs: one batch of ledger rows, then their messages; returns their execution ids. */
export async function enqueueManualRuns(
  deps: EngineDeps,
  wanted: ReadonlyArray<{ job: CronJobRow; replayOf: string | null }>,
): Promise<string[]> {
  if (wanted.length === 0) return [];
  const now = deps.now();
  const runs = wanted.map(({ job, replayOf }) => manualRun(job, now, replayOf));
  const inserts = runs.map((run) => insertRunStatement(deps.db, run));
  await deps.db.batch(inserts as [(typeof inserts)[number], ...(typeof inserts)[number][]]);
  const rows = runs.map((run) => ({ id: runId(run), jobId: run.jobId, accountId: run.accountId, plannedAt: now }));
  try {
    await sendFollowUps(deps, rows, []);
  } catch (err) {
    console.error(
      JSON.stringify({ event: "run_now_enqueue_failed", run_ids: rows.map((r) => r.id), error: String(err) }),
    );
  }
  return rows.map((r) => r.id);
}

/** The ledger row of a manual run's first attempt requested at `now`, its message not sent yet. */
function manualRun(job: CronJobRow, now: number, replayOf: string | null = null): NewRun {
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
    replayOf,
  };
}
