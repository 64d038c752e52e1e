import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountNumber } from "../db/numbers";
import { cronJobs, logHours, logs } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";
import { HOUR, legacyLogsEnd, rolledUpHours } from "../logs/rollups";
import { addToDense, bucketValue, type DenseSketch, denseSketch, sketchKeySql } from "../logs/sketch";

/** The percentiles cover the current UTC hour so far and the LATENCY_HOURS whole hours before it (24–25 h). */
export const LATENCY_HOURS = 24;

/**
 * How long a job's merged closed hours are reused: a log recorded late into one shows within it (docs/API-NOTES.md
 * "Metrics"). The current and previous hours, where runs still land, are read on every scrape.
 */
export const LATENCY_CACHE_TTL_MS = 5 * 60_000;

/** A job's successful runs over the window's closed hours: (key + 1, count) of each non-empty bucket, and the max. */
interface ClosedHours {
  pairs: Uint32Array;
  max: number | null;
}

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
function jobNumbers(accountId: string, except: readonly string[]): SQL {
  const conds: SQL[] = [eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)];
  if (except.length > 0)
    conds.push(sql`${cronJobs.id} NOT IN (SELECT value FROM json_each(${JSON.stringify(except)}))`);
  return sql`SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${and(...conds)}`;
}

/**
 * Per job, the success sketches of its hours `first`..`last` (to the end of time when null) as stored, JSON objects
 * joined by commas, and their max: log_hours rows (one primary-key range per job) and, while the store migration
 * runs, the legacy logs no rollup holds (by sketch key, as stats reads them). JS merges them, faster than json_each.
 */
