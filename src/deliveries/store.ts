import { and, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { cronJobs, type DeliveryKind, type DeliveryState, deliveries } from "../db/schema";

export type DeliveryRow = typeof deliveries.$inferSelect;
/** A delivery as its cause writes it; the rest starts pending with no attempt. */
export type NewDelivery = Omit<
  DeliveryRow,
  "state" | "attempts" | "lastStatusCode" | "lastError" | "nextAttemptAt" | "deliveredAt" | "leaseUntil"
>;

/** How long an attempt holds its row: the send's 10 s timeout plus recording; a concurrent duplicate is `busy`. */
export const DELIVERY_LEASE_MS = 60_000;

/** The row, for the recording batch: written only when `condition` holds (its outbox entry's own), due at once. */
export function insertDeliveryStatement(db: Db, row: NewDelivery, condition: SQL) {
  return insertWhere(db, deliveries, { ...row, state: "pending", attempts: 0, nextAttemptAt: row.firedAt }, condition);
}

export type Claim = { kind: "claimed"; row: DeliveryRow } | { kind: "busy" } | { kind: "done" };

/**
 * Takes attempt `attempt`: the row must be pending with exactly `attempt` attempts and no live lease. A duplicate
 * or already-retried message finds `done`; one racing the same attempt finds `busy`.
 */
export async function claimDelivery(db: Db, id: string, attempt: number, now: number): Promise<Claim> {
  const [row] = await db
    .update(deliveries)
    .set({ leaseUntil: now + DELIVERY_LEASE_MS })
    .where(
      and(
        eq(deliveries.id, id),
        eq(deliveries.state, "pending"),
        eq(deliveries.attempts, attempt),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      ),
    )
    .returning();
  if (row) return { kind: "claimed", row };
  const [current] = await db.select().from(deliveries).where(eq(deliveries.id, id)).limit(1);
  const busy = current?.state === "pending" && current.attempts === attempt && (current.leaseUntil ?? 0) >= now;
  return busy ? { kind: "busy" } : { kind: "done" };
}

export interface Settlement {
  state: DeliveryState;
  error: string | null;
  statusCode: number | null;
  deliveredAt?: number | null;
  /** When the retry is due (pending only). */
  nextAttemptAt?: number | null;
}

/** Records the outcome of attempt `attempt` (one more attempt made) and releases the row. */
export async function settleDelivery(db: Db, id: string, attempt: number, outcome: Settlement): Promise<void> {
  await db
    .update(deliveries)
    .set({
      state: outcome.state,
      attempts: attempt + 1,
      lastError: outcome.error,
      lastStatusCode: outcome.statusCode,
      deliveredAt: outcome.deliveredAt ?? null,
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      leaseUntil: null,
    })
    .where(and(eq(deliveries.id, id), eq(deliveries.attempts, attempt)));
}

/** Marks a delivery the dead-letter queue received: it will not be tried again. */
export async function abandonDelivery(db: Db, id: string, reason: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ state: "failed", lastError: reason, nextAttemptAt: null, leaseUntil: null })
    .where(and(eq(deliveries.id, id), eq(deliveries.state, "pending")));
}

/** A job's deliveries show while the job is live (a deleted job's logs are gone from every list too). */
const visible = sql`(${deliveries.source} <> 'job' OR EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${deliveries.sourceId} AND ${cronJobs.deletedAt} IS NULL))`;

const liveJob = (db: Db, accountId: string, jobId: string) =>
  db
    .select({ id: cronJobs.id })
    .from(cronJobs)
    .where(and(eq(cronJobs.id, jobId), eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)));

const newestFirst = [desc(deliveries.firedAt), desc(deliveries.id)];

/** A page of a live job's alert deliveries, newest first, and their total; null when the job is not live. */
export async function listAlertDeliveries(
  db: Db,
  accountId: string,
  jobId: string,
  page: number,
  limit: number,
): Promise<{ rows: DeliveryRow[]; total: number } | null> {
  const where = and(
    eq(deliveries.sourceId, jobId),
    eq(deliveries.source, "job"),
    eq(deliveries.accountId, accountId),
    eq(deliveries.kind, "alert"),
  );
  const [job, rows, total] = await db.batch([
    liveJob(db, accountId, jobId),
    db
      .select()
      .from(deliveries)
      .where(where)
      .orderBy(...newestFirst)
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(deliveries).where(where),
  ]);
  if (job.length === 0) return null;
  return { rows, total: total[0]?.n ?? 0 };
}

