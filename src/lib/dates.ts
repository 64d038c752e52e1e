/**
 * ISO 8601 instants: a bare date or a date-time with `Z` or an offset. Bounds are inclusive to the precision
 * given: `end_date=2024-01-25` includes 23:59:59.400.
 */
const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

export interface InstantRange {
  /** First millisecond the value denotes. */
  start: number;
  /** Last millisecond the value denotes (inclusive). */
  end: number;
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 1970;
}

export function parseInstant(value: string): InstantRange | null {
  const bare = BARE_DATE.exec(value);
  if (bare) {
    const [y, m, d] = [Number(bare[1]), Number(bare[2]), Number(bare[3])];
    if (!validDate(y, m, d)) return null;
    const start = Date.UTC(y, m - 1, d);
    return { start, end: start + 86_400_000 - 1 };
  }
  const dt = DATE_TIME.exec(value);
  if (!dt) return null;
  const [y, mo, d, h, mi] = [Number(dt[1]), Number(dt[2]), Number(dt[3]), Number(dt[4]), Number(dt[5])];
  const s = dt[6] === undefined ? undefined : Number(dt[6]);
  const frac = dt[7];
  const zone = dt[8] ?? "Z";
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || (s !== undefined && s > 59)) return null;
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMin = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const start = Date.UTC(y, mo - 1, d, h, mi, s ?? 0, ms) - offsetMin * 60_000;
  // Inclusive to the stated precision: minutes, seconds, or milliseconds.
  const span = frac !== undefined ? 1 : s !== undefined ? 1000 : 60_000;
  return { start, end: start + span - 1 };
}

/** `2024-01-25T14:00:00Z`: UTC, whole seconds, as the contract shows. */
export function formatInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Nullable variant for optional timestamps. */
export function formatInstantOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : formatInstant(ms);
}