export function latencyRowsQuery(
  db: Db,
  accountId: string,
  first: number,
  last: number | null,
  except: readonly string[] = [],
) {
  const jobs = jobNumbers(accountId, except);
  // Grouped per source: log_hours by its key order (no sort), so only one row per job and source reaches the union.
  const rolled = sql`SELECT ${logHours.job} AS job, group_concat(${logHours.sketch}) AS sketches, max(${logHours.maxMs}) AS mx
    FROM ${logHours}
    WHERE ${and(sql`${logHours.job} IN (${jobs})`, eq(logHours.status, 0), ...rolledUpHours(first, last))}
      AND ${logHours.sketch} IS NOT NULL
    GROUP BY ${logHours.job}`;
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
  const legacy = sql`SELECT job, json_group_object(k, c) AS sketches, max(mx) AS mx FROM (${perKey}) GROUP BY job`;
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

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Each job's row, its sources' rows (rollups, legacy logs) joined. */
function byJob(rows: readonly LatencyRow[]): Map<number, LatencyRow> {
  const out = new Map<number, LatencyRow>();
  for (const r of rows) {
    const seen = out.get(r.job);
    out.set(r.job, seen ? { job: r.job, sketches: `${seen.sketches},${r.sketches}`, max: maxOf(seen.max, r.max) } : r);
  }
  return out;
}

/**
 * One dense sketch reused for every job, and the index range written since it was last cleared: allocating and
 * sweeping ~1,800 entries per job would cost more than the few hundred it uses. Cleared before each use too, so a
 * sketch key beyond a day (addToDense throws) cannot leave counts behind for the next request.
 */
const scratch = { d: denseSketch(), lo: Number.POSITIVE_INFINITY, hi: -1 };

function add(k: number, count: number): void {
  addToDense(scratch.d, k, count);
  scratch.lo = Math.min(scratch.lo, k + 1);
  scratch.hi = Math.max(scratch.hi, k + 1);
}

function clear(): void {
  if (scratch.hi >= scratch.lo) scratch.d.fill(0, scratch.lo, scratch.hi + 1);
  scratch.lo = Number.POSITIVE_INFINITY;
  scratch.hi = -1;
}

/** Key, count, key, count… of the last text scanned (the first `n`), reused: a scan allocates nothing. */
const scanned = { v: [] as number[], n: 0 };

/** Reads the digits at `at` of `t` into scanned; the index after them, or -1 without 1..`most` digits. */
function digits(t: string, at: number, most: number, sign: number): number {
  let i = at;
  let v = 0;
  for (let c = t.charCodeAt(i); c >= 48 && c <= 57; c = t.charCodeAt(++i)) v = v * 10 + c - 48;
  if (i === at || i - at > most) return -1;
  scanned.v[scanned.n++] = sign * v;
  return i;
}

/**
 * Scans sketches in the form SQLite writes them, comma-separated: {"-1":3,"512":7},{"40":1} (no spaces, integers),
 * into `scanned`, building no object: parsing ~1 MB of them per cold scrape is most of its cost. False otherwise.
 */
function scanSketches(t: string): boolean {
  scanned.n = 0;
  const n = t.length;
  let i = 0;
  for (;;) {
    if (t.charCodeAt(i++) !== 123) return false;
    if (t.charCodeAt(i) === 125) i++;
    else {
      for (;;) {
        if (t.charCodeAt(i++) !== 34) return false;
        const negative = t.charCodeAt(i) === 45;
        i = digits(t, negative ? i + 1 : i, 9, negative ? -1 : 1);
        if (i < 0 || t.charCodeAt(i) !== 34 || t.charCodeAt(i + 1) !== 58) return false;
        i = digits(t, i + 2, 15, 1);
        if (i < 0) return false;
        const c = t.charCodeAt(i++);
        if (c === 125) break;
        if (c !== 44) return false;
      }
    }
    if (i === n) return true;
    if (t.charCodeAt(i++) !== 44) return false;
  }
}

/** Adds a row's stored sketches to the scratch sketch; their max with `max`. */
function addRow(row: LatencyRow | undefined, max: number | null): number | null {
  if (!row) return max;
  if (scanSketches(row.sketches)) {
    for (let i = 0; i < scanned.n; i += 2) add(scanned.v[i] as number, scanned.v[i + 1] as number);
  } else {
    for (const obj of JSON.parse(`[${row.sketches}]`) as Array<Record<string, number>>) {
      for (const key in obj) add(Number(key), obj[key] ?? 0);
    }
  }
  return maxOf(max, row.max);
}

function closedHours(row: LatencyRow | undefined): ClosedHours {
  clear();
  const max = addRow(row, null);
  let n = 0;
  for (let i = scratch.lo; i <= scratch.hi; i++) if ((scratch.d[i] as number) > 0) n++;
  const pairs = new Uint32Array(2 * n);
  for (let i = scratch.lo, j = 0; i <= scratch.hi; i++) {
    const c = scratch.d[i] as number;
    if (c > 0) {
      pairs[j++] = i;
      pairs[j++] = c;
    }
  }
  clear();
  return { pairs, max };
}

export interface Job {
  id: string;
  num: number | null;
}

/**
 * The round trip's statements for the jobs' percentiles and, after it, the percentiles by job number: the closed
 * hours (all but the current and previous) from the cache or, for jobs it lacks, merged from the second statement.
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
  const cached = new Map<string, ClosedHours>();
  const entryKey = (id: string) => `${id}@${last}`;
  for (const id of ttlMs > 0 ? (cache.jobIds.get(accountId, now) ?? []) : []) {
    const hit = cache.closed.get(entryKey(id), now);
    if (hit) cached.set(id, hit);
  }
  const openQuery = latencyRowsQuery(db, accountId, open, null);
  const closedQuery = latencyRowsQuery(db, accountId, last - LATENCY_HOURS, open - 1, [...cached.keys()]);

  function percentilesByJob(jobs: readonly Job[], openRows: LatencyRow[], closedRows: LatencyRow[]) {
    const openByJob = byJob(openRows);
    const closedByJob = byJob(closedRows);
    const out = new Map<number, Percentiles>();
    for (const { id, num } of jobs) {
      if (num === null) continue;
      let closed = cached.get(id);
      if (!closed) {
        closed = closedHours(closedByJob.get(num));
        if (ttlMs > 0) cache.closed.set(entryKey(id), closed, now + ttlMs);
      }
      const opened = openByJob.get(num);
      if (closed.pairs.length === 0 && !opened) continue;
      clear();
      for (let i = 0; i < closed.pairs.length; i += 2)
        add((closed.pairs[i] as number) - 1, closed.pairs[i + 1] as number);
      const max = addRow(opened, closed.max);
      out.set(num, densePercentiles(scratch.d, max, scratch.lo, scratch.hi));
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
  return { openQuery, closedQuery, percentilesByJob };
}
