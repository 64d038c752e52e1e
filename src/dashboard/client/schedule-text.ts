/**
 * A job's schedules in words, without the DOM (test/dashboard/schedule-text.test.ts): several cron expressions,
 * or `time` plus `additional_times` (docs/API-NOTES.md "Several schedules"); `schedules` holds each as cron.
 */
import { toString as cronToString } from "cronstrue";
import type { Job } from "./types";

/** A cron expression in words ("At 09:00, Monday through Friday"), or null if cronstrue cannot read it. */
export function cronInWords(cron: string): string | null {
  try {
    return cronToString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    return null;
  }
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const UNITS: Record<string, string> = { hourly: "hour", days: "day", weeks: "week", months: "month", years: "year" };

/** "a", "a and b", "a, b and c". */
export function listText(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * "Every 2 weeks on Mon, Wed at 09:00 and 17:30" — the schedule in words (the cron strings and zone are shown
 * beside it). Several cron expressions are described one by one, separated by "; ".
 */
export function describeSchedule(job: Pick<Job, "schedule_config" | "schedule">): string {
  const c = job.schedule_config ?? {};
  if (typeof c.run_at === "string") return `Once, at ${c.run_at}`;
  const from = typeof c.start_date === "string" ? `, from ${c.start_date}` : "";
  const words = (cron: string) => cronInWords(cron) ?? `Cron ${cron}`;
  // The cron strings themselves are shown beside the words: they describe them rather than repeat them.
  if (typeof c.cron === "string") return `${words(c.cron)}${from}`;
  if (Array.isArray(c.cron)) return `${c.cron.map(words).join("; ")}${from}`;
  const unit = c.repeat_type ? UNITS[c.repeat_type] : undefined;
  if (!unit) return job.schedule;
  const every = Math.max(1, Number(c.repeat_every) || 1);
  let s = every === 1 ? `Every ${unit}` : `Every ${every} ${unit}s`;
  const times = [typeof c.time === "string" ? c.time : "00:00", ...(c.additional_times ?? [])];
  if (c.repeat_type === "hourly") return `${s} at ${listText(times.map((t) => `:${t.slice(3)}`))}${from}`;
  if (c.repeat_type === "weeks" && Array.isArray(c.days_of_week)) {
    s += ` on ${c.days_of_week.map((d) => WEEKDAYS[Number(d)] ?? d).join(", ")}`;
  }
  if (c.repeat_type === "months") s += ` on day ${c.day_of_month ?? 1}`;
  if (c.repeat_type === "years") s += ` on Jan ${c.day_of_month ?? 1}`;
  return `${s} at ${listText(times)}${from}`;
}

/** Every schedule as a cron string: `schedules`, or `schedule` alone from a server that predates it. */
export function scheduleStrings(job: Pick<Job, "schedule"> & { schedules?: string[] }): string[] {
  return job.schedules?.length ? job.schedules : [job.schedule];
}
