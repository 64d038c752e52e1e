import { beforeEach, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import { relayStranded } from "../../src/engine/relay";
import { findLiveJob } from "../../src/jobs/repository";
import { executionId } from "../../src/lib/execution-id";
import type { RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
const T = Date.UTC(2025, 2, 3, 12, 0, 0); // a tick
/** A next run far ahead, so consuming a message never finds the schedule ended. */
const FAR = Date.UTC(2099, 0, 1);
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const runsFor = (q: ReturnType<typeof captureQueue>, ids: string[]) =>
  q.sent.map((m) => m.body as RunMessage).filter((m) => ids.includes(m.jobId));

async function logCount(jobId: string, attempt?: number) {
  const row = await shardD1()
    .prepare(
      `SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?${attempt === undefined ? "" : " AND retry_attempt = ?"}`,
    )
    .bind(...(attempt === undefined ? [jobId] : [jobId, attempt]))
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("dispatch tick", () => {
  it("claims each due slot once across overlapping and repeated ticks", async () => {
    const jobs = await Promise.all(
      Array.from({ length: 30 }, () =>
        insertJob(acct.accountId, {
          nextRunAt: T,
          scheduleConfig: JSON.stringify({ repeat_type: "hourly", repeat_every: 1, time: "00:00", end_type: "never" }),
        }),
      ),
    );
    const ids = jobs.map((j) => j.id);
    const q = captureQueue();
    await Promise.all([dispatchTick(db(), q, T), dispatchTick(db(), q, T), dispatchTick(db(), q, T)]);
    await dispatchTick(db(), q, T);
    const runs = runsFor(q, ids);
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(30);
    expect(runs.every((r) => r.runId === executionId(r.jobId, T, 0))).toBe(true);
    const ledger = await shardD1()
      .prepare(
        `SELECT count(*) AS n FROM run_ledger WHERE slot = ? AND attempt = 0 AND origin = 'schedule' AND state = 'queued' AND job_id IN (${ids.map(() => "?").join(",")})`,
      )
      .bind(T, ...ids)
      .first<{ n: number }>();
    expect(ledger?.n).toBe(30);
    const after = await findLiveJob(db(), ids[0] as string);
    expect(after?.nextRunAt).toBe(T + 60 * MIN);
    expect(after?.occurrences).toBe(1);
  });

  it("reports due, claimed and enqueued", async () => {
    const t = T + 7 * MIN;
    await insertJob(acct.accountId, { nextRunAt: t - MIN });
    const q = captureQueue();
    const report = await dispatchTick(db(), q, t, Date.now(), { shard: 1 });
    // Each shard logs a line for the same minute: the line says whose.
    expect(report).toMatchObject({ event: "dispatch_tick", shard: 1, scheduled_time: new Date(t).toISOString() });
    expect(report.claimed).toBe(report.enqueued);
    expect(report.due).toBeGreaterThanOrEqual(report.claimed);
    expect(report.claimed).toBeGreaterThanOrEqual(1);
  });

  it("a job that missed many slots runs once, stamped with the newest; the rest are one missed span", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: T - 10 * 24 * 60 * MIN,
      timezone: "UTC",
      scheduleConfig: JSON.stringify({ repeat_type: "hourly", repeat_every: 1, time: "00:15", end_type: "never" }),
    });
    const q = captureQueue();
    await dispatchTick(db(), q, T);
    // 11:15 is the newest slot at or before the 12:00 tick (catch-up `latest`, src/engine/catchup.ts).
    expect(runsFor(q, [job.id])).toEqual([
      { type: "run", runId: executionId(job.id, T - 45 * MIN, 0), jobId: job.id, accountId: acct.accountId },
    ]);
    const { results } = await shardD1()
      .prepare(
        "SELECT r.slot, r.state, r.reason, r.last_slot, r.slot_count FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE j.id = ? ORDER BY r.slot",
      )
      .bind(job.id)
      .all();
    expect(results).toEqual([
      { slot: T - 10 * 24 * 60 * MIN, state: 4, reason: 3, last_slot: T - 105 * MIN, slot_count: 240 },
      { slot: T - 45 * MIN, state: 0, reason: null, last_slot: null, slot_count: null },
    ]);
    expect(await findLiveJob(db(), job.id)).toMatchObject({
      nextRunAt: T + 15 * MIN,
      occurrences: 1,
      missedFrom: null,
    });
  });

  it("paused, deleted and not-yet-due jobs never run", async () => {
    const paused = await insertJob(acct.accountId, { nextRunAt: T - MIN, isActive: false });
    const deleted = await insertJob(acct.accountId, { nextRunAt: T - MIN, deletedAt: T - 2 * MIN });
    const future = await insertJob(acct.accountId, { nextRunAt: T + 1 });
    const q = captureQueue();
    await dispatchTick(db(), q, T);
    expect(runsFor(q, [paused.id, deleted.id, future.id])).toEqual([]);
  });

  it("a failed enqueue keeps the claim and its run; the relay sends it, once", async () => {
    const t = T + 30 * MIN;
    const job = await insertJob(acct.accountId, { nextRunAt: t });
    const deps = testDeps();
    deps.queue.failOnce();
    const report = await dispatchTick(db(), deps.queue, t);
    expect(report.enqueued).toBe(0);
    expect(report.claimed).toBeGreaterThanOrEqual(1);
    expect((await findLiveJob(db(), job.id))?.nextRunAt).toBeGreaterThan(t);
    expect(runsFor(deps.queue, [job.id])).toEqual([]);
    await dispatchTick(db(), deps.queue, t);
    expect(runsFor(deps.queue, [job.id])).toEqual([]);
    await relayStranded(deps);
    await relayStranded(deps);
    expect(runsFor(deps.queue, [job.id])).toEqual([
      { type: "run", runId: executionId(job.id, t, 0), jobId: job.id, accountId: acct.accountId },
    ]);
  });

  it("pages through more due jobs than one page holds", async () => {
    const t = T + 90 * MIN;
    const jobs = [];
    for (let i = 0; i < 230; i++) jobs.push(await insertJob(acct.accountId, { nextRunAt: t - (i % 7) * MIN }));
    const q = captureQueue();
    await dispatchTick(db(), q, t);
    expect(
      new Set(
        runsFor(
          q,
          jobs.map((j) => j.id),
        ).map((r) => r.jobId),
      ).size,
    ).toBe(230);
  });
});

