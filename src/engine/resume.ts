import { and, asc, eq, gt, isNotNull, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs, runs } from "../db/schema";
import { computeNextRun } from "../jobs/build";
import { stateColumns } from "../jobs/state";
import { slotsThrough } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import { extendSpan, insertSpan, MAX_CLAIM_SLOTS, spanRef } from "./catchup";
import { reasonNumber, runWhere, STATE } from "./run-row";
import { skipCountIncrement } from "./skip-counts";

/**
 * Pause until (docs/API-NOTES.md "Pause until"): the first tick at or after a job's paused_until resumes it. The
 * job's slots after the pause began and before paused_until are one `skipped`/`paused` ledger span, written a
 * chunk of MAX_CLAIM_SLOTS slots per tick (as a claim walks them); the chunk reaching paused_until resumes the
 * job and counts the span in skipped_paused. Every statement is conditional on the job still being paused with
 * the same paused_until and paused_at, and a chunk extends the span only from the slot it ended at, so
 * overlapping ticks write it once.
 */

/** Jobs one tick resumes at most (≈ 2 queries each of the invocation's 1,000); the rest go to the next tick. */
export const MAX_RESUMES_PER_TICK = 100;
const PAGE = 50;

type ResumeJob = Pick<
  CronJobRow,
  | "id"
  | "accountId"
  | "pausedUntil"
  | "pausedAt"
  | "scheduleConfig"
  | "timezone"
  | "scheduleAnchorAt"
  | "occurrences"
  | "lastClaimedSlot"
>;

const columns = {
  id: cronJobs.id,
  accountId: cronJobs.accountId,
  pausedUntil: cronJobs.pausedUntil,
  pausedAt: cronJobs.pausedAt,
  scheduleConfig: cronJobs.scheduleConfig,
  timezone: cronJobs.timezone,
  scheduleAnchorAt: cronJobs.scheduleAnchorAt,
  occurrences: cronJobs.occurrences,
  lastClaimedSlot: cronJobs.lastClaimedSlot,
};

export interface ResumeReport {
  /** Jobs resumed by this tick. */
  resumed: number;
  /** Jobs whose span grew by a chunk but which stay paused until a later tick. */
  partial: number;
}

/** Resumes the shard's jobs whose paused_until is at or before the tick `scheduledTime`. */
export async function resumePausedJobs(db: Db, scheduledTime: number): Promise<ResumeReport> {
  const report: ResumeReport = { resumed: 0, partial: 0 };
  let after: { until: number; id: string } | null = null;
  for (let seen = 0; seen < MAX_RESUMES_PER_TICK; ) {
    // cron_jobs_resume_idx: only jobs paused until an instant are read.
    const keyset: SQL | undefined = after
      ? or(gt(cronJobs.pausedUntil, after.until), and(eq(cronJobs.pausedUntil, after.until), gt(cronJobs.id, after.id)))
      : undefined;
    const page: ResumeJob[] = await db
      .select(columns)
      .from(cronJobs)
      .where(
        and(
          isNotNull(cronJobs.pausedUntil),
          isNull(cronJobs.deletedAt),
          lte(cronJobs.pausedUntil, scheduledTime),
          eq(cronJobs.state, "paused"),
          keyset,
        ),
      )
      .orderBy(asc(cronJobs.pausedUntil), asc(cronJobs.id))
      .limit(Math.min(PAGE, MAX_RESUMES_PER_TICK - seen));
    for (const job of page) {
      const done = await resumeStep(db, job);
      if (done) report.resumed++;
      else report.partial++;
    }
    seen += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    after = { until: last.pausedUntil as number, id: last.id };
  }
  return report;
}

