import type { CalendarRow, MaintenanceAction, MaintenanceWindowRow } from "../db/schema";
import { MINUTE } from "../lib/schedule/calendar";
import { cronStepper } from "../lib/schedule/cron";
import { utcToLocal } from "../lib/schedule/timezone";

/**
 * Exclusion semantics (docs/API-NOTES.md "Calendars and maintenance windows"), free of HTTP and D1: which instants
 * a calendar excludes and which jobs and monitors a maintenance window covers.
 */

type Step = (after: number) => number | null;

/** A cron match in `tz` lasting `durationMs`: holds `t` when a match lies in (t − duration, t]. */
export interface Stretch {
  step: Step;
  durationMs: number;
}

const stretch = (cron: string, durationMinutes: number, tz: string): Stretch => ({
  step: cronStepper(cron, tz),
  durationMs: durationMinutes * MINUTE,
});

/** Whether `t` falls in a stretch: the first match after t − duration is at or before t. */
export function inStretch(s: Stretch, t: number): boolean {
  const match = s.step(t - s.durationMs);
  return match !== null && match <= t;
}

/** The local date (`YYYY-MM-DD`) of an instant in `tz`. */
export const localDate = (tz: string, t: number): string => new Date(utcToLocal(tz, t)).toISOString().slice(0, 10);

export interface CalendarRules {
  id: string;
  timezone: string;
  dates: Set<string>;
  ranges: Array<{ start: number; end: number }>;
  recurring: Stretch[];
}

export interface WindowRules {
  id: string;
  action: MaintenanceAction;
  startAt: number | null;
  endAt: number | null;
  recurrence: Stretch | null;
  jobIds: Set<string>;
  monitorIds: Set<string>;
  tags: Set<string>;
}

/** An account's calendars by id and its maintenance windows, as the tick and the preview evaluate them. */
export interface AccountRules {
  calendars: Map<string, CalendarRules>;
  windows: WindowRules[];
}

export const EMPTY_RULES: AccountRules = { calendars: new Map(), windows: [] };

const parse = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export function calendarRules(row: Pick<CalendarRow, "id" | "timezone" | "dates" | "ranges" | "recurring">) {
  const recurring = parse<Array<{ cron: string; duration_minutes: number }>>(row.recurring, []);
  return {
    id: row.id,
    timezone: row.timezone,
    dates: new Set(parse<string[]>(row.dates, [])),
    ranges: parse<Array<{ start: number; end: number }>>(row.ranges, []),
    recurring: recurring.map((r) => stretch(r.cron, r.duration_minutes, row.timezone)),
  } satisfies CalendarRules;
}

export function windowRules(row: MaintenanceWindowRow): WindowRules {
  const rec = parse<{ cron: string; duration_minutes: number } | null>(row.recurrence, null);
  return {
    id: row.id,
    action: row.action,
    startAt: row.startAt,
    endAt: row.endAt,
    recurrence: rec ? stretch(rec.cron, rec.duration_minutes, row.timezone) : null,
    jobIds: new Set(parse<string[]>(row.jobIds, [])),
    monitorIds: new Set(parse<string[]>(row.monitorIds, [])),
    tags: new Set(parse<string[]>(row.tags, [])),
  };
}

export function accountRules(cals: CalendarRow[], windows: MaintenanceWindowRow[]): AccountRules {
  return { calendars: new Map(cals.map((c) => [c.id, calendarRules(c)])), windows: windows.map(windowRules) };
}

/** Whether the calendar excludes `t`: its local day is listed, a range holds it, or a recurring stretch does. */
export function calendarExcludes(cal: CalendarRules, t: number): boolean {
  if (cal.dates.size > 0 && cal.dates.has(localDate(cal.timezone, t))) return true;
  for (const r of cal.ranges) if (r.start <= t && t < r.end) return true;
  return cal.recurring.some((s) => inStretch(s, t));
}

/** Whether the window is open at `t`: within [start, end) when set, and inside a recurrence's stretch if any. */
export function windowOpen(w: WindowRules, t: number): boolean {
  if (w.startAt !== null && t < w.startAt) return false;
  if (w.endAt !== null && t >= w.endAt) return false;
  return w.recurrence === null || inStretch(w.recurrence, t);
}

/** What a window may cover: a job (its id and tags) or a monitor. */
export interface Subject {
  kind: "job" | "monitor";
  id: string;
  tags: readonly string[];
}

export function windowCovers(w: WindowRules, s: Subject): boolean {
  if ((s.kind === "job" ? w.jobIds : w.monitorIds).has(s.id)) return true;
  return s.tags.some((tag) => w.tags.has(tag));
}

export type Exclusion = { reason: "calendar"; calendarId: string } | { reason: "maintenance"; windowId: string };

/**
 * Why the job's slot `t` is skipped, or null: a calendar the job excludes first (its own configuration), then a
 * `skip` window covering it. A calendar id that no longer exists excludes nothing.
 */
export function exclusionAt(
  rules: AccountRules,
  job: { id: string; tags: readonly string[]; excludeCalendars: readonly string[] },
  t: number,
): Exclusion | null {
  for (const id of job.excludeCalendars) {
    const cal = rules.calendars.get(id);
    if (cal && calendarExcludes(cal, t)) return { reason: "calendar", calendarId: id };
  }
  const subject: Subject = { kind: "job", id: job.id, tags: job.tags };
  for (const w of rules.windows)
    if (w.action === "skip" && windowCovers(w, subject) && windowOpen(w, t))
      return { reason: "maintenance", windowId: w.id };
  return null;
}

/** The `mute` (or, with `skip`, also `skip`) window covering `subject` and open at `t`, if any. */
export function windowAt(
  rules: AccountRules,
  subject: Subject,
  t: number,
  actions: readonly MaintenanceAction[] = ["mute"],
): WindowRules | null {
  for (const w of rules.windows)
    if (actions.includes(w.action) && windowCovers(w, subject) && windowOpen(w, t)) return w;
  return null;
}