export interface DeliveryFilters {
  cronJobId?: string;
  kind?: DeliveryKind;
  state?: DeliveryState;
}

/** A row's place in the newest-first order. */
export interface DeliveryPosition {
  firedAt: number;
  id: string;
}

/** Page-number paging (with a total) or keyset paging after a cursor's position, like logs. */
export type DeliveryPaging = { page: number; limit: number } | { after: DeliveryPosition; limit: number };

export interface DeliveriesPage {
  rows: DeliveryRow[];
  /** Page-number paging only. */
  totalItems?: number;
  /** The last row's position when more rows follow, else null. */
  next: DeliveryPosition | null;
}

/**
 * A page of the account's deliveries, newest first, with the job check (`cron_job_id`) in the same round trip; one
 * extra row tells whether another page follows. Null when the filtered job is not live.
 */
export async function findDeliveriesPage(
  db: Db,
  accountId: string,
  f: DeliveryFilters,
  paging: DeliveryPaging,
): Promise<DeliveriesPage | null> {
  const filters = and(
    eq(deliveries.accountId, accountId),
    f.cronJobId === undefined ? undefined : and(eq(deliveries.source, "job"), eq(deliveries.sourceId, f.cronJobId)),
    f.kind === undefined ? undefined : eq(deliveries.kind, f.kind),
    f.state === undefined ? undefined : eq(deliveries.state, f.state),
    f.cronJobId === undefined ? visible : undefined,
  ) as SQL;
  const after =
    "after" in paging
      ? or(
          lt(deliveries.firedAt, paging.after.firedAt),
          and(eq(deliveries.firedAt, paging.after.firedAt), lt(deliveries.id, paging.after.id)),
        )
      : undefined;
  const offset = "after" in paging ? 0 : (paging.page - 1) * paging.limit;
  const select = db
    .select()
    .from(deliveries)
    .where(and(filters, after))
    .orderBy(...newestFirst)
    .limit(paging.limit + 1)
    .offset(offset);
  const job = f.cronJobId === undefined ? [] : [liveJob(db, accountId, f.cronJobId)];
  const total = "after" in paging ? [] : [db.select({ n: count() }).from(deliveries).where(filters)];
  // One round trip: the job's check, the page, the total (page numbers only).
  const results = (await db.batch([...job, select, ...total] as unknown as Parameters<
    Db["batch"]
  >[0])) as unknown as unknown[][];
  if (job.length > 0 && results[0]?.length === 0) return null;
  const rows = results[job.length] as DeliveryRow[];
  const counted = results[job.length + 1] as Array<{ n: number }> | undefined;
  const page = rows.slice(0, paging.limit);
  const last = page.at(-1);
  const next = rows.length > paging.limit && last ? { firedAt: last.firedAt, id: last.id } : null;
  return "after" in paging ? { rows: page, next } : { rows: page, totalItems: counted?.[0]?.n ?? 0, next };
}

/** One of the account's visible deliveries, or undefined. */
export async function findDelivery(db: Db, accountId: string, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.id, id), eq(deliveries.accountId, accountId), visible))
    .limit(1);
  return row;
}

/** Whether another attempt holds the row now. */
export const inFlight = (row: Pick<DeliveryRow, "state" | "leaseUntil">, now: number) =>
  row.state === "pending" && row.leaseUntil !== null && row.leaseUntil >= now;

/**
 * Puts a settled (or waiting) delivery back to pending, due now, for a redelivery of attempt `row.attempts`; only
 * while its attempts and lease are as read. `redelivered` is the condition its outbox entry is written under.
 */
export function redeliverStatement(db: Db, row: Pick<DeliveryRow, "id" | "attempts">, now: number) {
  return db
    .update(deliveries)
    .set({ state: "pending", nextAttemptAt: now, deliveredAt: null, leaseUntil: null })
    .where(
      and(
        eq(deliveries.id, row.id),
        eq(deliveries.attempts, row.attempts),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      ),
    )
    .returning();
}

/** True (in SQL) once redeliverStatement has put the row back for attempt `row.attempts` at `now`. */
export const redelivered = (row: Pick<DeliveryRow, "id" | "attempts">, now: number) =>
  sql`EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.id} = ${row.id} AND ${deliveries.state} = 'pending' AND ${deliveries.attempts} = ${row.attempts} AND ${deliveries.nextAttemptAt} = ${now} AND ${deliveries.leaseUntil} IS NULL)`;

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
