import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { HOUR } from "../../src/logs/rollups";
import { bucketKey, denseSketch } from "../../src/logs/sketch";
import { percentiles } from "../../src/logs/stats";
import { renderExposition } from "../../src/metrics/exposition";
import { accountJobFamilies } from "../../src/metrics/job-metrics";
import { densePercentiles, LATENCY_CACHE_TTL_MS, newLatencyCache } from "../../src/metrics/latency";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { accountDb } from "../helpers/shards";
import { parseOpenMetrics } from "./parse";

describe("metrics latency: closed hours cached per isolate", () => {
  let acct: TestAccount;
  let shard: Db;
  const jobs = { a: "", b: "" };
  // Ten minutes into an hour, so now + the cache lifetime stays in the same hour (the same closed hours).
  const now = Math.floor(Date.now() / HOUR) * HOUR + 10 * 60_000;
  const hour = (h: number) => Math.floor(now / HOUR) * HOUR - h * HOUR;
  const runs = (start: number, times: number[]) =>
    times.map((ms, i) => ({ executedAt: start + i * 1000, responseTimeMs: ms }));
  /** The exposition at `at`, through `cache` (ttlMs 0: no cache, every hour read). */
  const scrape = async (at: number, cache = newLatencyCache(), ttlMs?: number) =>
    renderExposition(await accountJobFamilies(shard, acct.accountId, at, cache, ttlMs), "openmetrics");
  const quantiles = (text: string, jobId: string) =>
    text.split("\n").filter((l) => l.startsWith("edgecron_job_response_time_seconds{") && l.includes(jobId));

  beforeAll(async () => {
    acct = await createAccount("Metrics cache");
    shard = await accountDb(acct.accountId);
    jobs.a = (await insertJob(acct.accountId, { name: "A", createdAt: now - 2000 })).id as string;
    jobs.b = (await insertJob(acct.accountId, { name: "B", createdAt: now - 1000 })).id as string;
    // Closed hours (23 and 5 ago), the open ones (previous and current), and one out of the window.
    await insertLogs(jobs.a, acct.accountId, [
      ...runs(hour(23), [5, 250, 1200, 40]),
      ...runs(hour(5), [7, 8, 9, 3000, 0]),
      ...runs(hour(1), [60, 61, 62]),
      ...runs(hour(0), [100, 110]),
      ...runs(hour(26), [90_000]),
    ]);
    await insertLogs(jobs.b, acct.accountId, runs(hour(1), [15, 16]));
  });

  it("answers the same exposition cold, warm and uncached", async () => {
    const cache = newLatencyCache();
    const uncached = await scrape(now, newLatencyCache(), 0);
    expect(await scrape(now, cache)).toBe(uncached);
    expect(cache.closed.get(`${jobs.a}@${Math.floor(now / HOUR)}`, now)).toBeDefined();
    expect(await scrape(now + 1000, cache)).toBe(uncached);
    expect(quantiles(uncached, jobs.a)).toHaveLength(3);
    expect(quantiles(uncached, jobs.b)).toHaveLength(3);
    parseOpenMetrics(uncached);
  });

  it("reads the open hours every scrape and a late log in a closed hour after the cache lifetime", async () => {
    const cache = newLatencyCache();
    const before = await scrape(now, cache);
    // A run in the current hour shows at once; a late-recorded one 3 hours ago, not until the entry expires.
    await insertLogs(jobs.b, acct.accountId, runs(hour(0) + 60_000, [20_000]));
    await insertLogs(jobs.a, acct.accountId, runs(hour(3), [50_000, 50_000, 50_000, 50_000, 50_000]));
    const warm = await scrape(now + 60_000, cache);
    expect(quantiles(warm, jobs.b)).not.toEqual(quantiles(before, jobs.b));
    expect(quantiles(warm, jobs.a)).toEqual(quantiles(before, jobs.a));
    const expired = now + LATENCY_CACHE_TTL_MS;
    const fresh = await scrape(expired, newLatencyCache(), 0);
    expect(quantiles(fresh, jobs.a)).not.toEqual(quantiles(before, jobs.a));
    expect(await scrape(expired, cache)).toBe(fresh);
  });

  it("reads at once the closed hours of a job created after the cache was filled", async () => {
    const cache = newLatencyCache();
    await scrape(now, cache);
    const c = (await insertJob(acct.accountId, { name: "C", createdAt: now })).id as string;
    await insertLogs(c, acct.accountId, runs(hour(4), [30, 31, 32]));
    const warm = await scrape(now + 1000, cache);
    expect(quantiles(warm, c)).toEqual([
      expect.stringContaining('quantile="0.5"} 0.031'),
      expect.stringContaining('quantile="0.95"} 0.032'),
      expect.stringContaining('quantile="0.99"} 0.032'),
    ]);
    expect(warm).toBe(await scrape(now + 1000, newLatencyCache(), 0));
  });

  it("reads a stored sketch in any JSON form, as in SQLite's own", async () => {
    const before = await scrape(now, newLatencyCache(), 0);
    // The same counts spelt with spaces: the fast scan declines, JSON.parse reads them.
    const h5 = Math.floor(hour(5) / HOUR);
    const spaced = sql`replace(replace(sketch, ':', ' : '), ',', ' , ')`;
    await shard.run(sql`UPDATE log_hours SET sketch = ${spaced} WHERE status = 0 AND hour = ${h5}`);
    expect(await scrape(now, newLatencyCache(), 0)).toBe(before);
  });

  it("leaves nothing behind for the next scrape when a stored sketch is refused", async () => {
    const before = await scrape(now, newLatencyCache(), 0);
    const h1 = Math.floor(hour(1) / HOUR);
    const [row] = await shard.all<{ sketch: string }>(
      sql`SELECT sketch FROM log_hours WHERE status = 0 AND hour = ${h1} AND sketch IS NOT NULL LIMIT 1`,
    );
    const original = row?.sketch as string;
    // A bucket beyond a day of milliseconds after the real ones: addToDense throws midway through the job.
    const bad = `${original.slice(0, -1)},"99999":1}`;
    await shard.run(
      sql`UPDATE log_hours SET sketch = ${bad} WHERE status = 0 AND hour = ${h1} AND sketch = ${original}`,
    );
    await expect(scrape(now, newLatencyCache(), 0)).rejects.toThrow(RangeError);
    await shard.run(
      sql`UPDATE log_hours SET sketch = ${original} WHERE status = 0 AND hour = ${h1} AND sketch = ${bad}`,
    );
    expect(await scrape(now, newLatencyCache(), 0)).toBe(before);
  });

  it("reads the legacy logs no rollup holds, in the open and the closed hours alike", async () => {
    const before = await scrape(now, newLatencyCache(), 0);
    // Every hour before the current one is legacy: its rollups are not read, so dropping them changes nothing.
    await shard.run(sql`INSERT INTO shard_state (key, value) VALUES ('legacy_logs_until', ${hour(0)})`);
    await shard.run(sql`DELETE FROM log_hours WHERE hour < ${Math.floor(hour(0) / HOUR)}
        AND job IN (SELECT num FROM cron_jobs WHERE account_id = ${acct.accountId})`);
    try {
      const cache = newLatencyCache();
      expect(await scrape(now, newLatencyCache(), 0)).toBe(before);
      expect(await scrape(now, cache)).toBe(before);
      expect(await scrape(now + 1000, cache)).toBe(before);
    } finally {
      await shard.run(sql`DELETE FROM shard_state WHERE key = 'legacy_logs_until'`);
    }
  });

  it("takes the same percentiles as stats over the dense sketch", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const d = denseSketch();
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) {
        const ms = Math.floor(rand() ** 3 * 100_000);
        d[bucketKey(ms) + 1] = (d[bucketKey(ms) + 1] ?? 0) + 1 + Math.floor(rand() * 3);
      }
      const max = rand() < 0.5 ? null : Math.floor(rand() * 50_000);
      expect(densePercentiles(d, max)).toEqual(percentiles(d, new Map(), max));
    }
  });
});
