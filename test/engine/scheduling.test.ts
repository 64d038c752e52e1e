import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import type { RunRow } from "../../src/db/schema";
import { consumeRun } from "../../src/engine/consume";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { dispatchTick } from "../../src/engine/dispatch";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { findRun, jobRuns, markRunsUnsent } from "../../src/engine/ledger";
import { relayStranded } from "../../src/engine/relay";
import { computeNextRun } from "../../src/jobs/build";
import { findLiveJob } from "../../src/jobs/repository";
import type { Executor } from "../../src/lib/execution";
import { executionId } from "../../src/lib/execution-id";
import { jitteredStart, jitterOffsetSeconds } from "../../src/lib/jitter";
import type { RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;
const port = inject("targetPort");
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});
// Ticks are global: a test's jobs must not be due in the next test's ticks.
afterEach(async () => {
  await shardD1()
    .prepare("UPDATE cron_jobs SET deleted_at = 1, is_active = 0 WHERE account_id = ?")
    .bind(acct.accountId)
    .run();
});

/** The http executor, counting calls in flight per job (the most seen at once). */
function countingHttp() {
  const http = createHttpExecutor({ allowPrivateTargets: true });
  const ex = {
    inFlight: 0,
    most: 0,
    calls: [] as string[],
    async execute(req: Parameters<Executor["execute"]>[0]) {
      ex.calls.push(req.executionId);
      ex.inFlight++;
      ex.most = Math.max(ex.most, ex.inFlight);
      try {
        return await http.execute(req);
      } finally {
        ex.inFlight--;
      }
    },
  };
  return ex;
}

/** Engine deps over the http executor with a clock the test moves. */
function clockDeps(executor: Executor = createHttpExecutor({ allowPrivateTargets: true })) {
  const clock = { now: T };
  const deps = testDeps({ executor, now: () => clock.now });
  return { deps, clock };
}

/** The job's ledger, a key range (slot order), attempts in order within a slot. */
async function runsOf(jobId: string): Promise<RunRow[]> {
  return (await jobRuns(db(), jobId)).sort((a, b) => a.slot - b.slot || a.attempt - b.attempt);
}

async function logsOf(jobId: string) {
  const { results } = await shardD1()
    .prepare(
      "SELECT id, status, scheduled_at, retry_attempt FROM execution_logs WHERE cron_job_id = ? ORDER BY executed_at",
    )
    .bind(jobId)
    .all<{ id: string; status: string; scheduled_at: number | null; retry_attempt: number }>();
  return results;
}

async function calls(key: string): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${port}/counts/${key}`)).json()) as { calls: number }).calls;
}

const runMessages = (sent: Array<{ body: unknown; delaySeconds?: number }>) =>
  sent.map((s) => s.body as RunMessage).filter((b) => b.type === "run");

describe("one-off jobs", () => {
  it("run once at run_at (retries as configured), then the job is completed and never ticks again", async () => {
    const key = crypto.randomUUID();
    const runAt = T + 90_000; // 12:01:30: due at the 12:02 tick, the first at or after it
    const job = await insertJob(acct.accountId, {
      scheduleConfig: JSON.stringify({ run_at: iso(runAt), repeat_every: 1, end_type: "never" }),
      schedule: "1 12 1 6 *",
      nextRunAt: runAt,
      endpointUrl: `http://127.0.0.1:${port}/count/${key}?fail=1`,
      maxRetries: 1,
      retryDelaySeconds: 30,
    });
    const { deps, clock } = clockDeps();
    clock.now = T + MIN;
    expect((await dispatchTick(deps.db, deps.queue, T + MIN, clock.now)).claimed).toBe(0);
    clock.now = T + 2 * MIN;
    expect((await dispatchTick(deps.db, deps.queue, T + 2 * MIN, clock.now)).claimed).toBe(1);
    const claimed = await findLiveJob(db(), job.id);
    expect(claimed).toMatchObject({ nextRunAt: null, occurrences: 1, state: "active" });

    const [first] = runMessages(deps.queue.take());
    expect(await consumeRun(deps, first as RunMessage)).toEqual({ result: "executed" });
    // The first attempt failed and a retry is pending: not completed yet.
    expect((await findLiveJob(db(), job.id))?.state).toBe("active");
    const [retry] = deps.queue.take();
    clock.now += 30_000;
    expect(await consumeRun(deps, retry?.body as RunMessage)).toEqual({ result: "executed" });

    const done = await findLiveJob(db(), job.id);
    expect(done).toMatchObject({ state: "completed", isActive: false, nextRunAt: null, totalExecutions: 2 });
    expect(await calls(key)).toBe(2);
    const logs = await logsOf(job.id);
    expect(logs.map((l) => [l.status, l.retry_attempt, l.scheduled_at])).toEqual([
      ["failure", 0, runAt],
      ["success", 1, runAt],
    ]);
    clock.now = T + 60 * MIN;
    expect((await dispatchTick(deps.db, deps.queue, clock.now, clock.now)).due).toBe(0);
  });
});

