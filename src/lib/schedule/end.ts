import { parseInstant } from "../dates";
import { DAY, dayNumber } from "./calendar";
import type { ScheduleConfig } from "./schema";
import { localToUtc } from "./timezone";

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The last instant (inclusive) a run may fall on, or Infinity; a bare `end_date` ends with its local day (DST-aware).
 */
export function lastRunBound(config: ScheduleConfig, timezone: string): number {
  if (config.end_type !== "on" || config.end_date === undefined) return Number.POSITIVE_INFINITY;
  const range = parseInstant(config.end_date);
  // Unparseable means the config bypassed validation: treat the schedule as ended rather than run unbounded.
  if (!range) return Number.NEGATIVE_INFINITY;
  const bare = BARE_DATE.exec(config.end_date);
  if (!bare) return range.start;
  const nextDay = dayNumber(Number(bare[1]), Number(bare[2]) - 1, Number(bare[3]) + 1);
  return localToUtc(timezone, nextDay * DAY) - 1;
}

/** True once end_type "after" has used up its runs. */
export function occurrencesExhausted(config: ScheduleConfig, occurrences: number): boolean {
  return config.end_type === "after" && config.end_occurrences !== undefined && occurrences >= config.end_occurrences;
}
