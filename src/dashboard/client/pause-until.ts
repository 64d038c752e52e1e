/**
 * The job page's pause picker without the DOM (test/dashboard/pause-until.test.ts): a datetime-local value read in
 * the dashboard's zone (UTC or the browser's) becomes the instant the API takes (docs/API-NOTES.md "Pause until").
 */
import type { FormFieldError } from "./job-form-state";

export type PickerZone = "utc" | "local";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** A datetime-local value ("2026-12-24T09:00") in `zone` as an ISO 8601 instant with Z; null if not such a value. */
export function localToInstant(value: string, zone: PickerZone): string | null {
  const m = LOCAL.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((p) => Number(p ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = zone === "utc" ? Date.UTC(y, mo - 1, d, hh, mm, ss) : new Date(y, mo - 1, d, hh, mm, ss).getTime();
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  // Date rolls 2026-02-30 over to March: a day the calendar lacks is refused, not moved.
  const day = zone === "utc" ? date.getUTCDate() : date.getDate();
  if (day !== d) return null;
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** An instant as a datetime-local value in `zone` (minutes), e.g. for the picker's `min`. */
export function instantToLocal(ms: number, zone: PickerZone): string {
  const shifted = zone === "utc" ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000;
  return new Date(shifted).toISOString().slice(0, 16);
}

/**
 * The PATCH body that pauses a job: until an instant (empty: until resumed by hand) and why. A value the picker
 * cannot read is named as the API would name it.
 */
export function pauseBody(
  until: string,
  reason: string,
  zone: PickerZone,
): { body: { is_active: false; paused_until?: string; pause_reason?: string } } | { errors: FormFieldError[] } {
  const body: { is_active: false; paused_until?: string; pause_reason?: string } = { is_active: false };
  if (until.trim()) {
    const instant = localToInstant(until, zone);
    if (!instant) return { errors: [{ field: "paused_until", message: "enter a date and a time" }] };
    body.paused_until = instant;
  }
  if (reason.trim()) body.pause_reason = reason.trim();
  return { body };
}
