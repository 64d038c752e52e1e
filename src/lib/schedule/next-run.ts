import {
  alignUp,
  DAY,
  dayNumber,
  dayOf,
  daysInMonth,
  HOUR,
  mod,
  monthIndexOf,
  timeOfDay,
  weekOf,
  weekStart,
  yearOf,
} from "./calendar";
import { cronExpressions, cronStepper } from "./cron";
import { lastRunBound, occurrencesExhausted } from "./end";
import type { ScheduleConfig } from "./schema";
import { firstRunBound, runAtInstant } from "./start";
import { localToUtc, utcToLocal } from "./timezone";

export interface Schedule {
  config: ScheduleConfig;
  /** IANA zone the wall-clock fields are read in. */
  timezone: string;
  /** Epoch ms: job creation or last schedule change; repeat_every periods count from here. */
  anchorAt: number;
}

/** First run strictly after `after`, ignoring end conditions. */
type Stepper = (after: number) => number | null;

/**
 * First run strictly after `after` (epoch ms), or null when the schedule has ended. `occurrences` = scheduled runs
 * already done (for end_type "after").
 */
export function nextRunAt(s: Schedule, after: number, occurrences = 0): number | null {
  return nextRuns(s, after, 1, occurrences)[0] ?? null;
}

/** The next `n` run times strictly after `after` (fewer if the schedule ends), counting `occurrences` as done. */
export function nextRuns(s: Schedule, after: number, n: number, occurrences = 0): number[] {
  const runs: number[] = [];
  if (!Number.isFinite(after) || !Number.isFinite(s.anchorAt)) return runs;
  const next = boundedStepper(s);
  let t = after;
  while (runs.length < n && !occurrencesExhausted(s.config, occurrences + runs.length)) {
    const run = next(t);
    if (run === null) break;
    runs.push(run);
    t = run;
  }
  return runs;
}

/**
 * The run times in (after, until], at most `max`, and the run after the last of them (null once the schedule ends).
 * end_occurrences plays no part: the caller decides which of these slots count as runs.
 */
export function slotsThrough(
  s: Schedule,
  after: number,
  until: number,
  max: number,
): { slots: number[]; next: number | null } {
  const slots: number[] = [];
  if (!Number.isFinite(after) || !Number.isFinite(s.anchorAt)) return { slots, next: null };
  const step = boundedStepper(s);
  let next = step(after);
  while (next !== null && next <= until && slots.length < max) {
    slots.push(next);
    next = step(next);
  }
  return { slots, next };
}

/** First run strictly after `after` within start_date and end_date, or null. */
function boundedStepper(s: Schedule): Stepper {
  // start_date: no run before it, and repeat_every periods count from it (docs/API-NOTES.md "Scheduling").
  const first = firstRunBound(s.config, s.timezone);
  const next = stepper(Number.isFinite(first) ? { ...s, anchorAt: first } : s);
  const last = lastRunBound(s.config, s.timezone);
  return (after) => {
    const run = next(Math.max(after, first - 1));
    return run === null || Number.isNaN(run) || run > last ? null : run;
  };
}

function stepper(s: Schedule): Stepper {
  const { config, timezone: tz } = s;
  if (config.run_at !== undefined) {
    // One-off: the single run is run_at itself (its zone is in the string; the job's timezone plays no part).
    const at = runAtInstant(config);
    return (after) => (at !== null && at > after ? at : null);
  }
  if (config.cron !== undefined) return union(cronExpressions(config.cron).map((e) => cronStepper(e, tz)));
  const times = [config.time ?? "00:00", ...(config.additional_times ?? [])];
  return union(times.map((time) => presetStepper({ ...s, config: { ...config, time } })));
}

/**
 * Several schedules as one: the earliest next run of any, so an instant two of them share runs once. Each keeps
 * its own DST rule (cron.ts), applied before the union.
 */
function union(steppers: Stepper[]): Stepper {
  if (steppers.length === 1) return steppers[0] as Stepper;
  return (after) => {
    let first: number | null = null;
    for (const next of steppers) {
      const run = next(after);
      if (run !== null && !Number.isNaN(run) && (first === null || run < first)) first = run;
    }
    return first;
  };
}

function presetStepper({ config, timezone: tz, anchorAt }: Schedule): Stepper {
  const every = config.repeat_every;
  const { minute, ms: timeMs } = timeOfDay(config.time ?? "00:00");
  const anchorDay = dayOf(utcToLocal(tz, anchorAt));
  // Whole local days (day numbers) → the run instant on that day. Gap/overlap rules live in localToUtc.
  const runOn = (day: number) => localToUtc(tz, day * DAY + timeMs);
  // Start two local days early: a run's instant can precede `after` by less than its wall time; walks are monotonic.
  const firstDay = (after: number) => dayOf(utcToLocal(tz, after)) - 2;

  switch (config.repeat_type) {
    case "hourly": {
      // Instants whose local minute is :MM, exactly as croner runs `MM * * * *` by elapsed time, so both spellings
      // agree
      // even with non-hour offset shifts (Lord Howe, Chatham). repeat_every N counts hours from the anchor's local
      // hour.
      const everyMinute = cronStepper(`${minute} * * * *`, tz);
      const hourStart = anchorAt - mod(utcToLocal(tz, anchorAt), HOUR);
      return (after) => {
        for (let t = after; ; ) {
          const run = everyMinute(t);
          if (run === null) return null;
          const hour = Math.floor((run - hourStart) / HOUR);
          if (mod(hour, every) === 0) return run;
          // Skip to just before the next selected hour.
          t = hourStart + alignUp(hour, 0, every) * HOUR - 1;
        }
      };
    }
    case "days":
      // Every N calendar days from the anchor's local date, straight across month ends.
      return (after) => {
        for (let day = alignUp(firstDay(after), anchorDay, every); ; day += every) {
          const run = runOn(day);
          if (run > after || Number.isNaN(run)) return run;
        }
      };
    case "weeks": {
      // The listed weekdays of every Nth Sunday-start week, counted from the anchor's local week.
      const weekdays = [...new Set(config.days_of_week ?? [])].map(Number).sort((a, b) => a - b);
      if (weekdays.length === 0) return () => null;
      const anchorWeek = weekOf(anchorDay);
      return (after) => {
        const from = firstDay(after);
        for (let week = alignUp(weekOf(from), anchorWeek, every); ; week += every) {
          for (const weekday of weekdays) {
            const day = weekStart(week) + weekday;
            if (day < from) continue;
            const run = runOn(day);
            if (run > after || Number.isNaN(run)) return run;
          }
        }
      };
    }
    case "months":
    case "years": {
      // Every Nth month (or January of every Nth year) from the anchor's, on day_of_month clamped to the month.
      const stride = config.repeat_type === "years" ? every * 12 : every;
      const anchorIndex = config.repeat_type === "years" ? yearOf(anchorDay) * 12 : monthIndexOf(anchorDay);
      const dayOfMonth = config.day_of_month ?? 1;
      return (after) => {
        const from = firstDay(after);
        for (let index = alignUp(monthIndexOf(from), anchorIndex, stride); ; index += stride) {
          const year = Math.floor(index / 12);
          const month0 = index % 12;
          const day = dayNumber(year, month0, Math.min(dayOfMonth, daysInMonth(year, month0)));
          if (day < from) continue;
          const run = runOn(day);
          if (run > after || Number.isNaN(run)) return run;
        }
      };
    }
    default:
      return () => null;
  }
}
