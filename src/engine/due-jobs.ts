import { and, asc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs } from "../db/schema";
import { computeNextRun } from "../jobs/build";
import { accountNotFenced } from "./fence";
import { skippedRunsIncrement } from "./overlap";

export type DueJob = Pick<
  CronJobRow,
  | "id"
  | "accountId"
  | "nextRunAt"
  | "scheduleConfig"
  | "timezone"
  | "scheduleAnchorAt"
  | "occurrences"
  | "isActive"
  | "jitterSeconds"
>;

/** One page of due jobs, keyset-ordered by (next_run_at, id); served by the partial cron_jobs_due_idx. */
export async function selectDueJobs(
  db: Db,
  scheduledTime: number,
  after: { nextRunAt: number; id: string } | null,
  limit: number,
): Promise<DueJob[]> {
  const keyset = after
    ? or(
        gt(cronJobs.nextRunAt, after.nextRunAt),
        and(eq(cronJobs.nextRunAt, after.nextRunAt), gt(cronJobs.id, after.id)),
      )
    : undefined;
  return db
    .select({
      id: cronJobs.id,
      accountId: cronJobs.accountId,
      nextRunAt: cronJobs.nextRunAt,
      scheduleConfig: cronJobs.scheduleConfig,
      timezone: cronJobs.timezone,
      scheduleAnchorAt: cronJobs.scheduleAnchorAt,
      occurrences: cronJobs.occurrences,
      isActive: cronJobs.isActive,
      jitterSeconds: cronJobs.jitterSeconds,
    })
    .from(cronJobs)
    .where(
      and(
        sql`${cronJobs.isActive} = 1 AND ${cronJobs.deletedAt} IS NULL`,
        lte(cronJobs.nextRunAt, scheduledTime),
        keyset,
        accountNotFenced(cronJobs.accountId),
      ),
    )
    .orderBy(asc(cronJobs.nextRunAt), asc(cronJobs.id))
    .limit(limit);
}

/**
 * Claims the due slot: next_run_at moves only if it still holds the value read, so no slot runs twice; missed
 * slots collapse into this one. Sets last_claimed_slot (the ledger insert checks it), next_run_at null when no
 * run is left, and counts an overlap skip (src/engine/overlap.ts).
 */
export function claimStatement(db: Db, job: DueJob, scheduledTime: number) {
  const occurrences = job.occurrences + 1;
  const next = computeNextRun({ ...job, occurrences }, Math.max(scheduledTime, job.nextRunAt ?? scheduledTime));
  return db
    .update(cronJobs)
    .set({
      nextRunAt: next,
      occurrences,
      lastClaimedSlot: job.nextRunAt,
      skippedRuns: skippedRunsIncrement(),
    })
    .where(
      and(
        eq(cronJobs.id, job.id),
        eq(cronJobs.nextRunAt, job.nextRunAt ?? -1),
        eq(cronJobs.isActive, true),
        isNull(cronJobs.deletedAt),
        accountNotFenced(cronJobs.accountId),
      ),
    )
    .returning({ id: cronJobs.id });
}
