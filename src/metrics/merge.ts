import { addToDense, denseSketch } from "../logs/sketch";

/** A job's successful runs over the window's closed hours: (key + 1, count) of each non-empty bucket, and the max. */
export interface ClosedHours {
  pairs: Uint32Array;
  max: number | null;
}

/** The larger of two maxes, either of which may be absent. */
export const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * One dense sketch reused for every job, and the index range written since it was last cleared: allocating and
 * sweeping ~1,800 entries per job would cost more than the few hundred it uses. Cleared before each use too, so a
 * sketch key beyond a day (addToDense throws) cannot leave counts behind for the next request.
 */
export const scratch = { d: denseSketch(), lo: Number.POSITIVE_INFINITY, hi: -1 };

export function add(k: number, count: number): void {
  addToDense(scratch.d, k, count);
  scratch.lo = Math.min(scratch.lo, k + 1);
  scratch.hi = Math.max(scratch.hi, k + 1);
}

export function clear(): void {
  if (scratch.hi >= scratch.lo) scratch.d.fill(0, scratch.lo, scratch.hi + 1);
  scratch.lo = Number.POSITIVE_INFINITY;
  scratch.hi = -1;
}

/**
 * Adds sketches in the form SQLite writes them, comma-separated: {"-1":3,"512":7},{"40":1} (no spaces, integers), to
 * the scratch sketch as it reads them, times `sign` (−1 drops them), building no object: a cold scrape reads ~1 MB
 * of them. On any other text, or a key beyond a day, false with the counts before it added.
 */
function addScanned(t: string, sign = 1): boolean {
  const d = scratch.d;
  let { lo, hi } = scratch;
  const n = t.length;
  let i = 0;
  let ok = false;
  text: for (;;) {
    if (t.charCodeAt(i++) !== 123) break;
    if (t.charCodeAt(i) === 125) i++;
    else
      for (;;) {
        if (t.charCodeAt(i++) !== 34) break text;
        const negative = t.charCodeAt(i) === 45;
        if (negative) i++;
        const keyAt = i;
        let k = 0;
        for (let c = t.charCodeAt(i); c >= 48 && c <= 57; c = t.charCodeAt(++i)) k = k * 10 + c - 48;
        if (i === keyAt || i - keyAt > 9 || t.charCodeAt(i) !== 34 || t.charCodeAt(i + 1) !== 58) break text;
        i += 2;
        const countAt = i;
        let count = 0;
        for (let c = t.charCodeAt(i); c >= 48 && c <= 57; c = t.charCodeAt(++i)) count = count * 10 + c - 48;
        const at = (negative ? -k : k) + 1;
        if (i === countAt || i - countAt > 15 || !(at >= 0 && at < d.length)) break text;
        d[at] = (d[at] as number) + sign * count;
        if (at < lo) lo = at;
        if (at > hi) hi = at;
        const c = t.charCodeAt(i++);
        if (c === 125) break;
        if (c !== 44) break text;
      }
    if (i === n) {
      ok = true;
      break;
    }
    if (t.charCodeAt(i++) !== 44) break;
  }
  scratch.lo = lo;
  scratch.hi = hi;
  return ok;
}

/** Stored sketches (comma-separated JSON objects) and the sign they are added with. */
export type Part = readonly [text: string | null | undefined, sign: number];

/**
 * The scratch sketch holding `base`'s pairs, a stored window (windowText's form) and the parts. Text the scanner
 * refuses is read again through JSON.parse, which says what is wrong with it.
 */
export function merge(parts: readonly Part[], base?: Uint32Array, window?: string | null): void {
  const start = () => {
    clear();
    if (base) addPairs(base);
    if (window) addWindow(window);
  };
  start();
  if (parts.every(([t, sign]) => t == null || addScanned(t, sign))) return;
  start();
  for (const [t, sign] of parts) {
    if (t == null) continue;
    for (const obj of JSON.parse(`[${t}]`) as Array<Record<string, number>>) {
      for (const key in obj) add(Number(key), sign * (obj[key] ?? 0));
    }
  }
}

/** Adds closed hours' pairs to the scratch sketch. */
export function addPairs(pairs: Uint32Array): void {
  for (let i = 0; i < pairs.length; i += 2) add((pairs[i] as number) - 1, pairs[i + 1] as number);
}

/** Stored hourly sketches (comma-separated JSON objects) merged into closed hours with their max. */
export function mergedHours(sketches: string | null | undefined, max: number | null): ClosedHours {
  merge([[sketches, 1]]);
  const { pairs } = takePairs(max);
  return { pairs, max };
}

/** The scratch sketch's positive pairs, then cleared, and whether a count was negative. */
export function takePairs(max: number | null): ClosedHours & { negative: boolean } {
  let n = 0;
  let negative = false;
  for (let i = scratch.lo; i <= scratch.hi; i++) {
    const c = scratch.d[i] as number;
    if (c > 0) n++;
    else if (c < 0) negative = true;
  }
  const pairs = new Uint32Array(2 * n);
  for (let i = scratch.lo, j = 0; i <= scratch.hi; i++) {
    const c = scratch.d[i] as number;
    if (c > 0) {
      pairs[j++] = i;
      pairs[j++] = c;
    }
  }
  clear();
  return { pairs, max, negative };
}

/**
 * Pairs as a window stores them (latency_windows.sketch): the first bucket key, a colon, then the count of each key
 * from it to the last, comma-separated, a 0 written as nothing ("612:3,1,,2"), about 2 characters a bucket where
 * JSON takes 9. Null when empty.
 */
export function windowText(pairs: Uint32Array): string | null {
  if (pairs.length === 0) return null;
  const counts: string[] = [];
  let next = pairs[0] as number;
  for (let i = 0; i < pairs.length; i += 2) {
    for (const at = pairs[i] as number; next < at; next++) counts.push("");
    counts.push(String(pairs[i + 1]));
    next++;
  }
  return `${(pairs[0] as number) - 1}:${counts.join(",")}`;
}

const refused = (t: string) =>
  new TypeError(`latency window ${JSON.stringify(t.slice(0, 40))} is not key:count,count…`);

/** Reads a window (windowText's form) into the scratch sketch; throws on any other text, never guesses. */
export function addWindow(t: string): void {
  const d = scratch.d;
  const negative = t.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  let k = 0;
  for (let c = t.charCodeAt(i); c >= 48 && c <= 57; c = t.charCodeAt(++i)) k = k * 10 + c - 48;
  if (i === (negative ? 1 : 0) || i > 10 || t.charCodeAt(i) !== 58) throw refused(t);
  const lo = (negative ? -k : k) + 1;
  // The range clear() zeroes covers each count as it is added, so a throw midway leaves none behind.
  if (lo >= 0) scratch.lo = Math.min(scratch.lo, lo);
  let at = lo;
  for (i++; ; at++) {
    const countAt = i;
    let count = 0;
    for (let c = t.charCodeAt(i); c >= 48 && c <= 57; c = t.charCodeAt(++i)) count = count * 10 + c - 48;
    if (i - countAt > 15 || at < 0) throw refused(t);
    if (count > 0) {
      if (at >= d.length) throw new RangeError(`sketch key ${at - 1} is beyond a day of milliseconds`);
      d[at] = (d[at] as number) + count;
      if (at > scratch.hi) scratch.hi = at;
    }
    if (i === t.length) break;
    if (t.charCodeAt(i++) !== 44) throw refused(t);
  }
}
