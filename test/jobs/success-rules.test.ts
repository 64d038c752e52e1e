import { beforeEach, describe, expect, inject, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { createHttpExecutor } from "../../src/engine/executors/http";
import type { Executor } from "../../src/lib/execution";
import { serialiseLog } from "../../src/logs/serialise";
import { findLog } from "../../src/logs/store";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const port = inject("targetPort");
const closedPort = inject("closedPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

/** The http executor, counting the calls it makes to the target. */
function countingHttp(): Executor & { calls: number } {
  const http = createHttpExecutor({ allowPrivateTargets: true });
  const ex = {
    calls: 0,
    execute: (req: Parameters<Executor["execute"]>[0]) => {
      ex.calls++;
      return http.execute(req);
    },
  };
  return ex;
}

interface RunSpec {
  path: string;
  successRules?: Record<string, unknown> | null;
  retry?: Record<string, unknown>;
  maxRetries?: number;
  timeoutSeconds?: number;
  url?: string;
}

/** Creates the job, consumes its first attempt through the http executor; returns the log and what followed. */
async function runOnce(spec: RunSpec) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    endpointUrl: spec.url ?? `http://127.0.0.1:${port}${spec.path}`,
    method: "GET",
    maxRetries: spec.maxRetries ?? 3,
    timeoutSeconds: spec.timeoutSeconds ?? 5,
    retryConfig: JSON.stringify(spec.retry ?? {}),
    successRules:
      spec.successRules === undefined || spec.successRules === null ? null : JSON.stringify(spec.successRules),
  });
  const executor = countingHttp();
  const deps = testDeps({ executor, now: () => T });
  const msg = await queuedRun(job, T);
  expect((await consumeRun(deps, msg)).result).toBe("executed");
  const row = await findLog(db(), msg.runId);
  if (!row) throw new Error("no log");
  const retries = deps.queue.take().filter((m) => m.body.type === "run");
  return { log: serialiseLog(row), calls: executor.calls, retries };
}

describe("success rules", () => {
  it("default: 2xx is success, decided by status_codes; a 304 is a failure", async () => {
    const ok = await runOnce({ path: "/ok" });
    expect(ok.log).toMatchObject({ status: "success", response_code: 200, decided_by: "status_codes" });
    const notModified = await runOnce({ path: "/status/304", maxRetries: 0 });
    expect(notModified.log).toMatchObject({
      status: "failure",
      response_code: 304,
      decided_by: "status_codes",
      error_message: "Endpoint returned status code 304",
    });
  });

  it('status_codes "200-299,304": a 304 counts as success', async () => {
    const { log, retries } = await runOnce({ path: "/status/304", successRules: { status_codes: "200-299,304" } });
    expect(log).toMatchObject({
      status: "success",
      response_code: 304,
      decided_by: "status_codes",
      error_message: null,
    });
    expect(retries).toEqual([]);
  });

  it("status_codes can make a 2xx a failure", async () => {
    const { log } = await runOnce({ path: "/ok", successRules: { status_codes: "204" }, maxRetries: 0 });
    expect(log).toMatchObject({ status: "failure", response_code: 200, decided_by: "status_codes" });
  });

  it("body_contains: present → success decided by it; absent → failure decided by it, retried by default", async () => {
    const present = await runOnce({ path: "/ok", successRules: { body_contains: '"message":"hello"' } });
    expect(present.log).toMatchObject({ status: "success", decided_by: "body_contains", error_message: null });
    const absent = await runOnce({ path: "/ok", successRules: { body_contains: "goodbye" }, maxRetries: 2 });
    expect(absent.log).toMatchObject({
      status: "failure",
      response_code: 200,
      decided_by: "body_contains",
      error_message: 'Response body does not contain "goodbye"',
    });
    expect(absent.retries).toHaveLength(1);
  });

  it("body_not_contains: present → failure decided by it; absent → success", async () => {
    const bad = await runOnce({ path: "/ok", successRules: { body_not_contains: '"ok":true' }, maxRetries: 0 });
    expect(bad.log).toMatchObject({
      status: "failure",
      decided_by: "body_not_contains",
      error_message: 'Response body contains "\\"ok\\":true"',
    });
    const good = await runOnce({ path: "/ok", successRules: { body_not_contains: "error" } });
    expect(good.log).toMatchObject({ status: "success", decided_by: "body_not_contains" });
  });

  it("the status rule is checked first: a 500 whose body has the wanted text is still a failure by status_codes", async () => {
    const { log } = await runOnce({ path: "/status/500", successRules: { body_contains: "boom" }, maxRetries: 0 });
    expect(log).toMatchObject({ status: "failure", response_code: 500, decided_by: "status_codes" });
  });

  it("rules never touch an error or a timeout: decided_by is null", async () => {
    const refused = await runOnce({ path: "", url: `http://127.0.0.1:${closedPort}/`, maxRetries: 0 });
    expect(refused.log).toMatchObject({ status: "error", decided_by: null });
    const slow = await runOnce({ path: "/slow", timeoutSeconds: 1, maxRetries: 0 });
    expect(slow.log).toMatchObject({ status: "timeout", decided_by: null });
  });
});

describe("which outcomes are retried", () => {
  it('retry_on_status_codes "500-599": a 404 is not retried — exactly one call to the target', async () => {
    const { log, calls, retries } = await runOnce({ path: "/status/404", retry: { retry_on_status_codes: "500-599" } });
    expect(log).toMatchObject({ status: "failure", response_code: 404 });
    expect(calls).toBe(1);
    expect(retries).toEqual([]);
    // The run is closed for good: nothing queued or running is left in the ledger for it.
    const open = shardD1().prepare("SELECT count(*) AS n FROM run_ledger WHERE job_id = ? AND state != 'done'");
    expect(await open.bind(log.cron_job_id).first()).toEqual({ n: 0 });
  });

  it("…while a 500 is still retried", async () => {
    const { retries } = await runOnce({ path: "/status/500", retry: { retry_on_status_codes: "500-599" } });
    expect(retries).toHaveLength(1);
  });

  it("by default every unsuccessful outcome is retried (a 404 too)", async () => {
    const { retries } = await runOnce({ path: "/status/404" });
    expect(retries).toHaveLength(1);
  });

  it("retry_on_timeout false / retry_on_error false stop those retries", async () => {
    const slow = await runOnce({ path: "/slow", timeoutSeconds: 1, retry: { retry_on_timeout: false } });
    expect(slow.log.status).toBe("timeout");
    expect(slow.retries).toEqual([]);
    const refused = await runOnce({
      path: "",
      url: `http://127.0.0.1:${closedPort}/`,
      retry: { retry_on_error: false },
    });
    expect(refused.log.status).toBe("error");
    expect(refused.retries).toEqual([]);
    const retried = await runOnce({
      path: "",
      url: `http://127.0.0.1:${closedPort}/`,
      retry: { retry_on_timeout: false },
    });
    expect(retried.retries).toHaveLength(1);
  });
});
