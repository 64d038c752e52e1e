import { and, asc, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { outbox } from "../db/schema";
import type { EngineMessage, OutboxEntry } from "../lib/messages";
import { logExists } from "../logs/store";
import { idChunks } from "./ledger";

/**
 * Inserts the entry in the recording batch, before the log: only the call that records the attempt (its log does
 * not exist yet) writes follow-ups, so a duplicate recording cannot re-add an entry already sent and deleted.
 * `when` adds a condition evaluated before the batch's job UPDATE (on_change callbacks compare with the previous
 * outcome).
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

/** Entries older than `before` (ms): their attempt's own send failed and nothing redelivered it. */
export async function findStaleOutboxEntries(db: Db, before: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
    .select()
    .from(outbox)
    .where(lt(outbox.createdAt, before))
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
