/**
 * The SLO burn computation (src/alerts/slo.ts over src/logs/slo.ts) against a brute-force reference that reads
 * every log: rollups built as the insert trigger builds them, and the same logs read back from D1.
 */
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Slo } from "../../src/alerts/schemas";
import {
  BURN_RULES,
  type BurnInput,
  burnThreshold,
  evaluateBurn,
  objectives,
  RECENT_MS,
  type SloEvent,
  withAttempt,
} from "../../src/alerts/slo";
import { bucketKey } from "../../src/logs/sketch";
import { burnInputQuery, type HourRow, hourTallies, readBurnInput } from "../../src/logs/slo";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const HOUR = 3_600_000;
const MIN = 60_000;
type Event = SloEvent & { at: number };

/** Response times none of which lies within 1 % of a threshold above 100 ms, so the sketch classifies them exactly. */
const TIMES = [5, 20, 49, 50, 51, 99, 150, 480, 520, 1000, 5000];
const THRESHOLDS = [50, 100, 500];

/**
 * The reference: each objective's windows counted log by log. A long window of L hours weighs a log 1 in the
 * current UTC hour and the L − 1 before it, and 1 − (the elapsed share of the current hour) in the hour before
 * those; a short window counts the logs of its last minutes.
 */
function reference(slo: Slo, now: number, events: readonly Event[]) {
  const current = Math.floor(now / HOUR);
  const elapsed = (now - current * HOUR) / HOUR;
  return objectives(slo).map((o) => {
    const counts = (e: Event) =>
      o.kind === "success_rate" ? { total: 1, good: e.status === 0 ? 1 : 0 } : latencyCounts(o.thresholdMs, e);
    const rate = (weight: (e: Event) => number) => {
      let total = 0;
      let good = 0;
      for (const e of events) {
        const w = weight(e);
        const c = counts(e);
        total += w * c.total;
        good += w * c.good;
      }
      return total === 0 ? 0 : (total - good) / total / (1 - o.target);
    };
    const long = (hours: number) => (e: Event) => {
      const h = Math.floor(e.at / HOUR);
      if (h > current - hours && h <= current) return 1;
      return h === current - hours ? 1 - elapsed : 0;
    };
    const short = (minutes: number) => (e: Event) => (e.at > now - minutes * MIN && e.at <= now ? 1 : 0);
    return { "1h": rate(long(1)), "5m": rate(short(5)), "6h": rate(long(6)), "30m": rate(short(30)) };
  });
}

const latencyCounts = (threshold: number, e: Event) =>
  e.status === 0 && e.ms !== null ? { total: 1, good: e.ms <= threshold ? 1 : 0 } : { total: 0, good: 0 };

/** log_hours rows as migration 0031's insert trigger keeps them: per (status, hour), the sketch of successes. */
function rollups(events: readonly Event[]): HourRow[] {
  const rows = new Map<string, HourRow & { keys: Map<number, number> }>();
  for (const e of events) {
    const hour = Math.floor(e.at / HOUR);
    const id = `${e.status}:${hour}`;
    const row = rows.get(id) ?? {
      status: e.status,
      hour,
      n: 0,
      sketch: null,
      minMs: null,
      maxMs: null,
      keys: new Map(),
    };
    row.n++;
    if (e.ms !== null) {
      row.minMs = row.minMs === null ? e.ms : Math.min(row.minMs, e.ms);
      row.maxMs = row.maxMs === null ? e.ms : Math.max(row.maxMs, e.ms);
      if (e.status === 0) row.keys.set(bucketKey(e.ms), (row.keys.get(bucketKey(e.ms)) ?? 0) + 1);
    }
    rows.set(id, row);
  }
  return [...rows.values()].map(({ keys, ...row }) => ({
    ...row,
    sketch: keys.size === 0 ? null : JSON.stringify(Object.fromEntries(keys)),
  }));
}

