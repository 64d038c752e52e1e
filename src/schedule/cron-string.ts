import type { ScheduleConfig } from "../schemas/schedule";
import { timeOfDay } from "./calendar";
import { normaliseCron } from "./cron";

/**
 * The 5-field cron string shown for a schedule (the `schedule` field). Only `cron` and the N = 1 forms are exact:
 * cron steps restart at each day/month/year boundary while repeat_every counts from the anchor, and weeks/years
 * N > 1 have no cron form at all. nextRunAt(), not this string, decides when a job runs.
 */
export function toCronString(config: ScheduleConfig): string {
  if (config.cron !== undefined) return normaliseCron(config.cron);
  const { hour, minute } = timeOfDay(config.time ?? "00:00");
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
