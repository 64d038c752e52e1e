import { DAY, MINUTE } from "./calendar";

/**
 * IANA timezones on Intl alone; local times are "wall" times (calendar.ts). Formatters are costly: one per zone,
 * cached.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a zone name Intl knows (`Europe/Berlin`, `UTC`); offset strings such as `+05:30` are refused. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z]/.test(timeZone)) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset (ms, east positive) in force at `instant`. */
export function offsetAt(timeZone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
}

/** The local wall time of an instant. */
export function utcToLocal(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

/** The instant a wall time denotes: a repeated time gives its first occurrence, a skipped one the next valid minute. */
export function localToUtc(timeZone: string, wall: number): number {
  // Offsets a day either side bracket any transition near `wall` (zones move at most once in two days).
  const before = offsetAt(timeZone, wall - DAY);
  const after = offsetAt(timeZone, wall + DAY);
  // The larger offset gives the earlier instant, so trying it first picks the first occurrence.
  const high = Math.max(before, after);
  const low = Math.min(before, after);
  if (offsetAt(timeZone, wall - high) === high) return wall - high;
  if (low !== high && offsetAt(timeZone, wall - low) === low) return wall - low;
  return firstInstantAfter(timeZone, wall, wall - high, wall - low);
}

/** In a gap: binary search (by minute) for the first instant whose wall time passes `wall`, within (lo, hi]. */
function firstInstantAfter(timeZone: string, wall: number, lo: number, hi: number): number {
  const passed = (t: number) => utcToLocal(timeZone, t) > wall;
  if (passed(lo) || !passed(hi)) return wall - offsetAt(timeZone, wall - DAY); // no clean gap: keep the old offset
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (passed(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
