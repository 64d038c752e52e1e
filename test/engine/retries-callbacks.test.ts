import { beforeEach, describe, expect, inject, it } from "vitest";
import { deliverCallback } from "../../src/engine/callbacks";
import { consumeRun } from "../../src/engine/consume";
import { MAX_RETRY_DELAY_SECONDS } from "../../src/engine/retry";
import { findLiveJob } from "../../src/jobs/repository";
import type { CallbackMessage, LegacyRunMessage, RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2025, 2, 3, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const run = (jobId: string, attempt = 0, slot = T): LegacyRunMessage => ({
  type: "run",
  jobId,
  slot,
  attempt,
  source: "schedule",
});

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

async function logs(jobId: string) {
  const { results } = await shardD1()
    .prepare("SELECT retry_attempt, status FROM execution_logs WHERE cron_job_id = ? ORDER BY retry_attempt")
    .bind(jobId)
    .all<{ retry_attempt: number; status: string }>();
  return results;
}

/** Feeds every queued run message back into the consumer until the queue is empty; returns the delays seen. */
async function drain(deps: ReturnType<typeof testDeps>) {
  const delays: Array<number | undefined> = [];
  for (let m = deps.queue.take(); m.length > 0; m = deps.queue.take()) {
    for (const { body, delaySeconds } of m) {
      if (body.type !== "run") continue;
      delays.push(delaySeconds);
      await consumeRun(deps, body);
    }
  }
  return delays;
}

describe("retries", () => {
  it("retries a failing run max_retries times, retry_delay_seconds apart, each attempt logged", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 3, retryDelaySeconds: 45 });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, run(job.id));
    expect(await drain(deps)).toEqual([45, 45, 45]);
    expect(await logs(job.id)).toEqual([0, 1, 2, 3].map((a) => ({ retry_attempt: a, status: "failure" })));
    const row = await findLiveJob(deps.db, job.id);
    expect(row).toMatchObject({
      totalExecutions: 4,
      failedExecutions: 4,
      consecutiveFailures: 1,
      lastRunStatus: "failure",
    });
  });

  it("stops at the first success; the run's final outcome sets last_run_status and resets the streak", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 5,
      consecutiveFailures: 4,
      lastRunStatus: "failure",
    });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500, { status: "timeout", responseCode: null }, {}) });
    await consumeRun(deps, run(job.id));
    await drain(deps);
    expect((await logs(job.id)).map((l) => l.status)).toEqual(["failure", "timeout", "success"]);
    expect(await findLiveJob(deps.db, job.id)).toMatchObject({
      consecutiveFailures: 0,
      lastRunStatus: "success",
      totalExecutions: 3,
      successfulExecutions: 1,
    });
  });

  it("an intermediate failed attempt does not touch consecutive_failures or last_run_status", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 2, lastRunStatus: "success" });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, run(job.id));
    expect(await findLiveJob(deps.db, job.id)).toMatchObject({
      consecutiveFailures: 0,
      lastRunStatus: "success",
      totalExecutions: 1,
    });
  });

  it("exponential backoff doubles the delay, capped", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 10,
      retryDelaySeconds: 600,
      retryConfig: JSON.stringify({
        max_retries: 10,
        retry_delay_seconds: 600,
        timeout_seconds: 30,
        backoff: "exponential",
      }),
    });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, run(job.id));
    expect(await drain(deps)).toEqual([600, 1200, 2400, ...Array(7).fill(MAX_RETRY_DELAY_SECONDS)]);
  });

  it("honours Retry-After on 429/503 (capped)", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 2, retryDelaySeconds: 60 });
    const deps = testDeps({
      executor: scriptedExecutor(
        { ...FAIL_500, responseCode: 503, retryAfterSeconds: 7 },
        { ...FAIL_500, responseCode: 429, retryAfterSeconds: 999_999 },
        FAIL_500,
      ),
    });
    await consumeRun(deps, run(job.id));
    expect(await drain(deps)).toEqual([7, MAX_RETRY_DELAY_SECONDS]);
  });

  it("a job deleted or paused during its retries stops retrying", async () => {
    for (const change of [{ deletedAt: T }, { isActive: false }]) {
      const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 3 });
      const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
      await consumeRun(deps, run(job.id));
      await shardD1()
        .prepare(
          `UPDATE cron_jobs SET ${"deletedAt" in change ? "deleted_at = ?" : "is_active = ?, state = 'paused'"} WHERE id = ?`,
        )
        .bind("deletedAt" in change ? T : 0, job.id)
        .run();
      await drain(deps);
      expect(await logs(job.id)).toHaveLength(1);
    }
  });
});

