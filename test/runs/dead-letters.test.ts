/**
 * Dead letters (src/runs/dead-letters.ts): runs the dead-letter path closes are `dead` with their reason, listed
 * account-wide newest first through a partial index that holds only dead rows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { takeLease } from "../../src/engine/ledger";
import { softDeleteJob } from "../../src/jobs/repository";
import { deadLettersQuery } from "../../src/runs/dead-letters";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, refOf, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { accountD1, accountDb } from "../helpers/shards";

const FAR = Date.UTC(2099, 0, 1);
const MIN = 60_000;
const T = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;

let acct: TestAccount;
let other: TestAccount;
let readOnly: Record<string, string>;
/** The dead letters of `acct`, newest first, as the list should give them. */
const dead: Array<{ id: string; jobId: string; reason: string }> = [];

async function deps(a: TestAccount, now = Date.now()) {
  return testDeps({ db: await accountDb(a.accountId), now: () => now });
}

/** A run of `job` at `slot` closed by the dead-letter queue without a lease: `undelivered`. */
async function undelivered(a: TestAccount, job: { id: string; accountId: string }, slot: number) {
  const msg = await queuedRun(job, slot);
  expect((await closeDeadRun(await deps(a), msg, 10)).result).toBe("closed");
  return msg.runId;
}

beforeAll(async () => {
  acct = await createAccount("Dead letters");
  other = await createAccount("Someone else", { shard: acct.shard });
  const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
    method: "POST",
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "dashboards", scope: "read_only" }),
  });
  readOnly = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };

  const a = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, name: "A" });
  const b = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, name: "B", timeoutSeconds: 5 });
  dead.unshift({ id: await undelivered(acct, a, T), jobId: a.id, reason: "undelivered" });
  // Leased before, then dead-lettered once the lease expired: outcome unknown.
  const leasedMsg = await queuedRun(b, T + MIN);
  await takeLease(await accountDb(acct.accountId), refOf(leasedMsg), T + MIN, 5);
  expect((await closeDeadRun(await deps(acct, T + 2 * MIN), leasedMsg, 10)).result).toBe("closed");
  dead.unshift({ id: leasedMsg.runId, jobId: b.id, reason: "outcome_unknown" });
  dead.unshift({ id: await undelivered(acct, b, T + 2 * MIN), jobId: b.id, reason: "undelivered" });
  // A normal run is not a dead letter.
  expect((await consumeRun(await deps(acct), await queuedRun(a, T + 3 * MIN))).result).toBe("executed");
  // Another account's dead letter, and one of a deleted job, stay out.
  const theirs = await insertJob(other.accountId, { nextRunAt: FAR, maxRetries: 0 });
  await undelivered(other, theirs, T + 4 * MIN);
  const gone = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
  await undelivered(acct, gone, T + 5 * MIN);
  await softDeleteJob(await accountDb(acct.accountId), acct.accountId, gone.id, Date.now());
});

const list = (query = "", headers = acct.headers) =>
  api(`/v1/cron-jobs/${acct.accountId}/dead-letters${query}`, { headers });

