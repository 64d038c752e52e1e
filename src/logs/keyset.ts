import { asc, desc, type SQL, sql } from "drizzle-orm";
import { logs } from "../db/schema";
import type { LogPosition } from "./cursor";
import type { LogFilters } from "./filters";
import { logKeyOf } from "./log-key";

/**
 * Keyset order over (executed_at, id): the id's key sorts as its text and both logs indexes continue
 * (executed_at, slot, id_hi, id_lo), so SQLite turns the row-value comparison into an index range at any depth.
 */
export const newestFirst = [desc(logs.executedAt), desc(logs.slot), desc(logs.idHi), desc(logs.idLo)];
export const oldestFirst = [asc(logs.executedAt), asc(logs.slot), asc(logs.idHi), asc(logs.idLo)];

/** A position's key; an id no log can have sorts before every id of its time, so paging stays well-defined. */
export function positionKey(p: LogPosition): SQL {
  const k = logKeyOf(p.id) ?? { slot: -3, hi: 0, lo: 0 };
  return sql`(${p.executedAt}, ${k.slot}, ${k.hi}, ${k.lo})`;
}

const keyColumns = sql`(${logs.executedAt}, ${logs.slot}, ${logs.idHi}, ${logs.idLo})`;

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
    keyset: sql`${keyColumns} < ${positionKey(p)}`,
  };
}

/** The same for the logs strictly after `p`, oldest first, against start_date. */
export function newerThan(f: LogFilters, p: LogPosition): { filters: LogFilters; keyset?: SQL } {
  if (f.start && f.start.start > p.executedAt) return { filters: f };
  return {
    filters: { ...f, start: undefined },
    keyset: sql`${keyColumns} > ${positionKey(p)}`,
  };
}
