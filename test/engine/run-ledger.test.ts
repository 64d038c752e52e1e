/**
 * The seven ways the engine broke "every slot runs once, on time, and ends recorded" before the run ledger
 * (issue: the run ledger), each with its exact interleaving. Targets are the loopback test server's /count/{key}
 * (the target's own count of calls) unless an executor has to be held mid-call.
 */
import { createExecutionContext, getQueueResult } from "cloudflare:test";
import { beforeEach, describe, expect, inject, it } from "vitest";
import type { CronJobRow } from "../../src/db/schema";
import { consumeRun } from "../../src/engine/consume";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { dispatchTick } from "../../src/engine/dispatch";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { takeLease } from "../../src/engine/ledger";
import { consumeBatch, DEAD_LETTER_QUEUE, MAX_IN_FLIGHT, redeliveryDelaySeconds } from "../../src/engine/queue-handler";
import { relayStranded } from "../../src/engine/relay";
import { triggerNow } from "../../src/engine/trigger";
import { findLiveJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { CallbackMessage, EngineMessage, RunMessage } from "../../src/lib/messages";
import wranglerToml from "../../wrangler.toml?raw";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, refOf, scriptedExecutor, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { batchOf } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const MIN = 60_000;
const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const port = inject("targetPort");

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const key = () => crypto.randomUUID();
const target = (k: string, fail = 0) => `http://127.0.0.1:${port}/count/${k}${fail ? `?fail=${fail}` : ""}`;
async function calls(k: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/counts/${k}`);
  return ((await res.json()) as { calls: number }).calls;
}
const httpDeps = (over: Parameters<typeof testDeps>[0] = {}) =>
  testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }), ...over });

/** The job's logs in the order they were written (text decoded, as the API reads it). */
async function logsOf(jobId: string) {
  return (await storedLogs(shardD1(), [jobId]))
    .sort((a, b) => a.executed_at - b.executed_at || a.retry_attempt - b.retry_attempt)
    .map(({ id, status, retry_attempt, trigger, scheduled_at, response_code, error_message }) => ({
      id,
      status,
      retry_attempt,
      trigger,
      scheduled_at,
      response_code,
      error_message,
    }));
}

const runs = (sent: Array<{ body: EngineMessage }>) =>
  sent.filter((m) => m.body.type === "run").map((m) => m.body as RunMessage);
const callbacks = (sent: Array<{ body: EngineMessage }>) =>
  sent.filter((m) => m.body.type === "callback").map((m) => m.body as CallbackMessage);

/** An every-minute job ending after `n` runs, first slot T. */
function endsAfter(n: number, extra: Partial<CronJobRow> = {}) {
  return insertJob(acct.accountId, {
    nextRunAt: T,
    scheduleAnchorAt: T - MIN,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "after", end_occurrences: n }),
    ...extra,
  });
}

describe("1. concurrent run-now", () => {
  it("three triggers in one millisecond are three runs: three calls, three ids, three logs, counters +3", async () => {
    const k = key();
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, endpointUrl: target(k), maxRetries: 0 });
    const row = (await findLiveJob(db(), job.id)) as CronJobRow;
    const deps = httpDeps({ now: () => T });
    const outcomes = await Promise.all([triggerNow(deps, row), triggerNow(deps, row), triggerNow(deps, row)]);
    const ids = outcomes.map((o) => o?.executionId);
    expect(new Set(ids).size).toBe(3);
    expect(await calls(k)).toBe(3);
    const logs = await logsOf(job.id);
    expect(logs.map((l) => l.id).sort()).toEqual([...ids].sort());
    expect(logs.every((l) => l.trigger === "manual" && l.scheduled_at === null)).toBe(true);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ totalExecutions: 3, successfulExecutions: 3 });
  });
});

describe("2. end_type after: an ended schedule is not a pause", () => {
  it("slot 1's retry still runs after slot 2, the last, succeeded; the job completes", async () => {
    const k = key();
    const job = await endsAfter(2, { endpointUrl: target(k, 1), maxRetries: 1 });
    const deps = httpDeps();
    await dispatchTick(db(), deps.queue, T);
    const [slot1] = runs(deps.queue.take());
    await consumeRun(deps, slot1 as RunMessage); // fails: its retry is queued
    const [retry1] = runs(deps.queue.take());
    await dispatchTick(db(), deps.queue, T + MIN);
    const [slot2] = runs(deps.queue.take());
    expect((await consumeRun(deps, slot2 as RunMessage)).result).toBe("executed");
    expect(await findLiveJob(db(), job.id)).toMatchObject({ state: "completed", isActive: false });
    expect((await consumeRun(deps, retry1 as RunMessage)).result).toBe("executed");
    expect(await calls(k)).toBe(3);
    expect((await logsOf(job.id)).map((l) => [l.scheduled_at, l.retry_attempt, l.status, l.trigger])).toEqual([
      [T, 0, "failure", "schedule"],
      [T + MIN, 0, "success", "schedule"],
      [T, 1, "success", "retry"],
    ]);
  });

  it("slot N−1's final retry recorded between the claim and the run of slot N does not end the job", async () => {
    const k = key();
    const job = await endsAfter(2, { endpointUrl: target(k, 1), maxRetries: 1 });
    const deps = httpDeps();
    await dispatchTick(db(), deps.queue, T);
    await consumeRun(deps, runs(deps.queue.take())[0] as RunMessage);
    const [retry1] = runs(deps.queue.take());
    await dispatchTick(db(), deps.queue, T + MIN); // claims slot 2, the last: next_run_at becomes null
    const [slot2] = runs(deps.queue.take());
    await consumeRun(deps, retry1 as RunMessage); // slot 1's final outcome
    expect(await findLiveJob(db(), job.id)).toMatchObject({ state: "active", isActive: true, nextRunAt: null });
    expect((await consumeRun(deps, slot2 as RunMessage)).result).toBe("executed");
    expect(await calls(k)).toBe(3);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ state: "completed", totalExecutions: 3 });
  });

  it("a run-now between the claim and the run of the last slot does not end the job", async () => {
    const k = key();
    const job = await endsAfter(1, { endpointUrl: target(k), maxRetries: 0 });
    const deps = httpDeps();
    await dispatchTick(db(), deps.queue, T);
    const [last] = runs(deps.queue.take());
    await triggerNow(deps, (await findLiveJob(db(), job.id)) as CronJobRow);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ state: "active" });
    expect((await consumeRun(deps, last as RunMessage)).result).toBe("executed");
    expect(await calls(k)).toBe(2);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ state: "completed", totalExecutions: 2 });
  });

  it("a paused job skips its pending retry (ledger only, no log); a completed one runs it", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 2 });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    await consumeRun(deps, await queuedRun(job, T));
    const [retry] = runs(deps.queue.take());
    await shardD1().prepare("UPDATE cron_jobs SET state = 'paused', is_active = 0 WHERE id = ?").bind(job.id).run();
    expect((await consumeRun(deps, retry as RunMessage)).result).toBe("skipped");
    const row = await shardD1().prepare("SELECT state, reason FROM run_ledger WHERE id = ?").bind(retry?.runId).first();
    expect(row).toEqual({ state: "skipped", reason: "paused" });
    expect(await logsOf(job.id)).toHaveLength(1);
  });
});

describe("3. a failed send never ends a run early", () => {
  it("the retry's send throws once: the redelivery finds the log and sends the retry", async () => {
    const k = key();
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, endpointUrl: target(k, 1), maxRetries: 1 });
    const deps = httpDeps();
    const msg = await queuedRun(job, T);
    deps.queue.failOnce();
    await expect(consumeRun(deps, msg)).rejects.toThrow("queue unavailable");
    expect(deps.queue.take()).toEqual([]);
    expect((await consumeRun(deps, msg)).result).toBe("duplicate"); // the queue redelivers it
    const [retry] = runs(deps.queue.take());
    expect((await consumeRun(deps, retry as RunMessage)).result).toBe("executed");
    expect(await calls(k)).toBe(2);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ lastRunStatus: "success", totalExecutions: 2 });
  });

  it("the callback's send throws once: the redelivery sends it, once", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 0,
      failureCallbackUrl: "https://hooks.example.com/fail",
      callbacks: JSON.stringify({ notify: "final" }),
    });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
    const msg = await queuedRun(job, T);
    deps.queue.failOnce();
    await expect(consumeRun(deps, msg)).rejects.toThrow();
    await consumeRun(deps, msg);
    await consumeRun(deps, msg);
    expect(callbacks(deps.queue.take()).map((c) => c.url)).toEqual(["https://hooks.example.com/fail"]);
  });

  it("with no redelivery at all, the tick's relay sends the unsent retry", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 1 });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500, {}) });
    deps.queue.failOnce();
    await expect(consumeRun(deps, await queuedRun(job, T))).rejects.toThrow();
    await relayStranded(deps);
    const [retry] = runs(deps.queue.take());
    expect(retry?.jobId).toBe(job.id);
    await consumeRun(deps, retry as RunMessage);
    expect((await logsOf(job.id)).map((l) => l.status)).toEqual(["failure", "success"]);
  });
});

describe("the relay finishes what nothing else would", () => {
  it("a run-now whose client went away mid-run (lease held, no outcome) is re-sent once its lease expires", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, timeoutSeconds: 5 });
    const msg = await queuedRun(job, T, { origin: "manual", nonce: "n1" });
    await takeLease(db(), refOf(msg), T, 5); // the request's isolate was cancelled after taking the lease
    const early = testDeps({ now: () => T + 20_000 });
    await relayStranded(early);
    expect(runs(early.queue.take())).toEqual([]);
    const later = testDeps({ executor: scriptedExecutor({}), now: () => T + 11 * MIN });
    await relayStranded(later);
    const [again] = runs(later.queue.take());
    expect(again?.runId).toBe(msg.runId);
    expect((await consumeRun(later, again as RunMessage)).result).toBe("executed");
    expect(await logsOf(job.id)).toMatchObject([{ id: msg.runId, trigger: "manual", scheduled_at: null }]);
  });

  it("a callback whose send failed and whose message is never redelivered is sent from the outbox", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 0,
      successCallbackUrl: "https://hooks.example.com/ok",
      callbacks: JSON.stringify({ notify: "attempt" }),
    });
    const deps = testDeps({ executor: scriptedExecutor({}), now: () => T });
    deps.queue.failOnce();
    await expect(consumeRun(deps, await queuedRun(job, T))).rejects.toThrow();
    const soon = testDeps({ now: () => T + MIN });
    await relayStranded(soon);
    expect(callbacks(soon.queue.take())).toEqual([]); // not yet stale: a redelivery may still send it
    const later = testDeps({ now: () => T + 11 * MIN });
    await relayStranded(later);
    await relayStranded(later);
    expect(callbacks(later.queue.take()).map((c) => c.url)).toEqual(["https://hooks.example.com/ok"]);
  });
});

/** An executor whose calls wait until released; it counts calls and the most in flight at once. */
function heldExecutor() {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const ex = {
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    release,
    async execute(): Promise<ExecutionResult> {
      ex.calls++;
      ex.inFlight++;
      ex.maxInFlight = Math.max(ex.maxInFlight, ex.inFlight);
      await released;
      ex.inFlight--;
      return {
        status: "success",
        responseCode: 200,
        responseBody: "ok",
        errorMessage: null,
        responseTimeMs: 1,
        retryAfterSeconds: null,
      };
    },
  };
  return ex;
}

describe("4. the same message delivered twice at once", () => {
  it("calls the target once: the second delivery finds the lease held", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const ex = heldExecutor();
    const deps = testDeps({ executor: ex });
    const msg = await queuedRun(job, T);
    const first = consumeRun(deps, msg);
    while (ex.calls === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await consumeRun(deps, msg);
    expect(second.result).toBe("busy");
    expect(second.retryAfterSeconds).toBeGreaterThan(job.timeoutSeconds ?? 30);
    ex.release();
    expect((await first).result).toBe("executed");
    expect((await consumeRun(deps, msg)).result).toBe("duplicate");
    expect(ex.calls).toBe(1);
    expect(await logsOf(job.id)).toHaveLength(1);
  });

  it("a lease that expired with no outcome may be taken by the next delivery", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, timeoutSeconds: 5 });
    const msg = await queuedRun(job, T);
    expect(await takeLease(db(), refOf(msg), T, 5)).toBeDefined(); // a consumer that then died
    const ex = scriptedExecutor({});
    expect((await consumeRun(testDeps({ executor: ex, now: () => T + 10_000 }), msg)).result).toBe("busy");
    expect((await consumeRun(testDeps({ executor: ex, now: () => T + 36_000 }), msg)).result).toBe("executed");
    expect(ex.calls).toBe(1);
  });
});

describe("5. the newest slot's outcome wins", () => {
  it("a late failing retry of an older slot leaves last_run_status, the streak and on_change alone", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 1,
      successCallbackUrl: "https://hooks.example.com/ok",
      failureCallbackUrl: "https://hooks.example.com/fail",
      callbacks: JSON.stringify({ notify: "on_change" }),
    });
    const deps = testDeps({ executor: scriptedExecutor(FAIL_500, {}, FAIL_500) });
    await consumeRun(deps, await queuedRun(job, T)); // slot 1, attempt 0: fails, retry queued
    const [retry1] = runs(deps.queue.take());
    await consumeRun(deps, await queuedRun(job, T + MIN)); // slot 2: succeeds
    await consumeRun(deps, retry1 as RunMessage); // slot 1, attempt 1: fails, final, older
    expect(await findLiveJob(db(), job.id)).toMatchObject({
      lastRunStatus: "success",
      consecutiveFailures: 0,
      lastOutcomeSlot: T + MIN,
      totalExecutions: 3,
      failedExecutions: 2,
    });
    expect(callbacks(deps.queue.take())).toEqual([]);
  });
});

describe("6. one tenant's slow endpoints do not delay its batch neighbours", () => {
  it("a batch's runs execute at once, at most MAX_IN_FLIGHT target calls in flight", async () => {
    const jobs = await Promise.all(
      Array.from({ length: 6 }, () => insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 })),
    );
    const ex = heldExecutor();
    const deps = testDeps({ executor: ex });
    const messages = await Promise.all(jobs.map((j) => queuedRun(j, T)));
    const done = consumeBatch(deps, batchOf(messages));
    while (ex.calls < MAX_IN_FLIGHT) await new Promise((r) => setTimeout(r, 5));
    // Four calls are in flight together, none finished: a sequential consumer would have one.
    expect(ex.inFlight).toBe(MAX_IN_FLIGHT);
    ex.release();
    await done;
    expect(ex.calls).toBe(6);
    expect(ex.maxInFlight).toBe(MAX_IN_FLIGHT);
  });

  it("a healthy run finishes while the hanging runs of its batch are still waiting", async () => {
    const hanging = heldExecutor();
    const healthy = scriptedExecutor({});
    let healthyDoneWhileHung = false;
    const hangers = await Promise.all(
      [0, 1, 2].map(() =>
        insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, endpointUrl: "https://hang.example/" }),
      ),
    );
    const ok = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, endpointUrl: "https://ok.example/" });
    const router: Executor = {
      async execute(req) {
        if (req.endpointUrl.startsWith("https://hang")) return hanging.execute();
        const r = await healthy.execute(req);
        healthyDoneWhileHung = hanging.inFlight === 3;
        hanging.release();
        return r;
      },
    };
    const deps = testDeps({ executor: router });
    // The hanging runs come first in the batch, as in the observed tick.
    const messages = await Promise.all([...hangers, ok].map((j) => queuedRun(j, T)));
    await consumeBatch(deps, batchOf(messages));
    expect(healthyDoneWhileHung).toBe(true);
    expect(await logsOf(ok.id)).toHaveLength(1);
  });

  it("wrangler.toml: batches of 4, high max_concurrency, a dead-letter queue with its own consumer", () => {
    const consumers = wranglerToml.split("[[queues.consumers]]").slice(1);
    const runsConsumer = consumers.find((c) => /queue = "edgecron-runs"\n/.test(c)) ?? "";
    expect(runsConsumer).toMatch(/max_batch_size = 4\n/);
    expect(runsConsumer).toMatch(/max_concurrency = 250\n/);
    expect(runsConsumer).toMatch(new RegExp(`dead_letter_queue = "${DEAD_LETTER_QUEUE}"`));
    expect(consumers.some((c) => c.includes(`queue = "${DEAD_LETTER_QUEUE}"`))).toBe(true);
  });
});

describe("7. the dead-letter queue closes every run with a log", () => {
  it("a run never started: an error log saying it was not delivered, and its follow-ups", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      maxRetries: 0,
      failureCallbackUrl: "https://hooks.example.com/fail",
      callbacks: JSON.stringify({ notify: "final" }),
    });
    const ex = scriptedExecutor({});
    const deps = testDeps({ executor: ex });
    const msg = await queuedRun(job, T);
    expect((await closeDeadRun(deps, msg, 11)).result).toBe("closed");
    expect(ex.calls).toBe(0);
    const [log] = await logsOf(job.id);
    expect(log).toMatchObject({ status: "error", response_code: null });
    expect(log?.error_message).toMatch(/^Not delivered: the run's queue message failed 11 deliveries/);
    const row = await shardD1().prepare("SELECT state, reason FROM run_ledger WHERE id = ?").bind(msg.runId).first();
    expect(row).toEqual({ state: "dead", reason: "undelivered" });
    expect(callbacks(deps.queue.take())).toHaveLength(1);
    expect((await closeDeadRun(deps, msg, 11)).result).toBe("duplicate");
  });

  it("a run that was leased: an error log whose outcome is unknown (after the lease, not during it)", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, timeoutSeconds: 5 });
    const msg = await queuedRun(job, T);
    await takeLease(db(), refOf(msg), T, 5);
    expect((await closeDeadRun(testDeps({ now: () => T + 1000 }), msg, 11)).result).toBe("busy");
    expect((await closeDeadRun(testDeps({ now: () => T + 60_000 }), msg, 11)).result).toBe("closed");
    const [log] = await logsOf(job.id);
    expect(log).toMatchObject({ status: "error", response_code: null });
    expect(log?.error_message).toMatch(/^Outcome unknown/);
    const row = await shardD1().prepare("SELECT state, reason FROM run_ledger WHERE id = ?").bind(msg.runId).first();
    expect(row).toEqual({ state: "dead", reason: "outcome_unknown" });
  });

  it("queue(): the dead-letter queue's batches go to the closer; failed deliveries back off longer each time", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const msg = await queuedRun(job, T);
    const ctx = createExecutionContext();
    const batch = batchOf([msg], 11, DEAD_LETTER_QUEUE);
    await consumeBatch(testDeps(), batch);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect((await logsOf(job.id))[0]?.error_message).toMatch(/^Not delivered/);
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(redeliveryDelaySeconds)).toEqual([10, 20, 40, 80, 160, 320, 600, 600]);
  });
});

describe("full pages stay within D1's 100 bound parameters", () => {
  it("a failed send of a full tick page, and a full relay pass, mark every run (100+ ids)", async () => {
    const t = T + 7 * MIN;
    const jobs = [];
    for (let k = 0; k < 130; k++) jobs.push(await insertJob(acct.accountId, { nextRunAt: t, maxRetries: 0 }));
    const deps = testDeps({ now: () => t });
    deps.queue.failOnce();
    const report = await dispatchTick(db(), deps.queue, t, t); // page 1's send fails: 100 runs marked unsent
    expect(report.claimed).toBeGreaterThanOrEqual(130);
    const ids = new Set(jobs.map((j) => j.id));
    const mine = () => runs(deps.queue.take()).filter((m) => ids.has(m.jobId));
    expect(mine().length).toBeLessThan(130);
    await relayStranded(deps);
    await relayStranded(deps);
    const afterRelay = await shardD1()
      .prepare(`SELECT count(*) AS n FROM run_ledger WHERE sent_at IS NULL AND account_id = ?`)
      .bind(acct.accountId)
      .first<{ n: number }>();
    expect(afterRelay?.n).toBe(0);
    // Every run went out, none twice from the relay: a third pass finds nothing to send.
    deps.queue.take();
    await relayStranded(deps);
    expect(mine()).toEqual([]);
  });
});
