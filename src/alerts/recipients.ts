import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { alertEmailRecipients } from "../db/schema";

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

export type RequestOutcome =
  | { kind: "confirmed"; row: RecipientRow }
  | { kind: "throttled"; row: RecipientRow }
  | { kind: "send"; row: RecipientRow; token: string };

/**
 * Registers `email` for the account (pending) or renews its token, unless it is confirmed already or a
 * confirmation went out less than CONFIRMATION_RESEND_MS ago. A renewal replaces the token: only the newest link
 * confirms. The caller sends the confirmation e-mail for `send`.
 */
export async function requestConfirmation(
  db: Db,
  accountId: string,
  email: string,
  now: number,
): Promise<RequestOutcome> {
  const current = await findRecipient(db, accountId, email);
  if (current?.status === "confirmed") return { kind: "confirmed", row: current };
  if (current?.confirmationSentAt && now - current.confirmationSentAt < CONFIRMATION_RESEND_MS)
    return { kind: "throttled", row: current };
  const token = newToken();
  const hash = await tokenHash(token);
  const [row] = await db
    .insert(alertEmailRecipients)
    .values({ accountId, email, status: "pending", tokenHash: hash, createdAt: now, confirmationSentAt: now })
    .onConflictDoUpdate({
      target: [alertEmailRecipients.accountId, alertEmailRecipients.email],
      set: { tokenHash: hash, confirmationSentAt: now },
    })
    .returning();
  return { kind: "send", row: row as RecipientRow, token };
}

/** Forgets that a confirmation was sent (its e-mail failed), so one may be sent again at once. */
export async function clearConfirmationSent(db: Db, accountId: string, email: string): Promise<void> {
  await db
    .update(alertEmailRecipients)
    .set({ confirmationSentAt: null })
    .where(and(eq(alertEmailRecipients.accountId, accountId), eq(alertEmailRecipients.email, email)));
}

/** Confirms the pending recipient whose link carries `token` (one use: the token is cleared). */
export async function confirmRecipient(
  db: Db,
  accountId: string,
  token: string,
  now: number,
): Promise<RecipientRow | undefined> {
  const [row] = await db
    .update(alertEmailRecipients)
    .set({ status: "confirmed", confirmedAt: now, tokenHash: null })
    .where(
      and(
        eq(alertEmailRecipients.accountId, accountId),
        eq(alertEmailRecipients.tokenHash, await tokenHash(token)),
        eq(alertEmailRecipients.status, "pending"),
      ),
    )
    .returning();
  return row;
}

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
