import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { VerifiedKeyCache } from "../../src/accounts/key-cache";
import { USE_RECORD_INTERVAL_MS, verifyApiKey } from "../../src/accounts/keys";
import { revokeKeyStatement } from "../../src/accounts/provision";
import { createControlDb } from "../../src/db/client";
import { createAccount, run, type TestAccount } from "../helpers/accounts";

/** The real D1, counting the statements sent to it. */
function countingDb() {
  const counter = { statements: 0 };
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "withSession") return undefined; // count on the binding itself
      if (prop === "prepare") {
        return (sql: string) => {
          counter.statements++;
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: createControlDb(d1), counter };
}

const TTL = 10_000;

describe("verified-key cache (accounts/key-cache.ts + verifyApiKey)", () => {
  let acct: TestAccount;
  beforeAll(async () => {
    acct = await createAccount("Key cache");
  });

  it("a verified key is answered from the cache until it expires, then from D1 again", async () => {
    const cache = new VerifiedKeyCache();
    const { db, counter } = countingDb();
    const t0 = Date.now();
    const first = await verifyApiKey(db, acct.apiKey, acct.apiSecret, acct.accountId, { cache, ttlMs: TTL, now: t0 });
    expect(first).toMatchObject({ ok: true, accountId: acct.accountId, keyId: acct.apiKey });
    expect(counter.statements).toBe(1);
    const again = await verifyApiKey(db, acct.apiKey, acct.apiSecret, acct.accountId, {
      cache,
      ttlMs: TTL,
      now: t0 + TTL - 1,
    });
    expect(again.ok).toBe(true);
    expect(counter.statements).toBe(1); // no D1 round trip
    await verifyApiKey(db, acct.apiKey, acct.apiSecret, acct.accountId, { cache, ttlMs: TTL, now: t0 + TTL });
    expect(counter.statements).toBe(2); // expired: D1 again
  });

  it("a cached key with a wrong secret is refused without D1 (the presented secret is always hashed and compared)", async () => {
    const cache = new VerifiedKeyCache();
    const { db, counter } = countingDb();
    const now = Date.now();
    await verifyApiKey(db, acct.apiKey, acct.apiSecret, acct.accountId, { cache, ttlMs: TTL, now });
    const wrong = await verifyApiKey(db, acct.apiKey, `${acct.apiSecret}x`, acct.accountId, { cache, ttlMs: TTL, now });
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(counter.statements).toBe(1);
  });

  it("a cached key used on another account → wrong-account; wrong or unknown keys are never cached", async () => {
    const cache = new VerifiedKeyCache();
    const { db } = countingDb();
    const other = await createAccount("Key cache, other");
    const now = Date.now();
    await verifyApiKey(db, acct.apiKey, acct.apiSecret, acct.accountId, { cache, ttlMs: TTL, now });
    expect(await verifyApiKey(db, acct.apiKey, acct.apiSecret, other.accountId, { cache, ttlMs: TTL, now })).toEqual({
      ok: false,
      reason: "wrong-account",
    });
    await verifyApiKey(db, other.apiKey, "es_wrong", other.accountId, { cache, ttlMs: TTL, now });
    await verifyApiKey(db, "ek_unknown", "es_wrong", other.accountId, { cache, ttlMs: TTL, now });
    expect(cache.size).toBe(1);
  });

  it("revocation takes effect when the entry expires, and at once with ttl 0 (no cache)", async () => {
    const victim = await createAccount("Key cache, revoked");
    const cache = new VerifiedKeyCache();
    const { db } = countingDb();
    const t0 = Date.now();
    const opts = (now: number) => ({ cache, ttlMs: TTL, now });
    expect((await verifyApiKey(db, victim.apiKey, victim.apiSecret, victim.accountId, opts(t0))).ok).toBe(true);
    await run([revokeKeyStatement(victim.apiKey, t0)]);
    expect(
      await verifyApiKey(db, victim.apiKey, victim.apiSecret, victim.accountId, { cache, ttlMs: 0, now: t0 + 1 }),
    ).toEqual({ ok: false, reason: "invalid" });
    expect((await verifyApiKey(db, victim.apiKey, victim.apiSecret, victim.accountId, opts(t0 + 1))).ok).toBe(true);
    expect(await verifyApiKey(db, victim.apiKey, victim.apiSecret, victim.accountId, opts(t0 + TTL))).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(cache.size).toBe(0);
  });

  it("asks for last_used_at to be written at most once per interval per key", async () => {
    const fresh = await createAccount("Key cache, last use");
    const cache = new VerifiedKeyCache();
    const { db } = countingDb();
    const t0 = Date.now();
    const use = async (now: number) =>
      verifyApiKey(db, fresh.apiKey, fresh.apiSecret, fresh.accountId, { cache, ttlMs: TTL * 100, now });
    expect(await use(t0)).toMatchObject({ ok: true, recordUse: true }); // never used
    expect(await use(t0 + 1)).toMatchObject({ ok: true, recordUse: false });
    expect(await use(t0 + USE_RECORD_INTERVAL_MS)).toMatchObject({ ok: true, recordUse: false });
    expect(await use(t0 + USE_RECORD_INTERVAL_MS + 1)).toMatchObject({ ok: true, recordUse: true });
  });

  it("is bounded: past its size the oldest entry goes", () => {
    const cache = new VerifiedKeyCache(2);
    const entry = {
      accountId: "a",
      secretHash: new Uint8Array(32),
      scope: "full" as const,
      expiresAt: Number.MAX_SAFE_INTEGER,
      lastUsedAt: 0,
    };
    cache.set("k1", entry);
    cache.set("k2", entry);
    cache.set("k3", entry);
    expect(cache.size).toBe(2);
    expect(cache.get("k1", 0)).toBeUndefined();
    expect(cache.get("k3", 0)).toBe(entry);
  });
});
