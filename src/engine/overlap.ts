import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, runs } from "../db/schema";
import { insertRunSelect, originNumber, type RunRef, reasonNumber, runWhere, STATE } from "./run-row";

/**
 * Overlap policies (docs/API-NOTES.md "Scheduling"): what a slot does while an earlier run of the job has a
 * `queued`, `running` or `awaiting` row (awaiting its completion POST, src/engine/completion.ts). The next attempt's row is written in the batch closing the previous one
 * (src/engine/record.ts), so an unfinished row means a run is in flight.
 * - `allow`: slots run regardless.
 * - `skip`: decided in the claim's batch (one D1 transaction): counted in skipped_runs, row written `skipped`.
 * - `queue`: the lease is granted only while no earlier row is unfinished; a blocked run stays queued and
 *   unsent (markWaiting), and the relay resends it each minute.
 * Manual runs are never held back but count as the previous run.
 */

/**
 * The job's unfinished rows, each state spelt as its partial index's condition (runs_job_unfinished_idx,
 * runs_job_awaiting_idx); `cron_jobs` is the statement's row.
 */
function unfinishedOfJob(): SQL {
  return sql`(EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${cronJobs.num} AND prior.state IN (0, 1))
    OR EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${cronJobs.num} AND prior.state = 2))`;
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
 * The claimed slot's ledger row, in the claim's batch and only where `claimed` holds on the job's row (the claim
 * committed): `skipped` (overlap) when skip applies, else `queued`. Returns the state, so only queued runs are sent.
 */
export function slotRunStatement(db: Db, r: SlotRun, claimed: SQL) {
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
    claimed,
  ).returning({ state: runs.state });
}

/**
 * The lease's overlap condition: a non-`allow` schedule run starts only with no other run running, awaiting its
 * completion, or ahead.
 */
export function overlapClear(): SQL {
  return sql`(${runs.origin} = ${originNumber("manual")} OR NOT EXISTS (
    SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.num} = ${runs.job} AND ${cronJobs.overlapPolicy} != 'allow'
      AND (EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${runs.job} AND prior.state IN (0, 1)
        AND (prior.slot, prior.id_hi, prior.id_lo) != (${runs.slot}, ${runs.idHi}, ${runs.idLo})
        AND (prior.state = ${STATE.running} OR (prior.slot, prior.id_hi, prior.id_lo) < (${runs.slot}, ${runs.idHi}, ${runs.idLo})))
      OR EXISTS (SELECT 1 FROM ${runs} AS prior WHERE prior.job = ${runs.job} AND prior.state = 2))))`;
}

/** A blocked `queue` run stays queued with its message marked unsent: the tick's relay sends it again. */
export async function markWaiting(db: Db, ref: RunRef): Promise<void> {
  await db
    .update(runs)
    .set({ sentAt: null })
    .where(and(runWhere(ref), eq(runs.state, STATE.queued)));
}
