import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "../../src/db/client";
import { HOUR } from "../../src/logs/rollups";
import { renderExposition } from "../../src/metrics/exposition";
import { accountJobFamilies } from "../../src/metrics/job-metrics";
import { newLatencyCache } from "../../src/metrics/latency";
import {
  BUSY_SCANNED,
  BUSY_SKETCH_BYTES,
  MAX_ROLL_HOURS,
  maintainWindows,
  SCRAPED_WITHIN_HOURS,
  WINDOW_HOURS,
  writeWindows,
} from "../../src/metrics/windows";
import { runShardTick } from "../../src/ticks";
import { createAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { accountD1, accountDb } from "../helpers/shards";

interface WindowRow {
  job: number;
  end_hour: number;
  max_ms: number | null;
  sketch: string | null;
}

/** An account with jobs, scraped as a fresh isolate would (no per-isolate cache), its windows and the tick. */
async function account(name: string, jobCount: number) {
  const acct = await createAccount(name);
  const shard: Db = await accountDb(acct.accountId);
  const jobs: string[] = [];
  for (let i = 0; i < jobCount; i++) jobs.push((await insertJob(acct.accountId, { name: `J${i}` })).id as string);
  const nums: number[] = [];
  for (const id of jobs) {
    const [row] = await shard.all<{ num: number }>(sql`SELECT num FROM cron_jobs WHERE id = ${id}`);
    nums.push(row?.num as number);
  }
  const inAccount = sql`job IN (SELECT num FROM cron_jobs WHERE account_id = ${acct.accountId})`;
  const windows = () =>
    shard.all<WindowRow>(sql`SELECT * FROM latency_windows WHERE ${inAccount} ORDER BY job`) as Promise<WindowRow[]>;
  const windowOf = async (i: number) => (await windows()).find((w) => w.job === nums[i]);
  const scrape = async (at: number) =>
    renderExposition(await accountJobFamilies(shard, acct.accountId, at, newLatencyCache(), 0), "openmetrics");
  /** The exposition merged from the hours alone: the stored windows are set aside, then put back as they were. */
  async function fromHours(at: number): Promise<string> {
    const kept = await windows();
    await shard.run(sql`DELETE FROM latency_windows WHERE ${inAccount}`);
    const text = await scrape(at);
    for (const w of kept) {
      await shard.run(sql`INSERT INTO latency_windows (job, end_hour, max_ms, sketch)
        VALUES (${w.job}, ${w.end_hour}, ${w.max_ms}, ${w.sketch})`);
    }
    return text;
  }
  const log = (i: number, at: number, ms: number[]) =>
    insertLogs(
      jobs[i] as string,
      acct.accountId,
      ms.map((responseTimeMs, k) => ({ executedAt: at + k * 1000, responseTimeMs })),
    );
  const scrapedHour = async () =>
    (
      await shard.all<{ h: number | null }>(
        sql`SELECT metrics_scraped_hour AS h FROM accounts WHERE id = ${acct.accountId}`,
      )
    )[0]?.h;
  const tick = (at: number) => maintainWindows(shard, at, RETENTION_DAYS);
  return { acct, shard, jobs, nums, windows, windowOf, scrape, fromHours, log, scrapedHour, tick };
}

const RETENTION_DAYS = 30;

/** Ten minutes into an hour a while ago: scrapes move forward from it. */
const BASE = (Math.floor(Date.now() / HOUR) - 24 * 20) * HOUR + 10 * 60_000;
const endOf = (at: number) => Math.floor(at / HOUR) - 2;

describe("metrics latency windows: the closed hours merged by the tick, read by scrapes", () => {
  let a: Awaited<ReturnType<typeof account>>;
  beforeAll(async () => {
    a = await account("Metrics windows", 2);
    await a.log(0, BASE - 20 * HOUR, [5, 250, 1200]);
    await a.log(0, BASE - 3 * HOUR, [7, 8, 9, 3000]);
    await a.log(0, BASE - HOUR, [60, 61]);
    await a.log(1, BASE, [15, 16]);
  });

  it("keeps windows only for an account scraped within a week: a scrape marks it, once an hour", async () => {
    await a.tick(BASE);
    expect(await a.windows()).toEqual([]);
    const first = await a.scrape(BASE);
    expect(await a.scrapedHour()).toBe(Math.floor(BASE / HOUR));
    // A scrape writes no window; the tick does, for every live job (an empty one for a job without closed hours).
    expect(await a.windows()).toEqual([]);
    expect(await a.tick(BASE)).toEqual({ windows: 2, complete: true });
    expect(await a.windowOf(0)).toMatchObject({ end_hour: endOf(BASE), max_ms: 3000 });
    expect(await a.windowOf(1)).toMatchObject({ end_hour: endOf(BASE), max_ms: null, sketch: null });
    expect(await a.tick(BASE + 60_000)).toEqual({ windows: 0, complete: true });
    expect(await a.scrape(BASE + 60_000)).toBe(first);
    // A week and an hour after the last scrape, the tick leaves the account's windows be.
    const late = BASE + (SCRAPED_WITHIN_HOURS + 1) * HOUR;
    expect(await a.tick(late)).toEqual({ windows: 0, complete: true });
    expect(await a.windowOf(0)).toMatchObject({ end_hour: endOf(BASE) });
  });

  it("reads the window instead of the hours", async () => {
    await a.scrape(BASE);
    await a.tick(BASE);
    const first = await a.scrape(BASE);
    // Closed hours rewritten without changing their counts: a scrape that read them would answer otherwise.
    const closed = sql`job = ${a.nums[0]} AND status = 0 AND hour <= ${endOf(BASE)}`;
    const kept = await a.shard.all<{ hour: number; sketch: string }>(
      sql`SELECT hour, sketch FROM log_hours WHERE ${closed}`,
    );
    await a.shard.run(sql`UPDATE log_hours SET sketch = '{"1":7}' WHERE ${closed}`);
    try {
      expect(await a.scrape(BASE + 60_000)).toBe(first);
    } finally {
      for (const k of kept)
        await a.shard.run(sql`UPDATE log_hours SET sketch = ${k.sketch} WHERE ${closed} AND hour = ${k.hour}`);
    }
    expect(await a.fromHours(BASE)).toBe(first);
  });

  it("rolls a window forward in the scrape until the tick has, and in the tick", async () => {
    for (const hours of [1, 3, MAX_ROLL_HOURS, MAX_ROLL_HOURS + 1]) {
      await a.scrape(BASE);
      await a.tick(BASE);
      const at = BASE + hours * HOUR;
      expect(await a.scrape(at)).toBe(await a.fromHours(at));
      await a.tick(at);
      expect(await a.windowOf(0)).toMatchObject({ end_hour: endOf(at) });
      expect(await a.scrape(at)).toBe(await a.fromHours(at));
      await a.shard.run(sql`DELETE FROM latency_windows WHERE job IN (${a.nums[0]}, ${a.nums[1]})`);
    }
  });

  it("drops a window when a log lands in or leaves its hours; a later hour's log leaves it be", async () => {
    await a.scrape(BASE);
    await a.tick(BASE);
    await a.log(1, BASE - 5 * HOUR, [100, 100, 100]);
    expect(await a.windowOf(1)).toBeUndefined();
    expect(await a.scrape(BASE)).toBe(await a.fromHours(BASE));
    await a.tick(BASE);
    expect(await a.windowOf(1)).toMatchObject({ end_hour: endOf(BASE), max_ms: 100 });
    await a.log(1, BASE + 60_000, [1]);
    expect(await a.windowOf(1)).toMatchObject({ end_hour: endOf(BASE) });
    // Nor does one of the hour before its first: no roll ever drops that hour from it.
    await a.log(1, (endOf(BASE) - WINDOW_HOURS) * HOUR + 5_000, [2]);
    expect(await a.windowOf(1)).toMatchObject({ end_hour: endOf(BASE) });
    expect(await a.scrape(BASE)).toBe(await a.fromHours(BASE));
    await a.shard.run(sql`DELETE FROM logs WHERE job = ${a.nums[1]} AND executed_at = ${BASE - 5 * HOUR}`);
    expect(await a.windowOf(1)).toBeUndefined();
    expect(await a.scrape(BASE)).toBe(await a.fromHours(BASE));
  });

  it("stores no window whose hours changed after they were read", async () => {
    const job = a.nums[1] as number;
    await a.shard.run(sql`DELETE FROM latency_windows WHERE job = ${job}`);
    const [counted] = await a.shard.all<{ n: number }>(sql`SELECT coalesce(sum(n), 0) AS n FROM log_hours
      WHERE job = ${job} AND status = 0 AND hour BETWEEN ${endOf(BASE) - WINDOW_HOURS + 1} AND ${endOf(BASE)}
        AND sketch IS NOT NULL`);
    const window = { job, endHour: endOf(BASE), from: null, fromSketch: null, maxMs: 1, sketch: '{"1":1}' };
    await a.shard.batch(writeWindows(a.shard, [{ ...window, n: (counted?.n ?? 0) + 1 }]) as never);
    expect(await a.windowOf(1)).toBeUndefined();
    // Rolled from a window that is no longer stored (a log landed in its hours since).
    await a.shard.batch(writeWindows(a.shard, [{ ...window, from: endOf(BASE) - 1, n: 0 }]) as never);
    expect(await a.windowOf(1)).toBeUndefined();
    await a.shard.batch(writeWindows(a.shard, [{ ...window, n: counted?.n ?? 0 }]) as never);
    expect(await a.windowOf(1)).toMatchObject({ max_ms: 1 });
    // A window ending earlier does not replace a later one (another tick's).
    await a.shard.batch(writeWindows(a.shard, [{ ...window, endHour: endOf(BASE) - 1, n: 0, maxMs: 2 }]) as never);
    expect(await a.windowOf(1)).toMatchObject({ max_ms: 1 });
    await a.shard.run(sql`DELETE FROM latency_windows WHERE job = ${job}`);
  });

  it("stores no roll of a window rebuilt since it was read, though it ends the same hour", async () => {
    const m = await account("Metrics windows rebuilt", 1);
    const at = BASE + HOUR;
    await m.log(0, BASE - 4 * HOUR, [70]);
    await m.scrape(BASE);
    await m.tick(BASE);
    const [read] = await m.windows();
    // A tick for the next hour reads that window; a late log drops it; a tick still in the earlier hour rebuilds it.
    const rolled = {
      job: m.nums[0] as number,
      endHour: endOf(at),
      from: endOf(BASE),
      fromSketch: read?.sketch ?? null,
    };
    await m.log(0, BASE - 6 * HOUR, [9000]);
    await m.tick(BASE);
    const rebuilt = await m.windowOf(0);
    expect(rebuilt?.sketch).not.toBe(read?.sketch);
    await m.shard.batch(writeWindows(m.shard, [{ ...rolled, n: 0, maxMs: 70, sketch: read?.sketch ?? null }]) as never);
    expect(await m.windowOf(0)).toEqual(rebuilt);
    expect(await m.scrape(at)).toBe(await m.fromHours(at));
  });

  it("holds off while the store migration still has legacy logs in the window's hours", async () => {
    await a.shard.run(sql`DELETE FROM latency_windows WHERE job IN (${a.nums[0]}, ${a.nums[1]})`);
    await a.scrape(BASE);
    await a.shard.run(sql`INSERT INTO shard_state (key, value) VALUES ('legacy_logs_until', ${BASE - 3 * HOUR})`);
    try {
      expect(await a.tick(BASE)).toEqual({ windows: 0, complete: true });
    } finally {
      await a.shard.run(sql`DELETE FROM shard_state WHERE key = 'legacy_logs_until'`);
    }
  });

  it("keeps no window whose hours come within an hour of the retention cutoff (the sweep recounts that hour)", async () => {
    await a.shard.run(sql`DELETE FROM latency_windows WHERE job IN (${a.nums[0]}, ${a.nums[1]})`);
    await a.scrape(BASE);
    // One day kept: the window's first hour (24 before the current one) is the cutoff's.
    expect(await maintainWindows(a.shard, BASE, 1)).toEqual({ windows: 0, complete: true });
    expect(await a.windows()).toEqual([]);
    expect(await maintainWindows(a.shard, BASE, 2)).toEqual({ windows: 2, complete: true });
  });

  it("stops after its round trips; the next tick goes on", async () => {
    await a.scrape(BASE);
    expect(await maintainWindows(a.shard, BASE, RETENTION_DAYS, 0)).toEqual({ windows: 0, complete: false });
    expect((await a.tick(BASE)).complete).toBe(true);
  });

  it("is the shard dispatch tick's last step", async () => {
    const m = await account("Metrics windows tick", 1);
    const now = Date.now();
    await m.log(0, now - 5 * HOUR, [42]);
    await m.scrape(now);
    const shardEnv = { ...env, TICKS: captureQueue(), RUNS: captureQueue() } as unknown as Env;
    await runShardTick(shardEnv, { type: "shard-tick", task: "dispatch", shard: m.acct.shard, scheduledTime: now });
    expect(await m.windowOf(0)).toMatchObject({ end_hour: endOf(now), max_ms: 42 });
    // A failure there is logged, and the tick (dispatch done) is not redelivered for it.
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await m.shard.run(sql`DELETE FROM latency_windows WHERE job = ${m.nums[0]}`);
    await m.shard.run(sql`CREATE TRIGGER refuse_windows BEFORE INSERT ON latency_windows BEGIN
      SELECT RAISE(ABORT, 'database full'); END`);
    try {
      await runShardTick(shardEnv, { type: "shard-tick", task: "dispatch", shard: m.acct.shard, scheduledTime: now });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('"event":"latency_windows_failed"'));
    } finally {
      await m.shard.run(sql`DROP TRIGGER refuse_windows`);
      error.mockRestore();
    }
  });

  it("keeps windows for busy jobs of an account that never scrapes, looked for once an hour", async () => {
    const q = await account("Metrics windows busy", 2);
    const at = BASE + 100 * HOUR;
    const hourStart = (h: number) => h * HOUR + 1000;
    const spread = (n: number) => Array.from({ length: n }, (_, k) => 100 * (k + 1));
    await q.log(0, hourStart(endOf(at)), spread(20)); // a sketch of 20 buckets: over BUSY_SKETCH_BYTES
    await q.log(1, hourStart(endOf(at)), [5]);
    await q.log(1, hourStart(endOf(at) + 1), spread(20)); // busy in the hour after
    const [long] = await q.shard.all<{ n: number }>(
      sql`SELECT length(sketch) AS n FROM log_hours WHERE job = ${q.nums[0]} AND status = 0 AND hour = ${endOf(at)}`,
    );
    expect(long?.n).toBeGreaterThanOrEqual(BUSY_SKETCH_BYTES);
    await q.shard.run(sql`DELETE FROM shard_state WHERE key = ${BUSY_SCANNED}`);
    // A pass cut short leaves the hour unscanned.
    await maintainWindows(q.shard, at, RETENTION_DAYS, 0);
    const scanned = async () =>
      (await q.shard.all<{ v: number }>(sql`SELECT value AS v FROM shard_state WHERE key = ${BUSY_SCANNED}`))[0]?.v;
    expect(await scanned()).toBeUndefined();
    await q.tick(at);
    expect(await q.scrapedHour()).toBeNull();
    expect(await scanned()).toBe(endOf(at));
    expect((await q.windows()).map((w) => w.job)).toEqual([q.nums[0]]);
    // Busy in the scanned hour only after the scan (a late run): its window waits for the next hour's scan.
    await q.log(1, hourStart(endOf(at)) + 60_000, spread(20));
    await q.tick(at + 60_000);
    expect((await q.windows()).map((w) => w.job)).toEqual([q.nums[0]]);
    // The next hour: job 1 is busy in its last closed hour; job 0 keeps its window, rolled in the scrape.
    await q.tick(at + HOUR);
    expect(await q.windowOf(1)).toMatchObject({ end_hour: endOf(at) + 1 });
    expect(await q.windowOf(0)).toMatchObject({ end_hour: endOf(at) });
    expect(await q.scrape(at + HOUR)).toBe(await q.fromHours(at + HOUR));
  });

  it("finds due jobs by key: the hour's busy scan along job numbers, other ticks from scraped accounts only", async () => {
    const q = await account("Metrics windows plan", 1);
    const d1 = await accountD1(q.acct.accountId);
    const prepared: string[] = [];
    const recording = new Proxy(d1, {
      get(target, p) {
        if (p === "prepare")
          return (query: string) => {
            prepared.push(query);
            return target.prepare(query);
          };
        const v = Reflect.get(target, p);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const at = BASE + 200 * HOUR;
    await q.shard.run(sql`DELETE FROM shard_state WHERE key = ${BUSY_SCANNED}`);
    await maintainWindows(createDb(recording), at, RETENTION_DAYS); // the hour's busy scan
    await maintainWindows(createDb(recording), at + 60_000, RETENTION_DAYS); // scraped accounts only
    const due = [...new Set(prepared.filter((s) => /left join "latency_windows"/i.test(s)))];
    expect(due.map((s) => s.includes(`"log_hours"`))).toEqual([true, false]);
    for (const [i, query] of due.entries()) {
      const params = Array((query.match(/\?/g) ?? []).length).fill(0);
      const { results } = await d1
        .prepare(`EXPLAIN QUERY PLAN ${query}`)
        .bind(...params)
        .all<{ detail: string }>();
      const plan = results.map((r) => r.detail).join("\n");
      expect(plan).not.toMatch(/SCAN /);
      expect(plan).toMatch(/SEARCH latency_windows USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      if (i === 0) {
        // The busy scan: a walk along the job numbers from the cursor (every job of the shard), each probed by key.
        expect(plan).not.toMatch(/TEMP B-TREE/);
        expect(plan).toMatch(/SEARCH cron_jobs USING INDEX cron_jobs_num_unique \(num>\?\)/);
        expect(plan).toMatch(/SEARCH accounts USING INDEX sqlite_autoindex_accounts_1 \(id=\?\)/);
        expect(plan).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour=\?\)/);
      } else {
        // Scraped accounts by their partial index, then their jobs; only due ones reach the sort.
        expect(plan).toMatch(/SEARCH accounts USING INDEX accounts_metrics_scraped_idx \(metrics_scraped_hour>\?\)/);
        expect(plan).toMatch(/SEARCH cron_jobs USING INDEX cron_jobs_account_created_idx \(account_id=\?\)/);
      }
    }
  });

  it("answers, and says so in the log, when the scrape cannot be marked", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await a.shard.run(sql`CREATE TRIGGER refuse_mark BEFORE UPDATE OF metrics_scraped_hour ON accounts BEGIN
      SELECT RAISE(ABORT, 'database full'); END`);
    try {
      const at = BASE + 40 * HOUR; // after every scrape above: the mark moves
      expect(await a.scrape(at)).toBe(await a.fromHours(at));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('"event":"metrics_scrape_not_marked"'));
    } finally {
      await a.shard.run(sql`DROP TRIGGER refuse_mark`);
      warn.mockRestore();
    }
  });
});

