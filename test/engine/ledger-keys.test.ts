/**
 * The run ledger keyed by integers (src/db/schema.ts `runs`, migration 0028): messages carrying today's text run ids
 * keep working across the migration, legacy rows move in chunks or expire, and the sweep's walk stays on keys.
 */
import { env } from "cloudflare:workers";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import {
  deletedJobsRunsChunk,
  deleteRunsBefore,
  expiredRunsChunk,
  findRun,
  jobRuns,
  moveLegacyRunsChunk,
  newRunsSweep,
  nextAttempt,
  runId,
} from "../../src/engine/ledger";
import { executionId } from "../../src/lib/execution-id";
import type { RunMessage } from "../../src/lib/messages";
import { findLog } from "../../src/logs/store";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
const T = Date.UTC(2026, 2, 2, 9, 0);
const FAR = Date.UTC(2099, 0, 1);

let acct: TestAccount;
beforeAll(async () => {
  acct = await createAccount("Ledger keys");
});

interface LegacyRow {
  id: string;
  jobId: string;
  slot: number;
  nonce?: string | null;
  origin?: "schedule" | "manual";
  attempt?: number;
  state: string;
  skipReason?: string | null;
  leaseUntil?: number | null;
  leases?: number;
  sentAt?: number | null;
}

/** A row of the ledger as the engine before migration 0028 wrote it, now in `runs_v1`. */
async function legacyRow(r: LegacyRow) {
  await shardD1()
    .prepare(
      `INSERT INTO runs_v1 (id, job_id, account_id, slot, nonce, origin, attempt, planned_at, state, skip_reason,
        lease_until, leases, sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      r.id,
      r.jobId,
      acct.accountId,
      r.slot,
      r.nonce ?? null,
      r.origin ?? "schedule",
      r.attempt ?? 0,
      r.slot,
      r.state,
      r.skipReason ?? null,
      r.leaseUntil ?? null,
      r.leases ?? 0,
      r.sentAt ?? r.slot,
      r.slot,
    )
    .run();
}

/** Migration 0028's copy of the unfinished rows and their removal from runs_v1, as the migration runs them. */
async function migrateUnfinished() {
  const migration = env.SHARD_MIGRATIONS.find((m) => m.name.startsWith("0028_"));
  const copy = migration?.queries.filter((q) => /INSERT INTO `runs`|DELETE FROM `runs_v1`/.test(q)) ?? [];
  expect(copy).toHaveLength(2);
  for (const q of copy) await shardD1().prepare(q).run();
}

const ledgerRow = (id: string) =>
  shardD1().prepare("SELECT * FROM run_ledger WHERE id = ?").bind(id).first<Record<string, unknown>>();

describe("messages in flight across migration 0028", () => {
  it("a message shaped like today's (text run id) is consumed: its queued row moved under its integer key", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const id = executionId(job.id, T, 0);
    await legacyRow({ id, jobId: job.id, slot: T, state: "queued" });
    // Finished rows stay behind until they move or expire.
    const done = executionId(job.id, T - MIN, 0);
    await legacyRow({ id: done, jobId: job.id, slot: T - MIN, state: "done", leases: 1 });
    await migrateUnfinished();

    const row = await ledgerRow(id);
    expect(row).toMatchObject({ job_id: job.id, account_id: acct.accountId, slot: T, state: "queued", attempt: 0 });
    const legacy = await shardD1().prepare("SELECT id, state FROM runs_v1 WHERE job_id = ?").bind(job.id).all();
    expect(legacy.results).toEqual([{ id: done, state: "done" }]);

    const msg: RunMessage = { type: "run", runId: id, jobId: job.id, accountId: acct.accountId };
    expect(await consumeRun(testDeps({ now: () => T + 1000 }), msg)).toEqual({ result: "executed" });
    expect(await findLog(db(), id)).toMatchObject({ id, cronJobId: job.id, retryAttempt: 0 });
    expect(await ledgerRow(id)).toMatchObject({ state: "done", leases: 1, lease_until: null });
    // A second delivery of the same message finds the row finished.
    expect(await consumeRun(testDeps({ now: () => T + 2000 }), msg)).toEqual({ result: "duplicate" });
  });

  it("a running row keeps its lease and lease count: a live lease still makes a delivery wait", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const id = executionId(job.id, T, 1, "a-nonce");
    const leaseUntil = T + 5 * MIN;
    await legacyRow({
      id,
      jobId: job.id,
      slot: T,
      nonce: "a-nonce",
      origin: "manual",
      attempt: 1,
      state: "running",
      leaseUntil,
      leases: 1,
    });
    await migrateUnfinished();
    const run = await findRun(db(), { id, jobId: job.id });
    expect(run).toMatchObject({
      id,
      jobId: job.id,
      accountId: acct.accountId,
      origin: "manual",
      nonce: "a-nonce",
      attempt: 1,
      state: "running",
      leaseUntil,
      leases: 1,
    });
    // The next attempt's id is derived from the row as before (the nonce is kept).
    expect(runId(nextAttempt(run as NonNullable<typeof run>))).toBe(executionId(job.id, T, 2, "a-nonce"));
    const msg: RunMessage = { type: "run", runId: id, jobId: job.id, accountId: acct.accountId };
    expect((await consumeRun(testDeps({ now: () => T + MIN }), msg)).result).toBe("busy");
    // Once it expired, the next delivery takes the lease (its second) and runs the attempt.
    expect((await consumeRun(testDeps({ now: () => leaseUntil + 1 }), msg)).result).toBe("executed");
    expect(await findLog(db(), id)).toMatchObject({ retryAttempt: 1, trigger: "retry", scheduledAt: null });
    expect(await findRun(db(), { id, jobId: job.id })).toMatchObject({ state: "done", leases: 2 });
  });

  it("a run is found only under its own job: the same id with another job's id finds nothing", async () => {
    const [a, b] = [
      await insertJob(acct.accountId, { nextRunAt: FAR }),
      await insertJob(acct.accountId, { nextRunAt: FAR }),
    ];
    const msg = await queuedRun(a, T);
    expect(await findRun(db(), { id: msg.runId, jobId: a.id })).toMatchObject({ id: msg.runId, state: "queued" });
    expect(await findRun(db(), { id: msg.runId, jobId: b.id })).toBeUndefined();
    expect(await findRun(db(), { id: "not an id", jobId: a.id })).toBeUndefined();
  });
});

describe("moveLegacyRunsChunk", () => {
  it("moves finished legacy rows in chunks, as the engine would have written them, and drops unmovable ones", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR });
    const rows: LegacyRow[] = [
      { id: executionId(job.id, T, 0), jobId: job.id, slot: T, state: "done", leases: 2 },
      { id: executionId(job.id, T + MIN, 0), jobId: job.id, slot: T + MIN, state: "skipped", skipReason: "overlap" },
      {
        id: executionId(job.id, T + 2 * MIN, 0, "n-1"),
        jobId: job.id,
        slot: T + 2 * MIN,
        nonce: "n-1",
        origin: "manual",
        state: "done",
        leases: 1,
      },
      // A purged job's row: nothing to move it to.
      { id: executionId("gone", T, 0), jobId: crypto.randomUUID(), slot: T, state: "done" },
    ];
    for (const r of rows) await legacyRow(r);
    await migrateUnfinished(); // nothing unfinished: a no-op
    const moved: number[] = [];
    for (let n = await moveLegacyRunsChunk(db(), 3); n > 0; n = await moveLegacyRunsChunk(db(), 3)) moved.push(n);
    expect(moved.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
    expect((await shardD1().prepare("SELECT count(*) AS n FROM runs_v1").first())?.n).toBe(0);

    const history = await jobRuns(db(), job.id);
    expect(history.map((r) => [r.id, r.slot, r.origin, r.state, r.reason, r.nonce, r.leases])).toEqual([
      [rows[0]?.id, T, "schedule", "done", null, null, 2],
      [rows[1]?.id, T + MIN, "schedule", "skipped", "overlap", null, 0],
      [rows[2]?.id, T + 2 * MIN, "manual", "done", null, "n-1", 1],
    ]);
    expect(await moveLegacyRunsChunk(db(), 3)).toBe(0);
  });
});

describe("the retention sweep's ledger deletes (deleteRunsBefore)", () => {
  it("deletes expired rows of both tables and every row of deleted jobs, in chunks, nothing else", async () => {
    const job = () => insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
    const [j0, j1, j2] = [await job(), await job(), await job()];
    const jobs = [j0, j1, j2];
    // Before every other row of this file, so the cutoff expires only these.
    const S = T - 30 * 24 * 60 * MIN;
    const cutoff = S + 10 * MIN;
    // Two expired and one kept per live job; a deleted job's rows all go, kept or not.
    for (const job of jobs) for (const m of [0, 1, 20]) await queuedRun(job, S + m * MIN);
    await shardD1().prepare("UPDATE cron_jobs SET deleted_at = ? WHERE id = ?").bind(S, j2.id).run();
    await legacyRow({ id: executionId(j0.id, S - MIN, 0), jobId: j0.id, slot: S - MIN, state: "done" });
    await legacyRow({ id: executionId(j0.id, S + 30 * MIN, 0), jobId: j0.id, slot: S + 30 * MIN, state: "done" });

    const sweep = newRunsSweep();
    const chunks: number[] = [];
    for (;;) {
      const n = await deleteRunsBefore(db(), cutoff, 2, sweep);
      chunks.push(n);
      if (n < 2) break;
    }
    // The legacy row, the expired 2 + 2 + 2 (j2's too), then j2's kept row: 8 rows in chunks of 2.
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(8);
    expect(chunks.every((n) => n <= 2)).toBe(true);
    const left = await shardD1()
      .prepare("SELECT job_id, slot FROM run_ledger WHERE account_id = ? ORDER BY job_id, slot")
      .bind(acct.accountId)
      .all<{ job_id: string; slot: number }>();
    const mine = left.results.filter((r) => jobs.some((j) => j.id === r.job_id));
    expect(mine.map((r) => [r.job_id, r.slot]).sort()).toEqual(
      [
        [j0.id, S + 20 * MIN],
        [j1.id, S + 20 * MIN],
      ].sort(),
    );
    const legacy = await shardD1().prepare("SELECT slot FROM runs_v1 WHERE job_id = ?").bind(j0.id).all();
    expect(legacy.results).toEqual([{ slot: S + 30 * MIN }]);
  });

  it("walks jobs by number and each job's expired rows by primary key: no scan of the ledger", async () => {
    const dialect = new SQLiteAsyncDialect();
    const plan = async (q: { sql: string; params: unknown[] }) => {
      const { results } = await shardD1()
        .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
        .bind(...q.params)
        .all<{ detail: string }>();
      return results.map((r) => r.detail).join("\n");
    };
    const expired = await plan(dialect.sqlToQuery(expiredRunsChunk(T, 0, 100)));
    expect(expired).toMatch(/SEARCH j USING COVERING INDEX cron_jobs_num_unique \(num>\?\)/);
    expect(expired).toMatch(/SEARCH r USING PRIMARY KEY \(job=\? AND slot<\?\)/);
    expect(expired).not.toMatch(/SCAN r\b|TEMP B-TREE/);
    const deleted = await plan(dialect.sqlToQuery(deletedJobsRunsChunk(100)));
    expect(deleted).toMatch(/SEARCH j USING INDEX cron_jobs_deleted_idx/);
    expect(deleted).toMatch(/SEARCH r USING PRIMARY KEY \(job=\?\)/);
    expect(deleted).not.toMatch(/SCAN r\b/);
  });
});
