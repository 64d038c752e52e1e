import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import type { RunMessage } from "../../src/engine/messages";
import { findLiveJob } from "../../src/jobs/repository";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";

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
  const row = await env.DB.prepare(
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
    expect(runs.every((r) => r.slot === T && r.attempt === 0 && r.source === "schedule")).toBe(true);
    const after = await findLiveJob(db(), ids[0] as string);
    expect(after?.nextRunAt).toBe(T + 60 * MIN);
    expect(after?.occurrences).toBe(1);
  });

  it("reports due, claimed and enqueued", async () => {
    const t = T + 7 * MIN;
    await insertJob(acct.accountId, { nextRunAt: t - MIN });
    const q = captureQueue();
    const report = await dispatchTick(db(), q, t);
    expect(report).toMatchObject({ event: "dispatch_tick", scheduled_time: new Date(t).toISOString() });
    expect(report.claimed).toBe(report.enqueued);
    expect(report.due).toBeGreaterThanOrEqual(report.claimed);
    expect(report.claimed).toBeGreaterThanOrEqual(1);
  });

  it("a job that missed many slots runs once, and its next run is after the tick", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: T - 10 * 24 * 60 * MIN,
      timezone: "UTC",
      scheduleConfig: JSON.stringify({ repeat_type: "hourly", repeat_every: 1, time: "00:15", end_type: "never" }),
    });
    const q = captureQueue();
    await dispatchTick(db(), q, T);
    expect(runsFor(q, [job.id])).toEqual([
      { type: "run", jobId: job.id, slot: T - 10 * 24 * 60 * MIN, attempt: 0, source: "schedule" },
    ]);
    expect((await findLiveJob(db(), job.id))?.nextRunAt).toBe(T + 15 * MIN);
  });

  it("paused, deleted and not-yet-due jobs never run", async () => {
    const paused = await insertJob(acct.accountId, { nextRunAt: T - MIN, isActive: false });
    const deleted = await insertJob(acct.accountId, { nextRunAt: T - MIN, deletedAt: T - 2 * MIN });
    const future = await insertJob(acct.accountId, { nextRunAt: T + 1 });
    const q = captureQueue();
    await dispatchTick(db(), q, T);
    expect(runsFor(q, [paused.id, deleted.id, future.id])).toEqual([]);
  });

  it("a failed enqueue releases the claim so the next tick runs the slot", async () => {
    const t = T + 30 * MIN;
    const job = await insertJob(acct.accountId, { nextRunAt: t });
    const q = captureQueue();
    q.failOnce();
    await expect(dispatchTick(db(), q, t)).rejects.toThrow("queue unavailable");
    expect((await findLiveJob(db(), job.id))?.nextRunAt).toBe(t);
    await dispatchTick(db(), q, t);
    expect(runsFor(q, [job.id])).toHaveLength(1);
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
    const msg: RunMessage = { type: "run", jobId: job.id, slot: T, attempt: 0, source: "schedule" };
    expect(await consumeRun(deps, msg)).toBe("executed");
    expect(await consumeRun(deps, msg)).toBe("duplicate");
    const [a, b] = await Promise.all([
      consumeRun(deps, { ...msg, slot: T + MIN }),
      consumeRun(deps, { ...msg, slot: T + MIN }),
    ]);
    expect([a, b].sort()).toEqual(["duplicate", "executed"]);
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
      expect(await consumeRun(deps, { type: "run", jobId: job.id, slot: T, attempt: 0, source: "schedule" })).toBe(
        "skipped",
      );
      expect(await logCount(job.id)).toBe(0);
    }
  });

  it("keeps last_run_*, consecutive_failures and counters in step with the log", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const deps = testDeps();
    for (let i = 0; i < 40; i++) {
      await consumeRun(deps, { type: "run", jobId: job.id, slot: T + i * MIN, attempt: 0, source: "schedule" });
    }
    const row = await findLiveJob(db(), job.id);
    const stats = await env.DB.prepare(
      "SELECT count(*) AS total, sum(status = 'success') AS ok, max(executed_at) AS last FROM execution_logs WHERE cron_job_id = ?",
    )
      .bind(job.id)
      .first<{ total: number; ok: number; last: number }>();
    const latest = await env.DB.prepare(
      "SELECT status FROM execution_logs WHERE cron_job_id = ? ORDER BY executed_at DESC, id DESC",
    )
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
    expect(row).toMatchObject({ isActive: false, nextRunAt: null, occurrences: 3 });
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
    expect((await findLiveJob(db(), job.id))?.isActive).toBe(false);
  });
});
