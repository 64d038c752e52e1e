import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { findLiveJob } from "../../src/jobs/repository";
import { DISPATCH_CRON, SWEEP_CRON } from "../../src/triggers";
// The triggers live in wrangler.toml and their roles in src/triggers.ts: a test keeps the two in step.
import wranglerToml from "../../wrangler.toml?raw";
import { createAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

describe("scheduled() and queue() wiring", () => {
  it("wrangler.toml declares exactly the dispatch and sweep crons", () => {
    const crons = /crons\s*=\s*\[([^\]]*)\]/.exec(wranglerToml)?.[1];
    expect(crons?.split(",").map((s) => s.trim().replace(/^"|"$/g, ""))).toEqual([DISPATCH_CRON, SWEEP_CRON]);
  });

  it("the every-minute tick runs a due job end to end through the real queue", async () => {
    const acct = await createAccount();
    const now = Date.now();
    const job = await insertJob(acct.accountId, { nextRunAt: now - 60_000, maxRetries: 0 });
    await worker.scheduled(createScheduledController({ cron: DISPATCH_CRON, scheduledTime: now }), env);
    await vi.waitFor(
      async () => {
        const row = await findLiveJob(db(), job.id);
        expect(row?.totalExecutions).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    const log = await shardD1()
      .prepare("SELECT retry_attempt, status FROM execution_logs WHERE cron_job_id = ?")
      .bind(job.id)
      .all();
    expect(log.results).toHaveLength(1);
    expect(log.results[0]).toMatchObject({ retry_attempt: 0 });
  });

  it("the daily cron runs the retention sweep", async () => {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    const now = Date.now();
    await insertLogs(job.id, acct.accountId, [
      { id: "exe_ancient", executedAt: now - 31 * 86_400_000 },
      { id: "exe_recent", executedAt: now - 1000 },
    ]);
    await worker.scheduled(createScheduledController({ cron: SWEEP_CRON, scheduledTime: now }), env);
    // The trigger fans out one sweep per shard through the TICKS queue.
    await vi.waitFor(
      async () => {
        const { results } = await shardD1()
          .prepare("SELECT id FROM execution_logs WHERE cron_job_id = ?")
          .bind(job.id)
          .all();
        expect(results).toEqual([{ id: "exe_recent" }]);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
