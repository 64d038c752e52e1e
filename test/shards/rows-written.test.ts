import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import type { Executor } from "../../src/lib/execution";
import type { RunMessage } from "../../src/lib/messages";
import { shardBinding } from "../../src/shards/bindings";
import { createAccount } from "../helpers/accounts";
import { scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";

/**
 * Rows written per execution, as D1 bills them (`meta.rows_written`, indexes included), by step. A count, not a
 * timing. 13 = claim 2 + ledger 2 + lease 2 + counters 1 + log 4 + done 1 + log text 1 (its log_bodies row; a
 * log without body, error or headers has none: 12). The issue allows ≤ 13 with the cost stated: D1 bills $1.00 per
 * million rows written beyond the 50 M a month Workers Paid includes (developers.cloudflare.com/d1/platform/pricing),
 * so the text row costs $1.00 per million executions.
 */
const STEPS: Array<[string, RegExp]> = [
  ["reads", /^select /i],
  ["claim", /^update "cron_jobs" set "skipped_runs"/i],
  ["ledger", /^insert into "runs"/i],
  ["lease", /^update "runs" set "state" = \?, "lease_until" = \?, "leases"/i],
  ["counters", /^update "cron_jobs" set "last_run_at"/i],
  ["completion", /^update "cron_jobs" set "is_active" = \?, "state" = \?/i],
  ["text", /^insert into "log_bodies"/i],
  ["log", /^insert into "logs"/i],
  ["done", /^update "runs" set "state" = \?, "lease_until" = \? where/i],
];

function countingD1(real: D1Database) {
  const written = new Map<string, number>();
  const sqlOf = new WeakMap<object, string>();
  const realOf = new WeakMap<object, D1PreparedStatement>();
  const add = (sql: string, meta: { rows_written?: number } | undefined) => {
    const step = STEPS.find(([, re]) => re.test(sql))?.[0] ?? sql.slice(0, 90);
    written.set(step, (written.get(step) ?? 0) + (meta?.rows_written ?? 0));
  };
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        if (prop === "run" || prop === "all") {
          return async () => {
            const r = await (target[prop] as () => Promise<D1Result>)();
            add(sql, r.meta);
            return r;
          };
        }
        // raw() (drizzle's RETURNING reads) carries no meta: run it as all() and hand back rows as arrays.
        if (prop === "raw") {
          return async () => {
            const r = await target.all<Record<string, unknown>>();
            add(sql, r.meta);
            return r.results.map((row) => Object.values(row));
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    sqlOf.set(proxy, sql);
    realOf.set(proxy, stmt);
    return proxy;
  };
  const d1 = new Proxy(real, {
    get(target, prop) {
      if (prop === "withSession") return undefined;
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          const results = await target.batch(stmts.map((s) => realOf.get(s) ?? s));
          for (const [i, r] of results.entries()) add(sqlOf.get(stmts[i] as object) ?? "?", r.meta);
          return results;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { d1, written };
}

/** Rows written by each step of one execution of a job that has run twice before (the steady state). */
async function steadyExecution(executor: Executor): Promise<Map<string, number>> {
  const acct = await createAccount("Rows written");
  const T = Date.UTC(2026, 0, 5, 9, 0);
  // A job that has run before (its counters and newest outcome exist), so the figures are the steady state.
  await insertJob(acct.accountId, {
    nextRunAt: T,
    maxRetries: 0,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *" }),
  });
  const { d1, written } = countingD1(shardBinding(env, acct.shard));
  const db = createDb(d1);
  const per: Array<Map<string, number>> = [];
  for (const t of [T, T + 60_000, T + 120_000]) {
    written.clear();
    const q = captureQueue();
    await dispatchTick(db, q, t, t);
    const deps = testDeps({ db, now: () => t + 1000, executor });
    for (const m of q.sent) await consumeRun(deps, m.body as RunMessage);
    per.push(new Map(written));
  }
  return per.at(-1) as Map<string, number>;
}

const withTextExecutor = () => scriptedExecutor({ responseCode: 200, responseBody: '{"ok":true}' });
const totalOf = (steps: Map<string, number>) => [...steps.values()].reduce((a, b) => a + b, 0);

describe("rows written per execution", () => {
  it("a scheduled execution (claim, ledger, lease, log and its text, counters, done) writes at most 14 rows", async () => {
    // A fixed outcome with a body (the mock executor's vary by execution id, some without any text).
    const steady = await steadyExecution(withTextExecutor());
    const total = totalOf(steady);
    console.log(JSON.stringify({ event: "rows_written_per_execution", total, steps: Object.fromEntries(steady) }));
    expect(total).toBeLessThanOrEqual(14);
    // Every statement is one of the known steps; a log insert writes at most 5 rows (row, 3 indexes, hour rollup)
    // and its text one. The code index is the fifth: $1.00 a million executions at D1's price per row written.
    expect(Object.keys(Object.fromEntries(steady)).sort()).toEqual(STEPS.map(([k]) => k).sort());
    expect(steady.get("log")).toBeLessThanOrEqual(5);
    expect(steady.get("text")).toBe(1);
    expect(steady.get("reads")).toBe(0);
  });

  it("a log without any text (no body, error or headers) writes no log_bodies row: at most 13", async () => {
    const withText = totalOf(await steadyExecution(withTextExecutor()));
    const steady = await steadyExecution(
      scriptedExecutor({ responseCode: 204, responseBody: null, errorMessage: null, responseHeaders: null }),
    );
    const total = totalOf(steady);
    console.log(JSON.stringify({ event: "rows_written_without_text", total, steps: Object.fromEntries(steady) }));
    expect(total).toBeLessThanOrEqual(13);
    expect(total).toBe(withText - 1);
    expect(steady.has("text")).toBe(false);
    expect(Object.keys(Object.fromEntries(steady)).sort()).toEqual(
      STEPS.map(([k]) => k)
        .filter((k) => k !== "text")
        .sort(),
    );
  });
});
