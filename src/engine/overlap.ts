import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { cronJobs, runs } from "../db/schema";

/**
 * Overlap policies (cron_jobs.overlap_policy, README "Overlapping runs"): what a schedule slot does while the job's
 * previous run — any attempt, retries included, of any origin — is unfinished, i.e. has a ledger row `queued` or
 * `running`. Between two attempts of a run the next attempt's row is written (queued) in the same batch that
 * marks the previous one done (src/engine/record.ts), so "has an unfinished row" is exactly "a run is in flight".
 *
 * - `allow`: today's behaviour, slots run whatever else is in flight.
 * - `skip`: decided at the claim, inside the tick's claim batch (one D1 transaction, so no recording can commit in
 *   between): the claim counts the skip in cron_jobs.skipped_runs and the slot's ledger row is written `skipped`
 *   with reason `overlap` instead of `queued`. Nothing is sent and nothing is logged.
 * - `queue`: every slot is claimed and queued as usual; its lease (takeLeaseStatement) is only granted while no
 *   other unfinished row of the job comes before it (by slot, then id) and none is running. A delivery that finds
 *   it blocked leaves it queued with its message marked unsent (markWaiting), so the tick's relay sends it again
 *   each minute until the run ahead of it has finished. The row never leaves the ledger, so it cannot be lost, and
 *   the lease condition is evaluated in the same statement that takes the lease, so two runs never run at once.
 *
 * Manual runs (POST /trigger and their retries) are a user's explicit request and are never held back, but they
 * do count as the previous run for the slots after them.
 */

/** A job's ledger rows that are unfinished: `queued` or `running` (served by runs_job_unfinished_idx). */
function unfinishedOf(jobId: SQL | string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job_id = ${jobId} AND prior.state IN ('queued', 'running'))`;
}

/** True (in SQL, on the job's row) when a claim of this job's next slot is to be skipped. */
export function skipsSlot(jobId: string): SQL {
  return sql`(${cronJobs.overlapPolicy} = 'skip' AND ${unfinishedOf(jobId)})`;
}

/** The claim's increment of skipped_runs: 1 when skip applies, evaluated in the claim's own UPDATE. */
export function skippedRunsIncrement(jobId: string): SQL {
  return sql`${cronJobs.skippedRuns} + CASE WHEN ${skipsSlot(jobId)} THEN 1 ELSE 0 END`;
}

/** The claimed slot, as the claim's batch checks it: this tick's claim of the slot is committed. */
function claimed(jobId: string, slot: number): SQL {
  return sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${jobId} AND ${cronJobs.lastClaimedSlot} = ${slot})`;
}

/** The job's skip condition, read from its row (the claim UPDATE has already run in this batch). */
function jobSkips(jobId: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${jobId} AND ${skipsSlot(jobId)})`;
}

export interface SlotRun {
  id: string;
  jobId: string;
  accountId: string;
  slot: number;
  plannedAt: number;
  now: number;
}

/**
 * The claimed slot's ledger row, in the claim's batch right after the claim and only if that claim is committed:
 * `skipped` with reason `overlap` when skip applies (evaluated in this statement, in the claim's transaction),
 * otherwise `queued`. One statement per slot, so a tick page stays at two statements per job; it returns the
 * row's id and state, so the tick sends messages for the queued ones only.
 */
export function slotRunStatement(db: Db, r: SlotRun) {
  const skips = jobSkips(r.jobId);
  // insertWhere embeds SQL values as they are: the state, reason and send time are decided by the same condition.
  const decided = <T>(ifSkipped: SQL, ifQueued: SQL) =>
    sql`CASE WHEN ${skips} THEN ${ifSkipped} ELSE ${ifQueued} END` as unknown as T;
  return insertWhere(
    db,
    runs,
    {
      id: r.id,
      jobId: r.jobId,
      accountId: r.accountId,
      slot: r.slot,
      nonce: null,
      origin: "schedule",
      attempt: 0,
      plannedAt: r.plannedAt,
      state: decided<"queued">(sql`'skipped'`, sql`'queued'`),
      skipReason: decided<string>(sql`'overlap'`, sql`NULL`),
      sentAt: decided<number>(sql`NULL`, sql`${r.now}`),
      createdAt: r.now,
    },
    claimed(r.jobId, r.slot),
  ).returning({ id: runs.id, state: runs.state });
}

/**
 * The lease's overlap condition, on the `runs` row being leased: a schedule run of a job whose policy is not
 * `allow` may start only while no other row of the job is running and none is unfinished ahead of it (by slot,
 * then id). `allow` jobs and manual runs are never held back.
 */
export function overlapClear(): SQL {
  return sql`(${runs.origin} = 'manual' OR NOT EXISTS (
    SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${runs.jobId} AND ${cronJobs.overlapPolicy} != 'allow'
      AND EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job_id = ${runs.jobId} AND prior.id != ${runs.id}
        AND prior.state IN ('queued', 'running')
        AND (prior.state = 'running' OR prior.slot < ${runs.slot} OR (prior.slot = ${runs.slot} AND prior.id < ${runs.id})))))`;
}

/** A blocked `queue` run stays queued with its message marked unsent: the tick's relay sends it again. */
export async function markWaiting(db: Db, id: string): Promise<void> {
  await db.run(sql`UPDATE ${runs} SET sent_at = NULL WHERE id = ${id} AND state = 'queued'`);
}
