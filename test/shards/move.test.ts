import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../../src/engine/dispatch";
import { consumeRunsBatch } from "../../src/engine/route-runs";
import type { RunMessage } from "../../src/lib/messages";
import { shardBinding } from "../../src/shards/bindings";
import { d1Runner } from "../../src/shards/d1-runner";
import { directoryCache, readDirectory } from "../../src/shards/directory";
import { type MoveDeps, MoveError, moveAccount } from "../../src/shards/move";
import { shardDb } from "../../src/shards/resolve";
import type { SqlRunner } from "../../src/shards/sql-runner";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { batchOf, captureQueue } from "../helpers/queue";
import { controlDb, moveDeps as testMoveDeps } from "../helpers/shards";

const MIN = 60_000;
const T = Math.floor(Date.now() / MIN) * MIN - 10 * MIN; // a tick in the recent past, on a minute

const one = async (shard: number, sql: string, ...params: unknown[]) =>
  (
    await shardBinding(env, shard)
      .prepare(sql)
      .bind(...params)
      .first<{ n: number }>()
  )?.n ?? -1;

/** Everything of an account in a shard, counted per table (logs through the view, by job id). */
async function census(shard: number, accountId: string) {
  const t = async (table: string, where = "account_id = ?") =>
    one(shard, `SELECT count(*) AS n FROM ${table} WHERE ${where}`, accountId);
  return {
    accounts: await t("accounts", "id = ?"),
    jobs: await t("cron_jobs"),
    runs: await t("run_ledger"),
    logs: await t("execution_logs"),
    counted: await one(
      shard,
      "SELECT coalesce(sum(n), 0) AS n FROM log_hours WHERE job IN (SELECT num FROM cron_jobs WHERE account_id = ?)",
      accountId,
    ),
    windows: await t("latency_windows", "job IN (SELECT num FROM cron_jobs WHERE account_id = ?)"),
  };
}

/** Logs per (job, slot, attempt) of an account: a run twice would show a count of 2. */
async function attemptsRecorded(shard: number, accountId: string) {
  const { results } = await shardBinding(env, shard)
    .prepare(
      "SELECT cron_job_id, scheduled_at, retry_attempt, count(*) AS n FROM execution_logs WHERE account_id = ? GROUP BY 1, 2, 3",
    )
    .bind(accountId)
    .all<{ cron_job_id: string; scheduled_at: number; retry_attempt: number; n: number }>();
  return results;
}

/** Small chunks: many keyset pages per table. */
const moveDeps = (overrides: Partial<MoveDeps> = {}): MoveDeps => testMoveDeps({ chunk: 7, ...overrides });

/** Runs two ticks and every message for the account's jobs on `shard`; returns the jobs. */
async function withHistory(acct: TestAccount) {
  const jobs = await Promise.all(
    [0, 1, 2].map(() =>
      insertJob(acct.accountId, {
        nextRunAt: T,
        schedule: "* * * * *",
        scheduleConfig: JSON.stringify({ cron: "* * * * *" }),
        maxRetries: 0,
      }),
    ),
  );
  for (const t of [T, T + MIN]) {
    const q = captureQueue();
    await dispatchTick(shardDb(env, acct.shard), q, t, t);
    await consumeRunsBatch(env, batchOf(q.sent.map((m) => m.body)));
  }
  return jobs;
}

beforeEach(() => directoryCache.clear());

