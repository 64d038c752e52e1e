import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { config } from "../../src/config";
// The binding's limit lives in wrangler.toml and the headers read the vars: a test keeps the two in step.
import wranglerToml from "../../wrangler.toml?raw";
import { addKey, createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { callWith } from "./app-env";

const LIMIT = 3; // RATE_LIMITER_TIGHT in vitest.config.ts
const PERIOD = 60;
const tight = {
  RATE_LIMITER: (env as unknown as { RATE_LIMITER_TIGHT: RateLimit }).RATE_LIMITER_TIGHT,
  RATE_LIMIT_REQUESTS: String(LIMIT),
  RATE_LIMIT_PERIOD_SECONDS: String(PERIOD),
};
// RATE_LIMITER_ACCOUNT keeps its test budget (vitest.config.ts): every limited response describes both policies.
const POLICY = `"per-key";q=${LIMIT};w=${PERIOD}, "per-account";q=1000000;w=60`;

/** Local counters use wall-clock windows: start a burst well inside one so it cannot straddle a reset. */
async function awayFromWindowEdge(marginMs = 5_000) {
  const left = PERIOD * 1000 - (Date.now() % (PERIOD * 1000));
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

const list = (acct: { accountId: string }, headers: Record<string, string>, overrides: Partial<Env> = tight) =>
  callWith(overrides, `/v1/cron-jobs/${acct.accountId}/list`, { headers });

describe("per-API-key rate limit", () => {
  let acct: TestAccount;
  beforeEach(async () => {
    acct = await createAccount();
    await awayFromWindowEdge();
  });

  it(`allows ${LIMIT} requests per window, then 429 with Retry-After and RateLimit headers`, async () => {
    for (let i = 0; i < LIMIT; i++) {
      const ok = await list(acct, acct.headers);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-policy")).toBe(POLICY);
      // The binding does not say what is left, so no RateLimit field is claimed on success.
      expect(ok.headers.get("ratelimit")).toBeNull();
    }
    const limited = await list(acct, acct.headers);
    expectProblem(
      limited,
      429,
      /Rate limit exceeded: this API key may make 3 requests per 60 seconds \(RATE_LIMIT_REQUESTS\)/,
    );
    expect(limited.body.type).toBe("https://edgecron.dev/problems/rate-limited");
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("ratelimit-policy")).toBe(POLICY);
    expect(limited.headers.get("ratelimit")).toBe(`"per-key";r=0;t=60`);
    // Every route under the account shares the key's budget, including unknown ones.
    expectProblem(
      await callWith(tight, `/v1/cron-jobs/${acct.accountId}/details/${crypto.randomUUID()}`, {
        headers: acct.headers,
      }),
      429,
    );
  });

  it("another key of the same account, and another account's key, are unaffected", async () => {
    const second = await addKey(acct.accountId);
    const other = await createAccount("Other");
    for (let i = 0; i <= LIMIT; i++) await list(acct, acct.headers);
    expect((await list(acct, acct.headers)).status).toBe(429);
    expect((await list(acct, second.headers)).status).toBe(200);
    expect((await list(other, other.headers)).status).toBe(200);
  });

  it("rejected credentials spend nobody's budget (the limit is keyed after authentication)", async () => {
    const wrong = { "X-API-Key": acct.apiKey, "X-API-Secret": "es_wrong" };
    for (let i = 0; i < LIMIT * 2; i++) {
      const res = expectProblem(await list(acct, wrong), 401);
      expect(res).toBeDefined();
    }
    const other = await createAccount("Other");
    expectProblem(await list(other, acct.headers), 403); // a valid key on the wrong account is not counted either
    for (let i = 0; i < LIMIT; i++) expect((await list(acct, acct.headers)).status).toBe(200);
    expect((await list(acct, acct.headers)).status).toBe(429);
  });

  it.each(["/health", "/openapi.json", "/docs", "/dashboard"])("%s is exempt", async (path) => {
    for (let i = 0; i < LIMIT * 3; i++) {
      const res = await callWith(tight, path, { headers: acct.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBeNull();
    }
  });

  it("fails open (and logs) when the limiter itself fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = { ...tight, RATE_LIMITER: { limit: () => Promise.reject(new Error("limiter down")) } as RateLimit };
    try {
      expect((await list(acct, acct.headers, broken)).status).toBe(200);
      expect(error).toHaveBeenCalledWith(expect.stringContaining("rate_limiter_error"));
    } finally {
      error.mockRestore();
    }
  });
});

describe("per-account rate limit", () => {
  const ACCOUNT_LIMIT = 5; // RATE_LIMITER_ACCOUNT_TIGHT in vitest.config.ts
  const tightAccount = {
    RATE_LIMITER_ACCOUNT: (env as unknown as { RATE_LIMITER_ACCOUNT_TIGHT: RateLimit }).RATE_LIMITER_ACCOUNT_TIGHT,
    RATE_LIMIT_ACCOUNT_REQUESTS: String(ACCOUNT_LIMIT),
    RATE_LIMIT_ACCOUNT_PERIOD_SECONDS: String(PERIOD),
  };
  let acct: TestAccount;
  beforeEach(async () => {
    acct = await createAccount();
    await awayFromWindowEdge();
  });

  it(`more keys buy no more requests: ${ACCOUNT_LIMIT} per window across all the account's keys, then 429`, async () => {
    // Each key stays well under its own budget (3); together they reach the account's.
    const keys = [acct.headers, (await addKey(acct.accountId)).headers, (await addKey(acct.accountId)).headers];
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      const ok = await list(acct, keys[i % keys.length] as Record<string, string>, tightAccount);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-policy")).toBe(`"per-key";q=1000000;w=60, "per-account";q=5;w=60`);
    }
    // A key minted now, never used, is refused too.
    const fresh = await addKey(acct.accountId);
    const limited = await list(acct, fresh.headers, tightAccount);
    expectProblem(
      limited,
      429,
      "Rate limit exceeded: this account may make 5 requests per 60 seconds across all its API keys (RATE_LIMIT_ACCOUNT_REQUESTS). Retry after 60 seconds.",
    );
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("ratelimit")).toBe(`"per-account";r=0;t=60`);
    // Another account has its own budget.
    const other = await createAccount("Other");
    expect((await list(other, other.headers, tightAccount)).status).toBe(200);
  });

  it("fails open (and logs) when the account limiter fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = { RATE_LIMITER_ACCOUNT: { limit: () => Promise.reject(new Error("down")) } as RateLimit };
    try {
      expect((await list(acct, acct.headers, broken)).status).toBe(200);
      expect(error).toHaveBeenCalledWith(expect.stringContaining("rate_limiter_error"));
    } finally {
      error.mockRestore();
    }
  });
});

