import { beforeEach, describe, expect, it } from "vitest";
import { sweep } from "../../src/retention/sweep";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const job = () => ({ ...quickStart(), callbacks: undefined, retry_config: { max_retries: 0 } });
const post = (a: TestAccount, path: string, key: string | null, body?: unknown) =>
  api(`/v1/cron-jobs/${a.accountId}${path}`, {
    method: "POST",
    headers: {
      ...a.headers,
      ...(key === null ? {} : { "Idempotency-Key": key }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const count = async (a: TestAccount) => (await jobsApi(a).list()).body.pagination.total_items as number;

describe("Idempotency-Key on POST /create", () => {
  it("the same key and body return the first response, once created", async () => {
    const first = await post(acct, "/create", "k-1", job());
    const again = await post(acct, "/create", "k-1", job());
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await count(acct)).toBe(1);
  });

  it("the same key with a different body is a 422 problem; no key, or another key, acts each time", async () => {
    await post(acct, "/create", "k-2", job());
    expectProblem(await post(acct, "/create", "k-2", { ...job(), name: "Other" }), 422, /different request/);
    await post(acct, "/create", null, job());
    await post(acct, "/create", null, job());
    await post(acct, "/create", "k-3", job());
    expect(await count(acct)).toBe(4);
  });

  it("keys are per account", async () => {
    const other = await createAccount("Other");
    await post(acct, "/create", "shared", job());
    expect((await post(other, "/create", "shared", job())).headers.get("idempotent-replayed")).toBeNull();
    expect(await count(other)).toBe(1);
  });

  it("a first request that failed frees its key: a corrected retry with it runs", async () => {
    expectProblem(await post(acct, "/create", "k-4", { ...job(), timezone: "Mars/Olympus" }), 400);
    expect((await post(acct, "/create", "k-4", job())).status).toBe(201);
  });

  it("after 24 hours the key acts again, and the sweep removes it", async () => {
    await post(acct, "/create", "k-5", job());
    const day = 24 * 3_600_000;
    await shardD1()
      .prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE account_id = ?")
      .bind(day + 1000, acct.accountId)
      .run();
    expect((await post(acct, "/create", "k-5", job())).headers.get("idempotent-replayed")).toBeNull();
    expect(await count(acct)).toBe(2);
    await shardD1()
      .prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE account_id = ?")
      .bind(day + 1000, acct.accountId)
      .run();
    const report = await sweep(db(), { retentionDays: 30, now: Date.now() });
    expect(report.idempotency_keys_deleted).toBeGreaterThanOrEqual(1);
    const left = await shardD1()
      .prepare("SELECT count(*) AS n FROM idempotency_keys WHERE account_id = ?")
      .bind(acct.accountId)
      .first();
    expect(left).toEqual({ n: 0 });
  });

  it("concurrent requests with one key create one job (the others replay or are told it is in progress)", async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => post(acct, "/create", "k-6", job())));
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await count(acct)).toBe(1);
  });

  it("a malformed key is a 400 naming the header", async () => {
    for (const bad of ["x".repeat(256), "with space", "caf\u00e9"]) {
      const res = await post(acct, "/create", bad, job()).catch(() => null);
      if (res === null) continue; // fetch refuses some header values before they reach the Worker
      const p = expectProblem(res, 400);
      expect(p.errors).toEqual([expect.objectContaining({ field: "Idempotency-Key", in: "header" })]);
    }
    expect(await count(acct)).toBe(0);
  });
});

describe("Idempotency-Key on POST /trigger", () => {
  it("the same key runs the job once and answers the same execution", async () => {
    const created = (await post(acct, "/create", null, job())).body.data;
    const first = await post(acct, `/trigger/${created.id}`, "run-1");
    const again = await post(acct, `/trigger/${created.id}`, "run-1");
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await jobsApi(acct).logs(created.id)).body.pagination.total_items).toBe(1);
    const other = await post(acct, `/trigger/${created.id}`, "run-2");
    expect(other.body.data.execution_id).not.toBe(first.body.data.execution_id);
  });

  it("a key used on create cannot be reused on trigger (a different request)", async () => {
    const created = (await post(acct, "/create", "one-key", job())).body.data;
    expectProblem(await post(acct, `/trigger/${created.id}`, "one-key"), 422);
  });
});
