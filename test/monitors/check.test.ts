import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import worker from "../../src/index";
import type { OutboxEntry } from "../../src/lib/messages";
import { checkMonitors, flipStatements, selectDueMonitors } from "../../src/monitors/check";
import { listMonitors } from "../../src/monitors/repository";
import { shardBinding, shardNumbers } from "../../src/shards/bindings";
import { runShardTick, type ShardTickMessage } from "../../src/ticks";
import { DISPATCH_CRON } from "../../src/triggers";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { captureQueue } from "../helpers/queue";
import { accountD1, accountDb } from "../helpers/shards";
import {
  createMonitor,
  type Monitor,
  monitorDeliveries,
  monitorsApi,
  ping,
  pingAt,
  pingPath,
  storedMonitor,
} from "./support";

const S = 1000;
const PERIOD = 600;
const GRACE = 120;
const hook = () => `http://127.0.0.1:${inject("targetPort")}/capture/${crypto.randomUUID()}`;

let acct: TestAccount;
let m: Monitor;
/** A time safely after the monitor's creation, so pings and ticks at T + … are in its future. */
let T: number;
const sent: OutboxEntry[] = [];
const send = async (entries: OutboxEntry[]) => {
  sent.push(...entries);
};
const check = async (now: number) => checkMonitors(await accountDb(acct.accountId), now, send);

beforeEach(async () => {
  // The check is shard-wide: earlier tests' monitors go down now, so each test counts only its own.
  for (const shard of shardNumbers(env))
    await checkMonitors(createDb(shardBinding(env, shard)), Number.MAX_SAFE_INTEGER, async () => {});
  acct = await createAccount();
  m = await createMonitor(acct, {
    name: "backup",
    period_seconds: PERIOD,
    grace_seconds: GRACE,
    alerts: { channels: [{ type: "webhook", url: hook() }] },
  });
  T = Date.now() + 60 * S;
  sent.length = 0;
});

const states = async (now: number) =>
  Object.fromEntries(
    (await listMonitors(await accountDb(acct.accountId), { accountId: acct.accountId, limit: 100, now })).map((r) => [
      r.id,
      r.state,
    ]),
  );

