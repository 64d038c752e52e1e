import { and, count, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ExecutionStatus, logs } from "../db/schema";
import { jobLogsWhere } from "./filters";
import { statusNumber } from "./log-row";
import { batchInScope } from "./scope";
import type { StatsWindow } from "./stats-window";

export interface StatsFigures {
  total: number;
  success: number;
  failure: number;
  error: number;
  timeout: number;
  /** Nearest-rank percentiles and maximum of response_time_ms over successful runs; null without any. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface JobStats {
  totals: StatsFigures;
  /** One entry per bucket from window.origin, empty buckets included. */
  series: Array<StatsFigures & { start: number }>;
}

const empty = (): StatsFigures => ({
  total: 0,
  success: 0,
  failure: 0,
  error: 0,
  timeout: 0,
  p50: null,
  p95: null,
  p99: null,
  max: null,
});

/** Nearest rank of the p-th percentile among n sorted values: ceil(p / 100 × n), in integer arithmetic. */
const rank = (p: number, n: string) => sql.raw(`(${p} * ${n} + 99) / 100`);

interface CountRow {
  b: number;
  total: number;
  success: number;
  failure: number;
  error: number;
  timeout: number;
}

interface PercentileRow {
  b: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  pmax: number | null;
}

/**
 * A job's statistics over the window, in SQL over the (job, [status,] executed_at) index ranges: one
 * GROUP BY bucket for the counts, one window-function pass over the successful runs for the percentiles
 * (per bucket and overall), and the job check, in one D1 round trip. Only one row per bucket comes back.
 * Null when the job is not a live job of the account.
 */
export async function jobStats(db: Db, accountId: string, cronJobId: string, w: StatsWindow): Promise<JobStats | null> {
  const { counts, percentiles } = statsQueries(db, cronJobId, w);
  const res = await batchInScope(db, { kind: "job", accountId, cronJobId }, [counts, percentiles]);
  if (!res) return null;
  return assemble(w, res[0], res[1]);
}

/** The two statements: counts per bucket (a GROUP BY), percentiles per bucket and overall (window functions). */
export function statsQueries(db: Db, cronJobId: string, w: StatsWindow) {
  const range = { start: { start: w.start, end: w.start }, end: { start: w.end, end: w.end } };
  const bucketOf = sql`(${logs.executedAt} - CAST(${w.origin} AS INTEGER)) / CAST(${w.size} AS INTEGER)`;
  const ok = and(jobLogsWhere(cronJobId, { ...range, status: "success" }), isNotNull(logs.responseTimeMs));
  const counts = db
    .select({
      b: sql<number>`${bucketOf}`.as("b"),
      total: count(),
      success: statusCount("success"),
      failure: statusCount("failure"),
      error: statusCount("error"),
      timeout: statusCount("timeout"),
    })
    .from(logs)
    .where(jobLogsWhere(cronJobId, range))
    .groupBy(sql`b`);
  const percentileRows = sql`
    WITH s AS (
      SELECT b, v,
        row_number() OVER (PARTITION BY b ORDER BY v) AS rb,
        count(*) OVER (PARTITION BY b) AS nb,
        row_number() OVER (ORDER BY v) AS ra,
        count(*) OVER () AS na
      FROM (SELECT ${bucketOf} AS b, ${logs.responseTimeMs} AS v FROM ${logs} WHERE ${ok})
    )
    SELECT b,
      max(CASE WHEN rb = ${rank(50, "nb")} THEN v END) AS p50,
      max(CASE WHEN rb = ${rank(95, "nb")} THEN v END) AS p95,
      max(CASE WHEN rb = ${rank(99, "nb")} THEN v END) AS p99,
      max(v) AS pmax
    FROM s GROUP BY b
    UNION ALL
    SELECT NULL,
      max(CASE WHEN ra = ${rank(50, "na")} THEN v END),
      max(CASE WHEN ra = ${rank(95, "na")} THEN v END),
      max(CASE WHEN ra = ${rank(99, "na")} THEN v END),
      max(v)
    FROM s`;
  // Wrapped as a derived table so it is an ordinary prepared select inside the batch.
  const percentiles = db
    .select({
      b: sql<number | null>`b`,
      p50: sql<number | null>`p50`,
      p95: sql<number | null>`p95`,
      p99: sql<number | null>`p99`,
      pmax: sql<number | null>`pmax`,
    })
    .from(sql`(${percentileRows})`);
  return { counts, percentiles };
}

function statusCount(status: ExecutionStatus): SQL.Aliased<number> {
  return sql<number>`coalesce(sum(${logs.status} = ${statusNumber(status)}), 0)`.mapWith(Number).as(status);
}

function assemble(w: StatsWindow, counts: CountRow[], percentiles: PercentileRow[]): JobStats {
  const series = Array.from({ length: w.buckets }, (_, i) => ({ start: w.origin + i * w.size, ...empty() }));
  const totals = empty();
  for (const row of counts) {
    const entry = series[row.b];
    if (!entry) continue;
    for (const k of ["total", "success", "failure", "error", "timeout"] as const) {
      entry[k] = row[k];
      totals[k] += row[k];
    }
  }
  for (const row of percentiles) {
    const target = row.b === null ? totals : series[row.b];
    if (!target) continue;
    target.p50 = row.p50;
    target.p95 = row.p95;
    target.p99 = row.p99;
    target.max = row.pmax;
  }
  return { totals, series };
}
