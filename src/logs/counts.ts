import { and, count, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { logDayCounts, logs } from "../db/schema";
import type { LogFilters } from "./filters";
import { liveJobNumbers } from "./filters";
import { statusNumber } from "./log-row";
import { type LogScope, scopeWhere } from "./scope";
import { jobNumber } from "./store";

const DAY = 86_400_000;

interface CountPlan {
  /** Whole UTC days summed from log_day_counts (inclusive; null = unbounded). */
  firstDay: number | null;
  lastDay: number | null;
  /** Partial days counted from the logs index, as inclusive ms ranges. */
  edges: Array<[number, number]>;
}

/** Splits a filter's range into whole UTC days (rollup) and at most two partial edge days (index). */
export function planCount(f: LogFilters): CountPlan {
  const s = f.start?.start ?? null;
  const e = f.end?.end ?? null;
  const edges: Array<[number, number]> = [];
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  let startEdge: [number, number] | null = null;
  let endEdge: [number, number] | null = null;
  if (s !== null) {
    const d = Math.floor(s / DAY);
    firstDay = s === d * DAY ? d : d + 1;
    if (s !== d * DAY) startEdge = [s, (d + 1) * DAY - 1];
  }
  if (e !== null) {
    const d = Math.floor(e / DAY);
    lastDay = e === (d + 1) * DAY - 1 ? d : d - 1;
    if (e !== (d + 1) * DAY - 1) endEdge = [d * DAY, e];
  }
  if (s !== null && e !== null && Math.floor(s / DAY) === Math.floor(e / DAY)) {
    // One day: wholly covered (counted from the rollup), or one partial range and an empty day range.
    const d = Math.floor(s / DAY);
    return s % DAY === 0 && (e + 1) % DAY === 0
      ? { firstDay, lastDay, edges }
      : { firstDay: d + 1, lastDay: d, edges: [[s, e]] };
  }
  if (startEdge) edges.push(startEdge);
  if (endEdge) edges.push(endEdge);
  return { firstDay, lastDay, edges };
}

function rollupWhere(db: Db, scope: LogScope, f: LogFilters, plan: CountPlan): SQL {
  const conds: SQL[] = [];
  if (scope.kind === "job") conds.push(eq(logDayCounts.job, jobNumber(scope.cronJobId)));
  else {
    // The account's live job numbers select its counts: log_day_counts needs no account column or index.
    if (scope.cronJobId) conds.push(eq(logDayCounts.job, jobNumber(scope.cronJobId)));
    conds.push(sql`${logDayCounts.job} IN (${liveJobNumbers(db, scope.accountId, scope.tags)})`);
  }
  if (f.status) conds.push(eq(logDayCounts.status, statusNumber(f.status)));
  if (plan.firstDay !== null) conds.push(gte(logDayCounts.day, plan.firstDay));
  if (plan.lastDay !== null) conds.push(lte(logDayCounts.day, plan.lastDay));
  return and(...conds) as SQL;
}

/**
 * The number of logs a page request matches, without walking them: the sum of log_day_counts over the whole
 * days in range plus an index count of the (at most two) partial edge days. One statement, so it batches
 * with the page like any query.
 */
export function countLogsQuery(db: Db, scope: LogScope, f: LogFilters) {
  const plan = planCount(f);
  const edgeCounts = plan.edges.map(([a, b]) => {
    const where = scopeWhere(db, scope, { status: f.status, start: { start: a, end: a }, end: { start: b, end: b } });
    return sql`(${db.select({ c: count() }).from(logs).where(where)})`;
  });
  const total = sql.join([sql`coalesce(sum(${logDayCounts.n}), 0)`, ...edgeCounts], sql` + `);
  return db
    .select({ n: sql<number>`${total}`.mapWith(Number) })
    .from(logDayCounts)
    .where(rollupWhere(db, scope, f, plan));
}