describe("start_date", () => {
  it("no slot is claimed before it, the first one is start_date's own minute", async () => {
    const start = T + 5 * MIN;
    const row = {
      scheduleConfig: JSON.stringify({ cron: "* * * * *", start_date: iso(start), repeat_every: 1, end_type: "never" }),
      timezone: "UTC",
      scheduleAnchorAt: T,
      isActive: true,
      occurrences: 0,
    };
    const nextRunAt = computeNextRun(row, T);
    expect(nextRunAt).toBe(start);
    const job = await insertJob(acct.accountId, { ...row, schedule: "* * * * *", nextRunAt });
    const { deps, clock } = clockDeps();
    for (let m = 1; m < 5; m++) {
      clock.now = T + m * MIN;
      expect((await dispatchTick(deps.db, deps.queue, clock.now, clock.now)).claimed).toBe(0);
    }
    clock.now = start;
    expect((await dispatchTick(deps.db, deps.queue, start, start)).claimed).toBe(1);
    expect((await runsOf(job.id)).map((r) => r.slot)).toEqual([start]);
  });
});

describe("jitter", () => {
  it("the offset is a function of (job id, slot), within [0, window], spread over it", () => {
    const id = crypto.randomUUID();
    const offsets = Array.from({ length: 600 }, (_, k) => jitterOffsetSeconds(id, T + k * MIN, 120));
    expect(offsets.every((o) => Number.isInteger(o) && o >= 0 && o <= 120)).toBe(true);
    expect(Array.from({ length: 600 }, (_, k) => jitterOffsetSeconds(id, T + k * MIN, 120))).toEqual(offsets);
    expect(new Set(offsets).size).toBeGreaterThan(90);
    expect(jitterOffsetSeconds(id, T, 0)).toBe(0);
    expect(jitteredStart(id, T, 120)).toBe(T + (offsets[0] as number) * 1000);
    // Another job's slot gets its own offset: jobs on one schedule spread out.
    const others = Array.from({ length: 50 }, () => jitterOffsetSeconds(crypto.randomUUID(), T, 120));
    expect(new Set(others).size).toBeGreaterThan(20);
  });

  it("a jittered slot is planned and delayed by its offset; its identity stays the unjittered slot", async () => {
    const key = crypto.randomUUID();
    let id = crypto.randomUUID();
    while (jitterOffsetSeconds(id, T, 600) < 2) id = crypto.randomUUID();
    const offset = jitterOffsetSeconds(id, T, 600);
    const job = await insertJob(acct.accountId, {
      id,
      nextRunAt: T,
      schedule: "* * * * *",
      scheduleConfig: JSON.stringify({ cron: "* * * * *", repeat_every: 1, end_type: "never" }),
      endpointUrl: `http://127.0.0.1:${port}/capture/${key}`,
      jitterSeconds: 600,
      maxRetries: 0,
    });
    const { deps, clock } = clockDeps();
    await dispatchTick(deps.db, deps.queue, T, T);
    const [sent] = deps.queue.take();
    if (!sent) throw new Error("the tick sent nothing");
    expect(sent.delaySeconds).toBe(offset);
    const slotId = executionId(job.id, T, 0);
    expect((sent.body as RunMessage).runId).toBe(slotId);
    expect(await findRun(db(), { id: slotId, jobId: job.id })).toMatchObject({
      slot: T,
      plannedAt: T + offset * 1000,
      state: "queued",
    });

    // A copy delivered early (say, re-sent by the relay) is held back until the planned start.
    clock.now = T + 1000;
    expect(await consumeRun(deps, sent.body as RunMessage)).toEqual({
      result: "busy",
      retryAfterSeconds: offset - 1,
    });
    // The relay plans the same start again: the offset is not re-drawn.
    await markRunsUnsent(db(), [{ id: slotId, jobId: job.id }]);
    await relayStranded(deps);
    expect(deps.queue.take()[0]?.delaySeconds).toBe(offset - 1);

    clock.now = T + offset * 1000;
    expect(await consumeRun(deps, sent.body as RunMessage)).toEqual({ result: "executed" });
    const [request] = (await (await fetch(`http://127.0.0.1:${port}/captured/${key}`)).json()) as Array<{
      headers: Record<string, string>;
    }>;
    expect(request?.headers["x-edgecron-scheduled-at"]).toBe(iso(T));
    expect(request?.headers["idempotency-key"]).toBe(slotId);
    expect(request?.headers["x-edgecron-execution-id"]).toBe(slotId);
    expect((await logsOf(job.id)).map((l) => [l.id, l.scheduled_at])).toEqual([[slotId, T]]);
  });
});

