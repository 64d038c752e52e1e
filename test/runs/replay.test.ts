/**
 * Replay (src/runs/replay.routes.ts): POST …/replay/{execution_id} runs the execution's job again now on POST
 * /trigger's path (trigger `replay`, a new execution id, `replay_of` the original), idempotent under
 * Idempotency-Key; POST …/replay replays up to 100 executions through the queue, reporting per id.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { softDeleteJob } from "../../src/jobs/repository";
import { executionsQuery, MAX_BULK_REPLAYS } from "../../src/runs/replay";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { accountD1, accountDb } from "../helpers/shards";

const FAR = Date.UTC(2099, 0, 1);
const MIN = 60_000;
const T = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;

let acct: TestAccount;
let other: TestAccount;
let readOnly: Record<string, string>;
let jobId: string;
let pausedId: string;
/** Dead letters of the live job, oldest first. */
const deadIds: string[] = [];
let pausedDead: string;
let deletedDead: string;
let theirs: string;

async function deadLetter(a: TestAccount, job: { id: string; accountId: string }, slot: number) {
  const msg = await queuedRun(job, slot);
  const deps = testDeps({ db: await accountDb(a.accountId) });
  expect((await closeDeadRun(deps, msg, 10)).result).toBe("closed");
  return msg.runId;
}

const post = (path: string, headers: Record<string, string> = acct.headers, body?: unknown) =>
  api(`/v1/cron-jobs/${acct.accountId}${path}`, {
    method: "POST",
    headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** The ledger rows replaying `id`. */
async function replaysOf(id: string): Promise<Array<{ replay_of: string; origin: number; attempt: number }>> {
  const { results } = await (await accountD1(acct.accountId))
    .prepare("SELECT replay_of, origin, attempt FROM runs WHERE replay_of = ?")
    .bind(id)
    .all<{ replay_of: string; origin: number; attempt: number }>();
  return results;
}

beforeAll(async () => {
  acct = await createAccount("Replay");
  other = await createAccount("Someone else", { shard: acct.shard });
  const key = await post("/keys", acct.headers, { name: "dashboards", scope: "read_only" });
  readOnly = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
  const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, name: "Live" });
  jobId = job.id;
  for (let i = 0; i < 4; i++) deadIds.push(await deadLetter(acct, job, T + i * MIN));
  const paused = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
  pausedId = paused.id;
  pausedDead = await deadLetter(acct, paused, T);
  await (await accountD1(acct.accountId))
    .prepare("UPDATE cron_jobs SET state = 'paused', is_active = 0 WHERE id = ?")
    .bind(paused.id)
    .run();
  const deleted = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
  deletedDead = await deadLetter(acct, deleted, T);
  await softDeleteJob(await accountDb(acct.accountId), acct.accountId, deleted.id, Date.now());
  theirs = await deadLetter(other, await insertJob(other.accountId, { nextRunAt: FAR, maxRetries: 0 }), T);
});

