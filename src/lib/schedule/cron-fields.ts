/**
 * Range checks for cron numbers before croner, so the error names the value sent (croner reports `0 0 32 * *`
 * as "day: 31"). Other syntax (names, `L`, `W`, `#`, `+`) is left to croner.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** What the field allows, for the message. */
  allowed: string;
}

const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59, allowed: "0–59" },
  { name: "hour", min: 0, max: 23, allowed: "0–23" },
  { name: "day-of-month", min: 1, max: 31, allowed: "1–31" },
  { name: "month", min: 1, max: 12, allowed: "1–12 or JAN–DEC" },
  { name: "day-of-week", min: 0, max: 7, allowed: "0–7 (0 and 7 are Sunday) or SUN–SAT" },
];

/** `#n` (nth weekday of the month) allows 1–5. */
const NTH = { min: 1, max: 5 };

function itemError(spec: FieldSpec, field: string, item: string): string | null {
  const where = `${spec.name} field '${field}'`;
  const [range = "", step, ...extra] = item.replace(/^\+/, "").split("/");
  if (extra.length > 0) return `${where}: '${item}' has more than one '/'`;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `${where}: step '${step}' must be a whole number`;
    const span = spec.max - spec.min + 1;
    if (Number(step) < 1 || Number(step) > span) return `${where}: step ${step} is out of range, allowed 1–${span}`;
  }
  const [base = "", nth] = range.split("#");
  if (nth !== undefined && /^\d+$/.test(nth) && (Number(nth) < NTH.min || Number(nth) > NTH.max)) {
    return `${where}: '#${nth}' is out of range, allowed #${NTH.min}–#${NTH.max} (or #L)`;
  }
  for (const bound of base.split("-")) {
    // Digits with an optional croner suffix (15W, 5L); names, `*`, `?` and `L` are checked by croner.
    const m = /^(\d+)[WL]?$/i.exec(bound);
    if (!m) continue;
    const value = Number(m[1]);
    if (value < spec.min || value > spec.max) {
      return `${where}: ${m[1]} is out of range, allowed ${spec.allowed}`;
    }
  }
  return null;
}

/** The first out-of-range number in the five fields, as a message naming the field, the value and the range. */
export function cronFieldError(fields: string[]): string | null {
  for (const [i, spec] of FIELDS.entries()) {
    const field = fields[i] ?? "";
    for (const item of field.split(",")) {
      const error = itemError(spec, field, item);
      if (error) return error;
    }
  }
  return null;
}
