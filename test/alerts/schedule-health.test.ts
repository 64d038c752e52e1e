/**
 * Schedule-health alerts (src/alerts/schedule-health.ts): `late`, `dead_lettered`, `skipped` and `missed`, each
 * opted into per job, fired through the outbox in the batch that records them, once per spell (a run that is not
 * so ends it), with reminders every remind_every_minutes while the spell lasts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { dispatchTick } from "../../src/engine/dispatch";
import type { AlertMessage, EngineMessage, RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { expectProblem } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const MIN = 60_000;
const HOOK = { type: "webhook", url: "https://hooks.example.com/alerts" };
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

/** The alert events among sent messages (the delivery id is `<execution id>:alert:<event>:<channel>`). */
const alertEvents = (sent: Array<{ body: EngineMessage }>): string[] =>
  sent.filter((m) => m.body.type === "alert").map((m) => (m.body as AlertMessage).deliveryId.split(":")[2] ?? "");

async function payloadOf(deliveryId: string) {
  const row = await shardD1()
    .prepare("SELECT payload FROM deliveries WHERE id = ?")
    .bind(deliveryId)
    .first<{ payload: string }>();
  return JSON.parse(row?.payload ?? "null");
}

/** A job driven slot by slot: each slot's run starts `lateBy` ms after it, on a clock the test sets. */
async function world(policy: Record<string, unknown>, extra: Parameters<typeof insertJob>[1] = {}) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    maxRetries: 0,
    alertPolicy: JSON.stringify({ channels: [HOOK], after_consecutive_failures: null, on_recovery: false, ...policy }),
    ...extra,
  });
  let clock = T;
  const executor = scriptedExecutor({});
  const deps = testDeps({ executor, now: () => clock });
  /** Runs the slot at `slot`, starting `lateBy` ms after it; returns the alert events its recording fired. */
  const runSlot = async (slot: number, lateBy = 0) => {
    clock = slot + lateBy;
    const msg = await queuedRun(job, slot);
    expect((await consumeRun(deps, msg)).result).toBe("executed");
    return alertEvents(deps.queue.take());
  };
  /** A run of `slot` the dead-letter queue closes at `at` (never delivered); returns the alert events. */
  const deadSlot = async (slot: number, at = slot + 5 * MIN) => {
    clock = at;
    const msg = await queuedRun(job, slot);
    expect((await closeDeadRun(deps, msg, 10)).result).toBe("closed");
    return alertEvents(deps.queue.take());
  };
  return { job, deps, executor, runSlot, deadSlot, setClock: (t: number) => (clock = t) };
}

describe("late: a scheduled run started more than late_after_seconds after it was due", () => {
  it("alerts once per late spell, not for runs in time; a run in time ends the spell", async () => {
    const w = await world({ late_after_seconds: 30 });
    expect(await w.runSlot(T, 20_000)).toEqual([]);
    expect(await w.runSlot(T + MIN, 45_000)).toEqual(["late"]);
    expect(await w.runSlot(T + 2 * MIN, 90_000)).toEqual([]);
    expect(await w.runSlot(T + 3 * MIN, 1_000)).toEqual([]);
    expect(await w.runSlot(T + 4 * MIN, 31_000)).toEqual(["late"]);
  });

  it("says how late, against the planned start (the slot plus the job's jitter)", async () => {
    const w = await world({ late_after_seconds: 30 });
    const slot = T + MIN;
    w.setClock(slot + 45_000);
    const msg = await queuedRun(w.job, slot, { plannedAt: slot + 10_000 });
    await consumeRun(w.deps, msg);
    const [sent] = w.deps.queue.take().filter((m) => m.body.type === "alert");
    const body = await payloadOf((sent?.body as AlertMessage | undefined)?.deliveryId ?? "");
    expect(body).toMatchObject({
      event: "late",
      execution_id: msg.runId,
      late: { planned_at: "2026-06-01T12:01:10Z", late_by_seconds: 35, threshold_seconds: 30 },
      summary: '"Fixture job" started 35 s late (threshold 30 s)',
    });
  });

  it("reminds every remind_every_minutes while the spell lasts", async () => {
    const w = await world({ late_after_seconds: 30, after_consecutive_failures: 1, remind_every_minutes: 5 });
    const fired: string[][] = [];
    for (let i = 0; i < 7; i++) fired.push(await w.runSlot(T + i * MIN, 60_000));
    expect(fired).toEqual([["late"], [], [], [], [], ["late"], []]);
  });

  it("counts neither retries nor manual runs, and fires nothing without the opt-in", async () => {
    const w = await world({ late_after_seconds: 30 });
    w.setClock(T + 10 * MIN);
    const manual = await queuedRun(w.job, T, { origin: "manual", nonce: "n1" });
    await consumeRun(w.deps, manual);
    const retry = await queuedRun(w.job, T + MIN, { attempt: 1, plannedAt: T + MIN });
    await consumeRun(w.deps, retry);
    expect(alertEvents(w.deps.queue.take())).toEqual([]);
    const off = await world({});
    expect(await off.runSlot(T, 10 * MIN)).toEqual([]);
  });

  it("a duplicate recording fires nothing: the alert is in the batch that writes the log", async () => {
    const w = await world({ late_after_seconds: 30 });
    w.setClock(T + MIN);
    const msg = await queuedRun(w.job, T);
    expect((await consumeRun(w.deps, msg)).result).toBe("executed");
    expect(alertEvents(w.deps.queue.take())).toEqual(["late"]);
    expect((await consumeRun(w.deps, msg as RunMessage)).result).toBe("duplicate");
    expect(alertEvents(w.deps.queue.take())).toEqual([]);
  });
});

