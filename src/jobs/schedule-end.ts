import type { FieldError } from "../lib/field-error";
import { lastRunBound } from "../lib/schedule/end";
import { nextRunAt } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import { runAtInstant } from "../lib/schedule/start";

/**
 * An active job with no run left would hold an active-job slot for ever, so a schedule whose end_date is past
 * or before its first run is a 400 naming schedule_config.end_date, and an endless one whose start_date leaves
 * no run (past croner's year 9999) names schedule_config.start_date. Null when a run is left.
 */
export function endedScheduleError(config: ScheduleConfig, timezone: string, now: number): FieldError | null {
  if (config.end_type !== "on" || config.end_date === undefined) return noRunFromStartError(config, timezone, now);
  if (nextRunAt({ config, timezone, anchorAt: now }, now) !== null) return null;
  const unbounded = { config: { ...config, end_type: "never" as const, end_date: undefined }, timezone, anchorAt: now };
  const first = nextRunAt(unbounded, now);
  const when =
    lastRunBound(config, timezone) < now || first === null
      ? "has passed"
      : `comes before the schedule's first run (${new Date(first).toISOString().slice(0, 19)}Z)`;
  return {
    field: "schedule_config.end_date",
    in: "body",
    message: `${config.end_date} (in ${timezone}) ${when}: the job would never run; give a later end_date`,
  };
}

/**
 * A one-off schedule (`run_at`) whose instant is not after `now` would never run: refused with a 400 naming
 * schedule_config.run_at (on create, on an update that changes the schedule or timezone, and by the preview).
 */
export function pastRunAtError(config: ScheduleConfig, now: number): FieldError | null {
  const at = runAtInstant(config);
  if (at === null || at > now) return null;
  return {
    field: "schedule_config.run_at",
    in: "body",
    message: `${config.run_at} has passed: a one-off job needs a run_at in the future`,
  };
}

/** A `start_date` after which a never-ending schedule has no run: the job would hold an active slot for ever. */
function noRunFromStartError(config: ScheduleConfig, timezone: string, now: number): FieldError | null {
  if (config.start_date === undefined || nextRunAt({ config, timezone, anchorAt: now }, now) !== null) return null;
  return {
    field: "schedule_config.start_date",
    in: "body",
    message: `${config.start_date} (in ${timezone}): the schedule has no run on or after it; give an earlier start_date`,
  };
}