/** An independent verifier, as a customer would write it. */
async function verify(secret: string, header: string, body: string): Promise<boolean> {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=") as [string, string]));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const sig = new Uint8Array((parts.v1 ?? "").match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
  return crypto.subtle.verify("HMAC", key, sig, new TextEncoder().encode(`${parts.t}.${body}`));
}

function receiver(...statuses: number[]) {
  const calls: Array<{ url: string; headers: Headers; body: string }> = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body) });
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)] ?? 200;
    if (status === 0) throw new Error("connection refused");
    return new Response("ok", { status });
  };
  return { calls, fetch: fetchImpl as typeof fetch };
}

describe("callbacks", () => {
  const withCallbacks = (extra: Record<string, unknown> = {}) => ({
    nextRunAt: FAR,
    maxRetries: 0,
    successCallbackUrl: "https://hooks.example.com/ok",
    failureCallbackUrl: "https://hooks.example.com/fail",
    ...extra,
  });

  it("POSTs a signed payload to the failure URL after the final outcome", async () => {
    const job = await insertJob(acct.accountId, withCallbacks({ maxRetries: 1, name: "Nightly" }));
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, run(job.id));
    const queued = deps.queue.take();
    expect(queued.map((m) => m.body.type)).toEqual(["run"]); // the retry, no callback yet
    await consumeRun(deps, queued[0]?.body as RunMessage);
    const [cb] = deps.queue.take();
    expect(cb?.body.type).toBe("callback");
    const msg = cb?.body as CallbackMessage;
    const rx = receiver(200);
    expect(await deliverCallback({ ...deps, fetch: rx.fetch }, msg)).toBe("delivered");
    const call = rx.calls[0];
    expect(call?.url).toBe("https://hooks.example.com/fail");
    const payload = JSON.parse(call?.body ?? "{}");
    expect(Object.keys(payload).sort()).toEqual(
      [
        "cron_job_id",
        "cron_job_name",
        "execution_id",
        "status",
        "executed_at",
        "response_code",
        "response_time_ms",
        "response_body",
        "error_message",
        "retry_attempt",
        "next_retry_at",
      ].sort(),
    );
    expect(payload).toMatchObject({
      cron_job_id: job.id,
      cron_job_name: "Nightly",
      status: "failure",
      response_code: 500,
      response_body: '{"error":"boom"}',
      error_message: "Endpoint returned status code 500",
      retry_attempt: 1,
      next_retry_at: null,
    });
    expect(payload.execution_id).toMatch(/^exe_/);
    const header = call?.headers.get("x-edgecron-signature") ?? "";
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(/t=(\d+)/.exec(header)?.[1]) - Date.now() / 1000)).toBeLessThan(60);
    expect(await verify(acct.signingSecret, header, call?.body ?? "")).toBe(true);
    expect(await verify("whsec_wrong", header, call?.body ?? "")).toBe(false);
    expect(await verify(acct.signingSecret, header, `${call?.body} `)).toBe(false);
  });

  it("calls the success URL after a success", async () => {
    const job = await insertJob(acct.accountId, withCallbacks());
    const deps = testDeps({ executor: scriptedExecutor({}) });
    await consumeRun(deps, run(job.id));
    expect(deps.queue.take().map((m) => (m.body as CallbackMessage).url)).toEqual(["https://hooks.example.com/ok"]);
  });

  it("retries a failing receiver 3 times with exponential backoff, and never changes the log", async () => {
    const job = await insertJob(acct.accountId, withCallbacks());
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, run(job.id));
    const before = await logs(job.id);
    const rx = receiver(500, 0, 502, 503);
    const results: string[] = [];
    const delays: Array<number | undefined> = [];
    for (let m = deps.queue.take(); m.length > 0; m = deps.queue.take()) {
      for (const { body, delaySeconds } of m) {
        if (body.type !== "callback") continue;
        delays.push(delaySeconds);
        results.push(await deliverCallback({ ...deps, fetch: rx.fetch }, body));
      }
    }
    expect(results).toEqual(["retrying", "retrying", "retrying", "failed"]);
    expect(delays).toEqual([undefined, 30, 60, 120]);
    expect(rx.calls).toHaveLength(4);
    expect(await logs(job.id)).toEqual(before);
  });

  it("refuses private callback targets; ALLOW_PRIVATE_TARGETS allows loopback only", async () => {
    const msg = (url: string): CallbackMessage => ({
      type: "callback",
      accountId: acct.accountId,
      url,
      body: "{}",
      attempt: 0,
    });
    const rx = receiver(200);
    const refusing = { ...testDeps({ cfg: { ...testDeps().cfg, ALLOW_PRIVATE_TARGETS: false } }), fetch: rx.fetch };
    const allowing = { ...testDeps({ cfg: { ...testDeps().cfg, ALLOW_PRIVATE_TARGETS: true } }), fetch: rx.fetch };
    for (const url of ["http://169.254.169.254/x", "http://127.0.0.1:9/x"]) {
      expect(await deliverCallback(refusing, msg(url))).toBe("refused");
    }
    for (const url of ["http://169.254.169.254/x", "http://10.0.0.1/x", "http://[fe80::1]/x"]) {
      expect(await deliverCallback(allowing, msg(url))).toBe("refused");
    }
    expect(rx.calls).toHaveLength(0);
    expect(await deliverCallback(allowing, msg("http://127.0.0.1:9/x"))).toBe("delivered");
    expect(rx.calls).toHaveLength(1);
  });

  it("notify on_change reports only flips of the newest outcome", async () => {
    const flips = [
      [null, "success", null],
      [null, "failure", "https://hooks.example.com/fail"],
      ["success", "success", null],
      ["success", "timeout", "https://hooks.example.com/fail"],
      ["failure", "error", null],
      ["error", "success", "https://hooks.example.com/ok"],
    ] as const;
    for (const [previous, status, expected] of flips) {
      const job = await insertJob(
        acct.accountId,
        withCallbacks({ lastRunStatus: previous, callbacks: JSON.stringify({ notify: "on_change" }) }),
      );
      const result = status === "success" ? {} : { ...FAIL_500, status };
      const deps = testDeps({ executor: scriptedExecutor(result) });
      await consumeRun(deps, run(job.id));
      const urls = deps.queue.take().map((m) => (m.body as CallbackMessage).url);
      expect(urls).toEqual(expected === null ? [] : [expected]);
    }
  });

  it("notify attempt (A1Cron's behaviour): a failure callback per failed attempt with next_retry_at, then success", async () => {
    const job = await insertJob(
      acct.accountId,
      withCallbacks({ maxRetries: 2, retryDelaySeconds: 45, callbacks: JSON.stringify({ notify: "attempt" }) }),
    );
    const seen: unknown[] = [];
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500, FAIL_500, {}), now: () => T });
    await consumeRun(deps, run(job.id));
    for (let m = deps.queue.take(); m.length > 0; m = deps.queue.take()) {
      for (const { body } of m) if (body.type === "run") await consumeRun(deps, body);
      for (const { body } of m) if (body.type === "callback") seen.push(JSON.parse(body.body), body.url);
    }
    const payloads = seen.filter((x) => typeof x !== "string") as Array<Record<string, unknown>>;
    expect(payloads.map((p) => [p.status, p.retry_attempt, p.next_retry_at])).toEqual([
      ["failure", 0, "2025-03-03T12:00:45Z"],
      ["failure", 1, "2025-03-03T12:00:45Z"],
      ["success", 2, null],
    ]);
    expect(seen.filter((x) => typeof x === "string")).toEqual([
      "https://hooks.example.com/fail",
      "https://hooks.example.com/fail",
      "https://hooks.example.com/ok",
    ]);
  });

  it("notify final (and a stored job from before the modes) sends only the final outcome", async () => {
    for (const callbacks of [JSON.stringify({ notify: "final" }), "{}"]) {
      const job = await insertJob(acct.accountId, withCallbacks({ maxRetries: 1, callbacks }));
      const deps = testDeps({ executor: scriptedExecutor(FAIL_500, FAIL_500) });
      await consumeRun(deps, run(job.id));
      const first = deps.queue.take();
      expect(first.map((m) => m.body.type)).toEqual(["run"]);
      await consumeRun(deps, first[0]?.body as RunMessage);
      expect(deps.queue.take().map((m) => (m.body as CallbackMessage).url)).toEqual(["https://hooks.example.com/fail"]);
    }
  });

  it("on_change end to end: a second consecutive failure sends nothing", async () => {
    const job = await insertJob(acct.accountId, withCallbacks({ callbacks: JSON.stringify({ notify: "on_change" }) }));
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500, FAIL_500, {}) });
    await consumeRun(deps, run(job.id, 0, T));
    expect(deps.queue.take().map((m) => m.body.type)).toEqual(["callback"]);
    await consumeRun(deps, run(job.id, 0, T + 60_000));
    expect(deps.queue.take()).toEqual([]);
    await consumeRun(deps, run(job.id, 0, T + 120_000));
    expect(deps.queue.take().map((m) => (m.body as CallbackMessage).url)).toEqual(["https://hooks.example.com/ok"]);
  });
});

