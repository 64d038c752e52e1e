import { type SQL, sql } from "drizzle-orm";
import type { Slo } from "../alerts/schemas";
import {
  BURN_RULES,
  type BurnInput,
  type Objective,
  objectives,
  RECENT_LIMIT,
  RECENT_MS,
  type Tally,
} from "../alerts/slo";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import { logHours, logs } from "../db/schema";
import { HOUR } from "./rollups";
import { bucketValue, parseSketch } from "./sketch";

/** A log_hours row as an SLO evaluation reads it (sketch, min and max only for a latency objective). */
export interface HourRow {
  status: number;
  hour: number;
  n: number;
  sketch: string | null;
  minMs: number | null;
  maxMs: number | null;
}

/**
 * One (status, hour) rollup's good and total runs of an objective. A latency objective reads the sketch: an hour
 * wholly at or under the threshold or over it by its exact min and max, else each bucket by the value standing for
 * it (src/logs/sketch.ts): exact below 100 ms, and within 1 % of the threshold a run may count on either side.
 */
export function tallyHour(o: Objective, row: HourRow): Tally {
  if (o.kind === "success_rate") return { total: row.n, good: row.status === 0 ? row.n : 0 };
  if (row.status !== 0) return { total: 0, good: 0 };
  let total = 0;
  let good = 0;
  for (const [k, c] of parseSketch(row.sketch)) {
    total += c;
    if (bucketValue(k) <= o.thresholdMs) good += c;
  }
  if (row.maxMs !== null && row.maxMs <= o.thresholdMs) good = total;
  else if (row.minMs !== null && row.minMs > o.thresholdMs) good = 0;
  return { total, good };
}

/** Rollup rows → per objective, UTC hour → tally (src/alerts/slo.ts BurnInput.hours). */
export function hourTallies(slo: Slo, rows: readonly HourRow[]): Array<Map<number, Tally>> {
  return objectives(slo).map((o) => {
    const m = new Map<number, Tally>();
    for (const row of rows) {
      const t = tallyHour(o, row);
      const acc = m.get(row.hour) ?? { good: 0, total: 0 };
      acc.good += t.good;
      acc.total += t.total;
      m.set(row.hour, acc);
    }
    return m;
  });
}

/** One row of the read: a rollup (src 0: at is the hour) or a recent log (src 1: at is executed_at, mn its time). */
interface BurnRow {
  src: number;
  status: number;
  at: number;
  n: number;
  sketch: string | null;
  mn: number | null;
  mx: number | null;
}

/**
 * An SLO evaluation's one read, one statement: the job's rollups of the 7 UTC hours the long windows touch, by the
 * primary key (job, status, hour), and its newest logs of the last 30 minutes by logs_job_time_idx, at most
 * RECENT_LIMIT. Sketches and response times are read only for a latency objective, so a success-rate SLO reads
 * the logs from the index alone. Never the window's logs: the current hour is in log_hours already (insert trigger).
 */
export function burnInputQuery(jobId: string, slo: Slo, now: number): SQL {
  const latency = slo.latency_ms !== null;
  const job = jobNumber(jobId);
  const current = Math.floor(now / HOUR);
  const first = current - BURN_RULES[1].longHours;
  const opt = (col: unknown) => (latency ? sql`${col}` : sql`NULL`);
  return sql`SELECT 0 AS src, ${logHours.status} AS status, ${logHours.hour} AS at, ${logHours.n} AS n,
      ${opt(logHours.sketch)} AS sketch, ${opt(logHours.minMs)} AS mn, ${opt(logHours.maxMs)} AS mx
    FROM ${logHours}
    WHERE ${logHours.job} = ${job} AND ${logHours.status} IN (0, 1, 2, 3)
      AND ${logHours.hour} >= ${first} AND ${logHours.hour} <= ${current}
    UNION ALL
    SELECT * FROM (SELECT 1, ${logs.status}, ${logs.executedAt}, 1, NULL, ${opt(logs.responseTimeMs)}, NULL
      FROM ${logs}
      WHERE ${logs.job} = ${job} AND ${logs.executedAt} > ${now - RECENT_MS} AND ${logs.executedAt} <= ${now}
      ORDER BY ${logs.executedAt} DESC LIMIT ${sql.raw(String(RECENT_LIMIT))})`;
}

/** Runs burnInputQuery and tallies its rollups per objective. */
export async function readBurnInput(db: Db, jobId: string, slo: Slo, now: number): Promise<BurnInput> {
  const rows = await db.all<BurnRow>(burnInputQuery(jobId, slo, now));
  const hours: HourRow[] = [];
  const recent: BurnInput["recent"] = [];
  for (const r of rows) {
    if (r.src === 0) hours.push({ status: r.status, hour: r.at, n: r.n, sketch: r.sketch, minMs: r.mn, maxMs: r.mx });
    else recent.push({ status: r.status, at: r.at, ms: r.mn });
  }
  return { now, hours: hourTallies(slo, hours), recent };
}
