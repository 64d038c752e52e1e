import { timeOfDay } from "./calendar";
import { cronExpressions, normaliseCron } from "./cron";
import type { ScheduleConfig } from "./schema";
import { runAtInstant } from "./start";
import { utcToLocal } from "./timezone";

/**
 * The 5-field cron string shown as `schedule`. Exact only for `cron` and N = 1 forms (cron steps restart at
 * boundaries; weeks/years N > 1 have no cron form). nextRunAt(), not this string, decides when a job runs.
 */
export function toCronString(config: ScheduleConfig, timezone = "UTC"): string {
  return toCronStrings(config, timezone)[0] as string;
}

/**
 * Every schedule of the config as a cron string, in the order sent: each `cron` expression, or `time` then each of
 * `additional_times`. A1Cron's `schedule` is the first (one string, as its clients expect); `schedules` all.
 */
export function toCronStrings(config: ScheduleConfig, timezone = "UTC"): string[] {
  if (config.run_at !== undefined) return [pinnedCron(runAtInstant(config) ?? 0, timezone)];
  if (config.cron !== undefined) return cronExpressions(config.cron).map(normaliseCron);
  const times = [config.time ?? "00:00", ...(config.additional_times ?? [])];
  return times.map((time) => presetCron(config, time));
}

function presetCron(config: ScheduleConfig, time: string): string {
  const { hour, minute } = timeOfDay(time);
  const n = config.repeat_every;
  const step = (field: string) => (n === 1 ? field : `${field}/${n}`);
  // months and years default to the 1st; years always run in January (on day_of_month).
  const day = config.day_of_month ?? 1;
  switch (config.repeat_type) {
    case "hourly":
      return `${minute} ${step("*")} * * *`;
    case "days":
      return `${minute} ${hour} ${step("*")} * *`;
    case "weeks": {
      const days = [...new Set(config.days_of_week ?? [])].map(Number).sort((a, b) => a - b);
      return `${minute} ${hour} * * ${days.join(",")}`;
    }
    case "months":
      return `${minute} ${hour} ${day} ${step("*")} *`;
    case "years":
      return `${minute} ${hour} ${day} 1 *`;
    default:
      throw new Error("schedule config has neither repeat_type nor cron");
  }
}

/**
 * A one-off run (`run_at`) as the cron string pinned to its local minute, date and month in the job's zone: what
 * A1Cron clients had to write before run_at existed. Informative only — the cron form has no year and no seconds.
 */
function pinnedCron(at: number, timezone: string): string {
  const wall = new Date(utcToLocal(timezone, at));
  return `${wall.getUTCMinutes()} ${wall.getUTCHours()} ${wall.getUTCDate()} ${wall.getUTCMonth() + 1} *`;
}