/** A job on every minute against /slow (answers after 5 s), timing out after 1 s. */
async function slowJob(overlapPolicy: "skip" | "queue", maxRetries: number) {
  return insertJob(acct.accountId, {
    nextRunAt: T,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", repeat_every: 1, end_type: "never" }),
    endpointUrl: `http://127.0.0.1:${port}/slow`,
    timeoutSeconds: 1,
    maxRetries,
    retryDelaySeconds: 30,
    overlapPolicy,
  });
}

/** Waits until the run is leased (its consumer is calling the target). */
async function untilRunning(id: string, jobId: string) {
  await vi.waitFor(async () => expect((await findRun(db(), { id, jobId }))?.state).toBe("running"), {
    timeout: 5_000,
    interval: 20,
  });
}

describe("overlap_policy under a slow target", () => {
  it("skip: a slot is skipped while the previous run (retries included) is unfinished, counted, never logged", async () => {
    const job = await slowJob("skip", 1);
    const ex = countingHttp();
    const { deps, clock } = clockDeps(ex);
    await dispatchTick(deps.db, deps.queue, T, T);
    const [first] = runMessages(deps.queue.take());
    const running = consumeRun(deps, first as RunMessage);
    await untilRunning(executionId(job.id, T, 0), job.id);

    // 12:01 while the first attempt is in flight: skipped.
    clock.now = T + MIN;
    const tick = await dispatchTick(deps.db, deps.queue, T + MIN, clock.now);
    expect(tick).toMatchObject({ claimed: 1, enqueued: 0 });
    expect(await running).toEqual({ result: "executed" }); // timed out: a retry is pending
    const [retry] = deps.queue.take();
    // 12:02 while the retry is pending: skipped too (retries are part of the run).
    clock.now = T + 2 * MIN;
    expect(await dispatchTick(deps.db, deps.queue, clock.now, clock.now)).toMatchObject({ claimed: 1, enqueued: 0 });
    clock.now = T + 2 * MIN + 30_000;
    expect(await consumeRun(deps, retry?.body as RunMessage)).toEqual({ result: "executed" });
    // 12:03: the run has ended, the slot runs.
    clock.now = T + 3 * MIN;
    expect(await dispatchTick(deps.db, deps.queue, clock.now, clock.now)).toMatchObject({ claimed: 1, enqueued: 1 });

    const ledger = await runsOf(job.id);
    expect(ledger.map((r) => [r.slot - T, r.attempt, r.state, r.reason])).toEqual([
      [0, 0, "done", null],
      [0, 1, "done", null],
      [MIN, 0, "skipped", "overlap"],
      [2 * MIN, 0, "skipped", "overlap"],
      [3 * MIN, 0, "queued", null],
    ]);
    const row = await findLiveJob(db(), job.id);
    expect(row).toMatchObject({ skippedRuns: 2, totalExecutions: 2 });
    expect((await logsOf(job.id)).map((l) => l.scheduled_at)).toEqual([T, T]);
    expect(ex.most).toBe(1);
  }, 20_000);

  it("queue: a slot waits for the previous run and runs after it, never at the same time, never lost", async () => {
    const job = await slowJob("queue", 0);
    const ex = countingHttp();
    const { deps, clock } = clockDeps(ex);
    await dispatchTick(deps.db, deps.queue, T, T);
    const [first] = runMessages(deps.queue.take());
    const running = consumeRun(deps, first as RunMessage);
    await untilRunning(executionId(job.id, T, 0), job.id);

    clock.now = T + MIN;
    expect(await dispatchTick(deps.db, deps.queue, T + MIN, clock.now)).toMatchObject({ claimed: 1, enqueued: 1 });
    const [second] = runMessages(deps.queue.take());
    const secondId = executionId(job.id, T + MIN, 0);
    // Delivered while the first is in flight: it waits, queued, its message marked unsent for the relay.
    expect(await consumeRun(deps, second as RunMessage)).toEqual({ result: "waiting" });
    expect(await findRun(db(), { id: secondId, jobId: job.id })).toMatchObject({ state: "queued", sentAt: null });
    // Not even the dead-letter path closes a waiting run.
    expect(await closeDeadRun(deps, second as RunMessage, 10)).toEqual({ result: "waiting" });
    expect(ex.calls).toEqual([executionId(job.id, T, 0)]);

    expect(await running).toEqual({ result: "executed" });
    clock.now = T + MIN + 10_000;
    await relayStranded(deps);
    const [again] = runMessages(deps.queue.take());
    expect(again?.runId).toBe(secondId);
    expect(await consumeRun(deps, again as RunMessage)).toEqual({ result: "executed" });

    expect(ex.calls).toEqual([executionId(job.id, T, 0), secondId]);
    expect(ex.most).toBe(1);
    expect((await logsOf(job.id)).map((l) => l.scheduled_at)).toEqual([T, T + MIN]);
    expect((await findLiveJob(db(), job.id))?.skippedRuns).toBe(0);
  }, 20_000);

  it("allow (the default) still runs overlapping slots at once", async () => {
    const job = await slowJob("skip", 0);
    await shardD1().prepare("UPDATE cron_jobs SET overlap_policy = 'allow' WHERE id = ?").bind(job.id).run();
    const ex = countingHttp();
    const { deps, clock } = clockDeps(ex);
    await dispatchTick(deps.db, deps.queue, T, T);
    const [first] = runMessages(deps.queue.take());
    const running = consumeRun(deps, first as RunMessage);
    await untilRunning(executionId(job.id, T, 0), job.id);
    clock.now = T + MIN;
    await dispatchTick(deps.db, deps.queue, T + MIN, clock.now);
    const [second] = runMessages(deps.queue.take());
    await Promise.all([running, consumeRun(deps, second as RunMessage)]);
    expect(ex.most).toBe(2);
  }, 20_000);
});
