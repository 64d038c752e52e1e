import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rulesCache } from "../../src/calendars/cache";
import { createDb } from "../../src/db/client";
import { calendars, cronJobs, runReasons, runStates } from "../../src/db/schema";
import { dispatchTick } from "../../src/engine/dispatch";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";
import { createCalendar, createWindow } from "./support";

const MIN = 60_000;
/** Each test's ticks start a day later, so no job of an earlier test is due with a backlog. */
let T = Date.UTC(2033, 2, 1, 12, 0);
let acct: TestAccount;

beforeEach(async () => {
  T += 86_400_000;
  acct = await createAccount();
  rulesCache.clear();
});

// Each test's jobs end with it, so a later test's tick sees only its own.
afterEach(async () => {
  await shardD1().prepare("UPDATE cron_jobs SET deleted_at = ? WHERE deleted_at IS NULL").bind(T).run();
});

const iso = (ms: number) => new Date(ms).toISOString();

async function everyMinuteJob(config: Record<string, unknown> = {}, tags: string[] = []) {
  return insertJob(acct.accountId, {
    nextRunAt: T,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "never", ...config }),
    scheduleAnchorAt: T - 60 * MIN,
    timezone: "UTC",
    tags: JSON.stringify(tags),
  });
}

async function ledger(jobId: string) {
  const { results } = await shardD1()
    .prepare(
      "SELECT r.slot, r.state, r.reason, r.last_slot, r.slot_count FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE j.id = ? ORDER BY r.slot, r.attempt",
    )
    .bind(jobId)
    .all<{ slot: number; state: number; reason: number | null; last_slot: number | null; slot_count: number | null }>();
  return results.map((r) => ({
    slot: r.slot,
    state: runStates[r.state],
    reason: r.reason === null ? null : runReasons[r.reason],
    last_slot: r.last_slot,
    slot_count: r.slot_count,
  }));
}

const tick = (queue: ReturnType<typeof captureQueue>, at: number) =>
  dispatchTick(db(), queue, at, at, { rulesTtlMs: 0 });

async function counters(jobId: string) {
  const [row] = await db()
    .select({
      calendar: cronJobs.skippedCalendar,
      maintenance: cronJobs.skippedMaintenance,
      next: cronJobs.nextRunAt,
    })
    .from(cronJobs)
    .where(eq(cronJobs.id, jobId));
  return row;
}

