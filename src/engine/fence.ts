import { eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { accounts } from "../db/schema";

/**
 * The account fence of a move between shards (src/shards/move.ts): while the source shard's account row has
 * `fenced_at`, no slot of the account is claimed and no run of it is leased there. The condition sits inside the
 * claim's and the lease's own statements, so a tick or consumer that read the account before the fence was set
 * still cannot act after it: the copy then sees a quiescent account.
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
