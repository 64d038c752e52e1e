import { parseInstant } from "../dates";
import { DAY, dayNumber } from "./calendar";
import type { ScheduleConfig } from "./schema";
import { localToUtc } from "./timezone";

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The first instant (inclusive) a run may fall on, or -Infinity; a bare `start_date` starts at its local
 * midnight (localToUtc's gap rule). The mirror of lastRunBound (end.ts).
 */
export function firstRunBound(config: ScheduleConfig, timezone: string): number {
  if (config.start_date === undefined) return Number.NEGATIVE_INFINITY;
  const range = parseInstant(config.start_date);
  // Unparseable means the config bypassed validation: no bound rather than no run at all.
  if (!range) return Number.NEGATIVE_INFINITY;
  const bare = BARE_DATE.exec(config.start_date);
  if (!bare) return range.start;
  return localToUtc(timezone, dayNumber(Number(bare[1]), Number(bare[2]) - 1, Number(bare[3])) * DAY);
}

/** A one-off schedule's run instant (epoch ms), or null for a repeating schedule (or an unparseable run_at). */
export function runAtInstant(config: ScheduleConfig): number | null {
  if (config.run_at === undefined) return null;
  return parseInstant(config.run_at)?.start ?? null;
}