describe("account:move (src/shards/move.ts)", () => {
  it("copies every row and log exactly, and across the move no slot runs twice or never", async () => {
    const acct = await createAccount("Moving", { shard: 0 });
    const other = await createAccount("Staying", { shard: 0 });
    await withHistory(acct);
    const stay = await withHistory(other);
    // Metrics windows (derived, not copied: the target's tick writes its own) leave the source with the jobs.
    await shardBinding(env, 0)
      .prepare("INSERT INTO latency_windows (job, end_hour) SELECT num, 1 FROM cron_jobs WHERE account_id = ?")
      .bind(acct.accountId)
      .run();
    const before = await census(0, acct.accountId);
    expect(before.windows).toBe(3);
    expect(before.logs).toBe(6);
    expect(before.counted).toBe(6);

    // A slot claimed before the move whose message is still in the queue when the move starts.
    const pending = captureQueue();
    await dispatchTick(shardDb(env, 0), pending, T + 2 * MIN, T + 2 * MIN);
    const pendingRuns = pending.sent.map((m) => m.body as RunMessage);
    expect(pendingRuns.filter((m) => m.accountId === acct.accountId)).toHaveLength(3);

    let duringFence: { claimed: number; retried: number } | null = null;
    const deps = moveDeps({
      sleep: async () => {
        if (duringFence) return;
        // While fenced: the source's tick claims nothing of the account, and its queued runs wait.
        const q = captureQueue();
        const tick = await dispatchTick(shardDb(env, 0), q, T + 3 * MIN, T + 3 * MIN);
        const batch = batchOf(pendingRuns.filter((m) => m.accountId === acct.accountId));
        // Held copies go to a stand-in queue: the test delivers the account's runs itself after the move.
        await consumeRunsBatch(env, batch, { holdQueues: { runs: captureQueue(), deadLetters: captureQueue() } });
        duringFence = {
          claimed: q.sent.filter((m) => (m.body as RunMessage).accountId === acct.accountId).length,
          retried: batch.messages.length,
        };
        void tick;
      },
    });
    const report = await moveAccount(deps, acct.accountId, 1);
    expect(duringFence).toMatchObject({ claimed: 0 });
    expect(report).toMatchObject({ from: 0, to: 1, logs: 6 });

    // The directory points at shard 1; the source holds nothing of the account; the target holds all of it.
    expect(await readDirectory(controlDb(), acct.accountId)).toMatchObject({
      shard: 1,
      state: "active",
      moveShard: null,
    });
    expect(await census(0, acct.accountId)).toEqual({ accounts: 0, jobs: 0, runs: 0, logs: 0, counted: 0, windows: 0 });
    // The runs also include the three slots claimed before the move (still queued).
    expect(await census(1, acct.accountId)).toEqual({ ...before, runs: before.runs + 3, windows: 0 });
    // The other account on the source is untouched.
    expect((await census(0, other.accountId)).logs).toBe(6);
    expect(stay).toHaveLength(3);

    // The runs queued before the move now run on the new shard, once each, even if delivered twice.
    directoryCache.clear();
    const mine = pendingRuns.filter((m) => m.accountId === acct.accountId);
    await consumeRunsBatch(env, batchOf(mine));
    await consumeRunsBatch(env, batchOf(mine));
    // The next ticks claim the account's next slots on the new shard only.
    const q1 = captureQueue();
    await dispatchTick(shardDb(env, 1), q1, T + 4 * MIN, T + 4 * MIN);
    await consumeRunsBatch(env, batchOf(q1.sent.map((m) => m.body)));
    const recorded = await attemptsRecorded(1, acct.accountId);
    expect(recorded.every((r) => r.n === 1)).toBe(true);
    // Slots T and T+1 (history), T+2 (queued before the move), then the new shard's first tick: it runs its newest
    // due slot, T+4 (catch-up `latest`, src/engine/catchup.ts), and records T+3, due while the account was fenced,
    // as missed. None lost, none twice.
    const slots = [...new Set(recorded.map((r) => r.scheduled_at))].sort();
    expect(slots).toEqual([T, T + MIN, T + 2 * MIN, T + 4 * MIN]);
    expect(recorded).toHaveLength(12);
    const { results: missed } = await shardBinding(env, 1)
      .prepare(
        "SELECT r.slot, r.last_slot, r.slot_count FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE j.account_id = ? AND r.reason = 3",
      )
      .bind(acct.accountId)
      .all();
    expect(missed).toEqual(Array(3).fill({ slot: T + 3 * MIN, last_slot: T + 3 * MIN, slot_count: 1 }));
    expect(await attemptsRecorded(0, acct.accountId)).toEqual([]);
  });

  it("resumes after a failure in the middle of the copy, with exact totals", async () => {
    const acct = await createAccount("Interrupted", { shard: 1 });
    await withHistory(acct);
    const before = await census(1, acct.accountId);
    let batches = 0;
    const flaky = (inner: SqlRunner): SqlRunner => ({
      all: (s) => inner.all(s),
      batch: async (s) => {
        if (++batches === 4) throw new Error("D1 went away");
        return inner.batch(s);
      },
    });
    await expect(
      moveAccount(
        moveDeps({ shard: (n) => (n === 0 ? flaky(d1Runner(shardBinding(env, 0))) : d1Runner(shardBinding(env, n))) }),
        acct.accountId,
        0,
      ),
    ).rejects.toThrow("D1 went away");
    expect(await readDirectory(controlDb(), acct.accountId)).toMatchObject({ shard: 1, state: "moving", moveShard: 0 });
    const report = await moveAccount(moveDeps(), acct.accountId, 0);
    expect(report.logs).toBe(before.logs);
    expect(await census(0, acct.accountId)).toEqual(before);
    expect(await census(1, acct.accountId)).toEqual({ accounts: 0, jobs: 0, runs: 0, logs: 0, counted: 0, windows: 0 });
    expect(await readDirectory(controlDb(), acct.accountId)).toMatchObject({
      shard: 0,
      state: "active",
      moveShard: null,
    });
  });

  it("carries the confirmation send history, so a move does not reset an address's resend interval", async () => {
    const acct = await createAccount("Mailing", { shard: 0 });
    const other = await createAccount("Staying", { shard: 0 });
    const now = Date.now();
    const send = (accountId: string, email: string, at: number) =>
      env.SHARD_0.prepare("INSERT INTO confirmation_sends (account_id, email, sent_at) VALUES (?, ?, ?)")
        .bind(accountId, email, at)
        .run();
    await send(acct.accountId, "a@example.com", now - 60_000);
    await send(acct.accountId, "a@example.com", now);
    await send(other.accountId, "a@example.com", now);
    const sends = (shard: number, accountId: string) =>
      one(shard, "SELECT count(*) AS n FROM confirmation_sends WHERE account_id = ?", accountId);
    const report = await moveAccount(moveDeps(), acct.accountId, 1);
    expect(report.copied.confirmation_sends).toBe(2);
    expect(await sends(1, acct.accountId)).toBe(2);
    expect(await sends(0, acct.accountId)).toBe(0);
    expect(await sends(0, other.accountId)).toBe(1);
  });

  it("refuses a shard that does not exist and a second destination while a move is under way", async () => {
    const acct = await createAccount("Refusals", { shard: 0 });
    await expect(moveAccount(moveDeps(), acct.accountId, 2)).rejects.toBeInstanceOf(MoveError);
    await expect(moveAccount(moveDeps(), crypto.randomUUID(), 1)).rejects.toThrow(/no account/);
    expect(await moveAccount(moveDeps(), acct.accountId, 0)).toMatchObject({ from: 0, to: 0, logs: 0 });
    await env.DB.prepare("UPDATE account_shards SET state = 'moving', move_shard = 1 WHERE account_id = ?")
      .bind(acct.accountId)
      .run();
    await expect(moveAccount(moveDeps({ shards: 3 }), acct.accountId, 2)).rejects.toThrow(/already being moved/);
  });
});
