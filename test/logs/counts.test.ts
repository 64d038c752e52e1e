import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionStatuses } from "../../src/db/schema";
import { planCount } from "../../src/logs/counts";
import { sweep } from "../../src/retention/sweep";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 10);
const HOUR = 3_600_000;

describe("planCount splits a range into whole hours and partial edges", () => {
  const H0 = T0 / HOUR;
  it.each([
    ["no range", {}, { firstHour: null, lastHour: null, edges: [] }],
    ["whole hours", { s: T0, e: T0 + 30 * HOUR - 1 }, { firstHour: H0, lastHour: H0 + 29, edges: [] }],
    ["one whole hour", { s: T0 + HOUR, e: T0 + 2 * HOUR - 1 }, { firstHour: H0 + 1, lastHour: H0 + 1, edges: [] }],
    [
      "partial both ends",
      { s: T0 + 61_000, e: T0 + 2 * DAY + 5 },
      {
        firstHour: H0 + 1,
        lastHour: H0 + 47,
        edges: [
          [T0 + 61_000, T0 + HOUR - 1],
          [T0 + 2 * DAY, T0 + 2 * DAY + 5],
        ],
      },
    ],
    ["partial start, open end", { s: T0 + 1 }, { firstHour: H0 + 1, lastHour: null, edges: [[T0 + 1, T0 + HOUR - 1]] }],
    [
      "two adjacent partial hours",
      { s: T0 + HOUR / 2, e: T0 + HOUR + 5 },
      {
        firstHour: H0 + 1,
        lastHour: H0,
        edges: [
          [T0 + HOUR / 2, T0 + HOUR - 1],
          [T0 + HOUR, T0 + HOUR + 5],
        ],
      },
    ],
    [
      "inside one hour",
      { s: T0 + 60_000, e: T0 + 120_000 },
      { firstHour: H0 + 1, lastHour: H0, edges: [[T0 + 60_000, T0 + 120_000]] },
    ],
  ])("%s", (_name, r: { s?: number; e?: number }, expected) => {
    const f = {
      start: r.s === undefined ? undefined : { start: r.s, end: r.s },
      end: r.e === undefined ? undefined : { start: r.e, end: r.e },
    };
    expect(planCount(f)).toEqual(expected);
  });

  it("edges and whole hours cover the range exactly once, edges at most two partial hours", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: T0, max: T0 + 3 * DAY }), { nil: undefined }),
        fc.option(fc.integer({ min: T0, max: T0 + 3 * DAY }), { nil: undefined }),
        fc.integer({ min: T0 - DAY, max: T0 + 4 * DAY }),
        (a, b, t) => {
          const [s, e] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
          const p = planCount({
            start: s === undefined ? undefined : { start: s, end: s },
            end: e === undefined ? undefined : { start: e, end: e },
          });
          expect(p.edges.length).toBeLessThanOrEqual(2);
          for (const [x, y] of p.edges) expect(Math.floor(x / HOUR)).toBe(Math.floor(y / HOUR));
          const h = Math.floor(t / HOUR);
          const whole = (p.firstHour === null || h >= p.firstHour) && (p.lastHour === null || h <= p.lastHour);
          const edges = p.edges.filter(([x, y]) => t >= x && t <= y).length;
          const inRange = (s === undefined || t >= s) && (e === undefined || t <= e);
          expect((whole ? 1 : 0) + edges).toBe(inRange ? 1 : 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** 600 logs over ~6 days at irregular times, all statuses, some at exact day boundaries. */
const spread = (prefix: string) =>
  Array.from({ length: 600 }, (_, i) => ({
    executedAt: T0 + ((i * 7_919_993) % (6 * DAY)) + (i % 50 === 0 ? -(((i * 7_919_993) % (6 * DAY)) % DAY) : 0),
    status: executionStatuses[(i * 7) % 4],
    id: `exe_${prefix}${String(i).padStart(5, "0")}`,
  }));

async function truth(jobId: string, status: string | undefined, s: number | undefined, e: number | undefined) {
  const conds = ["cron_job_id = ?"];
  const params: unknown[] = [jobId];
  if (status) conds.push("status = ?") && params.push(status);
  if (s !== undefined) conds.push("executed_at >= ?") && params.push(s);
  if (e !== undefined) conds.push("executed_at <= ?") && params.push(e);
  const row = await shardD1()
    .prepare(`SELECT count(*) AS n FROM execution_logs WHERE ${conds.join(" AND ")}`)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** total_items against a count of the rows, for random statuses and ranges (ms precision, or whole hours or days). */
async function expectExactTotals(acct: TestAccount, jobId: string, numRuns: number) {
  const instant = fc.integer({ min: T0 - DAY, max: T0 + 7 * DAY });
  await fc.assert(
    fc.asyncProperty(
      fc.option(fc.constantFrom(...executionStatuses), { nil: undefined }),
      fc.option(instant, { nil: undefined }),
      fc.option(instant, { nil: undefined }),
      fc.constantFrom(0, HOUR, DAY),
      async (status, a, b, align) => {
        let [s, e] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
        if (align) {
          s = s === undefined ? s : Math.floor(s / align) * align;
          e = e === undefined ? e : Math.floor(e / align) * align + align - 1;
        }
        const q = new URLSearchParams({ limit: "1" });
        if (status) q.set("status", status);
        if (s !== undefined) q.set("start_date", new Date(s).toISOString());
        if (e !== undefined) q.set("end_date", new Date(e).toISOString());
        const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}?${q}`, { headers: acct.headers });
        expect(res.status).toBe(200);
        expect(res.body.pagination.total_items, `${q}`).toBe(await truth(jobId, status, s, e));
      },
    ),
    { numRuns },
  );
}

describe("total_items from the rollup equals a count of the rows", () => {
  let acct: TestAccount;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    await insertLogs(jobId, acct.accountId, spread("c"));
  });

  it("for random statuses and ranges", async () => {
    await expectExactTotals(acct, jobId, 80);
  });

  it("stays exact after the sweep deletes rows and after new inserts", async () => {
    await sweep(db(), { retentionDays: 30, now: T0 + 33 * DAY });
    await insertLogs(jobId, acct.accountId, [{ executedAt: T0 + 5 * DAY + 5, id: "exe_late", status: "timeout" }]);
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}`, { headers: acct.headers });
    expect(res.body.pagination.total_items).toBe(await truth(jobId, undefined, undefined, undefined));
    const rollup = await shardD1()
      .prepare("SELECT sum(n) AS n FROM log_hours WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)")
      .bind(jobId)
      .first<{ n: number }>();
    expect(rollup?.n).toBe(await truth(jobId, undefined, undefined, undefined));
  });
});

describe("total_items while the store migration runs: hours before its watermark from the logs", () => {
  let acct: TestAccount;
  let jobId: string;
  // Mid-hour: its hour starts before the watermark, so it is read from the logs too.
  const until = T0 + 2 * DAY + 5 * HOUR + 7 * 60_000;
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    await insertLogs(jobId, acct.accountId, spread("l"));
    // Legacy logs are in no rollup: drop their hours' rows, and put a wrong one back to prove it is not read.
    const job = "(SELECT num FROM cron_jobs WHERE id = ?)";
    await shardD1().batch([
      shardD1()
        .prepare(`DELETE FROM log_hours WHERE job = ${job} AND hour < ?`)
        .bind(jobId, Math.ceil(until / HOUR)),
      shardD1()
        .prepare(`INSERT INTO log_hours (job, status, hour, n) VALUES (${job}, 1, ?, 1000)`)
        .bind(jobId, T0 / HOUR + 30),
      shardD1().prepare("INSERT INTO shard_state (key, value) VALUES ('legacy_logs_until', ?)").bind(until),
    ]);
  });
  afterAll(async () => {
    await shardD1().prepare("DELETE FROM shard_state WHERE key = 'legacy_logs_until'").run();
  });

  it("for random statuses and ranges", async () => {
    await expectExactTotals(acct, jobId, 80);
  });

  it("the watermark's own hour, and the hours either side of it", async () => {
    const h = Math.floor(until / HOUR) * HOUR;
    for (const [s, e] of [
      [h, h + HOUR - 1],
      [h - HOUR, h + 2 * HOUR - 1],
      [h + 1, h + HOUR + 1],
      [h + HOUR, undefined],
      [undefined, h - 1],
    ]) {
      const q = new URLSearchParams({ limit: "1" });
      if (s !== undefined) q.set("start_date", new Date(s).toISOString());
      if (e !== undefined) q.set("end_date", new Date(e).toISOString());
      const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}?${q}`, { headers: acct.headers });
      expect(res.body.pagination.total_items, `${q}`).toBe(await truth(jobId, undefined, s, e));
    }
  });
});

describe("the sweep drops the rollups of expired hours", () => {
  it("leaves no zero rows behind", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await insertLogs(job.id, acct.accountId, [{ executedAt: T0 - 40 * DAY, id: "exe_zero" }]);
    await sweep(db(), { retentionDays: 30, now: T0 });
    const rows = await shardD1()
      .prepare("SELECT n FROM log_hours WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)")
      .bind(job.id)
      .all();
    expect(rows.results).toEqual([]);
  });
});

describe("the sweep keeps log_hours counts exact as it deletes (no per-row trigger)", () => {
  async function rollupVsRows(accountId: string) {
    const rollup = await shardD1()
      .prepare(
        `SELECT j.id AS cron_job_id, c.hour, c.status, c.n FROM log_hours c JOIN cron_jobs j ON j.num = c.job
       WHERE j.account_id = ? AND c.n > 0 ORDER BY 1, 2, 3`,
      )
      .bind(accountId)
      .all();
    const rows = await shardD1()
      .prepare(
        `SELECT j.id AS cron_job_id, l.executed_at / 3600000 AS hour, l.status, count(*) AS n
       FROM logs l JOIN cron_jobs j ON j.num = l.job WHERE j.account_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      )
      .bind(accountId)
      .all();
    return { rollup: rollup.results, rows: rows.results };
  }

  it.each([
    ["fixed 7-row chunks that split groups", 7],
    ["adaptive chunks", undefined],
  ])("%s: expired logs of three jobs across days and statuses, and a deleted job's logs", async (_name, chunk) => {
    const acct = await createAccount();
    const jobs = [await insertJob(acct.accountId), await insertJob(acct.accountId), await insertJob(acct.accountId)];
    const gone = await insertJob(acct.accountId, { deletedAt: T0 });
    const NOW = T0 + 40 * DAY;
    const cutoff = NOW - 30 * DAY; // T0 + 10 days: a mid-range cutoff
    for (const [j, job] of [...jobs, gone].entries()) {
      await insertLogs(
        job.id,
        acct.accountId,
        Array.from({ length: 90 }, (_, i) => ({
          id: `exe_s${chunk ?? "a"}_${j}_${String(i).padStart(3, "0")}`,
          // Every ~4.4 h over ~16 days, some exactly at midnight and at the cutoff.
          executedAt: i % 15 === 0 ? T0 + i * 4 * HOUR - ((T0 + i * 4 * HOUR) % DAY) : T0 + i * 4.4 * HOUR,
          status: executionStatuses[(i * 3 + j) % 4],
        })),
      );
    }
    await insertLogs(jobs[0]?.id ?? "", acct.accountId, [{ id: `exe_s${chunk ?? "a"}_at_cutoff`, executedAt: cutoff }]);
    const before = await rollupVsRows(acct.accountId);
    expect(before.rollup).toEqual(before.rows);
    const report = await sweep(db(), { retentionDays: 30, now: NOW, chunk });
    expect(report.expired_deleted).toBeGreaterThan(0);
    expect(report.deleted_job_logs_deleted).toBeGreaterThan(0);
    const after = await rollupVsRows(acct.accountId);
    expect(after.rollup).toEqual(after.rows);
    expect(after.rows.length).toBeGreaterThan(0);
    // Nothing negative is left, and no rollup of an hour wholly before the cutoff.
    const stray = await shardD1()
      .prepare("SELECT count(*) AS n FROM log_hours WHERE n < 0 OR hour < ?")
      .bind(Math.floor(cutoff / HOUR))
      .first<{ n: number }>();
    expect(stray?.n).toBe(0);
  });
});
