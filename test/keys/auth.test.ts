import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { revokeKeyStatement } from "../../src/accounts/provision";
import { addKey, createAccount, run, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { callWith } from "../http/app-env";

const UNAUTHORIZED = "Missing or invalid API credentials";

describe("API key authentication", () => {
  let acct: TestAccount;
  let other: TestAccount;
  let url: string;
  beforeAll(async () => {
    acct = await createAccount();
    other = await createAccount("Other");
    url = `/v1/cron-jobs/${acct.accountId}/logs/${(await insertJob(acct.accountId)).id}`;
  });

  it("the right key and secret → 200", async () => {
    expect((await api(url, { headers: acct.headers })).status).toBe(200);
  });

  type Spec = { key?: true | string; secret?: true | string };
  it.each<[string, Spec]>([
    ["no headers", {}],
    ["only the key", { key: true }],
    ["only the secret", { secret: true }],
    ["a wrong secret", { key: true, secret: "es_wrong" }],
    ["an unknown key", { key: "ek_unknown", secret: true }],
    ["an empty secret", { key: true, secret: "" }],
    ["an oversized secret", { key: true, secret: "x".repeat(5000) }],
  ])("%s → 401 with one message", async (_name, spec) => {
    const headers: Record<string, string> = {};
    if (spec.key !== undefined) headers["X-API-Key"] = spec.key === true ? acct.apiKey : spec.key;
    if (spec.secret !== undefined) headers["X-API-Secret"] = spec.secret === true ? acct.apiSecret : spec.secret;
    const res = await api(url, { headers });
    const body = expectProblem(res, 401, UNAUTHORIZED);
    expect(JSON.stringify(body)).not.toMatch(/secret|X-API-Key/i);
  });

  it("another account's valid key → 403", async () => {
    const res = await api(url, { headers: other.headers });
    expectProblem(res, 403, "These API credentials do not grant access to this account");
  });

  it("another account's key with a wrong secret → 401 (no hint the key exists)", async () => {
    const res = await api(url, { headers: { "X-API-Key": other.apiKey, "X-API-Secret": "nope" } });
    expectProblem(res, 401, UNAUTHORIZED);
  });

  it("a revoked key → 401 at once with API_KEY_CACHE_SECONDS=0, while the account's other key keeps working", async () => {
    const noCache = { API_KEY_CACHE_SECONDS: "0" };
    const second = await addKey(acct.accountId);
    expect((await callWith(noCache, url, { headers: second.headers })).status).toBe(200);
    await run([revokeKeyStatement(second.apiKey, Date.now())]);
    expectProblem(await callWith(noCache, url, { headers: second.headers }), 401, UNAUTHORIZED);
    expect((await callWith(noCache, url, { headers: acct.headers })).status).toBe(200);
  });

  it("a revoked key that was never verified by this isolate → 401 at once, cache or not", async () => {
    const third = await addKey(acct.accountId);
    await run([revokeKeyStatement(third.apiKey, Date.now())]);
    expectProblem(await api(url, { headers: third.headers }), 401, UNAUTHORIZED);
  });

  it("with the cache on (the default), a revoked key keeps working only within API_KEY_CACHE_SECONDS", async () => {
    const fourth = await addKey(acct.accountId);
    expect((await callWith({ API_KEY_CACHE_SECONDS: "1" }, url, { headers: fourth.headers })).status).toBe(200);
    await run([revokeKeyStatement(fourth.apiKey, Date.now())]);
    // Remembered by this isolate: still accepted for up to a second …
    expect((await callWith({ API_KEY_CACHE_SECONDS: "1" }, url, { headers: fourth.headers })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_050));
    // … then checked against D1 again.
    expectProblem(await callWith({ API_KEY_CACHE_SECONDS: "1" }, url, { headers: fourth.headers }), 401, UNAUTHORIZED);
  });

  it("authentication comes before validation: a bad query without credentials is 401", async () => {
    expectProblem(await api(`${url}?page=0`), 401);
  });

  it("stores only the secret's SHA-256 and records last use", async () => {
    const row = await env.DB.prepare("SELECT secret_hash, last_used_at FROM api_keys WHERE id = ?")
      .bind(acct.apiKey)
      .first<{ secret_hash: string; last_used_at: number | null }>();
    expect(row?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.secret_hash).not.toContain(acct.apiSecret);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(acct.apiSecret));
    expect(row?.secret_hash).toBe([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));
    expect(row?.last_used_at).toBeGreaterThan(Date.now() - 10 * 60_000);
  });
});
