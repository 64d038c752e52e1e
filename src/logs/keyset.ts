import { asc, desc, type SQL, sql } from "drizzle-orm";
import { executionLogs } from "../db/schema";
import type { LogPosition } from "./cursor";
import type { LogFilters } from "./filters";

/**
 * Keyset order over (executed_at, id): every logs index ends in these two columns, so a page after a
 * position is an index range, whatever its depth. Row-value comparisons are what SQLite turns into that
 * range (`(executed_at,id)<(?,?)` in the query plan).
 */
export const newestFirst = [desc(executionLogs.executedAt), desc(executionLogs.id)];
export const oldestFirst = [asc(executionLogs.executedAt), asc(executionLogs.id)];

export const positionOf = (row: { executedAt: number; id: string }): LogPosition => ({
  executedAt: row.executedAt,
  id: row.id,
});

/**
 * The filters and the condition for the logs strictly before `p`, newest first. Of the position and
 * end_date only the tighter one is kept: SQLite bounds the range by one of them and would only filter by
 * the other, so keeping a looser end_date would make it walk (and discard) every row back to the position.
 */
export function olderThan(f: LogFilters, p: LogPosition): { filters: LogFilters; keyset?: SQL } {
  if (f.end && f.end.end < p.executedAt) return { filters: f };
  return {
    filters: { ...f, end: undefined },
    keyset: sql`(${executionLogs.executedAt}, ${executionLogs.id}) < (${p.executedAt}, ${p.id})`,
  };
}

/** The same for the logs strictly after `p`, oldest first, against start_date. */
export function newerThan(f: LogFilters, p: LogPosition): { filters: LogFilters; keyset?: SQL } {
  if (f.start && f.start.start > p.executedAt) return { filters: f };
  return {
    filters: { ...f, start: undefined },
    keyset: sql`(${executionLogs.executedAt}, ${executionLogs.id}) > (${p.executedAt}, ${p.id})`,
  };
}
