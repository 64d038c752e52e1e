import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { alertDeliveries } from "../db/schema";

/**
 * Deletes up to `limit` alert deliveries fired before `cutoff`, with the logs' retention (RETENTION_DAYS); returns
 * the count. Deliveries are rare, so the oldest-first scan needs no time index.
 */
export async function deleteExpiredDeliveries(db: Db, cutoff: number, limit: number): Promise<number> {
  const oldest = db
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(lt(alertDeliveries.firedAt, cutoff))
    .limit(limit);
  const rows = await db
    .delete(alertDeliveries)
    .where(inArray(alertDeliveries.id, sql`${oldest}`))
    .returning({ id: alertDeliveries.id });
  return rows.length;
}