describe("metrics latency windows: a model of scrapes, ticks, late logs and time", () => {
  /** Nine distinct latencies: an hour holding them has a sketch of BUSY_SKETCH_BYTES or more. */
  const BUSY_RUNS = Array.from({ length: 9 }, (_, k) => 100 * (k + 1));
  type Op =
    | { k: "logs"; job: number; hoursAgo: number; ms: number[] }
    | { k: "scrape" }
    | { k: "tick" }
    | { k: "time"; hours: number; minutes: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      k: fc.constant("logs" as const),
      job: fc.integer({ min: 0, max: 1 }),
      // Current and previous hour, closed ones, late ones at the window's edge, and out of it.
      // The hour a tick scans for busy jobs (the last closed one) more often than the others.
      hoursAgo: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: WINDOW_HOURS + 4 })),
      // A few latencies, or enough distinct ones to make the hour's sketch busy.
      ms: fc.oneof(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 90_000 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constant(BUSY_RUNS),
      ),
    }),
    fc.constant({ k: "scrape" as const }),
    fc.constant({ k: "tick" as const }),
    fc.record({
      k: fc.constant("time" as const),
      // Within the hour, an hour at a time, a roll's longest and past it, past the window, a day and a week.
      hours: fc.constantFrom(
        0,
        1,
        1,
        2,
        5,
        MAX_ROLL_HOURS,
        MAX_ROLL_HOURS + 1,
        WINDOW_HOURS,
        30,
        SCRAPED_WITHIN_HOURS + 1,
      ),
      minutes: fc.integer({ min: 0, max: 49 }),
    }),
  );

  let round = 0;
  /** Runs `ops` on a new account: each scrape equals a merge of the hours; each tick moves the windows it should. */
  async function model(ops: Op[]) {
    const m = await account(`Windows model ${round++}`, 2);
    let at = BASE;
    let scraped: number | null = null;
    // The shard's busy scan: each round starts its clock again, so its hours are not scanned yet.
    await m.shard.run(sql`DELETE FROM shard_state WHERE key = ${BUSY_SCANNED}`);
    let scanned = Number.NEGATIVE_INFINITY;
    for (const op of ops) {
      if (op.k === "logs") {
        await m.log(op.job, Math.floor(at / HOUR) * HOUR - op.hoursAgo * HOUR + 1000, op.ms);
      } else if (op.k === "time") {
        at = Math.floor(at / HOUR) * HOUR + op.hours * HOUR + op.minutes * 60_000;
      } else if (op.k === "scrape") {
        expect(await m.scrape(at)).toBe(await m.fromHours(at));
        scraped = Math.floor(at / HOUR);
      } else {
        const end = endOf(at);
        const before = await m.windows();
        const busy = await m.shard.all<{ job: number }>(sql`SELECT job FROM log_hours
          WHERE job IN (${m.nums[0]}, ${m.nums[1]}) AND status = 0 AND hour = ${end}
            AND length(sketch) >= ${BUSY_SKETCH_BYTES}`);
        await m.tick(at);
        const after = await m.windows();
        const kept = scraped !== null && scraped >= Math.floor(at / HOUR) - SCRAPED_WITHIN_HOURS;
        // The hour's first tick looks for busy jobs (one pass: a few jobs on the shard).
        const scan = scanned < end;
        scanned = Math.max(scanned, end);
        for (const num of m.nums) {
          const due = kept || (scan && busy.some((b) => b.job === num));
          // A job the tick looks at gets its window at the end; any other keeps what it had.
          const window = after.find((w) => w.job === num);
          if (due) expect(window).toMatchObject({ end_hour: end });
          else expect(window).toEqual(before.find((w) => w.job === num));
        }
      }
    }
    expect(await m.scrape(at)).toBe(await m.fromHours(at));
  }

  /** Runs the model `runs` times; nothing failed along the way: no mark refused, no window found inconsistent. */
  async function check(ops: fc.Arbitrary<Op[]>, runs: number) {
    const warn = vi.spyOn(console, "warn");
    const error = vi.spyOn(console, "error");
    try {
      await fc.assert(fc.asyncProperty(ops, model), { numRuns: runs });
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  }

  it("every fresh isolate's scrape equals a merge of the hours; a tick brings scraped accounts' windows up to date", async () => {
    await check(fc.array(opArb, { minLength: 3, maxLength: 16 }), 20);
  }, 180_000);

  it("an account scraped only at the end: its busy jobs' windows, looked for once an hour, and its first scrape", async () => {
    // Busy runs of the hour a tick scans, often: before the hour's scan or after it.
    const busyRuns = fc.record({
      k: fc.constant("logs" as const),
      job: fc.integer({ min: 0, max: 1 }),
      hoursAgo: fc.constant(2),
      ms: fc.constant(BUSY_RUNS),
    });
    const unscraped = fc.oneof(
      opArb.filter((op) => op.k !== "scrape"),
      busyRuns,
    );
    await check(fc.array(unscraped, { minLength: 3, maxLength: 16 }), 20);
  }, 180_000);
});