describe("rate limit configuration", () => {
  /** The `simple = { limit, period }` of the [[ratelimits]] block named `name`. */
  const binding = (name: string) => {
    const blocks = wranglerToml.split("[[ratelimits]]").slice(1);
    const block = blocks.find((b) => new RegExp(`name\\s*=\\s*"${name}"\\s*\\n`).test(b)) ?? "";
    return /simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/.exec(block)?.slice(1);
  };
  const vars = (name: string) => new RegExp(`\\n${name}\\s*=\\s*"(\\d+)"`).exec(wranglerToml)?.[1];

  it.each([
    ["RATE_LIMITER", "RATE_LIMIT_REQUESTS", "RATE_LIMIT_PERIOD_SECONDS"],
    ["RATE_LIMITER_ACCOUNT", "RATE_LIMIT_ACCOUNT_REQUESTS", "RATE_LIMIT_ACCOUNT_PERIOD_SECONDS"],
    ["RATE_LIMITER_PING", "RATE_LIMIT_PING_REQUESTS", "RATE_LIMIT_PING_PERIOD_SECONDS"],
  ])("wrangler.toml's %s binding and the %s / %s vars describe the same policy", (name, requests, period) => {
    const simple = binding(name);
    expect(simple).toEqual([vars(requests), vars(period)]);
    expect(["10", "60"]).toContain(simple?.[1]);
  });

  it("defaults to 100 requests per 60 seconds and refuses a period the binding cannot have", () => {
    expect(config({})).toMatchObject({ RATE_LIMIT_REQUESTS: 100, RATE_LIMIT_PERIOD_SECONDS: 60 });
    expect(config({})).toMatchObject({ RATE_LIMIT_ACCOUNT_REQUESTS: 300, RATE_LIMIT_ACCOUNT_PERIOD_SECONDS: 60 });
    expect(() => config({ RATE_LIMIT_ACCOUNT_PERIOD_SECONDS: "30" })).toThrow();
    expect(config({ RATE_LIMIT_REQUESTS: "500", RATE_LIMIT_PERIOD_SECONDS: "10" })).toMatchObject({
      RATE_LIMIT_REQUESTS: 500,
      RATE_LIMIT_PERIOD_SECONDS: 10,
    });
    expect(() => config({ RATE_LIMIT_PERIOD_SECONDS: "30" })).toThrow();
  });
});
