import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountNumber } from "../db/numbers";
import { cronJobs, logs } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";
import { HOUR, legacyLogsEnd, rolledUpHours } from "../logs/rollups";
import { bucketValue, type DenseSketch, sketchKeySql } from "../logs/sketch";
import { type ClosedHours, clear, maxOf, merge, mergedHours, scratch } from "./merge";
import {
  hasUsableWindow,
  hourSketches,
  type RollRow,
  reportNegative,
  rollForward,
  rollQuery,
  WINDOW_HOURS,
} from "./windows";

/** The percentiles cover the current UTC hour so far and the LATENCY_HOURS whole hours before it (24–25 h). */
export const LATENCY_HOURS = WINDOW_HOURS + 1;

/**
 * How long a job's merged closed hours are reused: a log recorded late into one shows within it (docs/API-NOTES.md
 * "Metrics"). The current and previous hours, where runs still land, are read on every scrape.
 */
export const LATENCY_CACHE_TTL_MS = 5 * 60_000;

/**
 * Per isolate: each job's closed hours by (job id, window), and the job ids each account had at its last scrape
 * (which entries to look up before the one round trip). A job's entry is 8 B a bucket, ~2 KB at a few hundred:
 * 2,000 jobs ≈ 5 MB (30 MB if every job spanned a day of buckets).
 */
export interface LatencyCache {
  closed: TtlCache<ClosedHours>;
  jobIds: TtlCache<readonly string[]>;
}
export const newLatencyCache = (): LatencyCache => ({ closed: new TtlCache(2_000), jobIds: new TtlCache(500) });
export const latencyCache = newLatencyCache();

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * stats.ts `percentiles` without exact values, walking the dense sketch (indices lo..hi) once: keys ascend and
 * bucketValue with them, so the k-th value in key order is nearestRanks' k-th smallest. Capped at the max likewise.
 */
export function densePercentiles(d: DenseSketch, max: number | null, lo = 0, hi = d.length - 1): Percentiles {
  let n = 0;
  for (let i = lo; i <= hi; i++) n += d[i] as number;
  const ranks = [50, 95, 99].map((p) => Math.floor((p * n + 99) / 100));
  const out: Array<number | null> = [null, null, null];
  let seen = 0;
  let next = 0;
  for (let i = lo; i <= hi && n > 0 && next < 3; i++) {
    const c = d[i] as number;
    if (c === 0) continue;
    seen += c;
    while (next < 3 && seen >= (ranks[next] as number)) {
      const v = bucketValue(i - 1);
      out[next++] = max === null ? v : Math.min(v, max);
    }
  }
  return { p50: out[0] ?? null, p95: out[1] ?? null, p99: out[2] ?? null };
}

/** Numbers of the account's live jobs, except those whose ids are listed (one JSON parameter: D1 binds ≤ 100). */
function jobNumbers(accountId: string, except: readonly string[], more?: SQL): SQL {
  const conds: SQL[] = [eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)];
  if (except.length > 0)
    conds.push(sql`${cronJobs.id} NOT IN (SELECT value FROM json_each(${JSON.stringify(except)}))`);
  if (more) conds.push(more);
  return sql`SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${and(...conds)}`;
}

/**
 * Per job, the success sketches of its hours `first`..`last` (to the end of time when null) as stored, JSON objects
 * joined by commas, and their max: log_hours rows (one primary-key range per job) and, while the store migration
 * runs, the legacy logs no rollup holds (by sketch key, as stats reads them). JS merges them, faster than json_each.
 * Jobs `only` selects, when given.
 */
export function latencyRowsQuery(
  db: Db,
  accountId: string,
  first: number,
  last: number | null,
  except: readonly string[] = [],
  only?: SQL,
) {
  const jobs = jobNumbers(accountId, except, only);
  const rolled = hourSketches(jobs, rolledUpHours(first, last));
  const key = sql.raw(sketchKeySql(`"logs"."response_time_ms"`));
  // One upper bound, so the index range ends there: min() is NULL (no legacy logs) when the watermark is gone.
  const end = last === null ? legacyLogsEnd : sql`min(${(last + 1) * HOUR}, ${legacyLogsEnd})`;
  const perKey = sql`SELECT ${logs.job} AS job, CAST(${key} AS TEXT) AS k, count(*) AS c,
      max(${logs.responseTimeMs}) AS mx
    FROM ${logs}
    WHERE ${logs.account} = ${accountNumber(accountId)} AND ${logs.executedAt} >= ${first * HOUR}
      AND ${logs.executedAt} < ${end} AND ${logs.status} = 0 AND ${logs.responseTimeMs} IS NOT NULL
      AND +${logs.job} IN (${jobs})
    GROUP BY 1, 2`;
  const legacy = sql`SELECT job, json_group_object(k, c) AS sketches, max(mx) AS mx, NULL AS n FROM (${perKey}) GROUP BY job`;
  // A job may have a row from each source; percentilesByJob joins them.
  return db
    .select({
      job: sql<number>`job`.mapWith(Number),
      sketches: sql<string>`sketches`,
      max: sql<number | null>`mx`,
    })
    .from(sql`(${rolled} UNION ALL ${legacy})`);
}