describe("dead_lettered: a run closed without an outcome", () => {
  it("alerts once per spell with the reason; a recorded run ends the spell", async () => {
    const w = await world({ on_dead_lettered: true });
    const first = await w.deadSlot(T);
    expect(first).toEqual(["dead_lettered"]);
    expect(await w.deadSlot(T + MIN)).toEqual([]);
    expect(await w.runSlot(T + 2 * MIN)).toEqual([]);
    expect(await w.deadSlot(T + 3 * MIN)).toEqual(["dead_lettered"]);
    const { results } = await shardD1()
      .prepare("SELECT payload FROM deliveries WHERE source_id = ? AND event = 'dead_lettered' ORDER BY fired_at")
      .bind(w.job.id)
      .all<{ payload: string }>();
    expect(results).toHaveLength(1 + 1);
    expect(JSON.parse(results[0]?.payload ?? "{}")).toMatchObject({
      event: "dead_lettered",
      status: "error",
      dead_letter_reason: "undelivered",
      error_message: expect.stringMatching(/^Not delivered/),
    });
  });

  it("fires beside a failure alert when both are opted in, and never without the opt-in", async () => {
    const w = await world({ on_dead_lettered: true, after_consecutive_failures: 1 });
    expect((await w.deadSlot(T)).sort()).toEqual(["dead_lettered", "failure"]);
    const off = await world({ after_consecutive_failures: 1 });
    expect(await off.deadSlot(T)).toEqual(["failure"]);
  });
});

/** A job due every minute from `t0`, driven tick by tick through the dispatcher. */
async function ticking(t0: number, policy: Record<string, unknown>, extra: Parameters<typeof insertJob>[1] = {}) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: t0,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "never" }),
    scheduleAnchorAt: t0 - 60 * MIN,
    timezone: "UTC",
    maxRetries: 0,
    alertPolicy: JSON.stringify({ channels: [HOOK], after_consecutive_failures: null, on_recovery: false, ...policy }),
    ...extra,
  });
  let clock = t0;
  const deps = testDeps({ executor: scriptedExecutor({}), now: () => clock });
  const runs = new Map<number, RunMessage>();
  /** One tick at `at`; returns the alerts it sent, and keeps the run messages for `consume`. */
  const tick = async (at: number) => {
    clock = at;
    await dispatchTick(deps.db, deps.queue, at, at);
    const sent = deps.queue.take();
    for (const { body } of sent) if (body.type === "run") runs.set(runs.size, body as RunMessage);
    return {
      events: alertEvents(sent),
      alerts: sent.filter((m) => m.body.type === "alert").map((m) => m.body as AlertMessage),
    };
  };
  /** Records every run sent so far. */
  const consumeAll = async () => {
    for (const [k, msg] of runs) {
      await consumeRun(deps, msg);
      runs.delete(k);
    }
    deps.queue.take();
  };
  return { job, tick, consumeAll };
}

