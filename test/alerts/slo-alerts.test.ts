/**
 * SLO burn alerts (docs/API-NOTES.md "SLO alerts") through the engine: runs are recorded by consumeRun, the SLO is
 * evaluated in the recording from the rollups and recent logs, and `slo_burn` / `slo_ok` go through the outbox to
 * the loopback target with a delivery record each. Also: opt-in, and no read for a job without burn alerts.
 */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createDb } from "../../src/db/client";
import { consumeRun } from "../../src/engine/consume";
import { deliver } from "../../src/engine/deliver";
import { findLiveJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { AlertMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, testDeps } from "../helpers/engine";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 30, 0);
const FAR = Date.UTC(2099, 0, 1);
const MIN = 60_000;
const port = inject("targetPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const capture = (key: string) => `http://127.0.0.1:${port}/capture/${key}`;
async function captured(key: string) {
  const res = await fetch(`http://127.0.0.1:${port}/captured/${key}`);
  return ((await res.json()) as Array<{ body: string }>).map((r) => JSON.parse(r.body));
}

const OK: Partial<ExecutionResult> = { status: "success", responseCode: 200, responseTimeMs: 40 };

/** D1 that notes every statement prepared through it, to tell which reads a recording made. */
function countingD1(d1: D1Database) {
  const statements: string[] = [];
  const proxy = new Proxy(d1, {
    get(target, prop, receiver) {
      if (prop === "prepare")
        return (query: string) => {
          statements.push(query);
          return target.prepare(query);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { d1: proxy, statements };
}

/** A job whose runs answer `next` (switchable), recorded at the clock's time, alerts delivered to the target. */
async function world(alerts: Record<string, unknown>) {
  let next: Partial<ExecutionResult> = OK;
  const executor: Executor = {
    async execute() {
      return {
        status: "success",
        responseCode: 200,
        responseBody: "ok",
        errorMessage: null,
        responseTimeMs: 40,
        retryAfterSeconds: null,
        ...next,
      } as ExecutionResult;
    },
  };
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    maxRetries: 0,
    alertPolicy: JSON.stringify(alerts),
  });
  const counting = countingD1(shardD1());
  let clock = T;
  const deps = testDeps({
    db: createDb(counting.d1),
    executor,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    now: () => clock,
  });
  const runAt = async (at: number, result: Partial<ExecutionResult>) => {
    clock = at;
    next = result;
    await consumeRun(deps, await queuedRun(job, at));
    const fired: string[] = [];
    for (const { body } of deps.queue.take()) {
      if (body.type !== "alert") continue;
      fired.push((body as AlertMessage).deliveryId.split(":")[2] ?? "");
      await deliver(deps, body as AlertMessage);
    }
    return fired;
  };
  /** Statements prepared so far that read the rollups. */
  const rollupReads = () => counting.statements.filter((s) => /from "log_hours"/i.test(s));
  return { job, deps, runAt, rollupReads, answer: (r: Partial<ExecutionResult>) => (next = r) };
}

/** Six hours of successes, one a minute, before T: the SLO's history. */
const history = (jobId: string) =>
  insertLogs(
    jobId,
    acct.accountId,
    Array.from({ length: 360 }, (_, i) => ({ executedAt: T - (i + 1) * MIN, responseTimeMs: 40 })),
  );

const SLO = { success_rate: 0.99, window_days: 30, burn_alerts: true };

describe("slo_burn and slo_ok", () => {
  it("a burn fires slo_burn once per spell and slo_ok once when it ends, delivered and recorded", async () => {
    const key = `slo-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: null,
      slo: SLO,
    });
    await history(w.job.id);
    const fired: string[][] = [];
    // 20 failing runs a minute apart, then 40 successes.
    for (let i = 0; i < 20; i++) fired.push(await w.runAt(T + i * MIN, FAIL_500));
    for (let i = 20; i < 60; i++) fired.push(await w.runAt(T + i * MIN, OK));

    expect(fired.flat()).toEqual(["slo_burn", "slo_ok"]);
    // The 1 h window at T + i min (12:30 + i): 12:00 to now whole (30 successes, i + 1 failures) and 11:00's 60
    // successes weighted (30 − i) / 60. At i = 8: 9 / (30 + 22 + 9) = 14.75 % > 14.4 × 1 %; at i = 7, 13.1 %. The
    // 5 min window is all failures by then. The 6 h rule needs about 23 failures.
    expect(fired.findIndex((f) => f.includes("slo_burn"))).toBe(8);
    // The 5 min window (t − 5 min, t] holds no failure from i = 24 (the last was at 19); the 6 h window burns
    // 20 / 380 ≈ 5.3 × < 6 then, so neither rule holds.
    expect(fired.findIndex((f) => f.includes("slo_ok"))).toBe(24);

    const bodies = await captured(key);
    expect(bodies.map((b) => b.event)).toEqual(["slo_burn", "slo_ok"]);
    expect(bodies[0]).toMatchObject({
      event: "slo_burn",
      cron_job_id: w.job.id,
      status: "failure",
      slo: {
        window_days: 30,
        thresholds: { "1h": 14.4, "6h": 6 },
        objectives: [{ objective: "success_rate", target: 0.99, firing: expect.arrayContaining(["1h"]) }],
      },
    });
    expect(bodies[0].slo.objectives[0].burn_rates["1h"]).toBeGreaterThan(14.4);
    expect(bodies[0].slo.objectives[0].burn_rates["5m"]).toBeGreaterThan(14.4);
    expect(bodies[0].summary).toMatch(/burning its success rate error budget fast/);
    expect(bodies[1]).toMatchObject({ event: "slo_ok", status: "success" });
    expect(bodies[1].slo.objectives[0].firing).toEqual([]);

    const { results } = await shardD1()
      .prepare("SELECT event, state FROM deliveries WHERE source_id = ? AND kind = 'alert' ORDER BY fired_at")
      .bind(w.job.id)
      .all<{ event: string; state: string }>();
    expect(results).toEqual([
      { event: "slo_burn", state: "delivered" },
      { event: "slo_ok", state: "delivered" },
    ]);
    expect((await findLiveJob(w.deps.db, w.job.id))?.alertSloBurnAt).toBeNull();
  });

  it("a latency SLO burns on slow successes, not on failures", async () => {
    const key = `slo-lat-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: null,
      slo: { latency_ms: 500, latency_target: 0.9, window_days: 7, burn_alerts: true },
    });
    await history(w.job.id);
    const failing: string[] = [];
    for (let i = 0; i < 10; i++) failing.push(...(await w.runAt(T + i * MIN, FAIL_500)));
    expect(failing).toEqual([]);
    const slow: string[] = [];
    for (let i = 10; i < 30; i++) slow.push(...(await w.runAt(T + i * MIN, { ...OK, responseTimeMs: 900 })));
    expect(slow).toEqual(["slo_burn"]);
    const [burn] = await captured(key);
    // window_days 7: thresholds 14.4 × 7 / 30 = 3.36 and 6 × 7 / 30 = 1.4.
    expect(burn.slo.thresholds["1h"]).toBeCloseTo(3.36);
    expect(burn.slo.thresholds["6h"]).toBeCloseTo(1.4);
    expect(burn.slo.objectives[0]).toMatchObject({ objective: "latency", latency_ms: 500, target: 0.9 });
  });

  it("a redelivered run message fires nothing twice", async () => {
    const key = `slo-dup-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: null,
      slo: SLO,
    });
    // No history: the first failure is 100 % errors in every window.
    w.answer(FAIL_500);
    const msg = await queuedRun(w.job, T);
    await consumeRun(w.deps, msg);
    await consumeRun(w.deps, msg);
    const fired = w.deps.queue.take().filter((m) => m.body.type === "alert");
    expect(fired.map((m) => (m.body as AlertMessage).deliveryId.split(":")[2])).toEqual(["slo_burn"]);
    // The spell goes on: a second failing run sends nothing.
    expect(await w.runAt(T + MIN, FAIL_500)).toEqual([]);
    const { results } = await shardD1()
      .prepare("SELECT event FROM deliveries WHERE source_id = ? AND kind = 'alert' AND event = 'slo_burn'")
      .bind(w.job.id)
      .all();
    expect(results).toHaveLength(1);
  });
});

describe("opt-in and cost", () => {
  it("burn_alerts false: no alert and no read; the spell stays unset", async () => {
    const key = `slo-off-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: null,
      slo: { ...SLO, burn_alerts: false },
    });
    for (let i = 0; i < 10; i++) expect(await w.runAt(T + i * MIN, FAIL_500)).toEqual([]);
    expect(w.rollupReads()).toEqual([]);
    expect((await findLiveJob(w.deps.db, w.job.id))?.alertSloBurnAt).toBeNull();
  });

  it("no SLO: no read of the rollups; with one: exactly one per recorded run", async () => {
    const plain = await world({ channels: [{ type: "webhook", url: capture("slo-none") }] });
    for (let i = 0; i < 3; i++) await plain.runAt(T + i * MIN, OK);
    expect(plain.rollupReads()).toEqual([]);

    const withSlo = await world({ channels: [{ type: "webhook", url: capture("slo-one") }], slo: SLO });
    for (let i = 0; i < 3; i++) await withSlo.runAt(T + i * MIN, OK);
    expect(withSlo.rollupReads()).toHaveLength(3);
  });

  it("no channel: nothing to send, so no read", async () => {
    const w = await world({ slo: SLO });
    for (let i = 0; i < 3; i++) await w.runAt(T + i * MIN, FAIL_500);
    expect(w.rollupReads()).toEqual([]);
  });
});

