import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import { cronJobs, type ExecutionStatus, executionStatuses, logHours, logs } from "../db/schema";
import { legacyRange, planCount } from "./counts";
import { jobLogsWhere } from "./filters";
import { statusNumber } from "./log-row";
import { HOUR_SQL, rolledUpHours, rollupStatus } from "./rollups";
import { batchInScope } from "./scope";
import {
  addObjectToDense,
  addToDense,
  bucketValue,
  type DenseSketch,
  denseEntries,
  denseSketch,
  nearestRanks,
  sketchKeySql,
} from "./sketch";
import type { StatsWindow } from "./stats-window";

export interface StatsFigures {
  total: number;
  success: number;
  failure: number;
  error: number;
  timeout: number;
  /** Nearest-rank percentiles of successful runs' response_time_ms (within 1 %), exact maximum; null without any. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface JobStats {
  /** The job's alert policy column as stored and its SLO burn spell (its SLO, if any, is shown with the stats). */
  alertPolicy: string | null;
  sloBurnAt: number | null;
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

interface RollupRow {
  b: number;
  total: number;
  success: number;
  failure: number;
  error: number;
  timeout: number;
  max: number | null;
  /** JSON array of the hours' sketches as objects (null for statuses other than success). */
  sketches: string;
}

interface LogsRow {
  b: number;
  status: number;
  /** A successful run's response time (exact = 1) or its sketch key (exact = 0); null for other runs. */
  x: number | null;
  exact: number;
  c: number;
  /** The largest response time of the group. */
  mx: number | null;
}

/**
 * A job's statistics in one D1 round trip with the job check: whole hours from log_hours (percentiles from
 * sketches), the ≤ 2 edge hours and pre-watermark hours from the logs. Null when the job is not live.
 */
export async function jobStats(db: Db, accountId: string, cronJobId: string, w: StatsWindow): Promise<JobStats | null> {
  const { rollups, fromLogs } = statsQueries(db, cronJobId, w);
  const policy = db
    .select({ policy: cronJobs.alertPolicy, burnAt: cronJobs.alertSloBurnAt })
    .from(cronJobs)
    .where(eq(cronJobs.id, cronJobId));
  const res = await batchInScope(db, { kind: "job", accountId, cronJobId }, [rollups, fromLogs, policy]);
  if (!res) return null;
  const job = res[2][0];
  return { alertPolicy: job?.policy ?? null, sloBurnAt: job?.burnAt ?? null, ...assemble(w, res[0], res[1]) };
}

/** A window's runs for an SLO: all, successful, successful with a response time, and those at or under `fastMs`. */
export interface WindowCounts {
  total: number;
  success: number;
  timed: number;
  fast: number;
}

/**
 * The counts an SLO's current value needs over a window, from the same reads as the stats (whole hours from the
 * rollups, edge hours from the logs exactly). A sketch's values count as their bucket's value, exact below 100 ms
 * and within 1 % above; a day of rollups whose exact max is at or under `fastMs` counts whole.
 */
export async function windowCounts(db: Db, cronJobId: string, w: StatsWindow, fastMs: number): Promise<WindowCounts> {
  const { rollups, fromLogs } = statsQueries(db, cronJobId, w);
  const [hours, rows] = await db.batch([rollups, fromLogs]);
  const c: WindowCounts = { total: 0, success: 0, timed: 0, fast: 0 };
  for (const row of hours) {
    c.total += row.total;
    c.success += row.success;
    const sketch = denseSketch();
    for (const obj of JSON.parse(row.sketches) as Array<Record<string, number> | null>)
      if (obj !== null) addObjectToDense(sketch, obj);
    let timed = 0;
    let fast = 0;
    for (const [k, n] of denseEntries(sketch)) {
      timed += n;
      if (bucketValue(k) <= fastMs) fast += n;
    }
    c.timed += timed;
    c.fast += row.max !== null && row.max <= fastMs ? timed : fast;
  }
  for (const row of rows) {
    c.total += row.c;
    if (row.status !== 0) continue;
    c.success += row.c;
    if (row.x === null) continue;
    c.timed += row.c;
    if ((row.exact ? row.x : bucketValue(row.x)) <= fastMs) c.fast += row.c;
  }
  return c;
}

/** The two statements: the rollups per bucket, and the logs no rollup covers per bucket, status and value. */
export function statsQueries(db: Db, cronJobId: string, w: StatsWindow) {
  const plan = planCount({ start: { start: w.start, end: w.start }, end: { start: w.end, end: w.end } });
  const origin = sql`CAST(${w.origin} AS INTEGER)`;
  const size = sql`CAST(${w.size} AS INTEGER)`;
  // A bucket is a whole number of hours from an hour boundary, so an hour never straddles two.
  const rollups = db
    .select({
      b: sql<number>`(${logHours.hour} * ${HOUR_SQL} - ${origin}) / ${size}`.as("b"),
      total: sql<number>`sum(${logHours.n})`.mapWith(Number),
      success: statusSum("success"),
      failure: statusSum("failure"),
      error: statusSum("error"),
      timeout: statusSum("timeout"),
      max: sql<number | null>`max(CASE WHEN ${logHours.status} = 0 THEN ${logHours.maxMs} END)`,
      sketches: sql<string>`json_group_array(json(${logHours.sketch}))`,
    })
    .from(logHours)
    .where(
      and(
        eq(logHours.job, jobNumber(cronJobId)),
        rollupStatus(undefined),
        ...rolledUpHours(plan.firstHour, plan.lastHour),
      ),
    )
    .groupBy(sql`b`);

  const bucketOf = sql`(${logs.executedAt} - ${origin}) / ${size}`;
  const key = sql.raw(sketchKeySql(`"logs"."response_time_ms"`));
  const branch = (where: SQL, exact: boolean) =>
    sql`SELECT ${bucketOf} AS b, ${logs.status} AS status, ${logs.responseTimeMs} AS v,
      CASE WHEN ${logs.status} = 0 THEN ${exact ? logs.responseTimeMs : key} END AS x, ${sql.raw(exact ? "1" : "0")} AS exact
      FROM ${logs} WHERE ${where}`;
  // Edge hours exactly, value by value (at most two hours of logs); legacy hours by sketch key (any number of logs).
  const branches = plan.edges.map(([a, b]) =>
    branch(jobLogsWhere(cronJobId, { start: { start: a, end: a }, end: { start: b, end: b } }), true),
  );
  const legacy = legacyRange(plan);
  if (legacy) branches.push(branch(and(jobLogsWhere(cronJobId, legacy.filters), legacy.before) as SQL, false));
  const grouped = sql`SELECT b, status, x, exact, count(*) AS c, max(v) AS mx
    FROM (${sql.join(branches, sql` UNION ALL `)}) GROUP BY b, status, x, exact`;
  // Wrapped as a derived table so it is an ordinary prepared select inside the batch.
  const fromLogs = db
    .select({
      b: sql<number>`b`,
      status: sql<number>`status`,
      x: sql<number | null>`x`,
      exact: sql<number>`exact`,
      c: sql<number>`c`,
      mx: sql<number | null>`mx`,
    })
    .from(sql`(${grouped})`);
  return { rollups, fromLogs };
}

function statusSum(status: ExecutionStatus): SQL.Aliased<number> {
  return sql<number>`coalesce(sum(CASE WHEN ${logHours.status} = ${statusNumber(status)} THEN ${logHours.n} END), 0)`
    .mapWith(Number)
    .as(status);
}

/** What one bucket (or the whole window) gathers before its percentiles are taken. */
interface Acc {
  figures: StatsFigures;
  sketch: DenseSketch;
  /** Exact response time → count, from the logs. */
  exact: Map<number, number>;
}

const newAcc = (): Acc => ({ figures: empty(), sketch: denseSketch(), exact: new Map() });

const add = (m: Map<number, number>, k: number, c: number) => m.set(k, (m.get(k) ?? 0) + c);

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Nearest-rank percentiles over the sketch's values (each its bucket's value, within 1 %) and the exact values
 * together: the k-th smallest of values each within 1 % of the true ones is within 1 % of the true k-th smallest,
 * and exact wherever only exact values are involved. Capped at the exact maximum, which only brings them closer.
 */
