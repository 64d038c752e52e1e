/**
 * POST /trigger with a bounded wait (src/engine/run-now.ts): an outcome within the wait is A1Cron's answer; a
 * longer run answers `pending` with its execution id and continues durably — through the queue for jobs whose
 * timeout is over 30 s, in waitUntil for a shorter job still running at the end of the wait. The wait is injected
 * (a short clock), so nothing here waits 25 s.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { findRun } from "../../src/engine/ledger";
import { DEFAULT_RUN_NOW_WAIT, type RunNowWait, runNow, runNowWait } from "../../src/engine/run-now";
import { findLiveJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { RunMessage } from "../../src/lib/messages";
import { findLog } from "../../src/logs/store";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { jobsApi, quickStart, TRIGGER_RESULT_FIELDS } from "../helpers/jobs";

const FAR = Date.UTC(2099, 0, 1);
const port = inject("targetPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

/** A wait of `ticks` polls of 10 ms each whose sleep runs `onSleep` (e.g. the queue consumer) instead of waiting. */
function testWait(ticks: number, onSleep: () => Promise<void> = async () => {}): RunNowWait & { sleeps: number } {
  const w = {
    sleeps: 0,
    waitMs: ticks * 10,
    pollMs: 10,
    async sleep() {
      w.sleeps++;
      await onSleep();
    },
  };
  return w;
}

const noWaitUntil = () => {
  throw new Error("waitUntil not expected");
};

async function liveJob(overrides: Parameters<typeof insertJob>[1]) {
  const row = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, ...overrides });
  const job = await findLiveJob(db(), row.id);
  if (!job) throw new Error("no job");
  return job;
}

describe("a long-timeout job (over 30 s) runs through the queue", () => {
  it("answers pending with its execution id when the wait ends first; the queued run's log arrives", async () => {
    const job = await liveJob({ endpointUrl: `http://127.0.0.1:${port}/ok`, method: "GET", timeoutSeconds: 300 });
    const executor = createHttpExecutor({ allowPrivateTargets: true });
    let calls = 0;
    const counting: Executor = {
      execute: (req) => {
        calls++;
        return executor.execute(req);
      },
    };
    const deps = testDeps({ executor: counting });
    const wait = testWait(3);
    const answer = await runNow(deps, job, { wait, waitUntil: noWaitUntil });
    expect(answer).toEqual({ state: "pending", executionId: expect.stringMatching(/^exe_/) });
    expect(wait.sleeps).toBe(3);
    expect(calls).toBe(0);
    // Durable: the ledger row is queued and its message was sent.
    const id = (answer as { executionId: string }).executionId;
    expect(await findRun(db(), { id, jobId: job.id })).toMatchObject({ state: "queued", origin: "manual", attempt: 0 });
    const [sent] = deps.queue.take();
    expect(sent?.body).toMatchObject({ type: "run", runId: id });
    // The consumer runs it once; a redelivery of the same message calls nothing.
    expect((await consumeRun(deps, sent?.body as RunMessage)).result).toBe("executed");
    expect((await consumeRun(deps, sent?.body as RunMessage)).result).toBe("duplicate");
    expect(calls).toBe(1);
    expect(await findLog(db(), id)).toMatchObject({
      id,
      status: "success",
      responseCode: 200,
      trigger: "manual",
    });
  });

  it("answers with the outcome when the log arrives within the wait", async () => {
    const job = await liveJob({
      endpointUrl: `http://127.0.0.1:${port}/status/503`,
      method: "GET",
      timeoutSeconds: 120,
    });
    const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
    // The consumer picks the message up during the first poll interval.
    const wait = testWait(100, async () => {
      for (const m of deps.queue.take()) if (m.body.type === "run") await consumeRun(deps, m.body as RunMessage);
    });
    const answer = await runNow(deps, job, { wait, waitUntil: noWaitUntil });
    expect(answer).toMatchObject({
      state: "finished",
      executionId: expect.stringMatching(/^exe_/),
      result: { status: "failure", responseCode: 503 },
    });
    expect(wait.sleeps).toBe(1);
  });

  it("a failed send still answers pending: the row stays unsent for the relay, never lost", async () => {
    const job = await liveJob({ timeoutSeconds: 600 });
    const deps = testDeps();
    deps.queue.failOnce();
    const answer = await runNow(deps, job, { wait: testWait(1), waitUntil: noWaitUntil });
    expect(answer?.state).toBe("pending");
    expect(await findRun(db(), { id: (answer as { executionId: string }).executionId, jobId: job.id })).toMatchObject({
      state: "queued",
      sentAt: null,
    });
  });
});

