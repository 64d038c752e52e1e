import { and, asc, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { outbox } from "../db/schema";
import type { EngineMessage, OutboxEntry } from "../lib/messages";
import { logExists } from "../logs/store";
import { accountNotFenced } from "./fence";
import { idChunks } from "./ledger";

/**
 * Inserted in the recording batch before the log, so a duplicate recording cannot re-add a sent entry.
 * `when` is evaluated before the job's UPDATE (on_change compares with the previous outcome).
 */
export function insertOutboxStatement(db: Db, executionId: string, e: OutboxEntry, now: number, when = sql`1`) {
  return insertWhere(
    db,
    outbox,
    { id: e.id, accountId: e.accountId, message: JSON.stringify(e.message), createdAt: now },
    sql`NOT ${logExists(executionId)} AND (${when})`,
  );
}

/** The unsent follow-ups of one attempt. */
export async function findOutboxEntries(db: Db, executionId: string): Promise<OutboxEntry[]> {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(gte(outbox.id, `${executionId}:`), lt(outbox.id, `${executionId};`)))
    .orderBy(asc(outbox.id));
  return rows.map(parse);
}

/**
 * Entries older than `before` (ms): their attempt's own send failed and nothing redelivered it. A fenced account's
 * wait: sending deletes the entry, a write the move's copy would not carry.
 */
export async function findStaleOutboxEntries(db: Db, before: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(lt(outbox.createdAt, before), accountNotFenced(outbox.accountId)))
    .orderBy(asc(outbox.createdAt))
    .limit(limit);
  return rows.map(parse);
}

/** Deletes sent entries: one statement per 99 ids (D1's 100 bound parameters), for a batch. */
export function deleteOutboxStatements(db: Db, ids: readonly string[]) {
  return idChunks(ids).map((chunk) => db.delete(outbox).where(inArray(outbox.id, chunk)));
}

function parse(row: typeof outbox.$inferSelect): OutboxEntry {
  return { id: row.id, accountId: row.accountId, message: JSON.parse(row.message) as EngineMessage };
}
