import type { MonitorRow } from "../db/schema";
import { cronStepper } from "../lib/schedule/cron";

export type MonitorSchedule = Pick<MonitorRow, "periodSeconds" | "cron" | "timezone">;

/** Compiled cron expressions by zone: croner's parse is the costly part of a ping; bounded like other caches. */
const steppers = new Map<string, (after: number) => number | null>();
const STEPPERS_MAX = 1_000;

function stepper(cron: string, timezone: string) {
  const key = `${timezone}\n${cron}`;
  let step = steppers.get(key);
  if (!step) {
    if (steppers.size >= STEPPERS_MAX) steppers.delete(steppers.keys().next().value as string);
    step = cronStepper(cron, timezone);
    steppers.set(key, step);
  }
  return step;
}

/**
 * When the next success is due after one at `after` (epoch ms): a period later, or the cron expression's next
 * match. Null only for a cron expression that never matches again.
 */
export function nextExpectedAt(s: MonitorSchedule, after: number): number | null {
  if (s.cron !== null) return stepper(s.cron, s.timezone)(after);
  return after + (s.periodSeconds ?? 0) * 1000;
}
