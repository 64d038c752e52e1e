import { and, count, desc, eq, gt, isNull, or } from "drizzle-orm";
import { newKey } from "../accounts/provision";
import type { ControlDb } from "../db/client";
import { type ApiKeyRow, type ApiKeyScope, apiKeys } from "../db/control-schema";
import { runStatements } from "../signing/signing-secrets";

/** A key as its owner may see it: everything but the secret's hash. */
export type KeyInfo = Omit<ApiKeyRow, "secretHash">;

const infoColumns = {
  id: apiKeys.id,
  accountId: apiKeys.accountId,
  name: apiKeys.name,
  scope: apiKeys.scope,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
};

/** An account's keys, newest first, revoked and expired ones included (they say so). */
export function listKeys(db: ControlDb, accountId: string): Promise<KeyInfo[]> {
  return db
    .select(infoColumns)
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export function findKey(db: ControlDb, accountId: string, keyId: string): Promise<KeyInfo | undefined> {
  return db
    .select(infoColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId)))
    .limit(1)
    .then((rows) => rows[0]);
}

export type CreatedKey = { ok: true; key: KeyInfo; secret: string } | { ok: false; reason: "limit" | "no-account" };

/** Creates a key with the CLI's statement (provision.ts) unless `maxActive` is reached; the secret is returned once. */
export async function createKey(
  db: ControlDb,
  accountId: string,
  now: number,
  options: { name: string; scope: ApiKeyScope; expiresAt: number | null; maxActive: number },
): Promise<CreatedKey> {
  const k = await newKey(accountId, now, {}, options);
  await runStatements(db.$client, k.statements);
  const key = await findKey(db, accountId, k.api_key);
  if (key) return { ok: true, key, secret: k.api_secret };
  const [row] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    );
  return { ok: false, reason: (row?.n ?? 0) >= options.maxActive ? "limit" : "no-account" };
}

/** Revokes a key of the account (idempotent: revoking twice keeps the first time). Undefined if no such key. */
export async function revokeKey(
  db: ControlDb,
  accountId: string,
  keyId: string,
  now: number,
): Promise<KeyInfo | undefined> {
  await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
  return findKey(db, accountId, keyId);
}