describe("POST /v1/cron-jobs/{accountId}/replay/{execution_id}", () => {
  it("runs the job again now: a new execution id, trigger replay, replay_of the original", async () => {
    const original = deadIds[0] as string;
    const res = await post(`/replay/${original}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({
      execution_id: expect.stringMatching(/^exe_/),
      replay_of: original,
      cron_job_id: jobId,
      status: expect.stringMatching(/^(success|failure|error|timeout)$/),
      response_code: expect.toBeOneOf([expect.any(Number), null]),
      response_body: expect.toBeOneOf([expect.any(String), null]),
      error_message: expect.toBeOneOf([expect.any(String), null]),
      executed_at: expect.stringMatching(/Z$/),
      response_time_ms: expect.toBeOneOf([expect.any(Number), null]),
    });
    const replay = res.body.data.execution_id as string;
    expect(replay).not.toBe(original);
    const logs = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}`, { headers: acct.headers });
    const log = logs.body.data.find((l: { id: string }) => l.id === replay);
    expect(log).toMatchObject({ trigger: "replay", scheduled_at: null, retry_attempt: 0 });
    // The original's log is untouched; the ledger links the new run to it (a manual run, origin 1).
    expect(logs.body.data.find((l: { id: string }) => l.id === original)).toMatchObject({ trigger: "schedule" });
    expect(await replaysOf(original)).toEqual([{ replay_of: original, origin: 1, attempt: 0 }]);
    // The SQL view spells the new kind too.
    const viewed = await (await accountD1(acct.accountId))
      .prepare("SELECT trigger FROM execution_logs WHERE id = ?")
      .bind(replay)
      .first();
    expect(viewed).toEqual({ trigger: "replay" });
  });

  it("replays any past execution, a replay included", async () => {
    const first = await post(`/replay/${deadIds[1]}`);
    expect(first.status).toBe(200);
    const again = await post(`/replay/${first.body.data.execution_id}`);
    expect(again.status).toBe(200);
    expect(again.body.data.replay_of).toBe(first.body.data.execution_id);
  });

  it("is idempotent under Idempotency-Key: a repeat answers the first response, and runs nothing", async () => {
    const original = deadIds[2] as string;
    const headers = { ...acct.headers, "Idempotency-Key": `replay-${crypto.randomUUID()}` };
    const first = await post(`/replay/${original}`, headers);
    const second = await post(`/replay/${original}`, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(await replaysOf(original)).toHaveLength(1);
    // The same key for another execution is another request.
    expectProblem(await post(`/replay/${deadIds[3]}`, headers), 422);
  });

  it("404 for an unknown id, another account's execution, a deleted job's, or not an id at all", async () => {
    for (const id of ["exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8", theirs, deletedDead, "nope"]) {
      expectProblem(await post(`/replay/${id}`), 404, `Execution ${id} not found`);
    }
    expect(await replaysOf(theirs)).toEqual([]);
  });

  it("409 when the job is not active", async () => {
    expectProblem(await post(`/replay/${pausedDead}`), 409, `Cron job ${pausedId} is not active`);
  });

  it("a read-only key cannot replay (403), single or bulk", async () => {
    expectProblem(await post(`/replay/${deadIds[3]}`, readOnly), 403);
    expectProblem(await post("/replay", readOnly, { execution_ids: [deadIds[3]] }), 403);
    expect(await replaysOf(deadIds[3] as string)).toEqual([]);
  });
});

describe("POST /v1/cron-jobs/{accountId}/replay (bulk)", () => {
  it("queues a replay of each execution and reports per id, in request order", async () => {
    const unknown = "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8";
    const ids = [deadIds[3], unknown, pausedDead, theirs, deadIds[0]] as string[];
    const res = await post("/replay", acct.headers, { execution_ids: ids });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([
      {
        execution_id: deadIds[3],
        status: "queued",
        replay_execution_id: expect.stringMatching(/^exe_/),
        cron_job_id: jobId,
        detail: null,
      },
      {
        execution_id: unknown,
        status: "not_found",
        replay_execution_id: null,
        cron_job_id: null,
        detail: `Execution ${unknown} not found`,
      },
      {
        execution_id: pausedDead,
        status: "refused",
        replay_execution_id: null,
        cron_job_id: pausedId,
        detail: `Cron job ${pausedId} is not active`,
      },
      {
        execution_id: theirs,
        status: "not_found",
        replay_execution_id: null,
        cron_job_id: null,
        detail: expect.any(String),
      },
      {
        execution_id: deadIds[0],
        status: "queued",
        replay_execution_id: expect.stringMatching(/^exe_/),
        cron_job_id: jobId,
        detail: null,
      },
    ]);
    const [a, , , , b] = res.body.data as Array<{ replay_execution_id: string }>;
    expect(a?.replay_execution_id).not.toBe(b?.replay_execution_id);
    expect(await replaysOf(deadIds[3] as string)).toHaveLength(1);
    expect(await replaysOf(pausedDead)).toEqual([]);
  });

  it("replays 100 dead letters in one call; a repeat under the same Idempotency-Key replays none", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const ids: string[] = [];
    for (let i = 0; i < MAX_BULK_REPLAYS; i++) ids.push(await deadLetter(acct, job, T - (i + 1) * MIN));
    const headers = { ...acct.headers, "Idempotency-Key": `bulk-${crypto.randomUUID()}` };
    const first = await post("/replay", headers, { execution_ids: ids });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data.every((d: { status: string }) => d.status === "queued")).toBe(true);
    const second = await post("/replay", headers, { execution_ids: ids });
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    const { results } = await (await accountD1(acct.accountId))
      .prepare(
        `SELECT count(*) AS n FROM runs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?) AND replay_of IS NOT NULL`,
      )
      .bind(job.id)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(MAX_BULK_REPLAYS);
  });

  it("refuses an empty list, more than 100 ids, repeated ids and unknown fields, naming each", async () => {
    const many = Array.from({ length: MAX_BULK_REPLAYS + 1 }, (_, i) => `exe_${i}`);
    for (const body of [{ execution_ids: [] }, { execution_ids: many }, { execution_ids: ["a", "a"] }]) {
      expect(expectProblem(await post("/replay", acct.headers, body), 400).errors).toEqual([
        { field: "execution_ids", in: "body", message: expect.any(String) },
      ]);
    }
    expect(
      expectProblem(await post("/replay", acct.headers, { execution_ids: ["a"], dead_letters: true }), 400).errors,
    ).toEqual([{ field: "dead_letters", in: "body", message: "Unknown field" }]);
  });
});

describe("the execution lookup's plan", () => {
  it("probes logs by primary key per id, never the account's whole log index", async () => {
    const ids = [...deadIds, theirs];
    const q = executionsQuery(await accountDb(acct.accountId), acct.accountId, ids).toSQL();
    const { results } = await (await accountD1(acct.accountId))
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    const p = results.map((r) => r.detail).join("\n");
    expect(p).toMatch(/MULTI-INDEX OR/);
    expect(p.match(/SEARCH logs USING PRIMARY KEY \(slot=\? AND id_hi=\? AND id_lo=\?\)/g)).toHaveLength(ids.length);
    expect(p).not.toMatch(/logs_account_time_idx|SCAN logs/);
  });
});
