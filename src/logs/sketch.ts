/**
 * DDSketch (Masson, Rim, Lee, VLDB 2019): hourly rollups merge within 1 % accuracy. Stored as JSON, bucket key →
 * count, e.g. {"-1":3,"512":7}; SQL NULL is the empty sketch.
 */

/** Bucket key → count of values in it. */
export type Sketch = Map<number, number>;

/** Relative accuracy of a bucket's midpoint; half the 1 % the stats promise, the rest absorbs rounding to integers. */
export const SKETCH_ALPHA = 0.005;
export const SKETCH_GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
/** ln γ computed once in JS and written into SQL as the same double, so both sides divide alike. */
const LN_GAMMA = Math.log(SKETCH_GAMMA);
const LN_GAMMA_SQL = LN_GAMMA.toPrecision(17);

/** Key of bucket (γ^(k−1), γ^k] holding v; −1 holds 0 (and anything ≤ 0). */
export function bucketKey(v: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`sketch value must be finite, got ${v}`);
  return v <= 0 ? -1 : Math.ceil(Math.log(v) / LN_GAMMA);
}

/**
 * The integer that stands for bucket k: its midpoint 2γ^k/(γ+1), within α of every v in the bucket, rounded.
 * Proof of ≤ 1 %: v ≥ 100 ⇒ |round(m) − v| ≤ αv + ½ ≤ 0.005v + 0.005v = 0.01v;
 * v < 100 ⇒ |m − v| ≤ αv < ½, so round(m) = v exactly (hence at most one integer below 100 per bucket).
 */
export function bucketValue(k: number): number {
  return k === -1 ? 0 : Math.round((2 * SKETCH_GAMMA ** k) / (SKETCH_GAMMA + 1));
}

/** Reads the stored JSON; null (no values yet) is empty. Throws on anything that is not a sketch, never guesses. */
export function parseSketch(text: string | null | undefined): Sketch {
  const s: Sketch = new Map();
  if (text == null) return s;
  const obj: unknown = JSON.parse(text);
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new TypeError("sketch is not a JSON object");
  for (const [key, count] of Object.entries(obj)) {
    const k = Number(key);
    if (!Number.isSafeInteger(k) || String(k) !== key || !Number.isSafeInteger(count) || count < 0) {
      throw new TypeError(`sketch entry ${JSON.stringify(key)}: ${JSON.stringify(count)} is not key: count`);
    }
    if (count > 0) s.set(k, count);
  }
  return s;
}

/** A new sketch holding every value of the given ones. */
export function mergeSketches(...sketches: Sketch[]): Sketch {
  const out: Sketch = new Map();
  for (const s of sketches) for (const [k, c] of s) out.set(k, (out.get(k) ?? 0) + c);
  return out;
}

/**
 * A sketch as counts indexed by key + 1, for merging many hours fast (stats): keys of response times up to a day
 * fit, which bounds the array at ~1,000 entries.
 */
export type DenseSketch = Float64Array;
const DENSE_SIZE = bucketKey(86_400_000) + 2;
export const denseSketch = (): DenseSketch => new Float64Array(DENSE_SIZE);

/** Adds `count` values of bucket `k` to a dense sketch. */
export function addToDense(d: DenseSketch, k: number, count: number): void {
  const i = k + 1;
  if (!(i >= 0 && i < DENSE_SIZE)) throw new RangeError(`sketch key ${k} is beyond a day of milliseconds`);
  d[i] = (d[i] ?? 0) + count;
}

/** Adds a stored sketch, already parsed from its JSON ({key: count}), to a dense one. */
export function addObjectToDense(d: DenseSketch, obj: Record<string, number>): void {
  for (const key in obj) addToDense(d, Number(key), obj[key] ?? 0);
}

/** The dense sketch's (key, count) pairs with a count, keys ascending. */
export function* denseEntries(d: DenseSketch): Generator<[number, number]> {
  for (let i = 0; i < d.length; i++) if ((d[i] ?? 0) > 0) yield [i - 1, d[i] ?? 0];
}

/** Number of values in the sketch. */
export function sketchCount(s: Sketch): number {
  let n = 0;
  for (const c of s.values()) n += c;
  return n;
}

/**
 * Nearest-rank percentiles ⌈p·n/100⌉ of values given as (value, count) pairs, in any order; null when empty.
 * Stats call it with sketch bucket values and exact values together.
 */
export function nearestRanks(
  pairs: Array<[value: number, count: number]>,
  ps: readonly number[],
): Array<number | null> {
  for (const p of ps) {
    if (!Number.isInteger(p) || p < 1 || p > 100)
      throw new RangeError(`percentile must be an integer 1..100, got ${p}`);
  }
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((sum, [, c]) => sum + c, 0);
  const out: Array<number | null> = ps.map(() => null);
  if (n === 0) return out;
  const ranks = ps.map((p) => Math.floor((p * n + 99) / 100));
  let seen = 0;
  for (const [v, c] of sorted) {
    seen += c;
    ranks.forEach((rank, i) => {
      if (out[i] === null && seen >= rank) out[i] = v;
    });
    if (out.every((x) => x !== null)) break;
  }
  return out;
}

/** The p-th percentile of the sketch by nearest rank; within bucketValue's 1 % of the exact one. */
export function quantile(s: Sketch, p: number): number | null {
  const [q] = nearestRanks(
    [...s].map(([k, c]) => [bucketValue(k), c]),
    [p],
  );
  return q ?? null;
}

// SQL fragments for triggers and upserts. Arguments are SQL expressions pasted as is, several times each: pass column
// references (NEW.response_time_ms, sketch, excluded.sketch), never user input, and don't nest them. In sketchMergeSql
// they sit inside json_each, so must not be bare names of its columns (key, value, type, atom, id, path, json, ...).

/** The bucket key of the value expression, as bucketKey computes it; NULL for NULL. */
export function sketchKeySql(valueExpr: string): string {
  const v = valueExpr;
  return `(CASE WHEN ${v} <= 0 THEN -1 ELSE CAST(ceil(ln(${v}) / ${LN_GAMMA_SQL}) AS INTEGER) END)`;
}

/** The sketch column with one more value; a NULL value (no response time) leaves it unchanged. */
export function sketchAddSql(column: string, valueExpr: string): string {
  const path = `'$."' || ${sketchKeySql(valueExpr)} || '"'`;
  return (
    `(CASE WHEN ${valueExpr} IS NULL THEN ${column} ` +
    `ELSE json_set(coalesce(${column}, '{}'), ${path}, coalesce(json_extract(${column}, ${path}), 0) + 1) END)`
  );
}

/** A sketch of the single value, for a row's first insert; NULL (empty) for a NULL value. */
export function sketchOneSql(valueExpr: string): string {
  // json_object refuses non-TEXT labels, and the key is an INTEGER.
  return `(CASE WHEN ${valueExpr} IS NULL THEN NULL ELSE json_object(CAST(${sketchKeySql(valueExpr)} AS TEXT), 1) END)`;
}

/** The union of two sketch expressions (counts of shared keys added), e.g. an upsert's column and excluded.sketch. */
export function sketchMergeSql(a: string, b: string): string {
  // NULL is empty: json_each(NULL) has no rows, but json_group_object over none would turn two NULLs into '{}'.
  return (
    `(CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL THEN ${a} ELSE ` +
    "(SELECT json_group_object(k, c) FROM (SELECT key AS k, sum(value) AS c FROM " +
    `(SELECT key, value FROM json_each(${a}) UNION ALL SELECT key, value FROM json_each(${b})) GROUP BY key)) END)`
  );
}
