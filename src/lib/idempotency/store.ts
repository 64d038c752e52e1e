import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";

/** How long a key's first response is replayed (ms): 24 hours, as Stripe and the IETF httpapi draft suggest. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** A first request still unanswered after this long (its isolate died) no longer holds its key (ms). */
export const IDEMPOTENCY_ABANDONED_MS = 5 * 60_000;

export type KeyClaim =
  | { kind: "new" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "mismatch" }
  | { kind: "in-progress" }
  | { kind: "limit" };

/** The account's keys still within their window: what MAX_IDEMPOTENCY_KEYS counts. */
const liveKeys = (accountId: string, now: number) =>
  sql`(SELECT count(*) FROM ${idempotencyKeys} WHERE ${idempotencyKeys.accountId} = ${accountId} AND ${idempotencyKeys.createdAt} >= ${now - IDEMPOTENCY_WINDOW_MS})`;

/**
 * Claims `key` for a request with `fingerprint` (one statement, so two concurrent requests cannot both win): a
 * key never seen, expired (older than the window) or abandoned becomes this request's (`new`) while the account
 * has fewer than `limit` live keys (`limit` otherwise); a live key's stored first request decides — its response
 * (`replay`), a different request (`mismatch`), or still running.
 */
export async function claimIdempotencyKey(
  db: Db,
  accountId: string,
  key: string,
  fingerprint: string,
  now: number,
  limit: number,
): Promise<KeyClaim> {
  const won = await db.all(
    sql`INSERT INTO ${idempotencyKeys} (account_id, key, fingerprint, status, response_body, created_at)
      SELECT ${accountId}, ${key}, ${fingerprint}, NULL, NULL, ${now} WHERE ${liveKeys(accountId, now)} < ${limit}
      ON CONFLICT (account_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = NULL,
        response_body = NULL, created_at = excluded.created_at
      WHERE ${idempotencyKeys.createdAt} < ${now - IDEMPOTENCY_WINDOW_MS}
        OR (${idempotencyKeys.status} IS NULL AND ${idempotencyKeys.createdAt} < ${now - IDEMPOTENCY_ABANDONED_MS})
      RETURNING created_at`,
  );
  if (won.length > 0) return { kind: "new" };
  const [first] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key)))
    .limit(1);
  const takeable =
    !first ||
    first.createdAt < now - IDEMPOTENCY_WINDOW_MS ||
    (first.status === null && first.createdAt < now - IDEMPOTENCY_ABANDONED_MS);
  if (takeable) {
    // Nothing live holds the key: the limit kept this request from taking it, or its holder freed it meanwhile.
    const [live] = await db.all<{ n: number }>(sql`SELECT ${liveKeys(accountId, now)} AS n`);
    return (live?.n ?? 0) >= limit ? { kind: "limit" } : { kind: "new" };
  }
  if (first.fingerprint !== fingerprint) return { kind: "mismatch" };
  if (first.status === null || first.responseBody === null) return { kind: "in-progress" };
  return { kind: "replay", status: first.status, body: first.responseBody };
}

/** Keeps the first request's response for replay. */
export async function storeIdempotentResponse(db: Db, accountId: string, key: string, status: number, body: string) {
  await db
    .update(idempotencyKeys)
    .set({ status, responseBody: body })
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key)));
}

/** Frees a key whose first request failed, so that a retry with it runs again. */
export async function releaseIdempotencyKey(db: Db, accountId: string, key: string) {
  await db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.status)));
}

/** Deletes up to `limit` keys older than the window before `now` (the retention sweep); returns how many. */
export async function deleteExpiredIdempotencyKeys(db: Db, now: number, limit: number): Promise<number> {
  const res = await db.run(
    sql`DELETE FROM ${idempotencyKeys} WHERE rowid IN (SELECT rowid FROM ${idempotencyKeys} WHERE ${idempotencyKeys.createdAt} < ${now - IDEMPOTENCY_WINDOW_MS} LIMIT ${limit})`,
  );
  return res.meta.changes ?? 0;
}
