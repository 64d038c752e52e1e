import { type SQL, sql } from "drizzle-orm";
import { cronJobs } from "../db/schema";

/**
 * The job row's never-swept counter of each skip reason a live job can have (the metrics' skipped_total). Each is
 * counted in a statement that already writes the job row where one exists (the claim), so rows written per
 * execution do not grow.
 */
export const SKIP_COUNTERS = {
  overlap: "skippedRuns",
  paused: "skippedPaused",
  missed: "skippedMissed",
  calendar: "skippedCalendar",
  maintenance: "skippedMaintenance",
} as const;

export type CountedSkip = keyof typeof SKIP_COUNTERS;

/** The cron_jobs assignment counting `by` (a number or an SQL expression) more skips of `reason`. */
export function skipCountIncrement(
  reason: CountedSkip,
  by: number | SQL = 1,
): Partial<Record<(typeof SKIP_COUNTERS)[CountedSkip], SQL>> {
  const field = SKIP_COUNTERS[reason];
  return { [field]: sql`${cronJobs[field]} + ${by}` };
}
