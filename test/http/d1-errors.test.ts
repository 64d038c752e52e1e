import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { isD1Error } from "../../src/http/errors";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";
import { callWith } from "./app-env";

/**
 * The real D1 binding with a fault injected: `rewrite` changes the SQL before D1 sees it (for a genuine D1
 * error), `fail` makes matching statements reject with the given error (for the errors D1 gives under load).
 */
function faultyD1(opts: {
  rewrite?: (sql: string) => string;
  fail?: { when: RegExp; error: () => unknown };
  /** The control plane instead of the account's shard. */
  control?: boolean;
}) {
  const real = new Proxy({} as D1Database, {
    get: (_, prop) => {
      const d1 = opts.control ? env.DB : shardD1();
      const value = Reflect.get(d1, prop);
      return typeof value === "function" ? value.bind(d1) : value;
    },
  });
  const failing = new WeakSet<object>();
  const failingStatement = (error: () => unknown) => {
    const stmt = {
      bind: () => stmt,
      all: () => Promise.reject(error()),
      raw: () => Promise.reject(error()),
      run: () => Promise.reject(error()),
      first: () => Promise.reject(error()),
    };
    failing.add(stmt);
    return stmt;
  };
  return {
    prepare(sql: string) {
      if (opts.fail?.when.test(sql)) return failingStatement(opts.fail.error);
      return real.prepare(opts.rewrite ? opts.rewrite(sql) : sql);
    },
    async batch(statements: D1PreparedStatement[]) {
      if (opts.fail && statements.some((s) => failing.has(s))) throw opts.fail.error();
      return real.batch(statements);
    },
    exec: (sql: string) => real.exec(sql),
  } as unknown as D1Database;
}

const JOBS_TABLE = /"cron_jobs"/g;
const goneJobsTable = faultyD1({ rewrite: (sql) => sql.replace(JOBS_TABLE, '"cron_jobs_gone"') });
const overloaded = (when: RegExp, control = false) =>
  faultyD1({
    control,
    fail: { when, error: () => new Error("D1_ERROR: D1 DB is overloaded. Too many requests queued.") },
  });
/** Env overrides putting `d1` in place of the test account's shard. */
const onShard = (d1: D1Database): Partial<Env> => ({ [`SHARD_${acct.shard}`]: d1 }) as Partial<Env>;

let acct: TestAccount;
let consoleError: MockInstance<typeof console.error>;
beforeAll(async () => {
  acct = await createAccount();
});
beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  consoleError.mockRestore();
});

function expectUnavailable(res: Awaited<ReturnType<typeof callWith>>) {
  const body = expectProblem(res, 503, "The database is temporarily unavailable. Please retry shortly.");
  expect(body.type).toBe("https://edgecron.dev/problems/unavailable");
  expect(res.headers.get("retry-after")).toBe("5");
  // Nothing of the failure reaches the client: no SQL, no table, no D1 message, no stack.
  expect(res.text).not.toMatch(/select|insert|cron_jobs|D1_|SQLITE|Failed query|\bat\s+\S+\s*\(|\.ts:\d+/i);
  expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('"event":"d1_error"'));
  return body;
}

describe("D1 failures → 503 problem with Retry-After", () => {
  it("a genuine D1 error in a route's query (Drizzle's 'Failed query' wrapping D1_ERROR)", async () => {
    const res = await callWith(onShard(goneJobsTable), `/v1/cron-jobs/${acct.accountId}/list`, {
      headers: acct.headers,
    });
    expectUnavailable(res);
    const logged = String(consoleError.mock.calls.at(-1)?.[0]);
    expect(logged).toContain("no such table: cron_jobs_gone"); // the detail is in the log
  });

  it("a genuine D1 error in a batch (D1_ERROR thrown as is) on create", async () => {
    const res = await callWith(onShard(goneJobsTable), `/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify(quickStart()),
    });
    expectUnavailable(res);
  });

  it("D1 overloaded during authentication", async () => {
    // With the key cache off: a key this isolate verified earlier would not touch D1 at all.
    const res = await callWith(
      { DB: overloaded(/api_keys/, true), API_KEY_CACHE_SECONDS: "0" },
      `/v1/cron-jobs/${acct.accountId}/list`,
      {
        headers: acct.headers,
      },
    );
    expectUnavailable(res);
  });

  it.each([
    ["details", "GET", "/details/"],
    ["logs", "GET", "/logs/"],
    ["trigger", "POST", "/trigger/"],
    ["delete", "DELETE", "/delete/"],
  ])("D1 overloaded in %s", async (_name, method, path) => {
    const res = await callWith(
      onShard(overloaded(/cron_jobs|execution_logs/)),
      `/v1/cron-jobs/${acct.accountId}${path}${crypto.randomUUID()}`,
      {
        method,
        headers: acct.headers,
      },
    );
    expectUnavailable(res);
  });

  it("an error that is not D1's stays a 500 without Retry-After", async () => {
    const broken = faultyD1({ fail: { when: /cron_jobs/, error: () => new TypeError("x is not a function") } });
    const res = await callWith(onShard(broken), `/v1/cron-jobs/${acct.accountId}/list`, { headers: acct.headers });
    expectProblem(res, 500, "An unexpected error occurred. It has been logged.");
    expect(res.headers.get("retry-after")).toBeNull();
    expect(res.text).not.toMatch(/TypeError|is not a function/);
  });
});

describe("isD1Error", () => {
  const drizzleWrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1\nparams: "), { cause });
  it.each<[string, unknown, boolean]>([
    ["D1_ERROR", new Error("D1_ERROR: Network connection lost."), true],
    ["D1_EXEC_ERROR", new Error("D1_EXEC_ERROR: Error in line 1"), true],
    ["D1 DB reset", new Error("D1 DB reset because its code was updated."), true],
    ["Drizzle wrapping D1", drizzleWrapped(new Error("D1_ERROR: no such table: x: SQLITE_ERROR")), true],
    ["twice wrapped", new Error("outer", { cause: drizzleWrapped(new Error("D1_ERROR: boom")) }), true],
    ["Drizzle wrapping a TypeError", drizzleWrapped(new TypeError("nope")), false],
    ["a plain error", new Error("something else"), false],
    ["D1 mentioned later", new Error("not a D1_ERROR"), false],
    ["a string", "D1_ERROR: thrown as a string", false],
    ["null", null, false],
  ])("%s → %s", (_name, err, expected) => {
    expect(isD1Error(err)).toBe(expected);
  });
});
