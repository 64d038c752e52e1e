import { beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart, TRIGGER_RESULT_FIELDS } from "../helpers/jobs";
import { captureQueue } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";
import { callWith } from "../http/app-env";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

/** No callback URLs: a queued callback would be delivered by the real queue, and tests stay off the network. */
const noCallbacks = () => ({ ...quickStart(), callbacks: undefined });

const trigger = (api: ReturnType<typeof jobsApi>, id: string) => api.send("POST", `/trigger/${id}`);

describe("POST /trigger/{cron_job_id}", () => {
  it("runs an active job now, records the log, and leaves next_run_at alone", async () => {
    const job = (await jobs.create({ ...noCallbacks(), retry_config: { max_retries: 0 } })).body.data;
    const res = await trigger(jobs, job.id);
    expect(res.status).toBe(200);
    const d = res.body.data;
    expect(Object.keys(d).sort()).toEqual([...TRIGGER_RESULT_FIELDS].sort());
    expect(d.execution_id).toMatch(/^exe_[0-9A-Z]{26}$/);
    expect(["success", "failure", "error", "timeout"]).toContain(d.status);
    expect(d.executed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const logs = await jobs.logs(job.id);
    expect(logs.body.data).toEqual([
      expect.objectContaining({
        id: d.execution_id,
        status: d.status,
        response_code: d.response_code,
        response_body: d.response_body,
        error_message: d.error_message,
        response_time_ms: d.response_time_ms,
        executed_at: d.executed_at,
        retry_attempt: 0,
      }),
    ]);
    const after = (await jobs.details(job.id)).body.data;
    expect(after.next_run_at).toBe(job.next_run_at);
    expect(after.total_executions).toBe(1);
    expect(after.last_run_status).toBe(d.status);
    const row = await shardD1().prepare("SELECT occurrences FROM cron_jobs WHERE id = ?").bind(job.id).first();
    expect(row).toEqual({ occurrences: 0 });
  });

  it("says why a run failed: the log's error_message, for a refused connection and a 503 alike", async () => {
    const target = `http://127.0.0.1:${inject("targetPort")}`;
    for (const [url, status] of [
      ["http://127.0.0.1:1/closed", "error"],
      [`${target}/retry-after`, "failure"],
    ] as const) {
      const job = (await jobs.create({ ...noCallbacks(), endpoint_url: url, retry_config: { max_retries: 0 } })).body
        .data;
      const res = await callWith(
        { EXECUTOR: "http", RUNS: captureQueue() as unknown as Queue },
        `/v1/cron-jobs/${acct.accountId}/trigger/${job.id}`,
        { method: "POST", headers: acct.headers },
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.status).toBe(status);
      expect(res.body.data.error_message).toEqual(expect.any(String));
      const [log] = (await jobs.logs(job.id)).body.data;
      expect(log).toMatchObject({ id: res.body.data.execution_id, error_message: res.body.data.error_message });
    }
  });

  it("an inactive job → 400 'Cron job is not active'", async () => {
    const job = (await jobs.create({ ...noCallbacks(), is_active: false })).body.data;
    expectProblem(await trigger(jobs, job.id), 400, "Cron job is not active");
  });

  it("a missing job → 404, a bad id → 400, another account's job → 404", async () => {
    expectProblem(await trigger(jobs, crypto.randomUUID()), 404);
    expectProblem(await trigger(jobs, "nope"), 400);
    const job = (await jobs.create(noCallbacks())).body.data;
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await trigger(other, job.id), 404);
    expect((await jobs.logs(job.id)).body.pagination.total_items).toBe(0);
  });

  it("another account's key on this account → 403", async () => {
    const other = await createAccount("Other");
    const res = await jobs.send("POST", `/trigger/${crypto.randomUUID()}`);
    expect(res.status).toBe(404);
    const { api } = await import("../helpers/http");
    const forbidden = await api(`/v1/cron-jobs/${acct.accountId}/trigger/${crypto.randomUUID()}`, {
      method: "POST",
      headers: other.headers,
    });
    expectProblem(forbidden, 403);
  });
});