describe("a job with a timeout of at most 30 s runs inline", () => {
  it("answers with its outcome (A1Cron's answer) when it finishes within the wait", async () => {
    const job = await liveJob({ endpointUrl: `http://127.0.0.1:${port}/ok`, method: "GET", timeoutSeconds: 30 });
    const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
    // A wait that never ends by itself: the run wins the race.
    const wait: RunNowWait = { waitMs: 25_000, pollMs: 500, sleep: () => new Promise(() => {}) };
    const answer = await runNow(deps, job, { wait, waitUntil: noWaitUntil });
    expect(answer).toMatchObject({ state: "finished", result: { status: "success", responseCode: 200 } });
    expect(deps.queue.take()).toEqual([]);
  });

  it("still running at the end of the wait: pending, and the attempt finishes in waitUntil with its log", async () => {
    const job = await liveJob({ timeoutSeconds: 30 });
    let finish: (r: ExecutionResult) => void = () => {};
    let called: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      called = resolve;
    });
    const executor: Executor = {
      execute: () =>
        new Promise<ExecutionResult>((resolve) => {
          finish = resolve;
          called();
        }),
    };
    const deps = testDeps({ executor });
    const background: Promise<unknown>[] = [];
    const answer = await runNow(deps, job, {
      wait: { waitMs: 10, pollMs: 10, sleep: async () => {} },
      waitUntil: (work) => background.push(work),
    });
    expect(answer?.state).toBe("pending");
    const id = (answer as { executionId: string }).executionId;
    expect(await findRun(db(), { id, jobId: job.id })).toMatchObject({ state: "running" });
    expect(background).toHaveLength(1);
    await started;
    finish({
      status: "success",
      responseCode: 201,
      responseBody: "made",
      errorMessage: null,
      responseTimeMs: 26_000,
      retryAfterSeconds: null,
    });
    await Promise.all(background);
    expect(await findLog(db(), id)).toMatchObject({ status: "success", responseCode: 201 });
  });
});

describe("POST /trigger", () => {
  afterEach(() => {
    runNowWait.current = DEFAULT_RUN_NOW_WAIT;
  });

  it("a long run answers 202 pending with its execution id; its log arrives through the queue", async () => {
    runNowWait.current = { waitMs: 0, pollMs: 10, sleep: async () => {} };
    const jobs = jobsApi(acct);
    const created = await jobs.create({
      ...quickStart(),
      callbacks: undefined,
      retry_config: { max_retries: 0, timeout_seconds: 300 },
    });
    expect(created.status).toBe(201);
    const res = await jobs.send("POST", `/trigger/${created.body.data.id}`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      data: {
        execution_id: expect.stringMatching(/^exe_[0-9A-Z]{26}$/),
        cron_job_id: created.body.data.id,
        status: "pending",
      },
    });
    // The Worker's own queue consumer (mock executor in tests) runs it; the log appears under that id.
    const id = res.body.data.execution_id;
    let logs: Array<{ id: string; trigger: string }> = [];
    for (let i = 0; i < 100 && logs.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = (await jobs.logs(created.body.data.id)).body.data;
    }
    expect(logs).toEqual([expect.objectContaining({ id, trigger: "manual" })]);
  });

  it("a run within the wait keeps A1Cron's 200 answer", async () => {
    const jobs = jobsApi(acct);
    const created = await jobs.create({ ...quickStart(), callbacks: undefined, retry_config: { max_retries: 0 } });
    const res = await jobs.send("POST", `/trigger/${created.body.data.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual([...TRIGGER_RESULT_FIELDS].sort());
    // Its log says which success rule decided, in the logs endpoint and the NDJSON export alike.
    const { status, execution_id } = res.body.data;
    const decided = status === "success" || status === "failure" ? "status_codes" : null;
    const [log] = (await jobs.logs(created.body.data.id)).body.data;
    expect(log).toMatchObject({ id: execution_id, decided_by: decided });
    const exported = await jobs.send("GET", `/logs/${created.body.data.id}/export`);
    expect(exported.body).toMatchObject({ id: execution_id, decided_by: decided });
  });
});