describe("GET /v1/cron-jobs/{accountId}/dead-letters", () => {
  it("lists the account's dead runs of live jobs, newest first, each with its reason and log", async () => {
    const res = await list();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((d: { execution_id: string }) => d.execution_id)).toEqual(dead.map((d) => d.id));
    expect(res.body.data[0]).toEqual({
      execution_id: dead[0]?.id,
      cron_job_id: dead[0]?.jobId,
      state: "dead",
      reason: "undelivered",
      attempt: 0,
      trigger: "schedule",
      scheduled_at: new Date(T + 2 * MIN).toISOString().replace(".000Z", "Z"),
      executed_at: expect.stringMatching(/Z$/),
      status: "error",
      error_message: expect.stringMatching(/^Not delivered: the run's queue message failed 10 deliveries/),
      replay_of: null,
    });
    expect(res.body.data[1]).toMatchObject({
      reason: "outcome_unknown",
      error_message: expect.stringMatching(/^Outcome unknown/),
    });
    expect(res.body.pagination).toEqual({ limit: 50, next_cursor: null });
  });

  it("their logs stay visible in GET /logs, and the ledger says dead", async () => {
    const logs = await api(`/v1/cron-jobs/${acct.accountId}/logs/${dead[0]?.jobId}`, { headers: acct.headers });
    expect(logs.body.data.map((l: { id: string }) => l.id)).toContain(dead[0]?.id);
    const row = await (await accountD1(acct.accountId))
      .prepare("SELECT state, reason FROM run_ledger WHERE id = ?")
      .bind(dead[1]?.id)
      .first();
    expect(row).toEqual({ state: "dead", reason: "outcome_unknown" });
  });

  it("pages with a cursor, the last dead letter's execution id, until next_cursor is null", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((d: { execution_id: string }) => d.execution_id));
      cursor = res.body.pagination.next_cursor;
      if (cursor === null) break;
      expect(cursor).toBe(seen[seen.length - 1]);
    }
    expect(seen).toEqual(dead.map((d) => d.id));
  });

  it("a read-only key lists them; another account sees only its own", async () => {
    expect((await list("", readOnly)).body.data).toHaveLength(dead.length);
    const theirs = await api(`/v1/cron-jobs/${other.accountId}/dead-letters`, { headers: other.headers });
    expect(theirs.body.data).toHaveLength(1);
    expect(dead.map((d) => d.id)).not.toContain(theirs.body.data[0].execution_id);
  });

  it("refuses a garbled cursor and an out-of-range limit, naming each field", async () => {
    expect(expectProblem(await list("?cursor=nope&limit=0"), 400).errors).toEqual([
      { field: "limit", in: "query", message: expect.any(String) },
      { field: "cursor", in: "query", message: expect.stringMatching(/not a valid cursor/) },
    ]);
    expectProblem(await list("?page=2"), 400);
  });
});

describe("the dead-letter list's plan", () => {
  async function plan(after: string | null): Promise<string> {
    const q = deadLettersQuery(await accountDb(acct.accountId), acct.accountId, after, 51).toSQL();
    const d1 = await accountD1(acct.accountId);
    const { results } = await d1
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail).join("\n");
  }

  it("walks runs_account_dead_idx in order (no scan, no sort), then each job and log by key", async () => {
    for (const after of [null, dead[0]?.id as string]) {
      const p = await plan(after);
      expect(p).toMatch(/SEARCH (r|runs) USING (COVERING )?INDEX runs_account_dead_idx \(account=\?/);
      if (after) expect(p).toMatch(/runs_account_dead_idx \(account=\? AND \(slot,id_hi,id_lo\)<\(\?,\?,\?\)\)/);
      expect(p).not.toMatch(/SCAN (runs|logs|cron_jobs)/);
      expect(p).not.toMatch(/USE TEMP B-TREE/);
      expect(p).toMatch(/SEARCH logs USING PRIMARY KEY \(slot=\? AND id_hi=\? AND id_lo=\?\)/);
    }
  });

  it("the index holds dead rows only, so a run that is not dead writes no entry in it", async () => {
    const d1 = await accountD1(acct.accountId);
    const idx = await d1
      .prepare("SELECT sql FROM sqlite_master WHERE name = 'runs_account_dead_idx'")
      .first<{ sql: string }>();
    expect(idx?.sql).toMatch(/WHERE "runs"."state" = 5$/);
    const counted = await d1
      .prepare("SELECT count(*) AS n FROM runs INDEXED BY runs_account_dead_idx WHERE state = 5")
      .first<{ n: number }>();
    const all = await d1.prepare("SELECT count(*) AS n FROM runs").first<{ n: number }>();
    expect(counted?.n).toBe(5); // three of acct's, one of the deleted job's, one of the other account's
    expect(all?.n).toBeGreaterThan(5);
  });
});
