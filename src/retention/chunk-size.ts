/**
 * Logs deleted per statement. A DELETE holds D1's single writer, so claims and log inserts wait behind it:
 * chunks aim at CHUNK_TARGET_MS, under the 250 ms a write should ever wait. Row cost varies by database and
 * load, so the size follows each chunk's measured time; smaller chunks cost more per row.
 */
export const CHUNK_TARGET_MS = 150;
export const CHUNK_MIN = 100;
/** Smallest first: the first statement on a cold database pays for loading pages; doubling costs a few chunks. */
export const CHUNK_START = CHUNK_MIN;
/** Ceiling: ≈ 46,000 rows/s on a fast database (bench/RESULTS.md §3), so 5,000 rows ≈ 110 ms, room for a 2× miss. */
export const CHUNK_MAX = 5_000;

/** The next chunk's size: scaled towards the target time, at most doubling per step, within [MIN, MAX]. */
export function nextChunkSize(size: number, elapsedMs: number): number {
  const scaled = elapsedMs > 0 ? (size * CHUNK_TARGET_MS) / elapsedMs : size * 2;
  return Math.max(CHUNK_MIN, Math.min(CHUNK_MAX, Math.round(Math.min(scaled, size * 2))));
}

/**
 * The next size after a chunk of `asked` rows deleted `deleted` in `elapsedMs`. A short chunk (an account's range
 * ending) measures nothing and would overshoot the next account's first chunk, so it only shrinks, when slow.
 */
export function nextChunkSizeAfter(asked: number, deleted: number, elapsedMs: number): number {
  if (deleted < asked && elapsedMs <= CHUNK_TARGET_MS) return asked;
  return nextChunkSize(asked, elapsedMs);
}
