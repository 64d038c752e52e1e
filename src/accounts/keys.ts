import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { fromHex, sha256 } from "./credentials";

export type KeyCheck =
  | { ok: true; accountId: string; keyId: string }
  | { ok: false; reason: "invalid" | "wrong-account" };

/** Compared when the key id is unknown, so a miss costs the same as a wrong secret. */
const DUMMY_HASH = new Uint8Array(32);

/** Timing-safe equality of two 32-byte digests (Workers' crypto.subtle.timingSafeEqual). */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as SubtleCrypto & {
    timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean;
  };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Verifies a key/secret pair for an account. Never says which half was wrong. */
export async function verifyApiKey(db: Db, keyId: string, secret: string, accountId: string): Promise<KeyCheck> {
  const [row] = await db
    .select({ accountId: apiKeys.accountId, secretHash: apiKeys.secretHash, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, keyId))
    .limit(1);
  const presented = await sha256(secret);
  const stored = row && /^[0-9a-f]{64}$/.test(row.secretHash) ? fromHex(row.secretHash) : DUMMY_HASH;
  const match = digestsEqual(presented, stored);
  if (!row || !match || row.revokedAt !== null) return { ok: false, reason: "invalid" };
  if (row.accountId !== accountId) return { ok: false, reason: "wrong-account" };
  return { ok: true, accountId: row.accountId, keyId };
}

/** Records use at most once a minute per key, so reads do not turn into a write per request. */
export async function touchApiKey(db: Db, keyId: string, now: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - 60_000))));
}
