import { and, asc, eq, getTableName, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs, maintenanceWindows } from "../db/schema";
import { type CatchupJob, type ClaimPlan, missedFromAfter } from "./catchup";
import { accountNotFenced } from "./fence";
import { skippedRunsIncrement } from "./overlap";
import { skipCountIncrement } from "./skip-counts";

export type DueJob = CatchupJob &
  Pick<
    CronJobRow,
    | "isActive"
    | "jitterSeconds"
    // For the claim's `skipped` and `missed` alerts (src/engine/claim-alerts.ts).
    | "name"
    | "alertPolicy"
    // For calendars and maintenance windows (src/calendars/rules.ts).
    | "tags"
  > & {
    /** Whether the job's account has any maintenance window: only then does the tick load its windows. */
    hasWindows?: boolean;
  };

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
      catchup: cronJobs.catchup,
      maxLatenessSeconds: cronJobs.maxLatenessSeconds,
      missedFrom: cronJobs.missedFrom,
      lastClaimedSlot: cronJobs.lastClaimedSlot,
      name: cronJobs.name,
      alertPolicy: cronJobs.alertPolicy,
      tags: cronJobs.tags,
      // maintenance_windows_account_created_idx answers it from the index; no extra query per tick.
      // Qualified by hand: drizzle writes a select's columns unqualified, which the subquery would take as its own.
      hasWindows:
        sql<boolean>`EXISTS (SELECT 1 FROM ${maintenanceWindows} AS mw WHERE mw.${sql.identifier(maintenanceWindows.accountId.name)} = ${sql.identifier(getTableName(cronJobs))}.${sql.identifier(cronJobs.accountId.name)})`.mapWith(
          Boolean,
        ),
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
 * Claims the due slots as `plan` decides (src/engine/catchup.ts): next_run_at moves only if it still holds the
 * value read, so no slot is claimed twice. Sets last_claimed_slot to the newest slot handled (the ledger
 * statements check it), counts the missed slots and an overlap skip of the slot that runs (src/engine/overlap.ts),
 * and completes a job whose schedule ended on missed slots, since no outcome will.
 */
export function claimStatement(db: Db, job: DueJob, plan: ClaimPlan) {
  const ended = plan.run === null && plan.next === null ? { state: "completed" as const, isActive: false } : {};
  return db
    .update(cronJobs)
    .set({
      nextRunAt: plan.next,
      occurrences: plan.occurrences,
      lastClaimedSlot: plan.newest,
      missedFrom: missedFromAfter(job, plan),
      ...(plan.run === null ? {} : { skippedRuns: skippedRunsIncrement() }),
      ...(plan.missed === null ? {} : skipCountIncrement("missed", plan.missed.count)),
      ...(plan.excluded ? skipCountIncrement(plan.excluded.reason) : {}),
      ...ended,
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
