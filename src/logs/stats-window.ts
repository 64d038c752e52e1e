import type { InstantRange } from "../lib/dates";
import type { FieldError } from "../lib/field-error";

export type Bucket = "hour" | "day";

export const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
export const MAX_BUCKETS = 1000;
/** Without start_date: the 7 UTC days ending with end_date's day (today by default). */
export const DEFAULT_DAYS = 7;

export interface StatsWindow {
  /** First and last millisecond counted (inclusive). */
  start: number;
  end: number;
  bucket: Bucket;
  /** Bucket length in ms and the UTC-aligned start of the first bucket. */
  size: number;
  origin: number;
  /** Number of buckets from origin through the one holding `end`. */
  buckets: number;
}

export type WindowResult = { ok: true; window: StatsWindow } | { ok: false; errors: FieldError[] };

/**
 * The stats range: end defaults to `now`, start to UTC midnight DEFAULT_DAYS - 1 days earlier. Buckets align
 * to UTC hours or days; a partial first or last bucket counts only logs inside the range.
 */
export function statsWindow(
  q: { start?: InstantRange; end?: InstantRange; bucket: Bucket },
  now: number,
): WindowResult {
  const end = q.end?.end ?? now;
  const start = q.start?.start ?? Math.floor(end / BUCKET_MS.day) * BUCKET_MS.day - (DEFAULT_DAYS - 1) * BUCKET_MS.day;
  if (start > end) {
    const message = q.end ? "must not be after end_date" : "must not be after now (the default end_date)";
    return { ok: false, errors: [{ field: "start_date", in: "query", message }] };
  }
  const size = BUCKET_MS[q.bucket];
  const origin = Math.floor(start / size) * size;
  const buckets = Math.floor((end - origin) / size) + 1;
  if (buckets > MAX_BUCKETS) {
    return {
      ok: false,
      errors: [
        {
          field: "bucket",
          in: "query",
          message: `the range spans ${buckets} ${q.bucket} buckets; at most ${MAX_BUCKETS} (shorten the range or use a longer bucket)`,
        },
      ],
    };
  }
  return { ok: true, window: { start, end, bucket: q.bucket, size, origin, buckets } };
}