export function percentiles(sketch: DenseSketch, exact: Map<number, number>, max: number | null) {
  const pairs: Array<[number, number]> = [...exact];
  for (const [k, c] of denseEntries(sketch)) pairs.push([bucketValue(k), c]);
  const cap = (v: number | null) => (v === null || max === null ? v : Math.min(v, max));
  const [p50, p95, p99] = nearestRanks(pairs, [50, 95, 99]).map(cap);
  return { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

function assemble(
  w: StatsWindow,
  rollups: RollupRow[],
  fromLogs: LogsRow[],
): Omit<JobStats, "alertPolicy" | "sloBurnAt"> {
  const buckets = Array.from({ length: w.buckets }, newAcc);
  const all = newAcc();
  for (const row of rollups) {
    const acc = buckets[row.b];
    if (!acc) continue;
    for (const target of [acc, all]) {
      for (const k of ["total", "success", "failure", "error", "timeout"] as const) target.figures[k] += row[k];
      target.figures.max = maxOf(target.figures.max, row.max);
    }
    // One rollup row per bucket (GROUP BY b): its hours' sketches are the bucket's, and the window's.
    for (const obj of JSON.parse(row.sketches) as Array<Record<string, number> | null>) {
      if (obj === null) continue;
      addObjectToDense(acc.sketch, obj);
      addObjectToDense(all.sketch, obj);
    }
  }
  for (const row of fromLogs) {
    const acc = buckets[row.b];
    if (!acc) continue;
    const status = executionStatuses[row.status] ?? "timeout";
    for (const target of [acc, all]) {
      target.figures.total += row.c;
      target.figures[status] += row.c;
      if (row.status !== 0 || row.x === null) continue;
      target.figures.max = maxOf(target.figures.max, row.mx);
      if (row.exact) add(target.exact, row.x, row.c);
      else addToDense(target.sketch, row.x, row.c);
    }
  }
  const finish = (acc: Acc): StatsFigures => ({
    ...acc.figures,
    ...percentiles(acc.sketch, acc.exact, acc.figures.max),
  });
  return {
    totals: finish(all),
    series: buckets.map((acc, i) => ({ start: w.origin + i * w.size, ...finish(acc) })),
  };
}
