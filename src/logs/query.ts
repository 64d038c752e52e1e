import { and, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import type { ExecutionLogRow } from "../db/schema";
import { countLogsQuery } from "./counts";
import type { LogPosition } from "./cursor";
import type { LogFilters } from "./filters";
import { newestFirst, olderThan, positionOf } from "./keyset";
import { lateLookup } from "./late-lookup";
import { type SelectedLog, toExecutionLogRow } from "./log-row";
import { batchInScope, type LogScope, scopeWhere } from "./scope";

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

/** A page after a position: one index range; one extra row tells whether another page follows. */
export function afterQuery(db: Db, scope: LogScope, f: LogFilters, after: LogPosition, limit: number) {
  const { filters, keyset } = olderThan(f, after);
  return lateLookup(db, and(scopeWhere(db, scope, filters), keyset), newestFirst, limit + 1);
}

/**
 * A page of logs, newest first, with the job check (and, for page numbers, the count) in one D1 round
 * trip. Returns null when the scope names a job that is not a live job of the account.
 */
export async function findLogsPage(db: Db, scope: LogScope, f: LogFilters, paging: Paging): Promise<LogsPage | null> {
  if ("after" in paging) {
    const res = await batchInScope(db, scope, [afterQuery(db, scope, f, paging.after, paging.limit)]);
    if (!res) return null;
    const rows = res[0].map((r: SelectedLog) => toExecutionLogRow(r, scope.accountId));
    const page = rows.slice(0, paging.limit);
    const last = page.at(-1);
    return { rows: page, next: rows.length > paging.limit && last ? positionOf(last) : null };
  }
  const where = scopeWhere(db, scope, f);
  const offset = (paging.page - 1) * paging.limit;
  const res = await batchInScope(db, scope, [pageQuery(db, where, paging.limit, offset), countLogsQuery(db, scope, f)]);
  if (!res) return null;
  const [selected, total] = res;
  const rows = selected.map((r: SelectedLog) => toExecutionLogRow(r, scope.accountId));
  const totalItems = total[0]?.n ?? 0;
  const last = rows.at(-1);
  return { rows, totalItems, next: last && offset + rows.length < totalItems ? positionOf(last) : null };
}
