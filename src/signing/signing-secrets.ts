import { and, desc, eq, gt } from "drizzle-orm";
import {
  DEFAULT_SIGNING_SECRET_GRACE_MS,
  revokeRetiredSigningSecretsStatements,
  rotateSigningSecretStatements,
} from "../accounts/provision";
import type { Db } from "../db/client";
import { accounts, retiredSigningSecrets } from "../db/schema";
import { newSigningSecret } from "../lib/credentials";
import type { Statement } from "../shards/sql-runner";

/**
 * The secrets signing at `nowMs`: the current one, then retired ones still in grace, newest first; null without
 * the account. Signing with all lets old receivers and queued callbacks keep verifying during a rotation.
 */
export async function activeSigningSecrets(db: Db, accountId: string, nowMs: number): Promise<string[] | null> {
  const [account] = await db
    .select({ secret: accounts.signingSecret })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  if (!account) return null;
  const retired = await db
    .select({ secret: retiredSigningSecrets.secret })
    .from(retiredSigningSecrets)
    .where(and(eq(retiredSigningSecrets.accountId, accountId), gt(retiredSigningSecrets.expiresAt, nowMs)))
    .orderBy(desc(retiredSigningSecrets.retiredAt));
  return [account.secret, ...retired.map((r) => r.secret).filter((s) => s !== account.secret)];
}

/** Retired secrets still in their grace period at `nowMs`, newest first (never the secrets themselves). */
export async function signingSecretGrace(
  db: Db,
  accountId: string,
  nowMs: number,
): Promise<Array<{ retiredAt: number; expiresAt: number }>> {
  return db
    .select({ retiredAt: retiredSigningSecrets.retiredAt, expiresAt: retiredSigningSecrets.expiresAt })
    .from(retiredSigningSecrets)
    .where(and(eq(retiredSigningSecrets.accountId, accountId), gt(retiredSigningSecrets.expiresAt, nowMs)))
    .orderBy(desc(retiredSigningSecrets.retiredAt));
}

export interface Rotation {
  /** The new secret: returned once, by this call only. */
  secret: string;
  /** When the replaced secret stops signing (epoch ms); equal to `now` for a hard cut (grace 0). */
  previousExpiresAt: number;
}

/**
 * Rotates the signing secret in one D1 batch: the old one keeps signing for `graceMs` (default 24 h); 0 retires
 * all at once. Statements from provision.ts, so the CLI rotates the same way.
 */
export async function rotateSigningSecret(
  db: Db,
  accountId: string,
  nowMs: number,
  graceMs = DEFAULT_SIGNING_SECRET_GRACE_MS,
): Promise<Rotation> {
  const secret = newSigningSecret();
  await runStatements(db.$client, rotateSigningSecretStatements(accountId, secret, nowMs, graceMs));
  return { secret, previousExpiresAt: nowMs + graceMs };
}

/** Drops every retired secret still in its grace: from now on only the current secret signs. */
export async function revokeRetiredSigningSecrets(db: Db, accountId: string): Promise<void> {
  await runStatements(db.$client, revokeRetiredSigningSecretsStatements(accountId));
}

/** Runs provisioning statements as one D1 batch (on a binding or a session of one). */
export async function runStatements(d1: D1Database | D1DatabaseSession, statements: Statement[]): Promise<void> {
  await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
}
