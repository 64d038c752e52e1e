/**
 * The Calendars page's forms without the DOM (test/dashboard/calendars.test.ts): a calendar or maintenance window
 * → form state → request body (docs/API-NOTES.md "Calendars and maintenance windows").
 */
import type { FormFieldError } from "./job-form-state";
import { instantToLocal, localToInstant, type PickerZone } from "./pause-until";
import type { Calendar, MaintenanceWindow, Recurring } from "./types";

export interface CalendarFormState {
  name: string;
  timezone: string;
  /** One YYYY-MM-DD per line. */
  dates: string;
  /** One "start end" per line, each an ISO 8601 instant. */
  ranges: string;
  /** One "<5-field cron> <minutes>" per line. */
  recurring: string;
  /** iCalendar text whose events are added (create: `ics`; edit: POST …/import). */
  ics: string;
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((l, i) => ({ text: l.trim(), line: i + 1 }))
    .filter((l) => l.text);

export function calendarToForm(c: Calendar | null, timezone = "UTC"): CalendarFormState {
  return {
    name: c?.name ?? "",
    timezone: c?.timezone ?? timezone,
    dates: (c?.dates ?? []).join("\n"),
    ranges: (c?.ranges ?? []).map((r) => `${r.start} ${r.end}`).join("\n"),
    recurring: (c?.recurring ?? []).map((r) => `${r.cron} ${r.duration_minutes}`).join("\n"),
    ics: "",
  };
}

/** "0 22 * * 5 120" → the cron and the minutes, or the line's error. */
export function parseRecurringLine(text: string): Recurring | string {
  const parts = text.split(/\s+/);
  if (parts.length !== 6) return "must be a 5-field cron expression and the minutes, such as 0 22 * * 5 120";
  const minutes = Number(parts[5]);
  // A number the API can name; anything else is the line's error here.
  if (!/^\d+$/.test(parts[5] ?? "")) return "must end with the excluded stretch's length in minutes";
  return { cron: parts.slice(0, 5).join(" "), duration_minutes: minutes };
}

/**
 * The create or update body, or the errors of lines the API could not name. Dates and ranges are sent one per line
 * as typed, so the API's `dates.<i>` and `ranges.<i>` name the i-th line (blank lines are skipped).
 */
export function formToCalendarRequest(
  s: CalendarFormState,
): { body: Record<string, unknown>; ics: string | null } | { errors: FormFieldError[] } {
  const errors: FormFieldError[] = [];
  const ranges = lines(s.ranges).map(({ text, line }) => {
    const parts = text.split(/\s+/);
    if (parts.length !== 2)
      errors.push({ field: "ranges", message: `line ${line}: must be "start end", two instants` });
    return { start: parts[0] ?? "", end: parts[1] ?? "" };
  });
  const recurring = lines(s.recurring).flatMap(({ text, line }) => {
    const r = parseRecurringLine(text);
    if (typeof r === "string") {
      errors.push({ field: "recurring", message: `line ${line}: ${r}` });
      return [];
    }
    return [r];
  });
  if (errors.length) return { errors };
  return {
    body: {
      name: s.name,
      timezone: s.timezone.trim(),
      dates: lines(s.dates).map((l) => l.text),
      ranges,
      recurring,
    },
    ics: s.ics.trim() ? s.ics : null,
  };
}

/** "3 dates · 1 range · 2 recurring" — what a calendar excludes, in brief. */
export function calendarSummary(c: Pick<Calendar, "dates" | "ranges" | "recurring">): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    c.dates.length ? n(c.dates.length, "date", "dates") : "",
    c.ranges.length ? n(c.ranges.length, "range", "ranges") : "",
    c.recurring.length ? `${c.recurring.length} recurring` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "nothing yet";
}

export interface WindowFormState {
  name: string;
  kind: "once" | "recurring";
  /** datetime-local values in the dashboard's zone; with a recurrence, optional bounds. */
  start: string;
  end: string;
  cron: string;
  duration_minutes: string;
  timezone: string;
  action: "skip" | "mute";
  job_ids: string[];
  /** Comma-separated. */
  tags: string;
}

export function windowToForm(w: MaintenanceWindow | null, zone: PickerZone, timezone = "UTC"): WindowFormState {
  const local = (iso: string | null | undefined) => (iso ? instantToLocal(Date.parse(iso), zone) : "");
  return {
    name: w?.name ?? "",
    kind: w?.recurrence ? "recurring" : "once",
    start: local(w?.start),
    end: local(w?.end),
    cron: w?.recurrence?.cron ?? "",
    duration_minutes: w?.recurrence ? String(w.recurrence.duration_minutes) : "60",
    timezone: w?.timezone ?? timezone,
    action: w?.action ?? "skip",
    job_ids: w?.job_ids ?? [],
    tags: (w?.tags ?? []).join(", "),
  };
}

/**
 * The window's create or update body. An update sends every field the form shows, `null` for a cleared start, end
 * or recurrence; monitor_ids, which the form does not show, are left as stored.
 */
export function formToWindowRequest(
  s: WindowFormState,
  zone: PickerZone,
  editing: boolean,
): { body: Record<string, unknown> } | { errors: FormFieldError[] } {
  const errors: FormFieldError[] = [];
  const instant = (field: "start" | "end", value: string) => {
    if (!value.trim()) return null;
    const iso = localToInstant(value, zone);
    if (!iso) errors.push({ field, message: "enter a date and a time" });
    return iso;
  };
  const start = instant("start", s.start);
  const end = instant("end", s.end);
  if (errors.length) return { errors };
  const body: Record<string, unknown> = {
    name: s.name.trim() || undefined,
    action: s.action,
    job_ids: s.job_ids,
    tags: s.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  };
  const set = (key: string, v: unknown) => {
    if (v !== null || editing) body[key] = v;
  };
  if (s.kind === "recurring") {
    const minutes = s.duration_minutes.trim();
    body.recurrence = { cron: s.cron.trim(), duration_minutes: minutes === "" ? Number.NaN : Number(minutes) };
    body.timezone = s.timezone.trim();
    set("start", start);
    set("end", end);
  } else {
    // A one-off needs both: sent as typed (empty as missing) so the API names what is absent.
    if (start !== null) body.start = start;
    if (end !== null) body.end = end;
    if (editing) body.recurrence = null;
  }
  if (body.name === undefined) delete body.name;
  return { body };
}

/** The jobs a 409 on a calendar's delete names (its problem's `jobs`). */
export function referencingJobs(problem: Record<string, unknown>): Array<{ id: string; name: string }> {
  const jobs = problem.jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.filter(
    (j): j is { id: string; name: string } =>
      typeof j === "object" && j !== null && typeof j.id === "string" && typeof j.name === "string",
  );
}

/**
 * A problem's `<list>.<i>[.<key>]` errors, named for the form: "entry 2 (end): …" under the list's field, since
 * the form shows a list as one text area with an entry per line.
 */
export function entryErrors(errors: FormFieldError[]): FormFieldError[] {
  return errors.map((e) => {
    const m = /^(dates|ranges|recurring|job_ids|tags|monitor_ids)\.(\d+)(?:\.(\w+))?$/.exec(e.field);
    if (!m) return e;
    const key = m[3] ? ` (${m[3]})` : "";
    return { field: m[1] as string, message: `entry ${Number(m[2]) + 1}${key}: ${e.message}` };
  });
}