/** The job is still paused as read: every statement of a step depends on it. */
const stillPaused = (job: ResumeJob): SQL =>
  sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${cronJobs.state} = 'paused' AND ${cronJobs.pausedUntil} = ${job.pausedUntil} AND ${cronJobs.pausedAt} IS ${job.pausedAt} AND ${cronJobs.deletedAt} IS NULL)`;

export interface ResumePlan {
  /** The span's first slot (its key), or null when the pause held no slot. */
  first: number | null;
  /** This step's slots: oldest, newest, how many. */
  chunk: { first: number; last: number; count: number } | null;
  /** The step reaches paused_until: the job resumes. */
  done: boolean;
}

/**
 * One step of a job's resume: the slots after `from` (the pause's start, or the span's last slot so far) and
 * before paused_until, at most MAX_CLAIM_SLOTS of them.
 */
export function planResume(job: ResumeJob, spanLast: number | null): ResumePlan {
  const until = job.pausedUntil as number;
  const config = JSON.parse(job.scheduleConfig) as ScheduleConfig;
  const schedule = { config, timezone: job.timezone, anchorAt: job.scheduleAnchorAt };
  // Slots claimed before the pause ran (or were recorded) already.
  const start = Math.max(job.pausedAt ?? Number.NEGATIVE_INFINITY, job.lastClaimedSlot ?? Number.NEGATIVE_INFINITY);
  const head = slotsThrough(schedule, start, until - 1, 1).slots[0] ?? null;
  if (head === null) return { first: null, chunk: null, done: true };
  const walk = slotsThrough(schedule, spanLast ?? start, until - 1, MAX_CLAIM_SLOTS);
  const done = walk.next === null || walk.next >= until;
  const chunk =
    walk.slots.length === 0
      ? null
      : { first: walk.slots[0] as number, last: walk.slots[walk.slots.length - 1] as number, count: walk.slots.length };
  return { first: head, chunk, done };
}

/** One resume step in one batch; true when the job resumed (or another tick resumed it first). */
async function resumeStep(db: Db, job: ResumeJob): Promise<boolean> {
  const provisional = planResume(job, null);
  let spanLast: number | null = null;
  if (provisional.first !== null) {
    const ref = spanRef(job.id, provisional.first);
    const [row] = await db
      .select({ lastSlot: runs.lastSlot })
      .from(runs)
      .where(and(runWhere(ref), eq(runs.state, STATE.skipped), eq(runs.reason, reasonNumber("paused"))))
      .limit(1);
    spanLast = row?.lastSlot ?? null;
  }
  const plan = spanLast === null ? provisional : planResume(job, spanLast);
  const statements: Parameters<typeof db.batch>[0][number][] = [];
  const condition = stillPaused(job);
  if (plan.first !== null && plan.chunk !== null) {
    statements.push(
      spanLast === null
        ? insertSpan(db, job, "paused", plan.chunk, condition)
        : extendSpan(db, job.id, "paused", plan.first, spanLast, plan.chunk, condition),
    );
  }
  if (plan.done) statements.push(resumeUpdate(db, job, plan, spanLast));
  if (statements.length > 0) await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return plan.done;
}

/**
 * The job active again: the run at or after paused_until is next (the claim's catch-up policy handles a tick that
 * comes late), the span's slots counted once, in this statement only.
 */
function resumeUpdate(db: Db, job: ResumeJob, plan: ResumePlan, spanLast: number | null) {
  const until = job.pausedUntil as number;
  const next = computeNextRun({ ...job, isActive: true }, until - 1);
  const last = plan.chunk?.last ?? spanLast;
  const counted =
    plan.first === null || last === null
      ? sql`0`
      : sql`coalesce((SELECT ${runs.slotCount} FROM ${runs} WHERE ${runWhere(spanRef(job.id, plan.first))} AND ${runs.reason} = ${reasonNumber("paused")} AND ${runs.lastSlot} = ${last}), 0)`;
  return db
    .update(cronJobs)
    .set({
      ...stateColumns(next === null ? "completed" : "active"),
      pausedUntil: null,
      pauseReason: null,
      pausedAt: null,
      missedFrom: null,
      nextRunAt: next,
      ...skipCountIncrement("paused", counted),
    })
    .where(
      and(
        eq(cronJobs.id, job.id),
        eq(cronJobs.state, "paused"),
        eq(cronJobs.pausedUntil, until),
        job.pausedAt === null ? isNull(cronJobs.pausedAt) : eq(cronJobs.pausedAt, job.pausedAt),
        isNull(cronJobs.deletedAt),
      ),
    );
}
