import type { Db } from "../db/client";
import { TtlCache } from "../lib/ttl-cache";
import { loadAccountsConfig } from "./repository";
import { type AccountRules, accountRules } from "./rules";

/**
 * Accounts' calendars and maintenance windows cached per isolate for DIRECTORY_CACHE_SECONDS, like the shard
 * directory (src/shards/directory.ts): an edit applies within that TTL (at once in the isolate that made it).
 */
export const rulesCache = new TtlCache<AccountRules>();

/** The same default as DIRECTORY_CACHE_SECONDS (src/config.ts). */
export const DEFAULT_RULES_TTL_MS = 10_000;

/** The rules of each account, from the cache or one batch for all the misses. */
export async function rulesFor(
  db: Db,
  accountIds: Iterable<string>,
  now: number,
  ttlMs = DEFAULT_RULES_TTL_MS,
): Promise<Map<string, AccountRules>> {
  const out = new Map<string, AccountRules>();
  const missing: string[] = [];
  for (const id of new Set(accountIds)) {
    const hit = rulesCache.get(id, now);
    if (hit) out.set(id, hit);
    else missing.push(id);
  }
  // ≤ 100 ids per statement: D1's bound-parameter limit.
  for (let i = 0; i < missing.length; i += 100) {
    const ids = missing.slice(i, i + 100);
    const loaded = await loadAccountsConfig(db, ids);
    for (const id of ids) {
      const rules = accountRules(
        loaded.calendars.filter((c) => c.accountId === id),
        loaded.windows.filter((w) => w.accountId === id),
      );
      out.set(id, rules);
      if (ttlMs > 0) rulesCache.set(id, rules, now + ttlMs);
    }
  }
  return out;
}

export async function rulesOf(db: Db, accountId: string, now: number, ttlMs?: number): Promise<AccountRules> {
  return (await rulesFor(db, [accountId], now, ttlMs)).get(accountId) as AccountRules;
}
