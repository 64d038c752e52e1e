import { eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { accounts } from "../db/schema";

/**
 * While a move sets `fenced_at` (src/shards/move.ts), no slot is claimed or run leased; the check sits inside
 * those statements, so no stale reader acts after it.
 */
export function accountNotFenced(accountIdColumn: SQLiteColumn): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.id} = ${accountIdColumn} AND ${accounts.fencedAt} IS NOT NULL)`;
}

/** Whether the account's row on this shard is fenced by a move. */
export async function isFenced(db: Db, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ fencedAt: accounts.fencedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  return row?.fencedAt != null;
}
