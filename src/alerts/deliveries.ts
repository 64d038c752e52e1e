import { and, count, desc, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { type AlertDeliveryStatus, alertDeliveries, cronJobs } from "../db/schema";

export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;
export type NewAlertDelivery = Omit<
  AlertDeliveryRow,
  "status" | "attempts" | "lastError" | "deliveredAt" | "leaseUntil"
>;

/** How long an attempt holds its row: the send's 10 s timeout plus recording; a concurrent duplicate is `busy`. */
export const DELIVERY_LEASE_MS = 60_000;

/** The delivery row, for the recording batch: written only when `condition` holds (the outbox entry's own). */
export function insertDeliveryStatement(db: Db, row: NewAlertDelivery, condition: SQL) {
  return insertWhere(db, alertDeliveries, { ...row, status: "pending", attempts: 0 }, condition);
}

export type Claim = { kind: "claimed"; row: AlertDeliveryRow } | { kind: "busy" } | { kind: "done" };

/**
 * Takes attempt `attempt`: the row must be pending with exactly `attempt` attempts and no live lease. A duplicate
 * or already-retried message finds `done`; one racing the same attempt finds `busy`.
 */
export async function claimDelivery(db: Db, id: string, attempt: number, now: number): Promise<Claim> {
  const [row] = await db
    .update(alertDeliveries)
    .set({ leaseUntil: now + DELIVERY_LEASE_MS })
    .where(
      and(
        eq(alertDeliveries.id, id),
        eq(alertDeliveries.status, "pending"),
        eq(alertDeliveries.attempts, attempt),
        or(isNull(alertDeliveries.leaseUntil), lt(alertDeliveries.leaseUntil, now)),
      ),
    )
    .returning();
  if (row) return { kind: "claimed", row };
  const [current] = await db.select().from(alertDeliveries).where(eq(alertDeliveries.id, id)).limit(1);
  const busy = current?.status === "pending" && current.attempts === attempt && (current.leaseUntil ?? 0) >= now;
  return busy ? { kind: "busy" } : { kind: "done" };
}

/** Records the outcome of attempt `attempt` (one more attempt made) and releases the row. */
export async function settleDelivery(
  db: Db,
  id: string,
  attempt: number,
  outcome: { status: AlertDeliveryStatus; error: string | null; deliveredAt?: number | null },
): Promise<void> {
  await db
    .update(alertDeliveries)
    .set({
      status: outcome.status,
      attempts: attempt + 1,
      lastError: outcome.error,
      deliveredAt: outcome.deliveredAt ?? null,
      leaseUntil: null,
    })
    .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.attempts, attempt)));
}

/** Marks a delivery the dead-letter queue received: it will not be tried again. */
export async function abandonDelivery(db: Db, id: string, reason: string): Promise<void> {
  await db
    .update(alertDeliveries)
    .set({ status: "failed", lastError: reason, leaseUntil: null })
    .where(and(eq(alertDeliveries.id, id), eq(alertDeliveries.status, "pending")));
}

/** A page of a live job's alert deliveries, newest first, and their total; null when the job is not live. */
export async function listDeliveries(
  db: Db,
  accountId: string,
  jobId: string,
  page: number,
  limit: number,
): Promise<{ rows: AlertDeliveryRow[]; total: number } | null> {
  const where = and(eq(alertDeliveries.cronJobId, jobId), eq(alertDeliveries.accountId, accountId));
  const [job, rows, total] = await db.batch([
    db
      .select({ id: cronJobs.id })
      .from(cronJobs)
      .where(and(eq(cronJobs.id, jobId), eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt))),
    db
      .select()
      .from(alertDeliveries)
      .where(where)
      .orderBy(desc(alertDeliveries.firedAt), desc(alertDeliveries.id))
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(alertDeliveries).where(where),
  ]);
  if (job.length === 0) return null;
  return { rows, total: total[0]?.n ?? 0 };
}
