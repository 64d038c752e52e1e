import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bucketKey,
  bucketValue,
  mergeSketches,
  parseSketch,
  quantile,
  SKETCH_GAMMA,
  type Sketch,
  sketchAddSql,
  sketchCount,
  sketchKeySql,
  sketchMergeSql,
  sketchOneSql,
} from "../../src/logs/sketch";

/**
 * Stored size (JSON text, bytes), values lognormal with median 200 ms, median of 1000 draws (sigma 0.25 / 0.5 / 1):
 * 1 value 9 ({"530":1}); 60 values 353 / 409 / 441; 360 values 820 / 1305 / 1753. Bounded: integers 0..600 000 ms
 * fall in 971 distinct keys, ≈ 8.1 KB with every count 1.
 */

const PERCENTILES = [50, 95, 99] as const;

/** Nearest rank as src/logs/stats.ts ranks it: the value at ⌈p·n/100⌉ of the sorted values. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.ceil((p * sorted.length) / 100) - 1] as number;
}

function sketchOf(values: Iterable<number>): Sketch {
  const s: Sketch = new Map();
  for (const v of values) s.set(bucketKey(v), (s.get(bucketKey(v)) ?? 0) + 1);
  return s;
}

const entries = (s: Sketch) => [...s].sort(([a], [b]) => a - b);

/** Lognormal around `median` ms with spread sigma, from two uniforms (Box–Muller). */
const lognormal = (median: number, sigma: number, u1: number, u2: number) =>
  Math.min(120_000, Math.round(median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2))));

describe("bucket values", () => {
  it("are exact up to 100 ms and within 1 % up to 100 000 ms", () => {
    expect(bucketValue(bucketKey(0))).toBe(0);
    const off: number[] = [];
    let worst = 0;
    for (let v = 1; v <= 100_000; v++) {
      const est = bucketValue(bucketKey(v));
      if (v <= 100 && est !== v) off.push(v);
      worst = Math.max(worst, Math.abs(est - v) / v);
    }
    expect(off).toEqual([]);
    expect(worst).toBeLessThanOrEqual(0.01);
  });

  it("keys rise with the value and only 0 falls in bucket −1", () => {
    expect([0, 1, 2, 99, 100, 101].map(bucketKey)).toEqual([-1, 0, 70, 460, 461, 462]);
    for (let v = 2; v <= 100_000; v++) expect(bucketKey(v)).toBeGreaterThanOrEqual(bucketKey(v - 1));
  });
});

describe("quantile over merged sketches", () => {
  it("is within 1 % of the exact nearest-rank percentile", () => {
    const latency = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 120 }) },
      { weight: 3, arbitrary: fc.integer({ min: 120, max: 2_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 120_000 }) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.double({ min: 1e-12, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
          .map(([u1, u2]) => lognormal(200, 0.8, u1, u2)),
      },
    );
    // [value, hour, copies]: copies > 1 makes runs of duplicates.
    const entry = fc.tuple(
      latency,
      fc.integer({ min: 0, max: 23 }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 300 }), (rows) => {
        const hours = new Map<number, number[]>();
        for (const [v, h, copies] of rows) hours.set(h, [...(hours.get(h) ?? []), ...Array(copies).fill(v)]);
        const merged = mergeSketches(...[...hours.values()].map(sketchOf));
        const sorted = rows.flatMap(([v, , copies]) => Array(copies).fill(v) as number[]).sort((a, b) => a - b);
        expect(sketchCount(merged)).toBe(sorted.length);
        for (const p of PERCENTILES) {
          const want = exact(sorted, p);
          const got = quantile(merged, p) as number;
          if (want === 0) expect(got).toBe(0);
          else expect(Math.abs(got - want)).toBeLessThanOrEqual(0.01 * want);
        }
      }),
      { numRuns: 300, examples: [[[[0, 0, 1]]], [[[120_000, 5, 1]]], [[[57, 1, 1]]], [[[0, 0, 3]]]] },
    );
  });

  it("is null for an empty sketch and refuses percentiles outside 1..100", () => {
    expect(quantile(new Map(), 50)).toBeNull();
    expect(quantile(parseSketch(null), 99)).toBeNull();
    for (const p of [0, 101, 99.9, Number.NaN]) expect(() => quantile(sketchOf([1]), p)).toThrow(RangeError);
  });

  it("ranks like stats.ts: of 2 values, p50 is the 1st and p95 the 2nd", () => {
    const s = sketchOf([10, 90]);
    expect([quantile(s, 50), quantile(s, 51), quantile(s, 95), quantile(s, 100)]).toEqual([10, 90, 90, 90]);
  });
});