describe("missed pings", () => {
  it("up, late past next_expected_at, down after the grace: flipped once by overlapping ticks, one alert", async () => {
    await pingAt(acct, m, T);
    const row = await storedMonitor(acct, m.id);
    expect(row).toMatchObject({ state: "up", nextExpectedAt: T + PERIOD * S, downAt: T + (PERIOD + GRACE) * S });
    const db = await accountDb(acct.accountId);
    const shown = (now: number) =>
      listMonitors(db, { accountId: acct.accountId, limit: 10, now, state: "late" }).then((r) => r.length);
    expect(await shown(T + PERIOD * S - 1)).toBe(0);
    expect(await shown(T + PERIOD * S)).toBe(1);

    expect((await check(T + (PERIOD + GRACE) * S - 1)).flipped).toBe(0);
    const at = T + (PERIOD + GRACE) * S;
    const reports = await Promise.all([check(at), check(at), check(at + 1)]);
    expect(reports.reduce((n, r) => n + r.flipped, 0)).toBe(1);
    expect(await storedMonitor(acct, m.id)).toMatchObject({ state: "down", downAt: null, stateChangedAt: at });
    const rows = await monitorDeliveries(acct, m.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "monitor", kind: "alert", event: "down", channel: "webhook" });
    expect(JSON.parse(rows[0]?.payload ?? "{}")).toMatchObject({
      event: "down",
      reason: "missed",
      monitor: { id: m.id, slug: "backup" },
    });
    expect(sent.map((e) => e.id)).toEqual([rows[0]?.id]);
    expect((await check(at + 60 * S)).due).toBe(0);
  });

  it("a start not ended within its grace goes down then, before the period's deadline", async () => {
    await pingAt(acct, m, T);
    await pingAt(acct, m, T + 10 * S, "start");
    expect((await storedMonitor(acct, m.id)).downAt).toBe(T + (10 + GRACE) * S);
    await check(T + (10 + GRACE) * S);
    expect((await storedMonitor(acct, m.id)).state).toBe("down");
    const [row] = await monitorDeliveries(acct, m.id);
    expect(JSON.parse(row?.payload ?? "{}")).toMatchObject({ reason: "start_timeout" });
  });

  it("a success ping after down fires up (on_recovery), and a ping between the tick's read and its flip wins", async () => {
    await pingAt(acct, m, T);
    await check(T + (PERIOD + GRACE) * S);
    await pingAt(acct, m, T + 800 * S);
    expect((await storedMonitor(acct, m.id)).state).toBe("up");
    expect((await monitorDeliveries(acct, m.id)).map((d) => d.event)).toEqual(["down", "up"]);

    // The tick reads the monitor as due, a success lands, then the tick's flip finds the row changed.
    const db = await accountDb(acct.accountId);
    const due = await selectDueMonitors(db, T + 10_000 * S, null, 10);
    expect(due).toHaveLength(1);
    await pingAt(acct, m, T + 900 * S);
    const flip = flipStatements(db, due[0] as (typeof due)[number], T + 10_000 * S);
    const results = (await db.batch(flip.statements as [never])) as unknown[][];
    expect(results[results.length - 1]).toEqual([]);
    expect((await storedMonitor(acct, m.id)).state).toBe("up");
    expect(await monitorDeliveries(acct, m.id)).toHaveLength(2);
  });

  it("with on_recovery false, coming back up alerts nobody", async () => {
    await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: { alerts: { on_recovery: false } } });
    const mon = { ...m };
    await pingAt(acct, mon, T);
    await check(T + (PERIOD + GRACE) * S);
    await pingAt(acct, mon, T + 800 * S);
    expect((await monitorDeliveries(acct, m.id)).map((d) => d.event)).toEqual(["down"]);
  });

  it("/fail fires down at once, once; new and paused monitors never go down", async () => {
    const fresh = await createMonitor(acct, { name: "fresh", period_seconds: 60 });
    const paused = await createMonitor(acct, { name: "paused", period_seconds: 60 });
    await pingAt(acct, paused, T);
    await monitorsApi(acct, `/${paused.id}/pause`, { method: "POST" });

    const first = await pingAt(acct, m, T, "fail", { exitStatus: 2 });
    expect(first.entries).toHaveLength(1);
    const second = await pingAt(acct, m, T + S, "fail");
    expect(second.entries).toEqual([]);
    const [row] = await monitorDeliveries(acct, m.id);
    expect(JSON.parse(row?.payload ?? "{}")).toMatchObject({ event: "down", reason: "fail", exit_status: 2 });

    expect((await check(T + 365 * 86_400 * S)).flipped).toBe(0);
    const now = T + 365 * 86_400 * S;
    expect(await states(now)).toMatchObject({ [fresh.id]: "new", [paused.id]: "paused", [m.id]: "down" });
  });
});

describe("the page query", () => {
  it("reads one range of monitors_down_idx, the first page and the next alike: no sort of every due row", async () => {
    const db = await accountDb(acct.accountId);
    for (const after of [null, { downAt: T, id: m.id }]) {
      const q = (
        selectDueMonitors(db, T, after, 100) as unknown as { toSQL(): { sql: string; params: unknown[] } }
      ).toSQL();
      const { results } = await (await accountD1(acct.accountId))
        .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
        .bind(...q.params)
        .all<{ detail: string }>();
      const plan = results.map((r) => r.detail).join("\n");
      expect(plan).toMatch(/SEARCH monitors USING INDEX monitors_down_idx \(down_at>\? AND down_at<\?\)/);
      // An OR of ranges (MULTI-INDEX OR) sorts every remaining due row for each page.
      expect(plan).not.toMatch(/MULTI-INDEX OR|TEMP B-TREE FOR ORDER BY|SCAN monitors/);
    }
  });
});