describe("skipped: overlap_policy skip skipped a slot", () => {
  const t0 = Date.UTC(2032, 0, 1, 12, 0);
  it("alerts in the claim's batch, once per spell; a slot that runs ends it", async () => {
    const w = await ticking(t0, { on_skipped: true }, { overlapPolicy: "skip" });
    expect((await w.tick(t0)).events).toEqual([]);
    const first = await w.tick(t0 + MIN);
    expect(first.events).toEqual(["skipped"]);
    expect(await payloadOf(first.alerts[0]?.deliveryId ?? "")).toMatchObject({
      event: "skipped",
      reason: "overlap",
      first_slot: "2032-01-01T12:01:00Z",
      last_slot: "2032-01-01T12:01:00Z",
      count: 1,
    });
    expect((await w.tick(t0 + 2 * MIN)).events).toEqual([]);
    await w.consumeAll();
    expect((await w.tick(t0 + 3 * MIN)).events).toEqual([]);
    expect((await w.tick(t0 + 4 * MIN)).events).toEqual(["skipped"]);
    // Sent, so the outbox holds none of them.
    const left = await shardD1().prepare("SELECT count(*) AS n FROM outbox WHERE id LIKE '%:alert:skipped:%'").first();
    expect(left).toEqual({ n: 0 });
  });

  it("fires nothing without the opt-in", async () => {
    const w = await ticking(t0 + 86_400_000, {}, { overlapPolicy: "skip" });
    await w.tick(t0 + 86_400_000);
    expect((await w.tick(t0 + 86_400_000 + MIN)).events).toEqual([]);
  });
});

describe("missed: a claim recorded missed slots (a span)", () => {
  const t0 = Date.UTC(2032, 1, 1, 12, 0);
  it("alerts once for the span, naming its slots; a run ends the spell", async () => {
    const w = await ticking(t0, { on_missed: true });
    const outage = await w.tick(t0 + 5 * MIN);
    expect(outage.events).toEqual(["missed"]);
    expect(await payloadOf(outage.alerts[0]?.deliveryId ?? "")).toMatchObject({
      event: "missed",
      reason: "missed",
      first_slot: "2032-02-01T12:00:00Z",
      last_slot: "2032-02-01T12:04:00Z",
      count: 5,
      summary: '"Fixture job" missed 5 runs due 2032-02-01T12:00:00Z to 2032-02-01T12:04:00Z',
    });
    await w.consumeAll();
    expect((await w.tick(t0 + 6 * MIN)).events).toEqual([]);
    expect((await w.tick(t0 + 9 * MIN)).events).toEqual(["missed"]);
    // No run recorded since: the spell is still open.
    expect((await w.tick(t0 + 12 * MIN)).events).toEqual([]);
    await w.consumeAll();
    expect((await w.tick(t0 + 15 * MIN)).events).toEqual(["missed"]);
  });

  it("fires nothing without the opt-in", async () => {
    const w = await ticking(t0 + 86_400_000, {});
    expect((await w.tick(t0 + 86_400_000 + 5 * MIN)).events).toEqual([]);
  });
});

describe("the alert policy's schedule-health fields", () => {
  const base = {
    name: "Health",
    endpoint_url: "https://example.com/hook",
    method: "GET",
    timezone: "UTC",
    schedule_config: { repeat_type: "days", time: "09:00" },
  };

  it("are opt-in (off by default), shown in the job, and merged by an update", async () => {
    const api = jobsApi(acct);
    const created = await api.create({ ...base, alerts: { channels: [HOOK] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;
    expect((await api.details(id)).body.data.alerts).toMatchObject({
      on_missed: false,
      on_skipped: false,
      late_after_seconds: null,
      on_dead_lettered: false,
    });
    const updated = await api.update(id, { alerts: { on_skipped: true, late_after_seconds: 120 } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect((await api.details(id)).body.data.alerts).toMatchObject({
      channels: [{ type: "webhook" }],
      on_missed: false,
      on_skipped: true,
      late_after_seconds: 120,
      on_dead_lettered: false,
    });
  });

  it("refuses bad values, naming each field", async () => {
    const res = await jobsApi(acct).create({
      ...base,
      alerts: { on_missed: "yes", late_after_seconds: 0, on_dead_lettered: null },
    });
    const errors = expectProblem(res, 400).errors as Array<{ field: string }>;
    expect(errors.map((e) => e.field).sort()).toEqual([
      "alerts.late_after_seconds",
      "alerts.on_dead_lettered",
      "alerts.on_missed",
    ]);
  });
});
