import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { revokeKeyStatement } from "../../src/accounts/provision";
import { createControlDb } from "../../src/db/client";
import { VerifiedKeyCache, verifiedKeys } from "../../src/keys/key-cache";
import { USE_RECORD_INTERVAL_MS, verifyApiKey } from "../../src/keys/keys";
import { addKey, createAccount, run, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { callWith } from "../http/app-env";

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

describe("verified-key cache (keys/key-cache.ts + verifyApiKey)", () => {
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

/** The control D1 with every read held until `release()` (a verification in flight across a revocation). */
function gatedDb() {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const hold = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => hold(value.apply(target, args));
        return async (...args: unknown[]) => {
          await gate;
          return value.apply(target, args);
        };
      },
    });
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "withSession") return undefined;
      if (prop === "prepare") return (sql: string) => hold(target.prepare(sql));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: createControlDb(d1), release };
}

describe("key revocation: immediate on the isolate that served it, within the TTL elsewhere", () => {
  const list = (a: TestAccount) => `/v1/cron-jobs/${a.accountId}/list`;
  const revokeThroughApi = (a: TestAccount, keyId: string) =>
    callWith({ API_KEY_CACHE_SECONDS: "300" }, `/v1/cron-jobs/${a.accountId}/keys/${keyId}`, {
      method: "DELETE",
      headers: a.headers,
    });

  it("a key warm in this isolate's cache, revoked through the API → 401 on the next request", async () => {
    const a = await createAccount("Revoke warm");
    const k = await addKey(a.accountId);
    const warm = { API_KEY_CACHE_SECONDS: "300" }; // far longer than the test: only the revocation can end it
    expect((await callWith(warm, list(a), { headers: k.headers })).status).toBe(200);
    expect(verifiedKeys.get(k.apiKey, Date.now())).toBeDefined();
    expect((await revokeThroughApi(a, k.apiKey)).status).toBe(200);
    expect(verifiedKeys.get(k.apiKey, Date.now())).toBeUndefined();
    expectProblem(await callWith(warm, list(a), { headers: k.headers }), 401);
    expect((await callWith(warm, list(a), { headers: a.headers })).status).toBe(200); // the other key is unaffected
  });

  it("a verification that read the key before an API revocation cannot put it back in the cache", async () => {
    const a = await createAccount("Revoke race");
    const cache = new VerifiedKeyCache();
    const { db, release } = gatedDb();
    const now = Date.now();
    const inFlight = verifyApiKey(db, a.apiKey, a.apiSecret, a.accountId, { cache, ttlMs: TTL, now });
    cache.revoke(a.apiKey); // the revocation is served while the read is still on its way back
    release();
    expect((await inFlight).ok).toBe(true); // it read the key before the revocation
    expect(cache.get(a.apiKey, now + 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("another isolate's entry, warmed before the revocation, works until its expiresAt and is refused from then on", async () => {
    const a = await createAccount("Revoke elsewhere");
    const viaApi = await addKey(a.accountId);
    const viaCli = await addKey(a.accountId);
    const elsewhere = new VerifiedKeyCache(); // a second isolate, on its own clock
    const t0 = Date.now();
    const at = (key: { apiKey: string; apiSecret: string }, now: number) =>
      verifyApiKey(createControlDb(env.DB), key.apiKey, key.apiSecret, a.accountId, {
        cache: elsewhere,
        ttlMs: TTL,
        now,
      });
    expect((await at(viaApi, t0)).ok).toBe(true);
    expect((await at(viaCli, t0)).ok).toBe(true);
    const expiresAt = elsewhere.get(viaApi.apiKey, t0)?.expiresAt;
    expect(expiresAt).toBe(t0 + TTL);

    // One revoked through the API (served by another isolate), one by the operator CLI (no isolate at all).
    expect((await revokeThroughApi(a, viaApi.apiKey)).status).toBe(200);
    await run([revokeKeyStatement(viaCli.apiKey, t0 + 1)]);
    for (const key of [viaApi, viaCli]) {
      expect((await at(key, t0 + 1)).ok).toBe(true);
      expect((await at(key, t0 + TTL - 1)).ok).toBe(true); // the bound: never past the entry's expiresAt
      expect(await at(key, t0 + TTL)).toEqual({ ok: false, reason: "invalid" });
      expect(await at(key, t0 + TTL + 1)).toEqual({ ok: false, reason: "invalid" }); // and it is not re-cached
    }
    expect(elsewhere.size).toBe(0);
  });

  it("with API_KEY_CACHE_SECONDS=0 revocation is immediate everywhere: nothing is remembered", async () => {
    const a = await createAccount("Revoke no cache");
    const k = await addKey(a.accountId);
    const noCache = { API_KEY_CACHE_SECONDS: "0" };
    const elsewhere = new VerifiedKeyCache();
    const now = Date.now();
    expect((await callWith(noCache, list(a), { headers: k.headers })).status).toBe(200);
    const check = () =>
      verifyApiKey(createControlDb(env.DB), k.apiKey, k.apiSecret, a.accountId, { cache: elsewhere, ttlMs: 0, now });
    expect((await check()).ok).toBe(true);
    expect(elsewhere.size).toBe(0);
    expect(verifiedKeys.get(k.apiKey, now)).toBeUndefined();
    await run([revokeKeyStatement(k.apiKey, now)]); // behind every isolate's back
    expectProblem(await callWith(noCache, list(a), { headers: k.headers }), 401);
    expect(await check()).toEqual({ ok: false, reason: "invalid" });
  });
});
