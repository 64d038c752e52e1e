import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { rulesCache } from "../../src/calendars/cache";
import { deliveries } from "../../src/db/schema";
import { consumeRun } from "../../src/engine/consume";
import { checkMonitors } from "../../src/monitors/check";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { createMonitor, monitorDeliveries, pingAt, storedMonitor } from "../monitors/support";
import { createWindow } from "./support";

const T = Date.UTC(2034, 5, 1, 12, 0);
const MIN = 60_000;
const HOOK = { type: "webhook", url: "https://hooks.example.com/alerts" };
const iso = (ms: number) => new Date(ms).toISOString();
let acct: TestAccount;

beforeEach(async () => {
  acct = await createAccount();
  rulesCache.clear();
});

async function failingRun(tags: string[], slot: number) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: Date.UTC(2099, 0, 1),
    maxRetries: 0,
    tags: JSON.stringify(tags),
    alertPolicy: JSON.stringify({ channels: [HOOK], after_consecutive_failures: 1 }),
  });
  const deps = testDeps({ executor: scriptedExecutor(FAIL_500), now: () => slot });
  await consumeRun(deps, await queuedRun(job, slot));
  const rows = await db().select().from(deliveries).where(eq(deliveries.sourceId, job.id));
  return { rows, sent: deps.queue.take().filter((m) => m.body.type === "alert") };
}

describe("mute windows", () => {
  it("a muted job's failing run is recorded but fires no alert; outside the window or scope it does", async () => {
    await createWindow(acct, { action: "mute", tags: ["noisy"], start: iso(T - MIN), end: iso(T + 10 * MIN) });
    rulesCache.clear();
    const muted = await failingRun(["noisy"], T);
    expect(muted.rows).toEqual([]);
    expect(muted.sent).toEqual([]);
    const later = await failingRun(["noisy"], T + 10 * MIN);
    expect(later.rows.map((r) => r.event)).toEqual(["failure"]);
    const otherTag = await failingRun(["quiet"], T);
    expect(otherTag.rows.map((r) => r.event)).toEqual(["failure"]);
  });

  it("a skip or mute window over a monitor's deadline: it goes down without a down alert", async () => {
    const quiet = await createMonitor(acct, {
      name: "quiet",
      period_seconds: 3600,
      grace_seconds: 60,
      alerts: { channels: [HOOK] },
    });
    const loud = await createMonitor(acct, {
      name: "loud",
      period_seconds: 3600,
      grace_seconds: 60,
      alerts: { channels: [HOOK] },
    });
    await pingAt(acct, quiet, T);
    await pingAt(acct, loud, T);
    const deadline = (await storedMonitor(acct, quiet.id)).downAt as number;
    await createWindow(acct, {
      action: "skip",
      monitor_ids: [quiet.id],
      start: iso(deadline - MIN),
      end: iso(deadline + MIN),
    });
    rulesCache.clear();
    const sent: unknown[] = [];
    await checkMonitors(db(), deadline + 1000, async (entries) => sent.push(...entries));
    expect((await storedMonitor(acct, quiet.id)).state).toBe("down");
    expect(await monitorDeliveries(acct, quiet.id)).toEqual([]);
    expect((await monitorDeliveries(acct, loud.id)).map((d) => d.event)).toEqual(["down"]);
    expect(sent.length).toBe(1);
  });

  it("a ping's fail inside a mute window sends no down alert", async () => {
    const m = await createMonitor(acct, { name: "pinged", tags: ["etl"], alerts: { channels: [HOOK] } });
    await pingAt(acct, m, T);
    await createWindow(acct, { action: "mute", tags: ["etl"], start: iso(T), end: iso(T + 60 * MIN) });
    rulesCache.clear();
    const res = await pingAt(acct, m, T + MIN, "fail");
    expect(res.entries).toEqual([]);
    expect((await storedMonitor(acct, m.id)).state).toBe("down");
    expect(await monitorDeliveries(acct, m.id)).toEqual([]);
    // After the window, the recovery alerts.
    const up = await pingAt(acct, m, T + 61 * MIN, "success");
    expect(up.entries.length).toBe(1);
  });
});
