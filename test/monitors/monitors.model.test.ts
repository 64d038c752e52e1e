/**
 * Model-based: random sequences of pings (every kind, duplicates sent at once, rids interleaved, starts after their
 * own ends), clock jumps, pauses and overlapping ticks, run against the shard and against a plain model of the
 * rules (README "Monitors"). Every monitor must end where the model does, with exactly one alert per state change.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MonitorState, PingKind } from "../../src/db/schema";
import { checkMonitors } from "../../src/monitors/check";
import { PAIR_WINDOW_MS } from "../../src/monitors/ping";
import { nextExpectedAt } from "../../src/monitors/schedule";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { accountD1, accountDb } from "../helpers/shards";
import { createMonitor, type Monitor, monitorDeliveries, monitorsApi, pingAt, storedMonitor } from "./support";

const S = 1000;
const GRACE = 120;
const RIDS = ["0b2f6a0e-0000-4000-8000-000000000001", "0b2f6a0e-0000-4000-8000-000000000002"];

type Signal = { kind: PingKind; exit: number | null };
const SIGNALS: Signal[] = [
  { kind: "success", exit: null },
  { kind: "success", exit: 0 },
  { kind: "start", exit: null },
  { kind: "fail", exit: null },
  { kind: "fail", exit: 3 },
  { kind: "log", exit: null },
];

type Cmd =
  | { k: "ping"; m: number; s: number; rid: number; twice: boolean }
  | { k: "advance"; ms: number }
  | { k: "tick"; overlap: number }
  | { k: "pause"; m: number }
  | { k: "resume"; m: number };

const mon = fc.integer({ min: 0, max: 1 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .record({
        m: mon,
        s: fc.nat(SIGNALS.length - 1),
        rid: fc.integer({ min: -1, max: 1 }),
        twice: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 3, arbitrary: fc.constant(true) }),
      })
      .map((r) => ({ k: "ping" as const, ...r })),
  },
  { weight: 6, arbitrary: fc.integer({ min: S, max: 15 * 60 * S }).map((ms) => ({ k: "advance" as const, ms })) },
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }).map((overlap) => ({ k: "tick" as const, overlap })) },
  { weight: 1, arbitrary: mon.map((m) => ({ k: "pause" as const, m })) },
  { weight: 1, arbitrary: mon.map((m) => ({ k: "resume" as const, m })) },
);

interface ModelPing {
  at: number;
  kind: PingKind;
  rid: string | null;
  durationMs: number | null;
}

/** One monitor as the rules say it should be. */
class ModelMonitor {
  state: MonitorState = "new";
  nextExpectedAt: number | null = null;
  downAt: number | null = null;
  openStartAt: number | null = null;
  openStartRid: string | null = null;
  lastDurationMs: number | null = null;
  pings: ModelPing[] = [];
  alerts: Array<"down" | "up"> = [];

  constructor(readonly schedule: { periodSeconds: number | null; cron: string | null; timezone: string }) {}

  private latestOfRid(rid: string, at: number): ModelPing | undefined {
    return [...this.pings].reverse().find((p) => p.rid === rid && p.kind !== "log" && p.at >= at - PAIR_WINDOW_MS);
  }

  ping(kind: PingKind, rid: string | null, at: number) {
    const g = GRACE * S;
    let durationMs: number | null = null;
    if (kind === "success" || kind === "fail") {
      const start =
        rid !== null
          ? (() => {
              const p = this.latestOfRid(rid, at);
              return p?.kind === "start" ? p.at : null;
            })()
          : this.openStartAt !== null && this.openStartRid === null && this.openStartAt >= at - PAIR_WINDOW_MS
            ? this.openStartAt
            : null;
      durationMs = start === null ? null : Math.max(0, at - start);
    }
    if (kind === "start") {
      const prior = rid === null ? undefined : this.latestOfRid(rid, at);
      const opens = rid === null || prior === undefined || prior.kind === "start";
      this.pings.push({ at, kind, rid, durationMs });
      if (opens) {
        this.openStartAt = at;
        this.openStartRid = rid;
        if (this.state === "up" && (this.downAt === null || at + g < this.downAt)) this.downAt = at + g;
      }
      return;
    }
    this.pings.push({ at, kind, rid, durationMs });
    if (kind === "log") return;
    const closes = this.openStartAt !== null && this.openStartRid === rid;
    const stillOpen = !closes && this.openStartAt !== null && this.openStartAt + g > at;
    const open = this.openStartAt;
    if (closes) {
      this.openStartAt = null;
      this.openStartRid = null;
    }
    if (durationMs !== null) this.lastDurationMs = durationMs;
    if (this.state === "paused") {
      this.nextExpectedAt = null;
      this.downAt = null;
      return;
    }
    const next = nextExpectedAt(this.schedule, at);
    this.nextExpectedAt = next;
    if (kind === "success") {
      if (this.state === "down") this.alerts.push("up");
      this.state = "up";
      const periodDeadline = next === null ? null : next + g;
      const openDeadline = stillOpen && open !== null ? open + g : null;
      this.downAt =
        openDeadline !== null && (periodDeadline === null || openDeadline < periodDeadline)
          ? openDeadline
          : periodDeadline;
    } else {
      if (this.state === "up" || this.state === "new") this.alerts.push("down");
      this.state = "down";
      this.downAt = null;
    }
  }

