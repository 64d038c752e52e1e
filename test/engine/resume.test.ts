/**
 * Pause until through the API and the shard tick: the tick at paused_until resumes the job before its claims, so
 * the slot at paused_until runs at that tick, and the slots paused are one span in the job's run history.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runShardTick, type ShardTickMessage } from "../../src/ticks";
import { createAccount } from "../helpers/accounts";
import { jobsApi, quickStart } from "../helpers/jobs";
import { captureQueue } from "../helpers/queue";
import { accountD1 } from "../helpers/shards";

const MIN = 60_000;

describe("the shard tick resumes a job paused until an instant", () => {
  it("runs the slot at paused_until in the resuming tick and records the paused slots as one span", async () => {
    const acct = await createAccount("Resume tick");
    const jobs = jobsApi(acct);
    const created = await jobs.create({ ...quickStart(), timezone: "UTC", schedule_config: { cron: "* * * * *" } });
    const id = created.body.data.id as string;
    const until = Math.ceil(Date.now() / MIN) * MIN + 5 * MIN;
    const untilIso = `${new Date(until).toISOString().slice(0, 19)}Z`;
    const paused = await jobs.update(id, { paused_until: untilIso, pause_reason: "maintenance" });
    expect(paused.body.data.paused_until).toBe(untilIso);

    const runs = captureQueue();
    const shardEnv = { ...env, TICKS: captureQueue(), RUNS: runs } as unknown as Env;
    const tick = (scheduledTime: number): ShardTickMessage => ({
      type: "shard-tick",
      task: "dispatch",
      shard: acct.shard,
      scheduledTime,
    });
    // The tick before paused_until leaves the job paused.
    await runShardTick(shardEnv, tick(until - MIN));
    expect((await jobs.details(id)).body.data.state).toBe("paused");
    expect(runs.sent).toEqual([]);

    await runShardTick(shardEnv, tick(until));
    const job = (await jobs.details(id)).body.data;
    expect(job).toMatchObject({ state: "active", is_active: true, paused_until: null, pause_reason: null });
    // The slot at paused_until was claimed by the same tick: next_run_at moved past it.
    expect(job.next_run_at).toBe(`${new Date(until + MIN).toISOString().slice(0, 19)}Z`);
    expect(runs.sent).toHaveLength(1);

    const d1 = await accountD1(acct.accountId);
    const span = await d1
      .prepare(
        "SELECT slot, last_slot, slot_count FROM runs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?) AND last_slot IS NOT NULL",
      )
      .bind(id)
      .all<{ slot: number; last_slot: number; slot_count: number }>();
    expect(span.results).toHaveLength(1);
    const row = span.results[0] as { slot: number; last_slot: number; slot_count: number };
    expect(row.last_slot).toBe(until - MIN);
    expect(row.slot_count).toBe((row.last_slot - row.slot) / MIN + 1);
    const skipped = await d1
      .prepare("SELECT skipped_paused FROM cron_jobs WHERE id = ?")
      .bind(id)
      .first<number>("skipped_paused");
    expect(skipped).toBe(row.slot_count);
  });
});
