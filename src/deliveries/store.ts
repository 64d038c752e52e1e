import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { deliveries } from "../db/schema";

/**
 * Deletes up to `limit` deliveries fired before `cutoff`, with the logs' retention (RETENTION_DAYS); returns the
 * count. Rows are inserted in fired_at order, so the oldest-first rowid scan finds them first without a time index.
 */
export async function deleteExpiredDeliveries(db: Db, cutoff: number, limit: number): Promise<number> {
  const oldest = db.select({ id: deliveries.id }).from(deliveries).where(lt(deliveries.firedAt, cutoff)).limit(limit);
  const rows = await db
    .delete(deliveries)
    .where(inArray(deliveries.id, sql`${oldest}`))
    .returning({ id: deliveries.id });
  return rows.length;
}
