import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExecutionLogRow } from "../../src/db/schema";
import { executionId, executionIdFromParts, executionIdParts } from "../../src/lib/execution-id";
import { idOfLogKey, logKeyOf } from "../../src/logs/log-key";
import { findLog, insertLogStatements } from "../../src/logs/store";
import { createAccount } from "../helpers/accounts";
import { db, insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const cmpKey = (a: string, b: string) => {
  const [x, y] = [logKeyOf(a), logKeyOf(b)];
  if (!x || !y) throw new Error("no key");
  return Math.sign(x.slot - y.slot || x.hi - y.hi || x.lo - y.lo);
};

describe("execution ids as stored keys (slot, id_hi, id_lo)", () => {
  it("every execution id round-trips byte for byte and its key sorts as its text", () => {
    const id = fc
      .tuple(fc.uuid(), fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 20 }), fc.option(fc.uuid()))
      .map(([job, slot, attempt, nonce]) => executionId(job, slot, attempt, nonce));
    fc.assert(
      fc.property(id, id, (a, b) => {
        const parts = executionIdParts(a);
        expect(parts).not.toBeNull();
        expect(executionIdFromParts(parts as NonNullable<typeof parts>)).toBe(a);
        expect(idOfLogKey(logKeyOf(a) as NonNullable<ReturnType<typeof logKeyOf>>)).toBe(a);
        expect(cmpKey(a, b)).toBe(cmp(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it("other short ids (fixtures, hand-written rows) round-trip and sort as their text among themselves", () => {
    const other = fc.stringMatching(/^(exe_)?[\x21-\x7e]{1,12}$/).filter((s) => executionIdParts(s) === null);
    fc.assert(
      fc.property(other, other, (a, b) => {
        expect(idOfLogKey(logKeyOf(a) as NonNullable<ReturnType<typeof logKeyOf>>)).toBe(a);
        expect(cmpKey(a, b)).toBe(cmp(a, b));
      }),
      { numRuns: 500 },
    );
    expect(logKeyOf("exe_far_too_long_an_id")).toBeNull();
  });
});

describe("a log insert", () => {
  async function setup() {
    const acct = await createAccount();
    const job = await insertJob(acct.accountId);
    const log = (attempt: number, overrides: Partial<ExecutionLogRow> = {}): ExecutionLogRow => ({
      id: executionId(job.id, T0, attempt),
      cronJobId: job.id,
      accountId: acct.accountId,
      executedAt: T0 + attempt * 60_000,
      status: "failure",
      responseCode: 500,
      responseBody: "down",
      errorMessage: null,
      responseTimeMs: 42,
      retryAttempt: attempt,
      scheduledAt: T0,
      trigger: attempt > 0 ? "retry" : "schedule",
      responseHeaders: '{"content-type":"text/plain"}',
      decidedBy: "status_codes",
      ...overrides,
    });
    /** The statements as D1 runs them in one batch: the text's meta, then the row's. */
    const runBoth = async (l: ExecutionLogRow) => {
      const statements = insertLogStatements(db(), l).map((s) => {
        const q = s.toSQL();
        return shardD1()
          .prepare(q.sql)
          .bind(...q.params);
      });
      const results = await shardD1().batch(statements);
      return results.map((r) => r.meta);
    };
    /** The row's meta (the last statement). */
    const run = async (l: ExecutionLogRow) => (await runBoth(l)).at(-1) as D1Meta;
    return { acct, job, log, run, runBoth };
  }

  it("writes at most 5 rows for the log (the row, three index entries, its hour's rollup) and 1 for its text", async () => {
    const { log, runBoth } = await setup();
    // The first log of its job, hour and status inserts the rollup row; the next one updates it.
    for (const l of [log(0), log(1), log(2, { status: "success", decidedBy: "status_codes" })]) {
      const [text, row] = await runBoth(l);
      expect(text?.rows_written).toBe(1);
      expect(row?.rows_written).toBeLessThanOrEqual(5);
    }
    // A log without any text writes no text row.
    const bare = log(3, { responseBody: null, responseHeaders: null, errorMessage: null });
    const metas = await runBoth(bare);
    expect(metas).toHaveLength(1);
    expect(metas[0]?.rows_written).toBeLessThanOrEqual(5);
  });

  it("is idempotent: a redelivered log writes nothing and the first one stays", async () => {
    const { log, runBoth, job } = await setup();
    await runBoth(log(0));
    const again = await runBoth(log(0, { status: "success", responseBody: "changed" }));
    expect(again.map((m) => m.changes)).toEqual([0, 0]);
    expect(again.map((m) => m.rows_written)).toEqual([0, 0]);
    const stored = await findLog(db(), log(0).id);
    expect(stored).toEqual(log(0));
    const count = await shardD1()
      .prepare("SELECT sum(n) AS n FROM log_hours WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)")
      .bind(job.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("reads back exactly what was written, in TypeScript and through the execution_logs view", async () => {
    const { log, run } = await setup();
    const logs = [
      log(0),
      log(1, { status: "timeout", responseCode: null, responseBody: null, decidedBy: null, errorMessage: "late" }),
      log(0, { id: executionId("manual", T0, 0, "n1"), trigger: "manual", scheduledAt: null }),
    ];
    for (const l of logs) await run({ ...l, cronJobId: logs[0]?.cronJobId ?? "" });
    for (const l of logs) {
      const expected = { ...l, cronJobId: logs[0]?.cronJobId };
      expect(await findLog(db(), l.id)).toEqual(expected);
      const viewed = await shardD1()
        .prepare(
          "SELECT id, cron_job_id, account_id, executed_at, status, trigger, scheduled_at, decided_by FROM execution_logs WHERE id = ?",
        )
        .bind(l.id)
        .first();
      expect(viewed).toEqual({
        id: l.id,
        cron_job_id: expected.cronJobId,
        account_id: l.accountId,
        executed_at: l.executedAt,
        status: l.status,
        trigger: l.trigger,
        scheduled_at: l.scheduledAt,
        decided_by: l.decidedBy,
      });
    }
  });

  it("numbers accounts and jobs on insert, whoever inserts them", async () => {
    const { acct, job } = await setup();
    const other = await insertJob(acct.accountId);
    const rows = await shardD1()
      .prepare("SELECT id, num FROM cron_jobs WHERE id IN (?, ?) ORDER BY num")
      .bind(job.id, other.id)
      .all<{ id: string; num: number }>();
    expect(rows.results.map((r) => r.id)).toEqual([job.id, other.id]);
    expect(rows.results[1]?.num).toBe((rows.results[0]?.num ?? 0) + 1);
    const account = await shardD1().prepare("SELECT num FROM accounts WHERE id = ?").bind(acct.accountId).first();
    expect(account?.num).toEqual(expect.any(Number));
  });
});
