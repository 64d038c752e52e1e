import { Cron } from "croner";
import { MINUTE } from "./calendar";
import { cronFieldError } from "./cron-fields";
import { localToUtc, utcToLocal } from "./timezone";

/**
 * Raw cron expressions (the `cron` extension of schedule_config), evaluated by croner (11.x), with two rules of
 * Vixie cron that croner's options cannot express on their own wrapped around it:
 *
 * - Exactly 5 fields (minute hour day-of-month month day-of-week); nicknames such as `@daily` and seconds/year
 *   fields are refused. Croner's extensions (`L`, `W`, `#`, `+`) are accepted.
 * - Day-of-month and day-of-week, as Vixie cron's `DOM_STAR`/`DOW_STAR`: a field that starts with `*` (`*`,
 *   `*∕2`; croner's `?` counts as `*`) is unrestricted; if either field is, the two are ANDed, otherwise ORed
 *   (`0 9 1 * 1` runs on the 1st and on every Monday, `0 9 *∕2 * 1` only on odd-dated Mondays). Croner only
 *   treats a bare `*` so, so we pass it `domAndDow` per expression. `+` on day-of-week still forces AND.
 * - DST. A fixed-time job (no `*` and no step in its minute and hour fields: `30 2 * * *`, `30 1,13 * * *`,
 *   `30 2-3 * * *`) keeps the schedule rule of the presets: a repeated local time runs once (first occurrence),
 *   a skipped one at the next valid minute — even when that minute is on the next date, which croner's
 *   same-day rule would drop. Such jobs are matched by croner on the wall clock (as UTC) and placed by
 *   localToUtc(), the presets' own gap/overlap rule. Any other job is an interval job, run by croner in the
 *   zone by elapsed time: a repeated time runs on both passes, a skipped one does not run.
 */

/** Trimmed, single-spaced: the form we store and compare. */
export function normaliseCron(expression: string): string {
  return expression.trim().split(/\s+/).join(" ");
}

/** Longest cron string accepted (a real 5-field expression is far shorter; this stops padded junk being stored). */
export const MAX_CRON_LENGTH = 200;

const starts = (field: string) => field.startsWith("*") || field.startsWith("?");

/** Vixie's rule: restricted day-of-month and day-of-week are ORed unless either starts with `*`. */
function domAndDow(fields: string[]): boolean {
  return starts(fields[2] ?? "*") || starts(fields[4] ?? "*");
}

/** Fixed-time: neither minute nor hour holds a wildcard (`*`, `?`) or a step (`/`). */
export function isFixedTime(expression: string): boolean {
  const [minute = "*", hour = "*"] = normaliseCron(expression).split(" ");
  return ![minute, hour].some((f) => /[*?/]/.test(f));
}

/** Croner for `expression` in an IANA zone, or (timezone null) on a bare wall clock: UTC by arithmetic, no Intl. */
function compile(expression: string, timezone: string | null): Cron {
  const normal = normaliseCron(expression);
  const clock = timezone === null ? { utcOffset: 0 } : { timezone };
  return new Cron(normal, { mode: "5-part", ...clock, domAndDow: domAndDow(normal.split(" ")) });
}

/** Why `expression` is not a usable 5-field cron expression, or null when it is. Messages name the value sent. */
export function cronError(expression: string): string | null {
  if (expression.length > MAX_CRON_LENGTH) return `must be at most ${MAX_CRON_LENGTH} characters`;
  const fields = normaliseCron(expression).split(" ");
  if (fields.length !== 5) {
    return `must have exactly 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  const fieldError = cronFieldError(fields);
  if (fieldError) return fieldError;
  try {
    if (compile(expression, null).nextRun() === null) return "never matches a date";
    return null;
  } catch (e) {
    return `is not a valid cron expression: ${e instanceof Error ? e.message.replace(/^CronPattern: /, "") : e}`;
  }
}

/** A reusable "next run strictly after" function (epoch ms → epoch ms) for a valid expression in an IANA zone. */
export function cronStepper(expression: string, timezone: string): (after: number) => number | null {
  if (!isFixedTime(expression)) {
    const job = compile(expression, timezone);
    return (after) => job.nextRun(new Date(after))?.getTime() ?? null;
  }
  // The wall clock as UTC: croner finds matching local date-times, localToUtc places each. localToUtc never goes
  // backwards as the wall time grows (first occurrence in an overlap, end of the gap in a gap), so the first
  // placed run after `after` is the answer, and no wall time before the one `after` shows can place after it.
  const wallJob = compile(expression, null);
  return (after) => {
    let wall = utcToLocal(timezone, after) - MINUTE;
    for (;;) {
      const next = wallJob.nextRun(new Date(wall));
      if (next === null) return null;
      wall = next.getTime();
      const run = localToUtc(timezone, wall);
      if (run > after || Number.isNaN(run)) return run;
    }
  };
}
