import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs, runs } from "../db/schema";
import { executionId } from "../lib/execution-id";
import { occurrencesExhausted } from "../lib/schedule/end";
import { slotsThrough } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import { insertRunSelect, jobNum, reasonNumber, runWhere, STATE } from "./run-row";

/**
 * Catch-up (docs/API-NOTES.md "Catch-up and run states"): what a claim does with the slots due at a tick. The
 * newest due slot runs (`latest`), or only when it is the tick's own (`none`), and never when it is older than
 * max_lateness_seconds; every other due slot is missed. A claim's missed slots are one `skipped`/`missed` ledger
 * row (first slot, last slot, count), extending the job's open span when the slots before them were missed too.
 */

/** The tick's period (wrangler.toml `crons = ["* * * * *"]`): a slot this old or older missed its own tick. */
export const TICK_MS = 60_000;

/**
 * Slots one claim walks at most. A schedule step costs ≈ 50 µs (croner, measured on the dev machine), so a claim
 * stays ≈ 50 ms and a page of 100 jobs ≈ 5 s of the tick's 30 s CPU; a longer backlog (an every-minute job down
 * for a day) is recorded by the next claims, into the same span.
 */
export const MAX_CLAIM_SLOTS = 1_000;

/** What a claim reads of the job. */
export type CatchupJob = Pick<
  CronJobRow,
  | "id"
  | "accountId"
  | "nextRunAt"
  | "scheduleConfig"
  | "timezone"
  | "scheduleAnchorAt"
  | "occurrences"
  | "catchup"
  | "maxLatenessSeconds"
  | "missedFrom"
  | "lastClaimedSlot"
>;

export interface MissedSpan {
  first: number;
  last: number;
  count: number;
}

/** Why a due slot is skipped without running (src/calendars/rules.ts): a calendar or a `skip` maintenance window. */
export type ExclusionReason = "calendar" | "maintenance";

export interface ClaimPlan {
  /** The slot that runs: always the newest handled; null when none does. */
  run: number | null;
  /** The newest slot, had it run, when a calendar or maintenance window excludes it instead; absent otherwise. */
  excluded?: { slot: number; reason: ExclusionReason } | null;
  /** The slots this claim records as missed, oldest to newest, all before `run`. */
  missed: MissedSpan | null;
  /** The newest slot handled: the job's last_claimed_slot after the claim. */
  newest: number;
  next: number | null;
  /** end_occurrences' count after the claim: only a run counts. */
  occurrences: number;
  /** More due slots remain past MAX_CLAIM_SLOTS: the job stays due at this tick. */
  partial: boolean;
  /** Schedule steps walked, for the tick's budget. */
  steps: number;
}

/**
 * The claim of a due job at the tick `scheduledTime`, made at `now`. `exclude` says why a slot may not run (a
 * calendar or maintenance window); only the slot that would run is asked, so missed slots stay missed.
 */
export function planClaim(
  job: CatchupJob,
  scheduledTime: number,
  now: number,
  exclude?: (slot: number) => ExclusionReason | null,
): ClaimPlan {
  const first = job.nextRunAt ?? scheduledTime;
  const config = JSON.parse(job.scheduleConfig) as ScheduleConfig;
  const schedule = { config, timezone: job.timezone, anchorAt: job.scheduleAnchorAt };
  const walk = slotsThrough(schedule, first, scheduledTime, MAX_CLAIM_SLOTS - 1);
  const due = [first, ...walk.slots];
  const partial = walk.next !== null && walk.next <= scheduledTime;
  const newest = due[due.length - 1] as number;
  const due_ = !partial && runnable(job, newest, scheduledTime, now);
  const reason = due_ && exclude ? exclude(newest) : null;
  const runs = due_ && reason === null;
  const count = due_ ? due.length - 1 : due.length;
  const missed = count > 0 ? { first, last: due[count - 1] as number, count } : null;
  const occurrences = job.occurrences + (runs ? 1 : 0);
  const next = runs && occurrencesExhausted(config, occurrences) ? null : walk.next;
  const excluded = reason === null ? null : { slot: newest, reason };
  return { run: runs ? newest : null, excluded, missed, newest, next, occurrences, partial, steps: due.length };
}

/** Whether the newest due slot runs: `none` runs only the tick's own slot; max_lateness_seconds bounds both. */
function runnable(job: CatchupJob, slot: number, scheduledTime: number, now: number): boolean {
  if (job.catchup === "none" && slot <= scheduledTime - TICK_MS) return false;
  return job.maxLatenessSeconds === null || now <= slot + job.maxLatenessSeconds * 1000;
}

/**
 * True on the job's row exactly after this claim committed: the batch's ledger statements depend on it, so an
 * overlapping tick that read the same job (and lost the claim) writes nothing, or exactly the same rows.
 */
export function claimedBy(plan: ClaimPlan): SQL {
  return sql`(${cronJobs.lastClaimedSlot} = ${plan.newest} AND ${cronJobs.occurrences} = ${plan.occurrences} AND ${cronJobs.nextRunAt} IS ${plan.next})`;
}

