import ICAL from "ical.js";
import { DAY } from "../lib/schedule/calendar";
import { isValidTimeZone, localToUtc } from "../lib/schedule/timezone";

/**
 * iCalendar (RFC 5545) import with Mozilla's ical.js (MPL-2.0, no dependencies, plain ESM: it bundles for
 * Workers): all-day events become local dates, timed events instant ranges. Recurring events (RRULE) are
 * expanded up to HORIZON_MS ahead; events that ended before `now` are left out, as they exclude nothing.
 */
export const HORIZON_MS = 5 * 366 * DAY;
/** Occurrences one event may expand to, so a `FREQ=MINUTELY` rule cannot run away. */
const MAX_OCCURRENCES = 2000;

export interface IcsExclusions {
  dates: string[];
  ranges: Array<{ start: number; end: number }>;
}

export class IcsError extends Error {}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const dateOf = (t: ICAL.Time) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;

/** An ICS date-time as an instant: UTC as is, a TZID that names an IANA zone in it, anything else in `tz`. */
function instant(t: ICAL.Time, tzid: string | null, tz: string): number {
  if (t.zone?.tzid === "UTC") return t.toUnixTime() * 1000;
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return localToUtc(tzid && isValidTimeZone(tzid) ? tzid : tz, wall);
}

/** The dates and ranges of the file's events, in `tz` for floating times; throws IcsError on text it cannot read. */
export function parseIcs(text: string, tz: string, now: number): IcsExclusions {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    throw new IcsError(`is not iCalendar text: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (root.name !== "vcalendar") throw new IcsError("must be a VCALENDAR");
  const dates = new Set<string>();
  const ranges: IcsExclusions["ranges"] = [];
  const horizon = now + HORIZON_MS;
  for (const vevent of root.getAllSubcomponents("vevent")) {
    let event: ICAL.Event;
    try {
      event = new ICAL.Event(vevent);
    } catch {
      continue;
    }
    const start = event.startDate;
    if (!start) continue;
    const tzid = (vevent.getFirstProperty("dtstart")?.getParameter("tzid") as string | undefined) ?? null;
    const duration = event.endDate ? event.endDate.subtractDate(start) : null;
    const occurrences: ICAL.Time[] = [];
    if (event.isRecurring()) {
      const it = event.iterator();
      for (let next = it.next(); next && occurrences.length < MAX_OCCURRENCES; next = it.next()) {
        if (instant(next, tzid, "UTC") > horizon) break;
        occurrences.push(next);
      }
    } else {
      occurrences.push(start);
    }
    for (const occ of occurrences) {
      if (start.isDate) {
        // All-day: DTEND is exclusive; without one the event is that one day (RFC 5545 §3.6.1).
        const days = Math.max(1, duration ? Math.round(duration.toSeconds() / 86_400) : 1);
        for (let d = 0; d < days && d < 366; d++) {
          const day = occ.clone();
          day.adjust(d, 0, 0, 0);
          const lastMoment = localToUtc(tz, Date.UTC(day.year, day.month - 1, day.day) + DAY);
          if (lastMoment > now) dates.add(dateOf(day));
        }
      } else {
        const from = instant(occ, tzid, tz);
        const to = from + (duration ? duration.toSeconds() * 1000 : 0);
        if (to > from && to > now) ranges.push({ start: from, end: to });
      }
    }
  }
  return { dates: [...dates].sort(), ranges: ranges.sort((a, b) => a.start - b.start) };
}
