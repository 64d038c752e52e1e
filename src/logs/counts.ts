import { and, count, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { logHours, logs } from "../db/schema";
import type { InstantRange } from "../lib/dates";
import { indexCount } from "./code-index";
import { hasRowFilters, type LogFilters } from "./filters";
import { HOUR, legacyLogsEnd, rolledUpHours, rollupJobs } from "./rollups";
import { type LogScope, scopeWhere } from "./scope";
import { candidateRows } from "./status-hours";

export interface CountPlan {
  /** Whole UTC hours (hour numbers, inclusive; null = unbounded) summed from log_hours. */
  firstHour: number | null;
  lastHour: number | null;
  /** Partial hours counted from the logs index, as inclusive ms ranges. */
  edges: Array<[number, number]>;
}

/** Splits a filter's range into whole UTC hours (rollup) and at most two partial edge hours (index). */
export function planCount(f: LogFilters): CountPlan {
  const s = f.start?.start ?? null;
  const e = f.end?.end ?? null;
  const edges: Array<[number, number]> = [];
  let firstHour: number | null = null;
  let lastHour: number | null = null;
  let startEdge: [number, number] | null = null;
  let endEdge: [number, number] | null = null;
  if (s !== null) {
    const h = Math.floor(s / HOUR);
    firstHour = s === h * HOUR ? h : h + 1;
    if (s !== h * HOUR) startEdge = [s, (h + 1) * HOUR - 1];
  }
  if (e !== null) {
    const h = Math.floor(e / HOUR);
    lastHour = e === (h + 1) * HOUR - 1 ? h : h - 1;
    if (e !== (h + 1) * HOUR - 1) endEdge = [h * HOUR, e];
  }
  if (s !== null && e !== null && Math.floor(s / HOUR) === Math.floor(e / HOUR)) {
    // One hour: wholly covered (counted from the rollup), or one partial range and an empty hour range.
    const h = Math.floor(s / HOUR);
    return s % HOUR === 0 && (e + 1) % HOUR === 0
      ? { firstHour, lastHour, edges }
      : { firstHour: h + 1, lastHour: h, edges: [[s, e]] };
  }
  if (startEdge) edges.push(startEdge);
  if (endEdge) edges.push(endEdge);
  return { firstHour, lastHour, edges };
}

const instant = (ms: number): InstantRange => ({ start: ms, end: ms });

/** Whole plan hours before the legacy watermark, as a log range (rollups lack them); null without whole hours. */
export function legacyRange(plan: CountPlan): { filters: LogFilters; before: SQL } | null {
  const { firstHour, lastHour } = plan;
  if (firstHour !== null && lastHour !== null && firstHour > lastHour) return null;
  return {
    filters: { start: firstHour === null ? undefined : instant(firstHour * HOUR) },
    before:
      lastHour === null
        ? sql`${logs.executedAt} < ${legacyLogsEnd}`
        : sql`${logs.executedAt} < min(${(lastHour + 1) * HOUR}, ${legacyLogsEnd})`,
  };
}

/**
 * The number of logs a page request matches, without walking them: the sum of log_hours over the whole hours in
 * range, plus an index count of the (at most two) partial edge hours and of the whole hours before the legacy
 * watermark (while the store migration runs). Code and latency filters count from their own index instead
 * (code-index.ts). One statement, so it batches with the page like any query.
 */
/** The FROM of a select that computes one row of scalar subqueries. */
export const ONE_ROW = sql`(SELECT 1)`;

export function countLogsQuery(db: Db, scope: LogScope, f: LogFilters) {
  if (hasRowFilters(f)) {
    return db.select({ n: sql<number>`${indexCount(db, scope, f)}`.mapWith(Number) }).from(ONE_ROW);
  }
  const plan = planCount(f);
  const logsCount = (filters: LogFilters, extra?: SQL) =>
    sql`(${db
      .select({ c: count() })
      .from(logs)
      .where(and(scopeWhere(db, scope, { ...filters, status: f.status }), extra))})`;
  const parts: SQL[] = [sql`coalesce(sum(${logHours.n}), 0)`];
  for (const [a, b] of plan.edges) parts.push(logsCount({ start: instant(a), end: instant(b) }));
  const legacy = legacyRange(plan);
  if (legacy) parts.push(logsCount(legacy.filters, legacy.before));
  return db
    .select({ n: sql<number>`${sql.join(parts, sql` + `)}`.mapWith(Number) })
    .from(logHours)
    .where(and(...rollupJobs(db, scope), ...candidateRows(f), ...rolledUpHours(plan.firstHour, plan.lastHour)));
}
