/**
 * "Wall" times: a local date-time as ms since 1970-01-01T00:00 local, so UTC getters read its fields and days
 * are exactly 86 400 000 ms (DST lives only in timezone.ts).
 */
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Floor modulo: the result has the sign of `n`, so negative offsets and pre-anchor indexes wrap correctly. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The smallest value ≥ `x` that is congruent to `base` modulo `step`. */
export function alignUp(x: number, base: number, step: number): number {
  return x + mod(base - x, step);
}

/** Day number (days since 1970-01-01) of a wall time. */
export function dayOf(wall: number): number {
  return Math.floor(wall / DAY);
}

export function dayNumber(year: number, month0: number, day: number): number {
  return Date.UTC(year, month0, day) / DAY;
}

/** Sunday = 0 … Saturday = 6; day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(day: number): number {
  return mod(day + 4, 7);
}

/** Index of the Sunday-start week holding `day`; week 0 began on Sunday 1969-12-28 (day -4). */
export function weekOf(day: number): number {
  return Math.floor((day + 4) / 7);
}

/** Day number of the Sunday that starts week `week`. */
export function weekStart(week: number): number {
  return week * 7 - 4;
}

/** Months since January of year 0, so month steps can cross year ends with plain arithmetic. */
export function monthIndexOf(day: number): number {
  const d = new Date(day * DAY);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export function yearOf(day: number): number {
  return new Date(day * DAY).getUTCFullYear();
}

export function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** `HH:MM` (already validated) as milliseconds into the day. */
export function timeOfDay(time: string): { hour: number; minute: number; ms: number } {
  const hour = Number(time.slice(0, 2));
  const minute = Number(time.slice(3, 5));
  return { hour, minute, ms: hour * HOUR + minute * MINUTE };
}