describe("the tick and exclusions", () => {
  it("records excluded slots as one skipped span (reason calendar), runs the rest, counts them on the job", async () => {
    const cal = await createCalendar(acct, {
      name: "Freeze",
      ranges: [{ start: iso(T + MIN), end: iso(T + 4 * MIN) }],
    });
    const job = await everyMinuteJob({ exclude_calendars: [cal.id] });
    const queue = captureQueue();
    for (let i = 0; i <= 4; i++) await tick(queue, T + i * MIN);
    expect(await ledger(job.id)).toEqual([
      { slot: T, state: "queued", reason: null, last_slot: null, slot_count: null },
      { slot: T + MIN, state: "skipped", reason: "calendar", last_slot: T + 3 * MIN, slot_count: 3 },
      { slot: T + 4 * MIN, state: "queued", reason: null, last_slot: null, slot_count: null },
    ]);
    // Only the two slots outside the calendar were sent to the queue.
    expect(queue.take().map((m) => (m.body as { slot?: number }).slot ?? null).length).toBe(2);
    expect(await counters(job.id)).toEqual({ calendar: 3, maintenance: 0, next: T + 5 * MIN });
  });

  it("records a skip window's slots with reason maintenance, by tag; a mute window runs them", async () => {
    await createWindow(acct, { action: "skip", tags: ["db"], start: iso(T), end: iso(T + 2 * MIN) });
    await createWindow(acct, { action: "mute", tags: ["web"], start: iso(T), end: iso(T + 2 * MIN) });
    const skipped = await everyMinuteJob({}, ["db"]);
    const muted = await everyMinuteJob({}, ["web"]);
    const other = await everyMinuteJob({}, ["batch"]);
    const queue = captureQueue();
    for (let i = 0; i <= 2; i++) await tick(queue, T + i * MIN);
    expect((await ledger(skipped.id)).map((r) => [r.slot, r.state, r.reason, r.slot_count])).toEqual([
      [T, "skipped", "maintenance", 2],
      [T + 2 * MIN, "queued", null, null],
    ]);
    expect((await ledger(muted.id)).map((r) => r.state)).toEqual(["queued", "queued", "queued"]);
    expect((await ledger(other.id)).map((r) => r.state)).toEqual(["queued", "queued", "queued"]);
    expect(await counters(skipped.id)).toMatchObject({ maintenance: 2, calendar: 0 });
  });

  it("a window scoped by job_ids keeps skipping its other jobs when one of them is deleted", async () => {
    const [gone, kept] = [await everyMinuteJob(), await everyMinuteJob()];
    await createWindow(acct, { action: "skip", job_ids: [gone.id, kept.id], start: iso(T), end: iso(T + MIN) });
    await shardD1().prepare("UPDATE cron_jobs SET deleted_at = ? WHERE id = ?").bind(T, gone.id).run();
    await tick(captureQueue(), T);
    expect((await ledger(kept.id)).map((r) => [r.state, r.reason])).toEqual([["skipped", "maintenance"]]);
    expect(await ledger(gone.id)).toEqual([]);
  });

  it("a calendar wins over a window for the same slot, and a new span starts after a run", async () => {
    const cal = await createCalendar(acct, { name: "c", ranges: [{ start: iso(T), end: iso(T + MIN) }] });
    await createWindow(acct, { action: "skip", job_ids: [], tags: ["x"], start: iso(T), end: iso(T + MIN) });
    const job = await everyMinuteJob({ exclude_calendars: [cal.id] }, ["x"]);
    const queue = captureQueue();
    await tick(queue, T);
    expect((await ledger(job.id)).map((r) => r.reason)).toEqual(["calendar"]);
  });

  it("overlapping ticks write the span once", async () => {
    const cal = await createCalendar(acct, { name: "c", ranges: [{ start: iso(T), end: iso(T + 10 * MIN) }] });
    const job = await everyMinuteJob({ exclude_calendars: [cal.id] });
    const queue = captureQueue();
    await Promise.all([tick(queue, T), tick(queue, T)]);
    await Promise.all([tick(queue, T + MIN), tick(queue, T + MIN)]);
    expect(await ledger(job.id)).toEqual([
      { slot: T, state: "skipped", reason: "calendar", last_slot: T + MIN, slot_count: 2 },
    ]);
    expect((await counters(job.id))?.calendar).toBe(2);
  });

  it("jobs without exclude_calendars in accounts without windows cost no calendar query", async () => {
    await everyMinuteJob();
    const seen: string[] = [];
    const d1 = shardD1();
    const counting = new Proxy(d1, {
      get(target, prop, receiver) {
        if (prop === "prepare")
          return (q: string) => {
            seen.push(q);
            return target.prepare(q);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    await dispatchTick(createDb(counting), captureQueue(), T, T, { rulesTtlMs: 0 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((q) => /from "(calendars|maintenance_windows)"/i.test(q) && !/exists/i.test(q))).toEqual([]);
    // The window probe rides the due-jobs query, answered from the account index.
    const due = seen.find((q) => q.includes("maintenance_windows")) as string;
    const params = Array.from({ length: due.split("?").length - 1 }, () => T);
    const plan = await d1
      .prepare(`EXPLAIN QUERY PLAN ${due}`)
      .bind(...params)
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join("\n")).toMatch(
      /SEARCH mw USING COVERING INDEX maintenance_windows_account_created_idx \(account_id=\?\)/,
    );
  });

  it("a calendar edit applies once the cache entry expires (TTL), at once with TTL 0", async () => {
    const cal = await createCalendar(acct, { name: "c" });
    const job = await everyMinuteJob({ exclude_calendars: [cal.id] });
    const queue = captureQueue();
    await dispatchTick(db(), queue, T, T, { rulesTtlMs: 10_000 });
    // Edited through the API (another isolate's cache): this isolate still holds the empty calendar for 10 s.
    await db()
      .update(calendars)
      .set({ ranges: JSON.stringify([{ start: T, end: T + 10 * MIN }]) })
      .where(eq(calendars.id, cal.id));
    await dispatchTick(db(), queue, T + MIN, T + 5_000, { rulesTtlMs: 10_000 });
    await dispatchTick(db(), queue, T + 2 * MIN, T + 2 * MIN, { rulesTtlMs: 10_000 });
    expect((await ledger(job.id)).map((r) => [r.slot, r.state, r.reason])).toEqual([
      [T, "queued", null],
      [T + MIN, "queued", null],
      [T + 2 * MIN, "skipped", "calendar"],
    ]);
  });
});
