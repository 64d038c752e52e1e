import { and, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ExecutionLogRow, logs } from "../db/schema";
import { codeLookup, leftOutCount, probeCount, RARE_MATCHES } from "./code-index";
import { countLogsQuery, ONE_ROW } from "./counts";
import type { LogPosition } from "./cursor";
import { hasRowFilters, type LogFilters, rowConds } from "./filters";
import { newestFirst, olderThan, positionOf } from "./keyset";
import { lateLookup } from "./late-lookup";
import { type SelectedLog, toExecutionLogRow } from "./log-row";
import { batchInScope, type LogScope, scopeWhere } from "./scope";
import { chooseWalk, hoursLookup, type StatusHours, statusHoursQuery, type Walk } from "./status-hours";

/** Page-number paging (with a total) or keyset paging after a cursor (no total, constant cost). */
export type Paging = { page: number; limit: number } | { after: LogPosition; limit: number };

export interface LogsPage {
  rows: ExecutionLogRow[];
  /** Page-number paging only. */
  totalItems?: number;
  /** The last row's position when more rows follow, else null. */
  next: LogPosition | null;
}

/** A page by number: LIMIT/OFFSET over the index alone (late-lookup.ts), newest first. */
export const pageQuery = (db: Db, where: SQL, limit: number, offset: number) =>
  lateLookup(db, where, newestFirst, limit, offset);

/**
 * A page after a position: one index range (or, `walk` "hours", the status's hours: status-hours.ts); one extra
 * row tells whether another page follows.
 */
export function afterQuery(db: Db, scope: LogScope, f: LogFilters, after: LogPosition, limit: number, walk?: Walk) {
  if (walk === "hours") return hoursLookup(db, scope, f, { before: after, order: "newest", limit: limit + 1 });
  const { filters, keyset } = olderThan(f, after);
  return lateLookup(db, and(scopeWhere(db, scope, filters), keyset), newestFirst, limit + 1);
}

/** How a status, code or latency filter is walked (status-hours.ts), read with the job check; null if the job is gone. */
export async function walkOf(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  need: number,
  before?: LogPosition,
): Promise<Walk | null> {
  if (!f.status && !hasRowFilters(f)) return "plain";
  const res = await batchInScope(db, scope, [statusHoursQuery(db, scope, f, { before })]);
  if (!res) return null;
  const [summary] = res[0] as StatusHours[];
  return summary ? chooseWalk(summary, need) : "plain";
}

/** Newest logs of the range a filter's density is sampled from, to count its smaller side. */
const SAMPLE = 2000;

/**
 * A code or latency filter's count, visiting the smaller side: a probe counts matches up to `rare` (exact below it);
 * past it, the share of matches among the range's newest SAMPLE logs (the time index alone) decides whether the
 * exact count visits every match, or takes the range's total from the rollups (as page 1 does) less what a
 * code-only or latency-only filter leaves out. The count then runs with the page.
 */
async function filteredCount(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  o: { rare: number; dense: number },
): Promise<{ known: number } | { total: ReturnType<typeof countLogsQuery> } | null> {
  const base: LogFilters = { status: f.status, start: f.start, end: f.end };
  const newest = db
    .select({ hit: sql`CASE WHEN ${and(...rowConds(f))} THEN 1.0 ELSE 0 END`.as("hit") })
    .from(logs)
    .where(scopeWhere(db, scope, base))
    .orderBy(...newestFirst)
    .limit(SAMPLE);
  // CASE: the sample is read only past the probe.
  const probe = db
    .select({
      p: sql<number>`p`.mapWith(Number),
      share: sql<number | null>`CASE WHEN p > ${sql.raw(String(o.rare))} THEN (SELECT avg(hit) FROM (${newest})) END`,
    })
    .from(sql`(SELECT ${probeCount(db, scope, f, o.rare)} AS p)`);
  const res = await batchInScope(db, scope, [probe]);
  if (!res) return null;
  const { p = 0, share = null } = res[0][0] ?? {};
  if (p <= o.rare) return { known: p };
  const leftOut = leftOutCount(db, scope, f);
  if (!leftOut || share === null || share <= o.dense) return { total: countLogsQuery(db, scope, f) };
  const rest = sql<number>`(${countLogsQuery(db, scope, base)}) - (${leftOut})`.mapWith(Number);
  return { total: db.select({ n: rest }).from(ONE_ROW) };
}

