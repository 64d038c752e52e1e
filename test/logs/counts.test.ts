import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
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

describe("planCount splits a range into whole days and partial edges", () => {
  it.each([
    ["no range", {}, { firstDay: null, lastDay: null, edges: [] }],
    ["whole days", { s: T0, e: T0 + 2 * DAY - 1 }, { firstDay: T0 / DAY, lastDay: T0 / DAY + 1, edges: [] }],
    [
      "partial both ends",
      { s: T0 + HOUR, e: T0 + 2 * DAY + HOUR },
      {
        firstDay: T0 / DAY + 1,
        lastDay: T0 / DAY + 1,
        edges: [
          [T0 + HOUR, T0 + DAY - 1],
          [T0 + 2 * DAY, T0 + 2 * DAY + HOUR],
        ],
      },
    ],
    [
      "inside one day",
      { s: T0 + HOUR, e: T0 + 2 * HOUR },
      { firstDay: T0 / DAY + 1, lastDay: T0 / DAY, edges: [[T0 + HOUR, T0 + 2 * HOUR]] },
    ],
  ])("%s", (_name, r: { s?: number; e?: number }, expected) => {
    const f = {
      start: r.s === undefined ? undefined : { start: r.s, end: r.s },
      end: r.e === undefined ? undefined : { start: r.e, end: r.e },
    };
    expect(planCount(f)).toEqual(expected);
  });
});

describe("total_items from the rollup equals a count of the rows", () => {
  let acct: TestAccount;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    // 600 logs over ~6 days at irregular times, all statuses, some at exact day boundaries.
    const logs = Array.from({ length: 600 }, (_, i) => ({
      executedAt: T0 + ((i * 7_919_993) % (6 * DAY)) + (i % 50 === 0 ? -(((i * 7_919_993) % (6 * DAY)) % DAY) : 0),
      status: executionStatuses[(i * 7) % 4],
      id: `exe_c${String(i).padStart(5, "0")}`,
    }));
    await insertLogs(jobId, acct.accountId, logs);
  });

  async function truth(status: string | undefined, s: number | undefined, e: number | undefined) {
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

  it("for random statuses and ranges (ms precision)", async () => {
    const instant = fc.integer({ min: T0 - DAY, max: T0 + 7 * DAY });
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constantFrom(...executionStatuses), { nil: undefined }),
        fc.option(instant, { nil: undefined }),
        fc.option(instant, { nil: undefined }),
        fc.boolean(),
        async (status, a, b, alignToDay) => {
          let [s, e] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
          if (alignToDay) {
            s = s === undefined ? s : Math.floor(s / DAY) * DAY;
            e = e === undefined ? e : Math.floor(e / DAY) * DAY + DAY - 1;
          }
          const q = new URLSearchParams({ limit: "1" });
          if (status) q.set("status", status);
          if (s !== undefined) q.set("start_date", new Date(s).toISOString());
          if (e !== undefined) q.set("end_date", new Date(e).toISOString());
          const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}?${q}`, { headers: acct.headers });
          expect(res.status).toBe(200);
          expect(res.body.pagination.total_items).toBe(await truth(status, s, e));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("stays exact after the sweep deletes rows and after new inserts", async () => {
    await sweep(db(), { retentionDays: 30, now: T0 + 33 * DAY });
    await insertLogs(jobId, acct.accountId, [{ executedAt: T0 + 5 * DAY + 5, id: "exe_late", status: "timeout" }]);
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}`, { headers: acct.headers });
    expect(res.body.pagination.total_items).toBe(await truth(undefined, undefined, undefined));
    const rollup = await shardD1()
      .prepare("SELECT sum(n) AS n FROM log_day_counts WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)")
      .bind(jobId)
      .first<{ n: number }>();
    expect(rollup?.n).toBe(await truth(undefined, undefined, undefined));
  });
});

describe("the sweep drops counts that reached zero", () => {
  it("leaves no zero rows behind", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await insertLogs(job.id, acct.accountId, [{ executedAt: T0 - 40 * DAY, id: "exe_zero" }]);
    await sweep(db(), { retentionDays: 30, now: T0 });
    const rows = await shardD1()
      .prepare("SELECT n FROM log_day_counts WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)")
      .bind(job.id)
      .all();
    expect(rows.results).toEqual([]);
  });
});

describe("the sweep keeps log_day_counts exact as it deletes (no per-row trigger)", () => {
  async function rollupVsRows(accountId: string) {
    const rollup = await shardD1()
      .prepare(
        `SELECT j.id AS cron_job_id, c.day, c.status, c.n FROM log_day_counts c JOIN cron_jobs j ON j.num = c.job
       WHERE j.account_id = ? AND c.n > 0 ORDER BY 1, 2, 3`,
      )
      .bind(accountId)
      .all();
    const rows = await shardD1()
      .prepare(
        `SELECT j.id AS cron_job_id, l.executed_at / 86400000 AS day, l.status, count(*) AS n
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
    // Zero counts are dropped; nothing negative is left.
    const stray = await shardD1()
      .prepare("SELECT count(*) AS n FROM log_day_counts WHERE n <= 0")
      .first<{ n: number }>();
    expect(stray?.n).toBe(0);
  });
});