describe("a callback answered by a redirect to another origin", () => {
  const target = `http://127.0.0.1:${inject("targetPort")}`;
  const other = `http://127.0.0.1:${inject("otherTargetPort")}`;

  it.each([307, 308])("%i: the body is re-POSTed there, without the signature", async (code) => {
    const key = crypto.randomUUID();
    const msg: CallbackMessage = {
      type: "callback",
      accountId: acct.accountId,
      url: `${target}/redirect?status=${code}&to=${encodeURIComponent(`${other}/capture/${key}`)}`,
      body: JSON.stringify({ cron_job_id: "job_1", status: "failure" }),
      attempt: 0,
    };
    const deps = testDeps({ fetch: (input, init) => fetch(input, init) });
    expect(await deliverCallback(deps, msg)).toBe("delivered");
    const seen = (await (await fetch(`${other}/captured/${key}`)).json()) as Array<{
      body: string;
      headers: Record<string, string>;
    }>;
    expect(seen.map((r) => [r.body, r.headers["x-edgecron-signature"]])).toEqual([[msg.body, undefined]]);
  });

  it.each([302, 303])("%i: not followed (a POST is never turned into a GET), and not retried", async (code) => {
    const key = crypto.randomUUID();
    const msg: CallbackMessage = {
      type: "callback",
      accountId: acct.accountId,
      url: `${target}/redirect?status=${code}&to=${encodeURIComponent(`${other}/capture/${key}`)}`,
      body: "{}",
      attempt: 0,
    };
    const deps = testDeps({ fetch: (input, init) => fetch(input, init) });
    expect(await deliverCallback(deps, msg)).toBe("failed");
    expect(deps.queue.take()).toEqual([]);
    expect(await (await fetch(`${other}/captured/${key}`)).json()).toEqual([]);
  });
});
