import { Cron } from "croner";
import { MINUTE } from "./calendar";
import { cronFieldError } from "./cron-fields";
import { localToUtc, utcToLocal } from "./timezone";

/**
 * Raw cron expressions, evaluated by croner 11.x with two Vixie cron rules wrapped around it:
 * - Exactly 5 fields; nicknames (`@daily`) and seconds/year fields are refused; `L`, `W`, `#`, `+` are accepted.
 * - Day-of-month/day-of-week as Vixie's `DOM_STAR`/`DOW_STAR`: if either field starts with `*` (or `?`) they are
 *   ANDed, else ORed (`0 9 1 * 1`: the 1st and every Monday). Croner only does so for a bare `*`, hence
 *   `domAndDow` per expression; `+` still forces AND.
 * - DST: a fixed-time job (no `*` or step in minute and hour) follows the presets: a repeated time runs once, a
 *   skipped one at the next valid minute (localToUtc). Other jobs run by elapsed time in the zone: a repeated
 *   time runs twice, a skipped one not at all.
 */

/** Trimmed, single-spaced: the form we store and compare. */
export function normaliseCron(expression: string): string {
  return expression.trim().split(/\s+/).join(" ");
}

/** A schedule_config's `cron`: one expression or several (their union, src/lib/schedule/next-run.ts). */
export type CronField = string | string[];

/** The expressions of a `cron` field, in the order sent. */
export function cronExpressions(cron: CronField): string[] {
  return typeof cron === "string" ? [cron] : cron;
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
