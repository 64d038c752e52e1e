/**
 * How many logs the sweep deletes per statement. A DELETE holds D1's single writer for its whole duration, so
 * the dispatcher's claims and the consumer's log inserts queue behind it: chunks aim at CHUNK_TARGET_MS, under
 * the 250 ms a write should ever wait. Rows cost different amounts on different databases and loads (three
 * b-trees per row here, plus the chunk's log_hours update and text; more while pages are cold), so the size follows
 * each chunk's measured time instead of being a constant tuned on one machine. Smaller chunks cost more per
 * row (each commit rewrites the same index pages), which is why the target is not lower.
 */
export const CHUNK_TARGET_MS = 150;
export const CHUNK_MIN = 100;
/**
 * Smallest first: the first statement on a cold database pays for loading its pages (through the Worker the
 * bench's first chunk took 225 ms at 250 rows, then ~120 ms at 1,700); doubling from here costs a few chunks.
 */
export const CHUNK_START = CHUNK_MIN;
/**
 * A ceiling well inside 250 ms on a fast database: on the compact log table a chunk deletes ≈ 46,000 rows/s here
 * (bench/RESULTS.md section 3), so 10,000 rows take ≈ 210 ms and their slowest outliers 257–298 ms; 5,000 take
 * ≈ 110 ms, leaving room for a chunk twice as slow as its predecessor predicted.
 */
export const CHUNK_MAX = 5_000;

/** The next chunk's size: scaled towards the target time, at most doubling per step, within [MIN, MAX]. */
export function nextChunkSize(size: number, elapsedMs: number): number {
  const scaled = elapsedMs > 0 ? (size * CHUNK_TARGET_MS) / elapsedMs : size * 2;
  return Math.max(CHUNK_MIN, Math.min(CHUNK_MAX, Math.round(Math.min(scaled, size * 2))));
}

/**
 * The next chunk's size after one that asked for `asked` rows and deleted `deleted` in `elapsedMs`. A short chunk
 * (the end of an account's expired range) is no measure of a full one: it took little time because it found few
 * rows, and scaling on it would double the size into the next account's first chunk, over the target (the bench's
 * slowest chunks, 290 ms, were those). So a short chunk only ever shrinks the size, when it alone was slow.
 */
export function nextChunkSizeAfter(asked: number, deleted: number, elapsedMs: number): number {
  if (deleted < asked && elapsedMs <= CHUNK_TARGET_MS) return asked;
  return nextChunkSize(asked, elapsedMs);
}
