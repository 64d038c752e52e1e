import type { z } from "zod";
import { nextRunAt, nextRuns, type Schedule } from "../../../src/lib/schedule/next-run";
import { ScheduleConfigSchema } from "../../../src/lib/schedule/schema";

export type ConfigInput = z.input<typeof ScheduleConfigSchema>;

/** A schedule from raw (client-shaped) config, with the schema's defaults applied. */
export function schedule(config: ConfigInput, timezone: string, anchorAt: string | number): Schedule {
  return {
    config: ScheduleConfigSchema.parse(config),
    timezone,
    anchorAt: typeof anchorAt === "number" ? anchorAt : Date.parse(anchorAt),
  };
}

export const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? ms : new Date(ms).toISOString();

/** Runs after an ISO instant, as ISO strings (readable diffs). */
export function runsAfter(s: Schedule, after: string, n: number, occurrences?: number): string[] {
  return nextRuns(s, Date.parse(after), n, occurrences).map((t) => new Date(t).toISOString());
}

export function nextAfter(s: Schedule, after: string, occurrences?: number): string | null {
  const t = nextRunAt(s, Date.parse(after), occurrences);
  return t === null ? null : new Date(t).toISOString();
}