describe("a changed SLO starts a new spell", () => {
  const update = (jobId: string, body: unknown) =>
    api(`/v1/cron-jobs/${acct.accountId}/update/${jobId}`, {
      method: "PATCH",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("burning under the old objective, a new one that still burns fires slo_burn again; an unchanged one does not", async () => {
    const key = `slo-change-${crypto.randomUUID()}`;
    const channels = [{ type: "webhook", url: capture(key) }];
    const w = await world({ channels, after_consecutive_failures: null, slo: SLO });
    await history(w.job.id);
    const fired: string[] = [];
    for (let i = 0; i < 10; i++) fired.push(...(await w.runAt(T + i * MIN, FAIL_500)));
    expect(fired).toEqual(["slo_burn"]);

    // The same SLO sent again (with the channels): the spell goes on, nothing fires.
    expect((await update(w.job.id, { alerts: { channels, slo: SLO } })).status).toBe(200);
    expect(await w.runAt(T + 10 * MIN, FAIL_500)).toEqual([]);

    // A stricter objective, still burnt: a fresh slo_burn under it, then the spell goes on.
    expect((await update(w.job.id, { alerts: { slo: { ...SLO, success_rate: 0.995 } } })).status).toBe(200);
    expect((await findLiveJob(w.deps.db, w.job.id))?.alertSloBurnAt).toBeNull();
    expect(await w.runAt(T + 11 * MIN, FAIL_500)).toEqual(["slo_burn"]);
    expect(await w.runAt(T + 12 * MIN, FAIL_500)).toEqual([]);

    // Removed, then set again while still failing: no spell left behind to silence the new one.
    expect((await update(w.job.id, { alerts: { slo: null } })).status).toBe(200);
    expect((await findLiveJob(w.deps.db, w.job.id))?.alertSloBurnAt).toBeNull();
    expect((await update(w.job.id, { alerts: { slo: SLO } })).status).toBe(200);
    expect(await w.runAt(T + 13 * MIN, FAIL_500)).toEqual(["slo_burn"]);
  });
});
