import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, runs } from "../db/schema";
import { insertRunSelect, originNumber, type RunRef, reasonNumber, runWhere, STATE } from "./run-row";

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

/**
 * The job's ledger rows that are unfinished: `queued` or `running` (runs_job_unfinished_idx, whose condition this
 * spells). On the job's row: `cron_jobs` is the statement's own (the claim's UPDATE, or the ledger insert's FROM).
 */
function unfinishedOfJob(): SQL {
  return sql`EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${cronJobs.num} AND prior.state IN (0, 1))`;
}

/** True (in SQL, on the job's row) when a claim of this job's next slot is to be skipped. */
export function skipsSlot(): SQL {
  return sql`(${cronJobs.overlapPolicy} = 'skip' AND ${unfinishedOfJob()})`;
}

/** The claim's increment of skipped_runs: 1 when skip applies, evaluated in the claim's own UPDATE. */
export function skippedRunsIncrement(): SQL {
  return sql`${cronJobs.skippedRuns} + CASE WHEN ${skipsSlot()} THEN 1 ELSE 0 END`;
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
 * The claimed slot's ledger row, in the claim's batch right after the claim and only if that claim is committed
 * (the job's last_claimed_slot is this slot): `skipped` with reason `overlap` when skip applies (evaluated in this
 * statement, in the claim's transaction), otherwise `queued`. One statement per slot, so a tick page stays at two
 * statements per job; it returns the row's state, so the tick sends messages for the queued ones only.
 */
export function slotRunStatement(db: Db, r: SlotRun) {
  // The state, reason and send time are decided by the same condition, on the job's row the insert selects from.
  const decided = (ifSkipped: SQL, ifQueued: SQL) =>
    sql`CASE WHEN ${skipsSlot()} THEN ${ifSkipped} ELSE ${ifQueued} END`;
  return insertRunSelect(
    db,
    {
      id: r.id,
      jobId: r.jobId,
      accountId: r.accountId,
      nonce: null,
      origin: "schedule",
      attempt: 0,
      plannedAt: r.plannedAt,
      state: decided(sql`${STATE.skipped}`, sql`${STATE.queued}`),
      reason: decided(sql`${reasonNumber("overlap")}`, sql`NULL`),
      sentAt: decided(sql`NULL`, sql`${r.now}`),
    },
    sql`${cronJobs.lastClaimedSlot} = ${r.slot}`,
  ).returning({ state: runs.state });
}

/**
 * The lease's overlap condition, on the `runs` row being leased: a schedule run of a job whose policy is not
 * `allow` may start only while no other row of the job is running and none is unfinished ahead of it (by key:
 * slot, then execution id). `allow` jobs and manual runs are never held back.
 */
export function overlapClear(): SQL {
  return sql`(${runs.origin} = ${originNumber("manual")} OR NOT EXISTS (
    SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.num} = ${runs.job} AND ${cronJobs.overlapPolicy} != 'allow'
      AND EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${runs.job} AND prior.state IN (0, 1)
        AND (prior.slot, prior.id_hi, prior.id_lo) != (${runs.slot}, ${runs.idHi}, ${runs.idLo})
        AND (prior.state = ${STATE.running} OR (prior.slot, prior.id_hi, prior.id_lo) < (${runs.slot}, ${runs.idHi}, ${runs.idLo})))))`;
}

/** A blocked `queue` run stays queued with its message marked unsent: the tick's relay sends it again. */
export async function markWaiting(db: Db, ref: RunRef): Promise<void> {
  await db
    .update(runs)
    .set({ sentAt: null })
    .where(and(runWhere(ref), eq(runs.state, STATE.queued)));
}