describe("queue consumer", () => {
  it("records one log per slot even when the message is delivered twice", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const deps = testDeps();
    const msg = await queuedRun(job, T);
    expect((await consumeRun(deps, msg)).result).toBe("executed");
    expect((await consumeRun(deps, msg)).result).toBe("duplicate");
    const second = await queuedRun(job, T + MIN);
    const [a, b] = await Promise.all([consumeRun(deps, second), consumeRun(deps, second)]);
    // The other delivery found the lease held (busy) or the run already done (duplicate): never a second call.
    expect([a.result, b.result].filter((r) => r === "executed")).toHaveLength(1);
    expect(await logCount(job.id)).toBe(2);
    const row = await findLiveJob(db(), job.id);
    expect(row?.totalExecutions).toBe(2);
    expect(row?.isActive).toBe(true);
    expect((row?.successfulExecutions ?? 0) + (row?.failedExecutions ?? 0)).toBe(2);
  });

  it("skips a job deleted or paused after it was claimed", async () => {
    const deleted = await insertJob(acct.accountId, { deletedAt: T });
    const paused = await insertJob(acct.accountId, { isActive: false });
    const deps = testDeps();
    for (const job of [deleted, paused]) {
      expect((await consumeRun(deps, await queuedRun(job, T))).result).toBe("skipped");
      expect(await logCount(job.id)).toBe(0);
    }
  });

  it("keeps last_run_*, consecutive_failures and counters in step with the log", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const deps = testDeps();
    for (let i = 0; i < 40; i++) {
      await consumeRun(deps, await queuedRun(job, T + i * MIN));
    }
    const row = await findLiveJob(db(), job.id);
    const stats = await shardD1()
      .prepare(
        "SELECT count(*) AS total, sum(status = 'success') AS ok, max(executed_at) AS last FROM execution_logs WHERE cron_job_id = ?",
      )
      .bind(job.id)
      .first<{ total: number; ok: number; last: number }>();
    const latest = await shardD1()
      .prepare("SELECT status FROM execution_logs WHERE cron_job_id = ? ORDER BY executed_at DESC, id DESC")
      .bind(job.id)
      .all<{ status: string }>();
    let streak = 0;
    for (const r of latest.results) {
      if (r.status === "success") break;
      streak++;
    }
    expect(row).toMatchObject({
      totalExecutions: stats?.total,
      successfulExecutions: stats?.ok,
      failedExecutions: (stats?.total ?? 0) - (stats?.ok ?? 0),
      lastRunAt: stats?.last,
      lastRunStatus: latest.results[0]?.status,
      consecutiveFailures: streak,
    });
  });
});

describe("end conditions", () => {
  it("end_type after stops after exactly N runs and deactivates the job", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: T,
      timezone: "UTC",
      scheduleAnchorAt: T - MIN,
      scheduleConfig: JSON.stringify({
        repeat_type: "hourly",
        repeat_every: 1,
        time: "00:00",
        end_type: "after",
        end_occurrences: 3,
      }),
      maxRetries: 0,
    });
    const deps = testDeps();
    const q = deps.queue;
    for (let i = 0; i < 6; i++) {
      await dispatchTick(db(), q, T + i * 60 * MIN);
      for (const m of q.take()) await consumeRun(deps, m.body as RunMessage);
    }
    expect(await logCount(job.id)).toBe(3);
    const row = await findLiveJob(db(), job.id);
    expect(row).toMatchObject({ isActive: false, state: "completed", nextRunAt: null, occurrences: 3 });
  });

  it("end_type on stops at end_date", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: T,
      timezone: "UTC",
      scheduleAnchorAt: T - MIN,
      scheduleConfig: JSON.stringify({
        repeat_type: "hourly",
        repeat_every: 1,
        time: "00:00",
        end_type: "on",
        end_date: "2025-03-03T14:00:00Z",
      }),
      maxRetries: 0,
    });
    const deps = testDeps();
    const q = deps.queue;
    for (let i = 0; i < 5; i++) {
      await dispatchTick(db(), q, T + i * 60 * MIN);
      for (const m of q.take()) await consumeRun(deps, m.body as RunMessage);
    }
    expect(await logCount(job.id)).toBe(3); // 12:00, 13:00, 14:00
    expect(await findLiveJob(db(), job.id)).toMatchObject({ isActive: false, state: "completed" });
  });
});

describe("messages queued before the run ledger", () => {
  it("still run once: the consumer writes their ledger row first", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const deps = testDeps();
    const legacy = { type: "run" as const, jobId: job.id, slot: T, attempt: 0, source: "schedule" as const };
    expect((await consumeRun(deps, legacy)).result).toBe("executed");
    expect((await consumeRun(deps, legacy)).result).toBe("duplicate");
    expect(await logCount(job.id)).toBe(1);
    const log = await shardD1()
      .prepare("SELECT id, trigger, scheduled_at FROM execution_logs WHERE cron_job_id = ?")
      .bind(job.id)
      .first();
    expect(log).toEqual({ id: executionId(job.id, T, 0), trigger: "schedule", scheduled_at: T });
  });
});
