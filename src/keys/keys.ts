import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { ControlDb } from "../db/client";
import { type ApiKeyScope, apiKeys } from "../db/control-schema";
import { fromHex, sha256 } from "../lib/credentials";
import type { CachedKey, VerifiedKeyCache } from "./key-cache";

export type KeyCheck =
  | {
      ok: true;
      accountId: string;
      keyId: string;
      scope: ApiKeyScope;
      /** Whether to write last_used_at now. */
      recordUse: boolean;
    }
  | { ok: false; reason: "invalid" | "wrong-account" };

/** Where verified keys may be remembered, for how long, and the clock to judge it by. */
export interface KeyCacheOptions {
  cache: VerifiedKeyCache;
  ttlMs: number;
  now: number;
}

/** last_used_at is written at most this often per key, so reads do not turn into a write per request. */
export const USE_RECORD_INTERVAL_MS = 60_000;

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

/** The stored key as a cache entry trusted until `trustUntil` or its expiry; null if unknown, wrong or revoked. */
async function loadKey(
  db: ControlDb,
  keyId: string,
  presented: Uint8Array,
  now: number,
  trustUntil: number,
): Promise<CachedKey | null> {
  const [row] = await db
    .select({
      accountId: apiKeys.accountId,
      secretHash: apiKeys.secretHash,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
      scope: apiKeys.scope,
      keyExpiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.id, keyId))
    .limit(1);
  const stored = row && /^[0-9a-f]{64}$/.test(row.secretHash) ? fromHex(row.secretHash) : DUMMY_HASH;
  const match = digestsEqual(presented, stored);
  if (!row || !match || row.revokedAt !== null) return null;
  if (row.keyExpiresAt !== null && row.keyExpiresAt <= now) return null;
  return {
    accountId: row.accountId,
    secretHash: stored,
    scope: row.scope,
    expiresAt: Math.min(trustUntil, row.keyExpiresAt ?? Number.POSITIVE_INFINITY),
    lastUsedAt: row.lastUsedAt,
  };
}

/**
 * Verifies a key/secret pair, never saying which half was wrong; revoked and expired are "invalid". With a cache,
 * a key verified within `ttlMs` is checked against the remembered hash instead of D1.
 */
export async function verifyApiKey(
  db: ControlDb,
  keyId: string,
  secret: string,
  accountId: string,
  cacheOptions?: KeyCacheOptions,
): Promise<KeyCheck> {
  const now = cacheOptions?.now ?? Date.now();
  const cache = cacheOptions && cacheOptions.ttlMs > 0 ? cacheOptions.cache : undefined;
  const presented = await sha256(secret);
  let entry = cache?.get(keyId, now);
  if (entry) {
    if (!digestsEqual(presented, entry.secretHash)) return { ok: false, reason: "invalid" };
  } else {
    entry = (await loadKey(db, keyId, presented, now, now + (cacheOptions?.ttlMs ?? 0))) ?? undefined;
    if (!entry) return { ok: false, reason: "invalid" };
    cache?.set(keyId, entry);
  }
  if (entry.accountId !== accountId) return { ok: false, reason: "wrong-account" };
  const recordUse = entry.lastUsedAt === null || entry.lastUsedAt < now - USE_RECORD_INTERVAL_MS;
  if (recordUse) entry.lastUsedAt = now;
  return { ok: true, accountId: entry.accountId, keyId, scope: entry.scope, recordUse };
}

/** Records use at most once per USE_RECORD_INTERVAL_MS per key, whatever several isolates decide. */
export async function touchApiKey(db: ControlDb, keyId: string, now: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - USE_RECORD_INTERVAL_MS))),
    );
}
