import { Cron } from "croner";

/**
 * Raw cron expressions (the `cron` extension of schedule_config), evaluated by croner.
 *
 * Croner semantics we rely on and document for clients:
 * - Exactly 5 fields (minute hour day-of-month month day-of-week); nicknames such as `@daily` and seconds/year
 *   fields are refused. Croner's extensions (`L`, `W`, `#`, `+`) are accepted.
 * - Day-of-month and day-of-week combine with OR when both are restricted, as in Vixie cron (`0 9 1 * 1` runs on
 *   the 1st and on every Monday); `+` on day-of-week (`0 9 1 * +1`) asks for AND. A `*` in either field defers
 *   to the other.
 * - DST: a fixed-time job (single minute and hour, e.g. `30 2 * * *`) in a spring-forward gap runs at the first
 *   valid time after the gap and runs once when the time occurs twice; any other job (steps, lists, ranges,
 *   wildcards in minute or hour) skips times in a gap and runs on both passes of a repeated hour.
 */

/** Trimmed, single-spaced: the form we store and compare. */
export function normaliseCron(expression: string): string {
  return expression.trim().split(/\s+/).join(" ");
}

function compile(expression: string, timezone?: string): Cron {
  return new Cron(normaliseCron(expression), { mode: "5-part", ...(timezone === undefined ? {} : { timezone }) });
}

/** Why `expression` is not a usable 5-field cron expression, or null when it is. */
export function cronError(expression: string): string | null {
  if (normaliseCron(expression).split(" ").length !== 5) {
    return "must have exactly 5 fields: minute hour day-of-month month day-of-week";
  }
  try {
    if (compile(expression, "UTC").nextRun() === null) return "never matches a date";
    return null;
  } catch (e) {
    return `is not a valid cron expression: ${e instanceof Error ? e.message.replace(/^CronPattern: /, "") : e}`;
  }
}

/** A reusable "next run strictly after" function for a valid expression in an IANA timezone. */
export function cronStepper(expression: string, timezone: string): (after: number) => number | null {
  const job = compile(expression, timezone);
  return (after) => job.nextRun(new Date(after))?.getTime() ?? null;
}
