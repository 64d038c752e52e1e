import { eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { logBodies, logs } from "../db/schema";
import { logColumns } from "./log-row";

type Order = SQL | SQLiteColumn;

/** Each selected log's text: one rowid seek in log_bodies per returned row (logColumns selects from it). */
export const logText = () => eq(logBodies.id, logs.body);

/** The logs of `keys` (a subquery selecting (slot, id_hi, id_lo), the primary key of `logs`): one seek each. */
export const logKeyIn = (keys: SQL | { getSQL(): SQL }) => sql`(${logs.slot}, ${logs.idHi}, ${logs.idLo}) IN (${keys})`;

/**
 * A page of logs read in two steps, a "late row lookup": the keys of the page first, from an index alone, then
 * only those rows, by primary key.
 *
 * Why: both logs indexes carry everything a page's WHERE tests (job or account number, executed_at, the key,
 * the status, and in the account index the job for the live-job check), but SQLite seeks the table row of
 * every index entry it passes when the query also selects columns the index lacks, before it tests the status.
 * A filter on a status of 5 % of the logs then costs ≈ 20 row seeks per match, and `page=2000` seeks the 99,950
 * rows it skips: measured on the 200,000-log job of bench/seed-million.ts, 16 ms and 1,336 ms of SQLite for what
 * the index alone answers in 0.9 ms and 5 ms (bench/RESULTS.md, section 10). The outer ORDER BY re-sorts at most
 * `limit` rows (the page or export chunk).
 *
 * `where` and `order` are in terms of `logs` columns; the subquery's `logs` is the nearest in scope, so they
 * bind to it. Returns a drizzle select of `logColumns`, `order`ed, at most `limit` rows after `offset`.
 */
export function lateLookup(db: Db, where: SQL | undefined, order: Order[], limit: number, offset = 0) {
  const keys = db
    .select({ slot: logs.slot, idHi: logs.idHi, idLo: logs.idLo })
    .from(logs)
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  return logsOfKeys(db, keys, order);
}

/** The logs of `keys` (a subquery selecting their primary keys) with their text, `order`ed: one seek each. */
export function logsOfKeys(db: Db, keys: SQL | { getSQL(): SQL }, order: Order[]) {
  return db
    .select(logColumns)
    .from(logs)
    .leftJoin(logBodies, logText())
    .where(logKeyIn(keys))
    .orderBy(...order);
}