/** With a cursor: the matches older than it, counted up to `rare` + 1 (enough to choose the walk). */
async function cursorCount(db: Db, scope: LogScope, f: LogFilters, cursor: LogPosition, rare: number) {
  const { filters, keyset } = olderThan(f, cursor);
  const probe = sql<number>`${probeCount(db, scope, filters, rare, keyset)}`.mapWith(Number);
  const res = await batchInScope(db, scope, [db.select({ n: probe }).from(ONE_ROW)]);
  return res ? { known: res[0][0]?.n ?? 0 } : null;
}

/**
 * A code or latency filter's page: first its count, or with a cursor a probe up to `rare`, which says none, rare or
 * common; then a rare filter's page from the code index, sorted, or a common one's from the time-ordered walk,
 * which tests code and latency in the index.
 */
async function filteredPage(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  paging: Paging,
  o: { rare: number; dense: number },
): Promise<LogsPage | null> {
  const cursor = "after" in paging ? paging.after : undefined;
  const offset = "page" in paging ? (paging.page - 1) * paging.limit : 0;
  const limit = cursor ? paging.limit + 1 : paging.limit;
  const walk = () =>
    cursor ? afterQuery(db, scope, f, cursor, paging.limit) : pageQuery(db, scopeWhere(db, scope, f), limit, offset);
  const counted = cursor ? await cursorCount(db, scope, f, cursor, o.rare) : await filteredCount(db, scope, f, o);
  if (!counted) return null;
  let matches: number;
  let selected: SelectedLog[] = [];
  if ("known" in counted) {
    matches = counted.known;
    if (matches > offset) {
      const page = matches < o.rare ? codeLookup(db, scope, f, { before: cursor, limit, offset }) : walk();
      const res = await batchInScope(db, scope, [page]);
      if (!res) return null;
      selected = res[0];
    }
  } else {
    const res = await batchInScope(db, scope, [walk(), counted.total]);
    if (!res) return null;
    selected = res[0];
    matches = res[1][0]?.n ?? 0;
  }
  const rows = selected.map((r: SelectedLog) => toExecutionLogRow(r, scope.accountId));
  const page = rows.slice(0, paging.limit);
  const last = page.at(-1);
  if (cursor) return { rows: page, next: rows.length > paging.limit && last ? positionOf(last) : null };
  return { rows, totalItems: matches, next: last && offset + rows.length < matches ? positionOf(last) : null };
}

/**
 * A page of logs, newest first, with the job check (and page numbers' count) in one D1 round trip; a status
 * filter reads its rollup summary first (walkOf), a code or latency filter its count (filteredPage). Null when the
 * scope's job is not live. `o`: thresholds (matches paged from the code index, share of matches counted by what
 * is left out) other than the defaults, to test every path.
 */
export async function findLogsPage(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  paging: Paging,
  o = { rare: RARE_MATCHES, dense: 0.5 },
): Promise<LogsPage | null> {
  if (hasRowFilters(f)) return filteredPage(db, scope, f, paging, o);
  const cursor = "after" in paging ? paging.after : undefined;
  const need = "after" in paging ? paging.limit + 1 : paging.page * paging.limit;
  const walk = await walkOf(db, scope, f, need, cursor);
  if (walk === null) return null;
  if (walk === "none") return "after" in paging ? { rows: [], next: null } : { rows: [], totalItems: 0, next: null };
  if ("after" in paging) {
    const res = await batchInScope(db, scope, [afterQuery(db, scope, f, paging.after, paging.limit, walk)]);
    if (!res) return null;
    const rows = res[0].map((r: SelectedLog) => toExecutionLogRow(r, scope.accountId));
    const page = rows.slice(0, paging.limit);
    const last = page.at(-1);
    return { rows: page, next: rows.length > paging.limit && last ? positionOf(last) : null };
  }
  const offset = (paging.page - 1) * paging.limit;
  const page =
    walk === "hours"
      ? hoursLookup(db, scope, f, { order: "newest", limit: paging.limit, offset })
      : pageQuery(db, scopeWhere(db, scope, f), paging.limit, offset);
  const res = await batchInScope(db, scope, [page, countLogsQuery(db, scope, f)]);
  if (!res) return null;
  const [selected, total] = res;
  const rows = selected.map((r: SelectedLog) => toExecutionLogRow(r, scope.accountId));
  const totalItems = total[0]?.n ?? 0;
  const last = rows.at(-1);
  return { rows, totalItems, next: last && offset + rows.length < totalItems ? positionOf(last) : null };
}
