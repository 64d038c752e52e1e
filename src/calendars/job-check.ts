import type { Db } from "../db/client";
import type { FieldError } from "../lib/field-error";
import { DAY } from "../lib/schedule/calendar";
import { slotsThrough } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import { loadAccountsConfig } from "./repository";
import { type AccountRules, accountRules, exclusionAt } from "./rules";

/** How far ahead a job must keep a slot that is not excluded (issue #28: five years). */
export const EXCLUSION_HORIZON_MS = 5 * 365 * DAY + 2 * DAY;
/** Slots the check walks at most; past them without an answer it gives up and accepts the job. */
export const MAX_EXCLUSION_CHECK = 10_000;

export interface ExcludingJob {
  id: string;
  tags: readonly string[];
  config: ScheduleConfig;
  timezone: string;
  anchorAt: number;
  occurrences: number;
}

/**
 * Whether every slot of the next five years is excluded (calendars and skip windows): true only when the walk
 * reached the horizon (or the schedule's end) inside MAX_EXCLUSION_CHECK slots and found none left to run.
 */
export function everySlotExcluded(rules: AccountRules, job: ExcludingJob, now: number): boolean {
  const schedule = { config: job.config, timezone: job.timezone, anchorAt: job.anchorAt };
  const walk = slotsThrough(schedule, now, now + EXCLUSION_HORIZON_MS, MAX_EXCLUSION_CHECK);
  const left = job.config.end_type === "after" ? (job.config.end_occurrences ?? 0) - job.occurrences : Infinity;
  const slots = walk.slots.slice(0, Math.max(0, left));
  if (slots.length === 0) return false; // an ended schedule is refused by its own checks
  const subject = { id: job.id, tags: job.tags, excludeCalendars: job.config.exclude_calendars ?? [] };
  if (slots.some((t) => exclusionAt(rules, subject, t) === null)) return false;
  const walkedAll = slots.length < walk.slots.length || walk.next === null || walk.next > now + EXCLUSION_HORIZON_MS;
  return walkedAll;
}

/**
 * The job's exclude_calendars checked against the account (fresh from the shard, not the tick's cache): each id
 * names one of its calendars, and together with its skip windows they leave a slot to run in five years. No query
 * for a job that excludes no calendar.
 */
export async function exclusionErrors(db: Db, accountId: string, job: ExcludingJob, now: number) {
  const ids = job.config.exclude_calendars ?? [];
  if (ids.length === 0) return [];
  const loaded = await loadAccountsConfig(db, [accountId]);
  const known = new Set(loaded.calendars.map((c) => c.id));
  const errors: FieldError[] = ids.flatMap((id, i) =>
    known.has(id)
      ? []
      : [
          {
            field: `schedule_config.exclude_calendars.${i}`,
            in: "body" as const,
            message: "is not a calendar of this account",
          },
        ],
  );
  if (errors.length > 0) return errors;
  if (everySlotExcluded(accountRules(loaded.calendars, loaded.windows), job, now))
    errors.push({
      field: "schedule_config.exclude_calendars",
      in: "body",
      message: "exclude every run of the next 5 years: the job would never run",
    });
  return errors;
}
