import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketKey, parseSketch, sketchCount } from "../../src/logs/sketch";
import {
  CHUNK_MAX,
  CHUNK_MIN,
  CHUNK_START,
  CHUNK_TARGET_MS,
  nextChunkSize,
  nextChunkSizeAfter,
} from "../../src/retention/chunk-size";
import { sweep } from "../../src/retention/sweep";
import { createAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 3, 17, 0);
const CUTOFF = NOW - 30 * DAY;

async function ids(jobId: string) {
  const { results } = await shardD1()
    .prepare("SELECT id FROM execution_logs WHERE cron_job_id = ? ORDER BY id")
    .bind(jobId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Bulk rows in one statement: a recursive CTE generates them inside SQLite, through the execution_logs view (ids
 * that are not execution ids keep at most 12 characters after exe_: src/logs/log-key.ts).
 */
async function bulkLogs(jobId: string, accountId: string, n: number, from: number, stepMs: number, prefix: string) {
  await shardD1()
    .prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
     INSERT INTO execution_logs (id, cron_job_id, account_id, executed_at, status, retry_attempt)
     SELECT ? || printf('%05d', i), ?, ?, ? + i * ?, 'success', 0 FROM seq`,
    )
    .bind(n - 1, prefix, jobId, accountId, from, stepMs)
    .run();
}

describe("retention sweep", () => {
  it("keeps a log exactly 30 days old and removes one a millisecond older", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await insertLogs(job.id, acct.accountId, [
      { id: "exe_older", executedAt: CUTOFF - 1 },
      { id: "exe_exact", executedAt: CUTOFF },
      { id: "exe_newer", executedAt: CUTOFF + 1 },
    ]);
    const report = await sweep(db(), { retentionDays: 30, now: NOW });
    expect(await ids(job.id)).toEqual(["exe_exact", "exe_newer"]);
    expect(report).toMatchObject({ event: "retention_sweep", cutoff: new Date(CUTOFF).toISOString(), complete: true });
    expect(report.expired_deleted).toBeGreaterThanOrEqual(1);
  });

  it("keeps every rollup of the hour the cutoff falls in exact: count, sum, min, max and sketch of the logs left", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    // Fast runs before the cutoff, slow ones after it, in the same UTC hour (the cutoff is at :17).
    const times = [-900_000, -600_000, -1, 0, 60_000, 600_000];
    await insertLogs(
      job.id,
      acct.accountId,
      times.map((t, i) => ({ executedAt: CUTOFF + t, responseTimeMs: t < 0 ? 5 + i : 5000 + i })),
    );
    await sweep(db(), { retentionDays: 30, now: NOW });
    const hour = await shardD1()
      .prepare(
        "SELECT n, sum_ms, min_ms, max_ms, sketch FROM log_hours WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)",
      )
      .bind(job.id)
      .all<{ n: number; sum_ms: number; min_ms: number; max_ms: number; sketch: string }>();
    expect(hour.results).toHaveLength(1);
    const left = [5003, 5004, 5005];
    expect(hour.results[0]).toMatchObject({ n: 3, sum_ms: 15012, min_ms: 5003, max_ms: 5005 });
    const sketch = parseSketch(hour.results[0]?.sketch ?? null);
    expect(sketchCount(sketch)).toBe(left.length);
    expect([...sketch.keys()].sort()).toEqual([...new Set(left.map(bucketKey))].sort());
  });

  it("sweeps 50,000 expired rows in chunks and leaves every younger row intact", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await bulkLogs(job.id, acct.accountId, 50_000, CUTOFF - 50_000 * 1000, 1000, "exe_old_");
    await bulkLogs(job.id, acct.accountId, 5_000, CUTOFF, 1000, "exe_young_");
    const report = await sweep(db(), { retentionDays: 30, now: NOW, chunk: 10_000 });
    expect(report.expired_deleted).toBe(50_000);
    expect(report.chunks).toBeGreaterThanOrEqual(6);
    expect(report.complete).toBe(true);
    const left = await shardD1()
      .prepare(
        "SELECT count(*) AS n, min(executed_at) AS oldest, sum(id LIKE 'exe_young_%') AS young FROM execution_logs WHERE cron_job_id = ?",
      )
      .bind(job.id)
      .first<{ n: number; oldest: number; young: number }>();
    expect(left).toEqual({ n: 5_000, oldest: CUTOFF, young: 5_000 });
  });

  it("deletes confirmation sends older than the retention window and keeps younger ones", async () => {
    const acct = await createAccount();
    const insert = shardD1().prepare("INSERT INTO confirmation_sends (account_id, email, sent_at) VALUES (?, ?, ?)");
    await shardD1().batch([
      insert.bind(acct.accountId, "old@example.com", CUTOFF - 1),
      insert.bind(acct.accountId, "kept@example.com", CUTOFF),
    ]);
    const report = await sweep(db(), { retentionDays: 30, now: NOW });
    expect(report.confirmation_sends_deleted).toBeGreaterThanOrEqual(1);
    const { results } = await shardD1()
      .prepare("SELECT email FROM confirmation_sends WHERE account_id = ?")
      .bind(acct.accountId)
      .all<{ email: string }>();
    expect(results.map((r) => r.email)).toEqual(["kept@example.com"]);
  });

  it("stops at the time budget and the next sweep continues", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await bulkLogs(job.id, acct.accountId, 3_000, CUTOFF - 10 * DAY, 1000, "exe_budget_");
    const first = await sweep(db(), { retentionDays: 30, now: NOW, chunk: 1_000, budgetMs: 0 });
    expect(first).toMatchObject({ complete: false, expired_deleted: 0 });
    const second = await sweep(db(), { retentionDays: 30, now: NOW, chunk: 1_000 });
    expect(second.complete).toBe(true);
    expect(await ids(job.id)).toEqual([]);
  });

  it("removes the latency windows of a purged job and those whose hours have all expired", async () => {
    const acct = await createAccount();
    const [old, current] = [await insertJob(acct.accountId), await insertJob(acct.accountId)];
    const gone = await insertJob(acct.accountId, { deletedAt: NOW - DAY });
    const nums: number[] = [];
    for (const { id } of [old, current, gone]) {
      const row = await shardD1().prepare("SELECT num FROM cron_jobs WHERE id = ?").bind(id).first<{ num: number }>();
      nums.push(row?.num as number);
    }
    const cutoffHour = Math.floor(CUTOFF / 3_600_000);
    const ends = [cutoffHour - 1, cutoffHour, cutoffHour + 24 * 29];
    for (const [i, job] of nums.entries()) {
      await shardD1()
        .prepare("INSERT INTO latency_windows (job, end_hour) VALUES (?, ?)")
        .bind(job, i === 2 ? ends[2] : ends[i])
        .run();
    }
    await sweep(db(), { retentionDays: 30, now: NOW });
    const { results } = await shardD1()
      .prepare(`SELECT job FROM latency_windows WHERE job IN (${nums.join(",")}) ORDER BY job`)
      .all<{ job: number }>();
    expect(results.map((r) => r.job)).toEqual([nums[1]]);
  });

  it("removes the logs and the row of a deleted job, whatever their age", async () => {
    const acct = await createAccount();
    const kept = await insertJob(acct.accountId);
    const gone = await insertJob(acct.accountId, { deletedAt: NOW - DAY });
    await insertLogs(kept.id, acct.accountId, [{ executedAt: NOW - DAY }]);
    await bulkLogs(gone.id, acct.accountId, 2_500, NOW - 2 * DAY, 1000, "exe_gone_");
    const report = await sweep(db(), { retentionDays: 30, now: NOW, chunk: 1_000 });
    expect(report.deleted_job_logs_deleted).toBe(2_500);
    expect(report.jobs_purged).toBeGreaterThanOrEqual(1);
    expect(await ids(gone.id)).toEqual([]);
    expect(await ids(kept.id)).toHaveLength(1);
    const row = await shardD1().prepare("SELECT id FROM cron_jobs WHERE id = ?").bind(gone.id).first();
    expect(row).toBeNull();
  });

  it("sizes chunks by their measured time when no size is given (the default), deleting every expired row once", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await bulkLogs(job.id, acct.accountId, 20_000, CUTOFF - 20_000 * 1000, 1000, "exe_adapt_");
    await bulkLogs(job.id, acct.accountId, 100, CUTOFF, 1000, "exe_ayoung_");
    const report = await sweep(db(), { retentionDays: 30, now: NOW });
    expect(report.expired_deleted).toBe(20_000);
    expect(report.complete).toBe(true);
    // Starts at CHUNK_START and moves from there (these small chunks take a few ms, so it grows).
    expect(report.chunk_rows.min).toBeLessThanOrEqual(CHUNK_START);
    expect(report.chunk_rows.max).toBeGreaterThan(CHUNK_START);
    expect(report.chunk_rows.max).toBeLessThanOrEqual(CHUNK_MAX);
    expect(await ids(job.id)).toHaveLength(100);
  });

  it("a fixed chunk size is kept as given", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    await bulkLogs(job.id, acct.accountId, 2_500, CUTOFF - 10 * DAY, 1000, "exe_fixed_");
    const report = await sweep(db(), { retentionDays: 30, now: NOW, chunk: 700 });
    expect(report.chunk_rows).toEqual({ min: 700, max: 700 });
    expect(report.chunks).toBeGreaterThanOrEqual(4);
  });
});

describe("sweep chunk sizing (chunk-size.ts)", () => {
  it("scales towards the target time, at most doubling, within its bounds", () => {
    expect(nextChunkSize(1_000, CHUNK_TARGET_MS)).toBe(1_000);
    expect(nextChunkSize(5_000, CHUNK_TARGET_MS * 4)).toBe(1_250); // a chunk that took 400 ms: a quarter
    expect(nextChunkSize(1_000, CHUNK_TARGET_MS / 10)).toBe(2_000); // fast: doubles, not ×10
    expect(nextChunkSize(1_000, 0)).toBe(2_000);
    expect(nextChunkSize(CHUNK_MAX, 1)).toBe(CHUNK_MAX);
    expect(nextChunkSize(CHUNK_MIN, 10_000)).toBe(CHUNK_MIN);
  });

  it("a short chunk (an account's last) never grows the next one; only a slow one shrinks it", () => {
    expect(nextChunkSizeAfter(5_000, 40, 3)).toBe(5_000);
    expect(nextChunkSizeAfter(5_000, 4_000, CHUNK_TARGET_MS * 2)).toBe(2_500);
    expect(nextChunkSizeAfter(2_000, 2_000, CHUNK_TARGET_MS / 2)).toBe(4_000);
  });

  it("model: over accounts of any backlog, no chunk overshoots the target by more than a statement's fixed cost", () => {
    // A chunk of n rows costs overheadMs + n × usPerRow; the sweep walks the accounts' expired ranges as sweep()
    // does (chunks of `size` until one comes back short), sizing each chunk from the last.
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 400 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 12 }),
        (usPerRow, overheadMs, backlogs) => {
          let size = CHUNK_START;
          for (const backlog of backlogs) {
            let left = backlog;
            for (;;) {
              const deleted = Math.min(size, left);
              const ms = overheadMs + (deleted * usPerRow) / 1000;
              expect(ms).toBeLessThanOrEqual(CHUNK_TARGET_MS + overheadMs + 1);
              left -= deleted;
              const asked = size;
              size = nextChunkSizeAfter(asked, deleted, ms);
              if (deleted < asked) break;
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a chunk that took t ms is followed by one expected to take about the target, for any row cost", () => {
    for (const usPerRow of [5, 20, 74, 200, 900]) {
      let size = CHUNK_START;
      for (let i = 0; i < 10; i++) size = nextChunkSize(size, (size * usPerRow) / 1000);
      const ms = (size * usPerRow) / 1000;
      if (size > CHUNK_MIN && size < CHUNK_MAX) expect(Math.abs(ms - CHUNK_TARGET_MS)).toBeLessThan(1);
      else expect(size === CHUNK_MAX ? ms <= CHUNK_TARGET_MS : ms >= CHUNK_TARGET_MS).toBe(true);
    }
  });
});