/** A job's stored sketches, comma-separated JSON objects, and their max. */
type LatencyRow = { job: number; sketches: string; max: number | null };

/** Each job's row, its sources' rows (rollups, legacy logs) joined. */
function byJob(rows: readonly LatencyRow[]): Map<number, LatencyRow> {
  const out = new Map<number, LatencyRow>();
  for (const r of rows) {
    const seen = out.get(r.job);
    out.set(r.job, seen ? { job: r.job, sketches: `${seen.sketches},${r.sketches}`, max: maxOf(seen.max, r.max) } : r);
  }
  return out;
}

export interface Job {
  id: string;
  num: number | null;
}

/**
 * The round trip's statements for the jobs' percentiles and, after it, the percentiles by job number. Closed hours
 * (all but the current and previous) come from the isolate's cache, else from the job's window (src/metrics/windows.ts)
 * rolled forward if the tick has not yet, else merged from the hours themselves. A scrape writes no window.
 */
export function latencyReads(
  db: Db,
  accountId: string,
  now: number,
  cache = latencyCache,
  ttlMs = LATENCY_CACHE_TTL_MS,
) {
  const last = Math.floor(now / HOUR);
  const open = last - 1;
  const end = open - 1;
  const cached = new Map<string, ClosedHours>();
  const entryKey = (id: string) => `${id}@${last}`;
  for (const id of ttlMs > 0 ? (cache.jobIds.get(accountId, now) ?? []) : []) {
    const hit = cache.closed.get(entryKey(id), now);
    if (hit) cached.set(id, hit);
  }
  const except = [...cached.keys()];
  const windowed = hasUsableWindow(sql`${cronJobs.num}`, end);
  const openQuery = latencyRowsQuery(db, accountId, open, null);
  const closedQuery = latencyRowsQuery(db, accountId, end - (WINDOW_HOURS - 1), end, except, sql`NOT ${windowed}`);
  const rolledQuery = rollQuery(db, jobNumbers(accountId, except), end);

  function closedOf(window: RollRow | undefined, row: LatencyRow | undefined): ClosedHours {
    if (window) {
      const { pairs, max, negative } = rollForward(window);
      if (negative) reportNegative(window.job, end);
      return { pairs, max };
    }
    return mergedHours(row?.sketches, row?.max ?? null);
  }

  function percentilesByJob(
    jobs: readonly Job[],
    openRows: LatencyRow[],
    closedRows: LatencyRow[],
    rollRows: RollRow[],
  ): Map<number, Percentiles> {
    const openByJob = byJob(openRows);
    const closedByJob = byJob(closedRows);
    const rollByJob = new Map(rollRows.map((r) => [r.job, r]));
    const out = new Map<number, Percentiles>();
    for (const { id, num } of jobs) {
      if (num === null) continue;
      let closed = cached.get(id);
      if (!closed) {
        closed = closedOf(rollByJob.get(num), closedByJob.get(num));
        if (ttlMs > 0) cache.closed.set(entryKey(id), closed, now + ttlMs);
      }
      const opened = openByJob.get(num);
      if (closed.pairs.length === 0 && !opened) continue;
      merge([[opened?.sketches, 1]], closed.pairs);
      out.set(num, densePercentiles(scratch.d, maxOf(closed.max, opened?.max ?? null), scratch.lo, scratch.hi));
      clear();
    }
    if (ttlMs > 0)
      cache.jobIds.set(
        accountId,
        jobs.map((j) => j.id),
        now + ttlMs,
      );
    return out;
  }
  return { openQuery, closedQuery, rolledQuery, percentilesByJob };
}
