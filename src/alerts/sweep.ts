import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { alertDeliveries } from "../db/schema";

/**
 * Deletes up to `limit` alert deliveries fired before `cutoff` (epoch ms), for the retention sweep: the same
 * retention as logs (RETENTION_DAYS). Returns how many went. Deliveries are rare next to logs (one per alert and
 * channel), so the oldest-first scan needs no time index of its own.
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