describe("the query budget", () => {
  it("stops at its budget with complete: false; the next run continues", async () => {
    const all = [m];
    for (let i = 0; i < 4; i++) all.push(await createMonitor(acct, { name: `m${i}`, period_seconds: PERIOD }));
    for (const mon of all) await pingAt(acct, mon, T);
    const db = await accountDb(acct.accountId);
    const at = T + 10_000 * S;
    // Two pages' worth of the per-page worst case: one page of two monitors.
    const partial = await checkMonitors(db, at, send, { pageSize: 2, queryBudget: 9 });
    expect(partial).toMatchObject({ complete: false, flipped: 2, pages: 1 });
    const rest = await checkMonitors(db, at, send, { pageSize: 2 });
    expect(rest).toMatchObject({ complete: true, flipped: 3, duration_ms: expect.any(Number) });
  });
});

describe("through the minute tick", () => {
  it("a check past its query budget continues as a `monitors` tick of its own, which sends the alerts", async () => {
    await pingAt(acct, m, T);
    const at = T + (PERIOD + GRACE) * S;
    const ticks = captureQueue();
    const runs = captureQueue();
    const shardEnv = { ...env, TICKS: ticks, RUNS: runs } as unknown as Env;
    const dispatch: ShardTickMessage = { type: "shard-tick", task: "dispatch", shard: acct.shard, scheduledTime: at };
    await runShardTick(shardEnv, dispatch, { monitorQueries: 1 });
    const continued = ticks.take().map((x) => x.body);
    expect(continued).toEqual([{ ...dispatch, task: "monitors" }]);
    expect((await storedMonitor(acct, m.id)).state).toBe("up");
    await runShardTick(shardEnv, continued[0] as unknown as ShardTickMessage);
    expect(ticks.take()).toEqual([]);
    expect((await storedMonitor(acct, m.id)).state).toBe("down");
    const [row] = await monitorDeliveries(acct, m.id);
    expect(runs.sent.map((x) => x.body)).toEqual([
      { type: "alert", accountId: acct.accountId, deliveryId: row?.id, attempt: 0 },
    ]);
  });

  it("curl-style pings and the Cron Trigger: up, down after the grace, up again, both alerts at a Slack-style hook", async () => {
    const key = crypto.randomUUID();
    const slack = await createMonitor(acct, {
      name: "e2e",
      period_seconds: PERIOD,
      grace_seconds: GRACE,
      alerts: { channels: [{ type: "slack", url: `http://127.0.0.1:${inject("targetPort")}/capture/${key}` }] },
    });
    expect((await ping(pingPath(slack))).status).toBe(200);
    const up = await storedMonitor(acct, slack.id);
    expect(up.state).toBe("up");
    await worker.scheduled(
      createScheduledController({ cron: DISPATCH_CRON, scheduledTime: (up.downAt as number) + S }),
      env,
    );
    await vi.waitFor(async () => expect((await storedMonitor(acct, slack.id)).state).toBe("down"), {
      timeout: 15_000,
      interval: 200,
    });
    expect((await ping(pingPath(slack))).status).toBe(200);
    await vi.waitFor(
      async () => {
        const seen = (await (await fetch(`http://127.0.0.1:${inject("targetPort")}/captured/${key}`)).json()) as Array<{
          body: string;
        }>;
        expect(seen.map((r) => (JSON.parse(r.body) as { text: string }).text)).toEqual([
          expect.stringContaining('"e2e" is down: no success ping by'),
          'edgecron: "e2e" is up again',
        ]);
        expect((await monitorDeliveries(acct, slack.id)).map((d) => [d.event, d.state])).toEqual([
          ["down", "delivered"],
          ["up", "delivered"],
        ]);
      },
      { timeout: 15_000, interval: 200 },
    );
  });
});