const claimedOn = (job: CatchupJob, plan: ClaimPlan): SQL =>
  sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${claimedBy(plan)})`;

/** The ledger row of a span starting at `first`: keyed as that slot's first attempt, which never runs. */
export const spanRef = (jobId: string, first: number) => ({ id: executionId(jobId, first, 0), jobId });

/** Skip reasons recorded as spans (first slot, last slot, count) rather than a row per slot. */
export type SpanReason = "missed" | "paused" | ExclusionReason;

const spanRow = (reason: SpanReason): SQL =>
  and(eq(runs.state, STATE.skipped), eq(runs.reason, reasonNumber(reason))) as SQL;
const missedRow = (): SQL => spanRow("missed");

/** A new span row of skipped slots, written once (ON CONFLICT DO NOTHING) and only while `condition` holds. */
export function insertSpan(
  db: Db,
  job: { id: string; accountId: string },
  reason: SpanReason,
  span: MissedSpan,
  condition: SQL,
) {
  return insertRunSelect(
    db,
    {
      jobId: job.id,
      accountId: job.accountId,
      id: spanRef(job.id, span.first).id,
      attempt: 0,
      origin: "schedule",
      plannedAt: span.first,
      nonce: null,
      state: STATE.skipped,
      reason: reasonNumber(reason),
      sentAt: null,
      lastSlot: span.last,
      slotCount: span.count,
    },
    condition,
  );
}

/**
 * Grows the span row starting at `first` by `span`'s slots, only from the slot it ends at (`endsAt`), so an
 * overlapping writer that read the same row grows it once.
 */
export function extendSpan(
  db: Db,
  jobId: string,
  reason: SpanReason,
  first: number,
  endsAt: number,
  span: MissedSpan,
  condition: SQL,
) {
  return db
    .update(runs)
    .set({ lastSlot: span.last, slotCount: sql`${runs.slotCount} + ${span.count}` })
    .where(and(runWhere(spanRef(jobId, first)), spanRow(reason), eq(runs.lastSlot, endsAt), condition));
}

/** The job's open span (missed_from) still ends at the slot before this claim's: the claim extends it. */
function openSpanEndsAt(job: CatchupJob, last: number | null): SQL {
  if (job.missedFrom === null || last === null) return sql`0`;
  const ref = spanRef(job.id, job.missedFrom);
  return sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${runWhere(ref)} AND ${missedRow()} AND ${runs.lastSlot} = ${last})`;
}

/** Whether this claim's missed slots follow the job's open span (which may be gone: then a new one starts). */
const extendsOpenSpan = (job: CatchupJob, plan: ClaimPlan) =>
  plan.missed !== null && job.missedFrom !== null && job.lastClaimedSlot !== null;

/** missed_from after the claim: null once a slot runs, else the open span's first slot, or this claim's. */
export function missedFromAfter(job: CatchupJob, plan: ClaimPlan): SQL | number | null {
  if (plan.run !== null || plan.missed === null || plan.excluded) return null;
  if (!extendsOpenSpan(job, plan)) return plan.missed.first;
  return sql`CASE WHEN ${openSpanEndsAt(job, job.lastClaimedSlot)} THEN ${job.missedFrom} ELSE ${plan.missed.first} END`;
}

/**
 * The claim's missed slots in the ledger, after the claim in its batch: the open span grows (only from the slot
 * it ended at, so once), else one new span row (ON CONFLICT DO NOTHING, so once).
 */
export function missedSpanStatements(db: Db, job: CatchupJob, plan: ClaimPlan) {
  const span = plan.missed;
  if (span === null) return [];
  const claimed = claimedOn(job, plan);
  const statements = [];
  const extending = extendsOpenSpan(job, plan);
  if (extending) {
    statements.push(
      extendSpan(db, job.id, "missed", job.missedFrom as number, job.lastClaimedSlot as number, span, claimed),
    );
  }
  const insert = insertSpan(
    db,
    { id: job.id, accountId: job.accountId },
    "missed",
    span,
    extending ? sql`${claimedBy(plan)} AND NOT ${openSpanEndsAt(job, span.last)}` : claimedBy(plan),
  );
  statements.push(insert);
  return statements;
}

/**
 * The claim's excluded slot in the ledger, after the claim in its batch: it extends the span row of the same reason
 * that ends at the slot handled just before it (runs_job_span_idx), else starts a new one; each statement only
 * when this claim won, so an overlapping tick writes nothing. A span counts the slots skipped in a row.
 */
export function excludedSpanStatements(db: Db, job: CatchupJob, plan: ClaimPlan) {
  const ex = plan.excluded;
  if (!ex) return [];
  const prev = plan.missed ? null : job.lastClaimedSlot;
  const statements = [];
  if (prev !== null) {
    statements.push(
      db
        .update(runs)
        .set({ lastSlot: ex.slot, slotCount: sql`${runs.slotCount} + 1` })
        .where(
          and(sql`${runs.job} = ${jobNum(job.id)}`, eq(runs.lastSlot, prev), spanRow(ex.reason), claimedOn(job, plan)),
        ),
    );
  }
  const extended = sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${runs.job} = ${cronJobs.num} AND ${runs.lastSlot} = ${ex.slot} AND ${spanRow(ex.reason)})`;
  const span = { first: ex.slot, last: ex.slot, count: 1 };
  statements.push(insertSpan(db, job, ex.reason, span, sql`${claimedBy(plan)} AND NOT ${extended}`));
  return statements;
}