const sloArb = fc
  .record({
    success_rate: fc.option(fc.constantFrom(0, 0.5, 0.9, 0.99, 0.999), { nil: null }),
    latency: fc.option(fc.tuple(fc.constantFrom(...THRESHOLDS), fc.constantFrom(0.5, 0.9, 0.95, 0.99)), { nil: null }),
    window_days: fc.integer({ min: 1, max: 30 }),
  })
  .filter((s) => s.success_rate !== null || s.latency !== null)
  .map(
    (s): Slo => ({
      success_rate: s.success_rate,
      latency_ms: s.latency?.[0] ?? null,
      latency_target: s.latency?.[1] ?? null,
      window_days: s.window_days,
      burn_alerts: true,
    }),
  );

/** An instant in some hour, and logs of the 7 hours up to it (distinct instants: each is one execution id). */
const worldArb = fc
  .record({
    hour: fc.integer({ min: 480_000, max: 490_000 }),
    offset: fc.integer({ min: 0, max: HOUR - 1 }),
    events: fc.array(
      fc.record({
        back: fc.integer({ min: 0, max: 7 * HOUR - 1 }),
        status: fc.constantFrom(0, 0, 0, 1, 2, 3),
        ms: fc.option(fc.constantFrom(...TIMES), { nil: null, freq: 8 }),
      }),
      { maxLength: 80 },
    ),
  })
  .map(({ hour, offset, events }) => {
    const now = hour * HOUR + offset;
    const seen = new Set<number>();
    const list: Event[] = [];
    for (const e of events) {
      const at = now - e.back;
      if (seen.has(at)) continue;
      seen.add(at);
      list.push({ at, status: e.status, ms: e.ms });
    }
    return { now, events: list };
  });

