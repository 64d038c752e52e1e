import { and, asc, eq, gt, max, min, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, alertEmailRecipients, confirmationSends } from "../db/schema";

export type RecipientRow = typeof alertEmailRecipients.$inferSelect;

/** A confirmation e-mail is sent again for the same address at most this often (ms): no tenant can mail-bomb one. */
export const CONFIRMATION_RESEND_MS = 10 * 60_000;

const encoder = new TextEncoder();

/** Hex SHA-256 of a token: only the hash is stored, so a database read cannot confirm an address. */
export async function tokenHash(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** 32 random bytes, base64url: the one-time token of a confirmation link. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function findRecipient(db: Db, accountId: string, email: string): Promise<RecipientRow | undefined> {
  const [row] = await db
    .select()
    .from(alertEmailRecipients)
    .where(and(eq(alertEmailRecipients.accountId, accountId), eq(alertEmailRecipients.email, email)))
    .limit(1);
  return row;
}

export function listRecipients(db: Db, accountId: string): Promise<RecipientRow[]> {
  return db
    .select()
    .from(alertEmailRecipients)
    .where(eq(alertEmailRecipients.accountId, accountId))
    .orderBy(asc(alertEmailRecipients.email));
}

/** Whether alerts may be mailed to `email` for the account: only after its double opt-in. */
export async function isConfirmed(db: Db, accountId: string, email: string): Promise<boolean> {
  return (await findRecipient(db, accountId, email))?.status === "confirmed";
}

/** The per-account limits of the double opt-in (src/config.ts MAX_ALERT_RECIPIENTS, MAX_CONFIRMATION_EMAILS_PER_HOUR). */
export interface ConfirmationLimits {
  maxRecipients: number;
  maxEmailsPerHour: number;
}

const HOUR_MS = 3_600_000;

export type RequestOutcome =
  | { kind: "confirmed"; row: RecipientRow }
  | { kind: "throttled"; row: RecipientRow }
  | { kind: "send"; row: RecipientRow; token: string }
  | { kind: "recipient-limit"; limit: number }
  | { kind: "hourly-limit"; limit: number; retryAfterSeconds: number };

/** The newest confirmation e-mail sent to the address for the account, recipient deleted or not. */
async function lastSent(db: Db, accountId: string, email: string): Promise<number | null> {
  const [row] = await db
    .select({ at: max(confirmationSends.sentAt) })
    .from(confirmationSends)
    .where(and(eq(confirmationSends.accountId, accountId), eq(confirmationSends.email, email)));
  return row?.at ?? null;
}

const recipientCount = (accountId: string) =>
  sql`(SELECT count(*) FROM ${alertEmailRecipients} WHERE ${alertEmailRecipients.accountId} = ${accountId})`;

/**
 * Inserts the recipient unless the account already has `limit` (one statement, so concurrent requests cannot
 * overshoot), or renews a pending one's token. Undefined when the limit refused it.
 */
async function upsertRecipient(
  db: Db,
  accountId: string,
  email: string,
  hash: string | null,
  sentAt: number | null,
  now: number,
  limit: number,
): Promise<RecipientRow | undefined> {
  await db.run(
    sql`INSERT INTO ${alertEmailRecipients} (account_id, email, status, token_hash, created_at, confirmation_sent_at)
      SELECT ${accountId}, ${email}, 'pending', ${hash}, ${now}, ${sentAt} WHERE ${recipientCount(accountId)} < ${limit}
      ON CONFLICT (account_id, email) DO UPDATE SET token_hash = excluded.token_hash,
        confirmation_sent_at = excluded.confirmation_sent_at WHERE ${alertEmailRecipients.status} = 'pending'`,
  );
  return findRecipient(db, accountId, email);
}

/**
 * Registers `email` for the account (pending) or renews its token, unless it is confirmed already, a confirmation
 * went to the address less than CONFIRMATION_RESEND_MS ago (deleted recipients included: the sends are kept in
 * confirmation_sends), the account has sent `maxEmailsPerHour` confirmations in the last hour, or a new address
 * would exceed `maxRecipients`. A renewal replaces the token: only the newest link confirms. The caller sends the
 * confirmation e-mail for `send`.
 */
export async function requestConfirmation(
  db: Db,
  accountId: string,
  email: string,
  now: number,
  limits: ConfirmationLimits,
): Promise<RequestOutcome> {
  const current = await findRecipient(db, accountId, email);
  if (current?.status === "confirmed") return { kind: "confirmed", row: current };
  const atLimit = { kind: "recipient-limit", limit: limits.maxRecipients } as const;
  const throttled = async (sentAt: number): Promise<RequestOutcome> => {
    // Re-added within the interval: pending again, without a link until the interval is over.
    const row = current ?? (await upsertRecipient(db, accountId, email, null, sentAt, now, limits.maxRecipients));
    return row ? { kind: "throttled", row } : atLimit;
  };
  // A row's own confirmation_sent_at covers sends from before confirmation_sends existed.
  const previous = Math.max((await lastSent(db, accountId, email)) ?? 0, current?.confirmationSentAt ?? 0) || null;
  if (previous !== null && now - previous < CONFIRMATION_RESEND_MS) return throttled(previous);
  if (!current) {
    const [n] = await db.all<{ n: number }>(sql`SELECT ${recipientCount(accountId)} AS n`);
    if ((n?.n ?? 0) >= limits.maxRecipients) return atLimit;
  }
  // The claim of a send, one statement: neither a concurrent request for the address nor the hourly cap can be
  // overtaken between the check and the insert.
  const claimed = await db.all<Record<string, unknown>>(
    sql`INSERT INTO ${confirmationSends} (account_id, email, sent_at) SELECT ${accountId}, ${email}, ${now}
      WHERE NOT EXISTS (SELECT 1 FROM ${confirmationSends} WHERE ${confirmationSends.accountId} = ${accountId}
          AND ${confirmationSends.email} = ${email} AND ${confirmationSends.sentAt} > ${now - CONFIRMATION_RESEND_MS})
        AND (SELECT count(*) FROM ${confirmationSends} WHERE ${confirmationSends.accountId} = ${accountId}
          AND ${confirmationSends.sentAt} > ${now - HOUR_MS}) < ${limits.maxEmailsPerHour}
      ON CONFLICT DO NOTHING RETURNING sent_at`,
  );
  if (claimed.length === 0) {
    const raced = await lastSent(db, accountId, email);
    if (raced !== null && now - raced < CONFIRMATION_RESEND_MS) return throttled(raced);
    const [oldest] = await db
      .select({ at: min(confirmationSends.sentAt) })
      .from(confirmationSends)
      .where(and(eq(confirmationSends.accountId, accountId), gt(confirmationSends.sentAt, now - HOUR_MS)));
    const retryAt = (oldest?.at ?? now) + HOUR_MS;
    return {
      kind: "hourly-limit",
      limit: limits.maxEmailsPerHour,
      retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)),
    };
  }
  const token = newToken();
  const row = await upsertRecipient(db, accountId, email, await tokenHash(token), now, now, limits.maxRecipients);
  if (!row) {
    // Another request took the last recipient slot meanwhile: nothing is sent, so the claim goes.
    await forgetSend(db, accountId, email, now);
    return atLimit;
  }
  return { kind: "send", row, token };
}