  tick(now: number) {
    if (this.state === "up" && this.downAt !== null && this.downAt <= now) {
      this.state = "down";
      this.downAt = null;
      this.alerts.push("down");
    }
  }

  pause() {
    this.state = "paused";
    this.nextExpectedAt = null;
    this.downAt = null;
  }

  resume() {
    if (this.state === "paused") this.state = "new";
  }
}

async function runScenario(cmds: Cmd[]) {
  const acct: TestAccount = await createAccount();
  const monitors: Monitor[] = [
    await createMonitor(acct, {
      name: "period",
      period_seconds: 600,
      grace_seconds: GRACE,
      alerts: { channels: [{ type: "webhook", url: "https://alerts.example/hook" }] },
    }),
    await createMonitor(acct, {
      name: "cron",
      cron: "*/10 * * * *",
      grace_seconds: GRACE,
      alerts: { channels: [{ type: "email", to: "ops@example.com" }] },
    }),
  ];
  const models = [
    new ModelMonitor({ periodSeconds: 600, cron: null, timezone: "UTC" }),
    new ModelMonitor({ periodSeconds: null, cron: "*/10 * * * *", timezone: "UTC" }),
  ];
  const db = await accountDb(acct.accountId);
  let now = Date.now() + 60 * S;
  for (const cmd of cmds) {
    switch (cmd.k) {
      case "ping": {
        const m = monitors[cmd.m] as Monitor;
        const model = models[cmd.m] as ModelMonitor;
        const signal = SIGNALS[cmd.s] as Signal;
        const rid = cmd.rid < 0 ? null : (RIDS[cmd.rid] as string);
        const send = () =>
          pingAt(acct, m, now, signal.kind, {
            rid: rid ?? undefined,
            exitStatus: signal.exit ?? undefined,
            byUuid: cmd.m === 1,
          });
        // A duplicate sent at the same instant: the two batches serialise, in either order.
        await Promise.all(cmd.twice ? [send(), send()] : [send()]);
        for (let i = 0; i < (cmd.twice ? 2 : 1); i++) model.ping(signal.kind, rid, now);
        break;
      }
      case "advance":
        now += cmd.ms;
        break;
      case "tick":
        await Promise.all(Array.from({ length: cmd.overlap }, () => checkMonitors(db, now, async () => {})));
        for (const model of models) model.tick(now);
        break;
      case "pause":
        await monitorsApi(acct, `/${monitors[cmd.m]?.id}/pause`, { method: "POST" });
        models[cmd.m]?.pause();
        break;
      case "resume":
        await monitorsApi(acct, `/${monitors[cmd.m]?.id}/resume`, { method: "POST" });
        models[cmd.m]?.resume();
        break;
    }
  }
  for (const [i, m] of monitors.entries()) {
    const model = models[i] as ModelMonitor;
    const row = await storedMonitor(acct, m.id);
    expect(
      {
        state: row.state,
        nextExpectedAt: row.nextExpectedAt,
        downAt: row.downAt,
        openStartAt: row.openStartAt,
        openStartRid: row.openStartRid,
        lastDurationMs: row.lastDurationMs,
      },
      m.name,
    ).toEqual({
      state: model.state,
      nextExpectedAt: model.nextExpectedAt,
      downAt: model.downAt,
      openStartAt: model.openStartAt,
      openStartRid: model.openStartRid,
      lastDurationMs: model.lastDurationMs,
    });
    const { results } = await (await accountD1(acct.accountId))
      .prepare("SELECT kind, duration_ms FROM monitor_pings WHERE monitor = ? ORDER BY id")
      .bind(row.num)
      .all<{ kind: number; duration_ms: number | null }>();
    expect(results.map((r) => r.duration_ms)).toEqual(model.pings.map((p) => p.durationMs));
    // One alert per state change, in order; without a pause (down, paused, new, up is silent) they alternate.
    const alerts = (await monitorDeliveries(acct, m.id)).map((d) => d.event);
    expect(alerts, m.name).toEqual(model.alerts);
    if (!cmds.some((c) => c.k === "pause"))
      for (let j = 1; j < alerts.length; j++) expect(alerts[j]).not.toBe(alerts[j - 1]);
  }
}

describe("monitors, model-based", () => {
  it("overlapping ticks and duplicate or out-of-order pings end in the model's states, one alert per change", async () => {
    await fc.assert(fc.asyncProperty(fc.array(cmdArb, { minLength: 10, maxLength: 45 }), runScenario), { numRuns: 20 });
  }, 300_000);
});
