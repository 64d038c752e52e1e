import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { cronJobs } from "../../src/db/schema";
import { runReasons, runStates } from "../../src/db/schema";
import { MAX_CLAIM_SLOTS, missedSpanStatements, planClaim } from "../../src/engine/catchup";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import { claimStatement } from "../../src/engine/due-jobs";
import { buildUpdate } from "../../src/jobs/build";
import { findJob, findLiveJob, softDeleteJob, updateJob } from "../../src/jobs/repository";
import { executionId } from "../../src/lib/execution-id";
import type { RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
/** Each test's ticks start here plus a day per test, so no job of an earlier test is due with a long backlog. */
let T = Date.UTC(2031, 4, 1, 12, 0);
let acct: TestAccount;
const jobs: string[] = [];

beforeEach(async () => {
  T += 86_400_000;
  acct = await createAccount();
});
afterEach(async () => {
  for (const id of jobs.splice(0)) await softDeleteJob(db(), acct.accountId, id, T);
});

type JobInput = Partial<typeof cronJobs.$inferInsert>;
const everyMinute = (end: Record<string, unknown> = { end_type: "never" }): JobInput => ({
  schedule: "* * * * *",
  scheduleConfig: JSON.stringify({ cron: "* * * * *", ...end }),
  scheduleAnchorAt: T - 60 * MIN,
  timezone: "UTC",
  maxRetries: 0,
});

async function job(overrides: JobInput) {
  const row = await insertJob(acct.accountId, { nextRunAt: T, ...everyMinute(), ...overrides });
  jobs.push(row.id);
  return row;
}

interface LedgerRow {
  slot: number;
  attempt: number;
  state: string;
  reason: string | null;
  last_slot: number | null;
  slot_count: number | null;
}

/** The job's ledger, oldest slot first, with state and reason by name. */
async function ledger(jobId: string): Promise<LedgerRow[]> {
  const { results } = await shardD1()
    .prepare(
      "SELECT r.slot, r.attempt, r.state, r.reason, r.last_slot, r.slot_count FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE j.id = ? ORDER BY r.slot, r.attempt",
    )
    .bind(jobId)
    .all<Omit<LedgerRow, "state" | "reason"> & { state: number; reason: number | null }>();
  return results.map((r) => ({
    ...r,
    state: runStates[r.state] ?? "?",
    reason: r.reason === null ? null : (runReasons[r.reason] ?? "?"),
  }));
}

const run = (slot: number, state = "queued"): LedgerRow => ({
  slot,
  attempt: 0,
  state,
  reason: null,
  last_slot: null,
  slot_count: null,
});
const span = (first: number, last: number, count: number): LedgerRow => ({
  slot: first,
  attempt: 0,
  state: "skipped",
  reason: "missed",
  last_slot: last,
  slot_count: count,
});

const sentFor = (q: ReturnType<typeof captureQueue>, jobId: string) =>
  q.sent.map((m) => m.body as RunMessage).filter((m) => m.jobId === jobId);

describe("catch-up after missed ticks", () => {
  it("latest: an hour's outage runs the newest slot once and writes one missed span", async () => {
    const j = await job({ nextRunAt: T + MIN });
    const q = captureQueue();
    const report = await dispatchTick(db(), q, T + 60 * MIN, T + 60 * MIN + 2_000);
    expect(sentFor(q, j.id).map((m) => m.runId)).toEqual([executionId(j.id, T + 60 * MIN, 0)]);
    expect(await ledger(j.id)).toEqual([span(T + MIN, T + 59 * MIN, 59), run(T + 60 * MIN)]);
    expect(report.missed).toBeGreaterThanOrEqual(59);
    expect(await findLiveJob(db(), j.id)).toMatchObject({
      nextRunAt: T + 61 * MIN,
      occurrences: 1,
      lastClaimedSlot: T + 60 * MIN,
      missedFrom: null,
      skippedMissed: 59,
    });
  });

  it("latest on an hourly job: the newest missed slot runs even when it is not the tick's own", async () => {
    const j = await job({
      nextRunAt: T,
      schedule: "0 * * * *",
      scheduleConfig: JSON.stringify({ cron: "0 * * * *", end_type: "never" }),
    });
    const q = captureQueue();
    await dispatchTick(db(), q, T + 150 * MIN, T + 150 * MIN);
    expect(sentFor(q, j.id).map((m) => m.runId)).toEqual([executionId(j.id, T + 120 * MIN, 0)]);
    expect(await ledger(j.id)).toEqual([span(T, T + 60 * MIN, 2), run(T + 120 * MIN)]);
    expect((await findLiveJob(db(), j.id))?.nextRunAt).toBe(T + 180 * MIN);
  });

  it("none: missed slots are all recorded, and only the tick's own slot runs", async () => {
    const minute = await job({ nextRunAt: T + MIN, catchup: "none" });
    const hourly = await job({
      nextRunAt: T,
      catchup: "none",
      schedule: "0 * * * *",
      scheduleConfig: JSON.stringify({ cron: "0 * * * *", end_type: "never" }),
    });
    const q = captureQueue();
    await dispatchTick(db(), q, T + 30 * MIN, T + 30 * MIN + 5_000);
    // The every-minute job's 12:30 slot is this tick's own: it runs; the hourly job's 12:00 is missed, nothing runs.
    expect(sentFor(q, minute.id).map((m) => m.runId)).toEqual([executionId(minute.id, T + 30 * MIN, 0)]);
    expect(await ledger(minute.id)).toEqual([span(T + MIN, T + 29 * MIN, 29), run(T + 30 * MIN)]);
    expect(sentFor(q, hourly.id)).toEqual([]);
    expect(await ledger(hourly.id)).toEqual([span(T, T, 1)]);
    expect(await findLiveJob(db(), hourly.id)).toMatchObject({
      nextRunAt: T + 60 * MIN,
      occurrences: 0,
      missedFrom: T,
    });
    // The next on-time tick runs its slot; the open span closes.
    await dispatchTick(db(), q, T + 60 * MIN, T + 60 * MIN + 1_000);
    expect(await ledger(hourly.id)).toEqual([span(T, T, 1), run(T + 60 * MIN)]);
    expect((await findLiveJob(db(), hourly.id))?.missedFrom).toBeNull();
  });

  it("max_lateness_seconds: a slot claimed too late is missed, and consecutive late claims grow one span", async () => {
    const j = await job({ nextRunAt: T, maxLatenessSeconds: 60 });
    const q = captureQueue();
    await dispatchTick(db(), q, T, T + 61_000);
    await dispatchTick(db(), q, T + MIN, T + MIN + 90_000);
    await dispatchTick(db(), q, T + 2 * MIN, T + 2 * MIN + 120_000);
    expect(sentFor(q, j.id)).toEqual([]);
    expect(await ledger(j.id)).toEqual([span(T, T + 2 * MIN, 3)]);
    expect(await findLiveJob(db(), j.id)).toMatchObject({ missedFrom: T, occurrences: 0, skippedMissed: 3 });
    // On time again: it runs, and the span is closed; the next late slot starts a new span.
    await dispatchTick(db(), q, T + 3 * MIN, T + 3 * MIN + 59_000);
    await dispatchTick(db(), q, T + 4 * MIN, T + 4 * MIN + 61_000);
    expect(await ledger(j.id)).toEqual([span(T, T + 2 * MIN, 3), run(T + 3 * MIN), span(T + 4 * MIN, T + 4 * MIN, 1)]);
  });

  it("missed slots do not count toward end_occurrences: a job set to run 3 times runs 3 times", async () => {
    const j = await job({ nextRunAt: T, ...everyMinute({ end_type: "after", end_occurrences: 3 }) });
    const deps = testDeps();
    const tick = async (t: number) => {
      await dispatchTick(db(), deps.queue, t, t);
      for (const m of deps.queue.take()) await consumeRun(deps, m.body as RunMessage);
    };
    await tick(T);
    await tick(T + 10 * MIN);
    await tick(T + 20 * MIN);
    await tick(T + 30 * MIN);
    expect(await ledger(j.id)).toEqual([
      run(T, "done"),
      span(T + MIN, T + 9 * MIN, 9),
      run(T + 10 * MIN, "done"),
      span(T + 11 * MIN, T + 19 * MIN, 9),
      run(T + 20 * MIN, "done"),
    ]);
    expect(await findLiveJob(db(), j.id)).toMatchObject({ occurrences: 3, nextRunAt: null, state: "completed" });
  });

  it("a schedule that ends on missed slots completes the job in the claim", async () => {
    const at = T + 5 * MIN;
    const j = await job({
      nextRunAt: at,
      catchup: "none",
      schedule: "5 12 1 5 *",
      scheduleConfig: JSON.stringify({ run_at: new Date(at).toISOString() }),
    });
    await dispatchTick(db(), captureQueue(), T + 20 * MIN, T + 20 * MIN);
    expect(await ledger(j.id)).toEqual([span(at, at, 1)]);
    expect(await findJob(db(), acct.accountId, j.id)).toMatchObject({
      state: "completed",
      isActive: false,
      nextRunAt: null,
    });
  });

  it("overlapping ticks after an outage record the span once and send the run once", async () => {
    const j = await job({ nextRunAt: T + MIN });
    const q = captureQueue();
    const at = T + 45 * MIN;
    await Promise.all([dispatchTick(db(), q, at, at), dispatchTick(db(), q, at, at), dispatchTick(db(), q, at, at)]);
    expect(sentFor(q, j.id)).toHaveLength(1);
    expect(await ledger(j.id)).toEqual([span(T + MIN, T + 44 * MIN, 44), run(at)]);
    expect((await findLiveJob(db(), j.id))?.skippedMissed).toBe(44);
  });

  it("a stale tick that lost the claim writes nothing, even where it would have decided otherwise", async () => {
    const j = await job({ nextRunAt: T + MIN, maxLatenessSeconds: 60 });
    const read = await findLiveJob(db(), j.id);
    if (!read) throw new Error("no job");
    const q = captureQueue();
    // This tick runs 12:10 (on time); a copy of the same tick that read the job first but claims 2 minutes later
    // would record 12:10 missed: its batch must not add a span holding a slot that ran.
    await dispatchTick(db(), q, T + 10 * MIN, T + 10 * MIN);
    const late = planClaim(read, T + 10 * MIN, T + 12 * MIN);
    expect(late.run).toBeNull();
    const stale = [claimStatement(db(), read, late), ...missedSpanStatements(db(), read, late)];
    await db().batch(stale as unknown as Parameters<ReturnType<typeof db>["batch"]>[0]);
    expect(await ledger(j.id)).toEqual([span(T + MIN, T + 9 * MIN, 9), run(T + 10 * MIN)]);
  });

  it("bounds the walk: a two-day backlog is claimed MAX_CLAIM_SLOTS at a time, into one span", async () => {
    const days = 2 * 24 * 60;
    const j = await job({ nextRunAt: T - days * MIN });
    const q = captureQueue();
    // A step budget below one claim's walk: each invocation claims once, reports incomplete, the next continues.
    const first = await dispatchTick(db(), q, T, T, { maxSteps: 1 });
    expect(first).toMatchObject({ complete: false, claimed: 1, missed: MAX_CLAIM_SLOTS });
    expect(await ledger(j.id)).toEqual([span(T - days * MIN, T - (days - MAX_CLAIM_SLOTS + 1) * MIN, MAX_CLAIM_SLOTS)]);
    // Without the budget the tick walks again from the start until the job is no longer due.
    const rest = await dispatchTick(db(), q, T, T);
    expect(rest.complete).toBe(true);
    expect(sentFor(q, j.id).map((m) => m.runId)).toEqual([executionId(j.id, T, 0)]);
    expect(await ledger(j.id)).toEqual([span(T - days * MIN, T - MIN, days), run(T)]);
    expect(await findLiveJob(db(), j.id)).toMatchObject({ nextRunAt: T + MIN, skippedMissed: days });
  });

  it("pausing closes the open span: slots while paused are not missed, later misses start a new span", async () => {
    const j = await job({ nextRunAt: T, maxLatenessSeconds: 60 });
    const q = captureQueue();
    await dispatchTick(db(), q, T, T + 2 * MIN);
    const pause = async (isActive: boolean, now: number) => {
      const current = await findJob(db(), acct.accountId, j.id);
      if (!current) throw new Error("no job");
      await updateJob(db(), acct.accountId, j.id, buildUpdate(current, { is_active: isActive }, now), isActive, 100);
    };
    await pause(false, T + 2 * MIN);
    expect((await findJob(db(), acct.accountId, j.id))?.missedFrom).toBeNull();
    await pause(true, T + 30 * MIN);
    await dispatchTick(db(), q, T + 31 * MIN, T + 33 * MIN);
    expect(await ledger(j.id)).toEqual([span(T, T, 1), span(T + 31 * MIN, T + 31 * MIN, 1)]);
  });
});