/** Equal to 1e-9 relative, as the two sum the same weights in different orders. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

function expectAgrees(slo: Slo, now: number, events: readonly Event[], got: ReturnType<typeof evaluateBurn>) {
  const want = reference(slo, now, events);
  const thresholds = { "1h": burnThreshold(14.4, slo.window_days), "6h": burnThreshold(6, slo.window_days) };
  expect(got.thresholds).toEqual(thresholds);
  let burning = false;
  let undecided = false;
  got.objectives.forEach((o, i) => {
    const w = want[i];
    if (!w) throw new Error("objective missing from the reference");
    for (const k of ["1h", "5m", "6h", "30m"] as const) {
      if (!close(o.rates[k], w[k])) expect.fail(`${o.objective.kind} ${k}: ${o.rates[k]} ≠ reference ${w[k]}`);
    }
    for (const rule of BURN_RULES) {
      const short = rule.name === "1h" ? "5m" : "30m";
      const thr = thresholds[rule.name];
      // A rate within rounding of the threshold may fall either way; the reference says nothing there.
      if ([w[rule.name], w[short]].some((r) => close(r, thr))) {
        undecided = true;
        continue;
      }
      const fires = w[rule.name] > thr && w[short] > thr;
      expect(o.firing.includes(rule.name)).toBe(fires);
      burning ||= fires;
    }
  });
  if (!undecided || burning) expect(got.burning).toBe(burning);
}

describe("burn thresholds", () => {
  it("are the workbook's 14.4 and 6 at 30 days, scaled by days / 30, never below 1", () => {
    expect(burnThreshold(14.4, 30)).toBe(14.4);
    expect(burnThreshold(6, 30)).toBe(6);
    expect(burnThreshold(14.4, 15)).toBeCloseTo(7.2);
    expect(burnThreshold(6, 7)).toBeCloseTo(1.4);
    expect(burnThreshold(6, 1)).toBe(1);
    expect(burnThreshold(14.4, 1)).toBe(1);
  });
});

describe("the burn computation against a brute-force reference", () => {
  it("rollups as the trigger keeps them, recent logs, and the attempt being recorded added last", () => {
    fc.assert(
      fc.property(sloArb, worldArb, (slo, { now, events }) => {
        // The newest log plays the attempt being recorded: in neither the rollups nor the logs yet.
        const sorted = [...events].sort((a, b) => a.at - b.at);
        const attempt = sorted.pop();
        const input: BurnInput = {
          now,
          hours: hourTallies(slo, rollups(sorted)),
          recent: sorted.filter((e) => e.at > now - RECENT_MS),
        };
        const got = evaluateBurn(slo, attempt ? withAttempt(slo, input, { ...attempt }) : input);
        expectAgrees(slo, now, events, got);
      }),
      { numRuns: 500 },
    );
  });

  it("a window with no runs burns nothing; a bad run alone burns 1 / (1 − target)", () => {
    const slo: Slo = { success_rate: 0.99, latency_ms: null, latency_target: null, window_days: 30, burn_alerts: true };
    const now = 500_000 * HOUR + 30 * MIN;
    const empty = evaluateBurn(slo, { now, hours: [new Map()], recent: [] });
    expect(empty.objectives[0]?.rates).toEqual({ "1h": 0, "5m": 0, "6h": 0, "30m": 0 });
    expect(empty.burning).toBe(false);
    const one = evaluateBurn(
      slo,
      withAttempt(slo, { now, hours: [new Map()], recent: [] }, { at: now, status: 1, ms: 20 }),
    );
    for (const r of Object.values(one.objectives[0]?.rates ?? {})) expect(r).toBeCloseTo(100);
    expect(one.burning).toBe(true);
  });
});

describe("the burn read from D1", () => {
  let acct: TestAccount;
  beforeAll(async () => {
    acct = await createAccount();
  });

  it("readBurnInput over logs written by the engine's insert agrees with the reference", async () => {
    await fc.assert(
      fc.asyncProperty(sloArb, worldArb, async (slo, { now, events }) => {
        const job = await insertJob(acct.accountId);
        // Logs of the next hour and of the hour before the 7 are in the store too, and must not count.
        const current = Math.floor(now / HOUR);
        const outside: Event[] = [
          { at: (current + 1) * HOUR + 5, status: 1, ms: 20 },
          { at: (current - 7) * HOUR + 5, status: 1, ms: 20 },
        ];
        await insertLogs(
          job.id,
          acct.accountId,
          [...events, ...outside].map((e) => ({
            executedAt: e.at,
            status: (["success", "failure", "error", "timeout"] as const)[e.status],
            responseTimeMs: e.ms,
          })),
        );
        const input = await readBurnInput(db(), job.id, slo, now);
        expect(input.recent).toHaveLength(events.filter((e) => e.at > now - RECENT_MS).length);
        expectAgrees(slo, now, events, evaluateBurn(slo, input));
      }),
      { numRuns: 12 },
    );
  });
});

describe("the burn read's plan", () => {
  const job = "00000000-0000-4000-8000-000000000000";
  const base = { success_rate: 0.99, latency_ms: null, latency_target: null, window_days: 30, burn_alerts: true };
  for (const [name, slo, logsIndex] of [
    [
      "success rate: the logs from the index alone",
      base,
      /USING COVERING INDEX logs_job_time_idx \(job=\? AND executed_at>\? AND executed_at<\?\)/,
    ],
    [
      "latency: the logs by the index, rows for their times",
      { ...base, latency_ms: 500, latency_target: 0.9 },
      /USING (COVERING )?INDEX logs_job_time_idx \(job=\? AND executed_at>\? AND executed_at<\?\)/,
    ],
  ] as const) {
    it(`${name}; the rollups by their primary key; no scan, no sort`, async () => {
      const q = new SQLiteSyncDialect().sqlToQuery(burnInputQuery(job, slo, Date.UTC(2026, 5, 1, 12, 30)));
      const { results } = await shardD1()
        .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
        .bind(...q.params)
        .all<{ detail: string }>();
      const plan = results.map((r) => r.detail);
      expect(
        plan.some((d) => /SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\? AND hour<\?\)/.test(d)),
        plan.join("\n"),
      ).toBe(true);
      expect(
        plan.some((d) => logsIndex.test(d)),
        plan.join("\n"),
      ).toBe(true);
      expect(
        plan.filter((d) => /^SCAN (log_hours|logs)\b|TEMP B-TREE/.test(d)),
        plan.join("\n"),
      ).toEqual([]);
    });
  }
});