async function forgetSend(db: Db, accountId: string, email: string, sentAt: number): Promise<void> {
  await db
    .delete(confirmationSends)
    .where(
      and(
        eq(confirmationSends.accountId, accountId),
        eq(confirmationSends.email, email),
        eq(confirmationSends.sentAt, sentAt),
      ),
    );
}

/** Forgets the confirmation sent at `sentAt` (its e-mail failed), so one may be sent again at once. */
export async function clearConfirmationSent(db: Db, accountId: string, email: string, sentAt: number): Promise<void> {
  await forgetSend(db, accountId, email, sentAt);
  await db
    .update(alertEmailRecipients)
    .set({ confirmationSentAt: null })
    .where(and(eq(alertEmailRecipients.accountId, accountId), eq(alertEmailRecipients.email, email)));
}

/** Deletes up to `limit` confirmation sends from before `cutoff` (epoch ms), for the retention sweep; how many went. */
export async function deleteExpiredConfirmationSends(db: Db, cutoff: number, limit: number): Promise<number> {
  const res = await db.run(
    sql`DELETE FROM ${confirmationSends} WHERE rowid IN (SELECT rowid FROM ${confirmationSends} WHERE ${confirmationSends.sentAt} < ${cutoff} LIMIT ${limit})`,
  );
  return res.meta.changes ?? 0;
}

/**
 * Confirms the pending recipient whose link carries `token`. The token works once: its hash stays on the confirmed
 * row only so that the link used again can say the address is confirmed already (`already`). Undefined when no
 * recipient of the account has this token (wrong, replaced by a newer link, or the address was removed); `moving`
 * when a move fences the account: nothing was written and the link keeps working.
 */
export async function confirmRecipient(
  db: Db,
  accountId: string,
  token: string,
  now: number,
): Promise<{ row: RecipientRow; already: boolean } | { moving: true } | undefined> {
  const hash = await tokenHash(token);
  const byToken = and(eq(alertEmailRecipients.accountId, accountId), eq(alertEmailRecipients.tokenHash, hash));
  const [confirmed] = await db
    .update(alertEmailRecipients)
    .set({ status: "confirmed", confirmedAt: now })
    .where(and(byToken, eq(alertEmailRecipients.status, "pending"), notFenced(accountId)))
    .returning();
  if (confirmed) return { row: confirmed, already: false };
  const [used] = await db.select().from(alertEmailRecipients).where(byToken).limit(1);
  if (used?.status === "pending") return { moving: true };
  return used?.status === "confirmed" ? { row: used, already: true } : undefined;
}

/**
 * While a move fences the account (src/shards/move.ts sets accounts.fenced_at), a write here would land on a copy
 * being replaced: the statement itself refuses, so no isolate with a stale directory entry writes after the fence.
 */
const notFenced = (accountId: string) =>
  sql`NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.id} = ${accountId} AND ${accounts.fencedAt} IS NOT NULL)`;

/** Removes a recipient (pending or confirmed): alerts to it stop. */
export async function deleteRecipient(db: Db, accountId: string, email: string): Promise<boolean> {
  const rows = await db
    .delete(alertEmailRecipients)
    .where(and(eq(alertEmailRecipients.accountId, accountId), eq(alertEmailRecipients.email, email)))
    .returning({ email: alertEmailRecipients.email });
  return rows.length === 1;
}

/** The confirmation e-mail: the link to the public confirm page (GET shows it, its button POSTs the token). */
export function confirmationEmail(email: string, link: string): { subject: string; text: string } {
  return {
    subject: "[edgecron] Confirm alert e-mails to this address",
    text:
      `Someone asked edgecron to send cron job alerts to ${email}.\n\n` +
      `To receive them, open this link and confirm:\n${link}\n\n` +
      "If you did not expect this, ignore this e-mail: nothing is sent to this address until it is confirmed.\n",
  };
}