describe("parseSketch", () => {
  it("reads stored text and refuses what is not a sketch", () => {
    expect(entries(parseSketch('{"-1":3,"512":7}'))).toEqual([
      [-1, 3],
      [512, 7],
    ]);
    expect(parseSketch("{}").size).toBe(0);
    for (const bad of ["[1]", "3", '{"a":1}', '{"1.5":1}', '{"01":1}', '{"1":-1}', '{"1":1.5}', '{"1":"2"}']) {
      expect(() => parseSketch(bad), bad).toThrow(TypeError);
    }
  });
});

/**
 * The SQL fragments on D1 (workerd's SQLite). D1 refuses TEMP tables and triggers (SQLITE_AUTH), so this file makes
 * scratch tables of its own on SHARD_0 and drops them again.
 */
describe("SQL fragments agree with the JS sketch", () => {
  const d1 = () => env.SHARD_0;
  const one = async <T>(sql: string, ...binds: unknown[]) =>
    (await d1()
      .prepare(sql)
      .bind(...binds)
      .first<T>()) as T;

  // Values: skewed, with zeros, NULLs, duplicates and integers either side of bucket boundaries.
  const values: Array<number | null> = [];
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed + 0.5) / 2 ** 32;
  };
  for (let i = 0; i < 300; i++) {
    const r = rand();
    values.push(r < 0.05 ? null : r < 0.1 ? 0 : r < 0.3 ? Math.floor(rand() * 100) : lognormal(200, 1, rand(), rand()));
  }
  for (let k = 1; k < 1_300; k += 97) {
    const edge = Math.floor(SKETCH_GAMMA ** k);
    values.push(edge, edge + 1, edge, 600_000);
  }
  const hourOf = (i: number) => i % 5;
  const expected = (hour: number) => sketchOf(values.filter((v, i) => v !== null && hourOf(i) === hour) as number[]);

  const drop = () =>
    ["scratch_sketch_logs", "scratch_sketch_roll", "scratch_sketch_merged"].map((t) =>
      d1().prepare(`DROP TABLE IF EXISTS ${t}`),
    );

  beforeAll(async () => {
    await d1().batch([
      ...drop(),
      d1().prepare("CREATE TABLE scratch_sketch_logs (hour INTEGER NOT NULL, v INTEGER)"),
      d1().prepare("CREATE TABLE scratch_sketch_roll (hour INTEGER PRIMARY KEY, sketch TEXT)"),
      d1().prepare("CREATE TABLE scratch_sketch_merged (hour INTEGER PRIMARY KEY, sketch TEXT)"),
      // As the rollup will: the first value of an hour inserts, the others add to it.
      d1().prepare(
        `CREATE TRIGGER scratch_sketch_add AFTER INSERT ON scratch_sketch_logs BEGIN
           INSERT INTO scratch_sketch_roll (hour, sketch) VALUES (NEW.hour, ${sketchOneSql("NEW.v")})
           ON CONFLICT (hour) DO UPDATE SET sketch = ${sketchAddSql("sketch", "NEW.v")};
           INSERT INTO scratch_sketch_merged (hour, sketch) VALUES (NEW.hour, ${sketchOneSql("NEW.v")})
           ON CONFLICT (hour) DO UPDATE SET sketch = ${sketchMergeSql("sketch", "excluded.sketch")};
         END`,
      ),
    ]);
    const rows = JSON.stringify(values.map((v, i) => [hourOf(i), v]));
    await d1()
      .prepare("INSERT INTO scratch_sketch_logs (hour, v) SELECT value ->> 0, value ->> 1 FROM json_each(?)")
      .bind(rows)
      .run();
  });

  afterAll(async () => {
    await d1().batch(drop());
  });

  it("ln γ reaches SQLite as the same double", async () => {
    const lit = /\/ ([0-9.e-]+)\)/.exec(sketchKeySql("v"))?.[1];
    expect(await one<{ same: number }>(`SELECT ${lit} = ? AS same`, Math.log(SKETCH_GAMMA))).toEqual({ same: 1 });
  });

  it("keys every integer 0..1 000 000 as bucketKey does", async () => {
    // Each key's lowest and highest value: equal ranges mean equal keys for every integer in between.
    const { ranges } = await one<{ ranges: string }>(
      `WITH RECURSIVE n(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM n WHERE v < 1000000),
       k AS (SELECT ${sketchKeySql("v")} AS k, min(v) AS lo, max(v) AS hi FROM n GROUP BY 1)
       SELECT json_group_array(json_array(k, lo, hi)) AS ranges FROM (SELECT * FROM k ORDER BY k)`,
    );
    const js: Array<[number, number, number]> = [];
    for (let v = 0; v <= 1_000_000; v++) {
      const k = bucketKey(v);
      const last = js.at(-1);
      if (last && last[0] === k) last[2] = v;
      else js.push([k, v, v]);
    }
    expect(JSON.parse(ranges)).toEqual(js);
  });

  it("a trigger's one-then-add and one-then-merge upserts build the JS sketch of each hour", async () => {
    const { results } = await d1()
      .prepare(
        "SELECT r.hour, r.sketch AS added, m.sketch AS merged FROM scratch_sketch_roll r JOIN scratch_sketch_merged m USING (hour) ORDER BY hour",
      )
      .all<{ hour: number; added: string; merged: string }>();
    expect(results.map((r) => r.hour)).toEqual([0, 1, 2, 3, 4]);
    for (const { hour, added, merged } of results) {
      expect(entries(parseSketch(added)), `hour ${hour}`).toEqual(entries(expected(hour)));
      expect(entries(parseSketch(merged)), `hour ${hour}`).toEqual(entries(expected(hour)));
    }
  });

  it("merging the hours in SQL gives the JS merge and its quantiles", async () => {
    const hours = await d1().prepare("SELECT sketch FROM scratch_sketch_roll ORDER BY hour").all<{ sketch: string }>();
    let s: string | null = null;
    for (const { sketch } of hours.results) {
      s = (await one<{ s: string }>(`SELECT ${sketchMergeSql("?1", "?2")} AS s`, s, sketch)).s;
    }
    const js = mergeSketches(...hours.results.map((r) => parseSketch(r.sketch)));
    expect(entries(parseSketch(s))).toEqual(entries(js));
    const sorted = (values.filter((v) => v !== null) as number[]).sort((a, b) => a - b);
    for (const p of PERCENTILES) {
      const want = exact(sorted, p);
      expect(Math.abs((quantile(parseSketch(s), p) as number) - want)).toBeLessThanOrEqual(0.01 * want);
    }
  });

  it("a NULL value leaves the sketch as it was; NULL sketches are empty", async () => {
    const cases = {
      addNull: sketchAddSql(`'{"5":2}'`, "NULL"),
      addToNull: sketchAddSql("NULL", "0"),
      addNullToNull: sketchAddSql("NULL", "NULL"),
      addAgain: sketchAddSql(`'{"-1":1}'`, "0"),
      oneNull: sketchOneSql("NULL"),
      one: sketchOneSql("100"),
      mergeNulls: sketchMergeSql("NULL", "NULL"),
      mergeLeft: sketchMergeSql(`'{"5":2}'`, "NULL"),
      mergeRight: sketchMergeSql("NULL", `'{"5":2}'`),
      merge: sketchMergeSql(`'{"5":2,"-1":1}'`, `'{"5":3,"7":1}'`),
    };
    const got = await one<Record<keyof typeof cases, string | null>>(
      `SELECT ${Object.entries(cases)
        .map(([name, expr]) => `${expr} AS ${name}`)
        .join(", ")}`,
    );
    expect(got.addNull).toBe('{"5":2}');
    expect(got.addToNull).toBe('{"-1":1}');
    expect(got.addNullToNull).toBeNull();
    expect(got.addAgain).toBe('{"-1":2}');
    expect(got.oneNull).toBeNull();
    expect(got.one).toBe(`{"${bucketKey(100)}":1}`);
    expect(got.mergeNulls).toBeNull();
    expect(got.mergeLeft).toBe('{"5":2}');
    expect(got.mergeRight).toBe('{"5":2}');
    expect(entries(parseSketch(got.merge))).toEqual([
      [-1, 1],
      [5, 5],
      [7, 1],
    ]);
  });
});
