/**
 * Per-account caps (README "Limits"): each is a config var, and going over it is a 409 problem whose detail names
 * the var. Small limits come from env bindings (callWith); the rates are in rate-limit.test.ts and the e-mail
 * recipient caps in test/alerts/alerts-api.test.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { newKey } from "../../src/accounts/provision";
import { config } from "../../src/config";
import { createAccount, run, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { expectProblem } from "../helpers/http";
import { quickStart } from "../helpers/jobs";
import { accountD1 } from "../helpers/shards";
import { callWith } from "./app-env";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

/** The account's API with `vars` overriding the env (smaller limits). */
function accountApi(vars: Partial<Env>) {
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    callWith(vars, `/v1/cron-jobs/${acct.accountId}${path}`, {
      method,
      headers: { ...acct.headers, ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    send,
    create: (body: unknown, headers?: Record<string, string>) => send("POST", "/create", body, headers),
  };
}

const job = (extra: Record<string, unknown> = {}) => ({ ...quickStart(), callbacks: undefined, ...extra });

describe("MAX_JOBS: jobs per account in any state", () => {
  it("counts paused, disabled and completed jobs, not deleted ones; 409 names the limit", async () => {
    const api = accountApi({ MAX_JOBS: "4" });
    await insertJob(acct.accountId, { state: "disabled", isActive: false });
    await insertJob(acct.accountId, { state: "completed", isActive: false });
    await insertJob(acct.accountId, { isActive: false }); // paused
    const deleted = await insertJob(acct.accountId, { isActive: false, deletedAt: Date.now() });
    expect(deleted.deletedAt).not.toBeNull();
    const fourth = await api.create(job({ is_active: false }));
    expect(fourth.status).toBe(201);
    const refused = expectProblem(
      await api.create(job({ is_active: false })),
      409,
      "This account already has 4 cron jobs (MAX_JOBS), paused, disabled and completed ones included, the most allowed. Delete one first.",
    );
    expect(refused.title).toBe("Limit reached");
    expectProblem(await api.create(job()), 409, /MAX_JOBS/); // an active one too
    expect((await api.send("DELETE", `/delete/${fourth.body.data.id}`)).status).toBe(200);
    expect((await api.create(job())).status).toBe(201);
  });

  it("MAX_ACTIVE_JOBS still caps active jobs below it, and says so", async () => {
    const api = accountApi({ MAX_JOBS: "10", MAX_ACTIVE_JOBS: "1" });
    expect((await api.create(job())).status).toBe(201);
    expectProblem(await api.create(job()), 409, /already has 1 active cron jobs \(MAX_ACTIVE_JOBS\)/);
    expect((await api.create(job({ is_active: false }))).status).toBe(201);
  });
});

describe("MAX_API_KEYS: usable keys per account", () => {
  it("counts unrevoked, unexpired keys; 409 names the limit; revoking makes room", async () => {
    const api = accountApi({ MAX_API_KEYS: "3" });
    // An expired key is not usable and does not count.
    await run((await newKey(acct.accountId, Date.now(), {}, { expiresAt: Date.now() - 1000 })).statements);
    const second = await api.send("POST", "/keys", { name: "second" });
    expect(second.status).toBe(201);
    expect((await api.send("POST", "/keys", { name: "third" })).status).toBe(201);
    const refused = expectProblem(
      await api.send("POST", "/keys", { name: "fourth" }),
      409,
      "This account already has 3 active API keys (MAX_API_KEYS), the most allowed. Revoke one first.",
    );
    expect(refused.title).toBe("Limit reached");
    // A key cannot mint past the limit either.
    const minted = { "X-API-Key": second.body.data.id, "X-API-Secret": second.body.data.api_secret };
    expectProblem(await api.send("POST", "/keys", { name: "by a key" }, minted), 409, /MAX_API_KEYS/);
    expect((await api.send("DELETE", `/keys/${second.body.data.id}`)).status).toBe(200);
    expect((await api.send("POST", "/keys", { name: "fourth" })).status).toBe(201);
    const list = await api.send("GET", "/keys");
    expect(list.body.data.filter((k: { status: string }) => k.status === "active")).toHaveLength(3);
  });
});

describe("MAX_IDEMPOTENCY_KEYS: live idempotency keys per account", () => {
  it("refuses a new key past the limit (409 naming it); live keys still replay; expired ones free room", async () => {
    const api = accountApi({ MAX_IDEMPOTENCY_KEYS: "2" });
    const first = await api.create(job(), { "Idempotency-Key": "k-1" });
    expect(first.status).toBe(201);
    expect((await api.create(job(), { "Idempotency-Key": "k-2" })).status).toBe(201);
    const refused = expectProblem(await api.create(job(), { "Idempotency-Key": "k-3" }), 409, /MAX_IDEMPOTENCY_KEYS/);
    expect(refused.detail).toMatch(/^This account already has 2 idempotency keys within their 24-hour window/);
    const replay = await api.create(job(), { "Idempotency-Key": "k-1" });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    expect((await api.create(job())).status).toBe(201); // requests without a key are not limited by it
    // k-1 leaves its window: there is room for k-3, and k-1 itself could be taken again.
    await (await accountD1(acct.accountId))
      .prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE account_id = ? AND key = 'k-1'")
      .bind(24 * 3_600_000 + 1000, acct.accountId)
      .run();
    expect((await api.create(job(), { "Idempotency-Key": "k-3" })).status).toBe(201);
    expectProblem(await api.create(job(), { "Idempotency-Key": "k-1" }), 409, /MAX_IDEMPOTENCY_KEYS/);
  });
});

describe("alert channels", () => {
  it("at most 5 per job, so at most 5 × MAX_JOBS per account", async () => {
    const channels = Array.from({ length: 6 }, (_, i) => ({ type: "webhook", url: `https://hooks.example.com/${i}` }));
    const res = await accountApi({}).create(job({ alerts: { channels } }));
    const problem = expectProblem(res, 400);
    expect(problem.errors).toEqual([expect.objectContaining({ field: "alerts.channels" })]);
  });
});

describe("defaults", () => {
  it("are documented values, and each limit can be set", () => {
    expect(config({})).toMatchObject({
      MAX_JOBS: 500,
      MAX_ACTIVE_JOBS: 100,
      MAX_API_KEYS: 20,
      MAX_IDEMPOTENCY_KEYS: 10_000,
      MAX_ALERT_RECIPIENTS: 50,
      MAX_CONFIRMATION_EMAILS_PER_HOUR: 10,
    });
    expect(config({ MAX_JOBS: "7", MAX_API_KEYS: "2", MAX_IDEMPOTENCY_KEYS: "9" })).toMatchObject({
      MAX_JOBS: 7,
      MAX_API_KEYS: 2,
      MAX_IDEMPOTENCY_KEYS: 9,
    });
    expect(() => config({ MAX_JOBS: "0" })).toThrow();
  });
});
