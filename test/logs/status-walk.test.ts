import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionStatus } from "../../src/db/schema";
import { executionId } from "../../src/lib/execution-id";
import type { LogPosition } from "../../src/logs/cursor";
import { exportChunkQuery } from "../../src/logs/export";
import type { LogFilters } from "../../src/logs/filters";
import { afterQuery, findLogsPage, pageQuery, walkOf } from "../../src/logs/query";
import { type LogScope, scopeWhere } from "../../src/logs/scope";
import { chooseWalk, hoursLookup, statusHoursQuery } from "../../src/logs/status-hours";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs, type LogInput } from "../helpers/fixtures";
import { api, BASE, bodyText } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 6); // 00:00Z

/**
 * Job A: a log a minute for 40 hours (2,400): failures only in hours 5 and 30 (rare, clustered), an error every
 * tenth minute (common, everywhere), no timeout. Job B (same account): failures in hours 12 and 30. A deleted job
 * with failures: never in the account's results.
 */
function jobA(): LogInput[] {
  const logs: LogInput[] = Array.from({ length: 2400 }, (_, i) => {
    const hour = Math.floor(i / 60);
    const status: ExecutionStatus =
      (hour === 5 || hour === 30) && i % 9 === 0 ? "failure" : i % 10 === 3 ? "error" : "success";
    return { executedAt: T0 + i * MIN + (i % 13), status };
  });
  // The first and last millisecond of the failures' hours, the boundaries an hour's range must hold.
  for (const at of [T0 + 6 * HOUR - 1, T0 + 30 * HOUR + 1, T0 + 31 * HOUR - 1])
    logs.push({ executedAt: at, status: "failure" });
  return logs;
}
const jobB = (): LogInput[] =>
  [12, 30].flatMap((h) =>
    Array.from({ length: 4 }, (_, k) => ({
      executedAt: T0 + h * HOUR + k * 7 * MIN + 17,
      status: "failure" as const,
    })),
  );

let acct: TestAccount;
const jobs: Record<"a" | "b" | "gone", string> = { a: "", b: "", gone: "" };
let scopes: Record<string, LogScope>;

const idsOf = (rows: Array<{ slot: number; idHi: number; idLo: number; executedAt: number }>) =>
  rows.map((r) => `${r.executedAt}:${r.slot}:${r.idHi}:${r.idLo}`);

beforeAll(async () => {
  acct = await createAccount();
  jobs.a = (await insertJob(acct.accountId)).id;
  jobs.b = (await insertJob(acct.accountId, { tags: JSON.stringify(["b"]) })).id;
  jobs.gone = (await insertJob(acct.accountId, { tags: JSON.stringify(["b"]), deletedAt: T0 })).id;
  await insertLogs(jobs.a, acct.accountId, jobA());
  await insertLogs(jobs.b, acct.accountId, jobB());
  await insertLogs(jobs.gone, acct.accountId, [{ executedAt: T0 + 20 * HOUR, status: "failure" }]);
  scopes = {
    job: { kind: "job", accountId: acct.accountId, cronJobId: jobs.a },
    account: { kind: "account", accountId: acct.accountId },
    "account, job": { kind: "account", accountId: acct.accountId, cronJobId: jobs.b },
    "account, tags": { kind: "account", accountId: acct.accountId, tags: ["b"] },
  };
});

describe("chooseWalk", () => {
  const h = { matches: 15, hours: 2, walked: 123, size: 2403, legacy: 0 };
  it("no hour holds the status: nothing to walk, unless legacy hours are in range", () => {
    expect(chooseWalk({ ...h, matches: 0, hours: 0, walked: null, size: null }, 50)).toBe("none");
    expect(chooseWalk({ ...h, matches: 0, hours: 0, walked: null, size: null, legacy: 1 }, 50)).toBe("plain");
  });
  it("a rare status in few hours walks them; a spread or common one walks the range", () => {
    expect(chooseWalk(h, 50)).toBe("hours");
    expect(chooseWalk(h, Number.POSITIVE_INFINITY)).toBe("hours");
    expect(chooseWalk({ ...h, legacy: 1 }, 50)).toBe("plain");
    // 240 matches over every hour: page 1 is found after ~500 entries, the hours walk visits all 2,400.
    expect(chooseWalk({ matches: 240, hours: 40, walked: 2400, size: 2400, legacy: 0 }, 50)).toBe("plain");
    expect(chooseWalk({ ...h, matches: 5000, size: 100_000 }, 50)).toBe("plain");
    expect(chooseWalk({ ...h, hours: 1000 }, 50)).toBe("plain");
    expect(chooseWalk({ ...h, size: null }, 50)).toBe("plain");
    expect(chooseWalk({ ...h, walked: null }, 50)).toBe("plain");
  });
});

describe("status filters through the hourly rollups", () => {
  it("decides from the rollups: rare → its hours, common → the plain walk, absent → nothing", async () => {
    const d = db();
    expect(await walkOf(d, scopes.job as LogScope, { status: "failure" }, 50)).toBe("hours");
    expect(await walkOf(d, scopes.job as LogScope, { status: "error" }, 50)).toBe("plain");
    expect(await walkOf(d, scopes.job as LogScope, { status: "timeout" }, 50)).toBe("none");
    expect(await walkOf(d, scopes.job as LogScope, { status: "success" }, 50)).toBe("plain");
    expect(await walkOf(d, scopes.job as LogScope, {}, 50)).toBe("plain");
    expect(await walkOf(d, scopes.account as LogScope, { status: "failure" }, 50)).toBe("hours");
    expect(await walkOf(d, scopes.account as LogScope, { status: "timeout" }, 50)).toBe("none");
    // A range with none of the failures' hours.
    const quiet = { start: T0 + 6 * HOUR, end: T0 + 6 * HOUR };
    const to = { start: T0 + 11 * HOUR, end: T0 + 11 * HOUR };
    expect(await walkOf(d, scopes.account as LogScope, { status: "failure", start: quiet, end: to }, 50)).toBe("none");
    // The deleted job's failure (hour 20) is not the account's.
    const h20 = { start: T0 + 20 * HOUR, end: T0 + 20 * HOUR };
    const h21 = { start: T0 + 21 * HOUR - 1, end: T0 + 21 * HOUR - 1 };
    expect(await walkOf(d, scopes.account as LogScope, { status: "failure", start: h20, end: h21 }, 50)).toBe("none");
    // An unknown job of the account: null (404), as for the unfiltered page.
    const unknown: LogScope = { kind: "job", accountId: acct.accountId, cronJobId: crypto.randomUUID() };
    expect(await walkOf(d, unknown, { status: "timeout" }, 50)).toBeNull();
  });

  it("a filter with no match reads a handful of rollup rows (D1 rows_read), not the job's 2,400 logs", async () => {
    const rowsRead = async (q: { sql: string; params: unknown[] }) =>
      (
        await shardD1()
          .prepare(q.sql)
          .bind(...q.params)
          .all()
      ).meta.rows_read;
    const none = await rowsRead(statusHoursQuery(db(), scopes.job as LogScope, { status: "timeout" }).toSQL());
    const plain = await rowsRead(
      pageQuery(db(), scopeWhere(db(), scopes.job as LogScope, { status: "timeout" }), 50, 0).toSQL(),
    );
    expect(plain).toBeGreaterThanOrEqual(2400);
    expect(none).toBeLessThanOrEqual(5);
    // A rare status: its two hours' rows and their status rows, then the range's rollups for the estimate.
    expect(await rowsRead(statusHoursQuery(db(), scopes.job as LogScope, { status: "failure" }).toSQL())).toBeLessThan(
      250,
    );
  });

  const statuses = fc.constantFrom<ExecutionStatus>("failure", "error", "timeout", "success");
  const instant = fc.integer({ min: T0 - HOUR, max: T0 + 41 * HOUR });
  const range = fc
    .tuple(fc.option(instant, { nil: undefined }), fc.option(instant, { nil: undefined }), fc.boolean())
    .map(([a, b, align]): Pick<LogFilters, "start" | "end"> => {
      let [s, e] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
      if (align) {
        s = s === undefined ? s : Math.floor(s / HOUR) * HOUR;
        e = e === undefined ? e : Math.floor(e / HOUR) * HOUR + HOUR - 1;
      }
      return {
        start: s === undefined ? undefined : { start: s, end: s },
        end: e === undefined ? undefined : { start: e, end: e },
      };
    });
  // Positions at a log (ids as the fixture makes them), or anywhere.
  const position = fc.oneof(
    fc.integer({ min: 0, max: 2399 }).map((i): LogPosition => {
      const at = T0 + i * MIN + (i % 13);
      return { executedAt: at, id: executionId(jobs.a, at, 0) };
    }),
    instant.map((at): LogPosition => ({ executedAt: at, id: "exe_0" })),
  );
  const scopeName = fc.constantFrom("job", "account", "account, job", "account, tags");

  it("walking the hours returns exactly the plain walk's rows: pages, cursor pages and export chunks", async () => {
    await fc.assert(
      fc.asyncProperty(
        scopeName,
        statuses,
        range,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 60 }),
        position,
        async (name, status, r, offset, limit, p) => {
          const scope = scopes[name] as LogScope;
          const f: LogFilters = { status, ...r };
          const d = db();
          const plainPage = await pageQuery(d, scopeWhere(d, scope, f), limit, offset);
          const hoursPage = await hoursLookup(d, scope, f, { order: "newest", limit, offset });
          expect(idsOf(hoursPage), "page").toEqual(idsOf(plainPage));
          const plainAfter = await afterQuery(d, scope, f, p, limit, "plain");
          expect(idsOf(await afterQuery(d, scope, f, p, limit, "hours")), "cursor").toEqual(idsOf(plainAfter));
          for (const after of [undefined, p]) {
            const plainChunk = await exportChunkQuery(d, scope, f, after, limit, "plain");
            const hoursChunk = await exportChunkQuery(d, scope, f, after, limit, "hours");
            expect(idsOf(hoursChunk), "export").toEqual(idsOf(plainChunk));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("pages by number: rows, totals and next as the plain walk's, whatever the walk chosen", async () => {
    await fc.assert(
      fc.asyncProperty(scopeName, statuses, range, fc.integer({ min: 1, max: 8 }), async (name, status, r, page) => {
        const scope = scopes[name] as LogScope;
        const f: LogFilters = { status, ...r };
        const limit = 7;
        const got = await findLogsPage(db(), scope, f, { page, limit });
        const all = await pageQuery(db(), scopeWhere(db(), scope, f), 10_000, 0);
        const want = all.slice((page - 1) * limit, page * limit);
        expect(got?.totalItems).toBe(all.length);
        expect(got?.rows.map((x) => x.executedAt)).toEqual(want.map((x) => x.executedAt));
        expect(got?.next === null).toBe(page * limit >= all.length);
      }),
      { numRuns: 40 },
    );
  });

  it("through the API: page numbers, cursors and export agree for a rare, a common and an absent status", async () => {
    const base = `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}`;
    for (const status of ["failure", "error", "timeout"]) {
      const truth = await shardD1()
        .prepare(
          "SELECT id FROM execution_logs WHERE cron_job_id = ? AND status = ? ORDER BY executed_at DESC, id DESC",
        )
        .bind(jobs.a, status)
        .all<{ id: string }>();
      const want = truth.results.map((r) => r.id);
      const first = await api(`${base}?status=${status}&limit=5&page=2`, { headers: acct.headers });
      expect(first.body.pagination.total_items).toBe(want.length);
      expect(first.body.data.map((l: { id: string }) => l.id)).toEqual(want.slice(5, 10));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${cursor}` : "";
        const res = await api(`${base}?status=${status}&limit=17${q}`, { headers: acct.headers });
        seen.push(...res.body.data.map((l: { id: string }) => l.id));
        cursor = res.body.pagination.next_cursor;
      } while (cursor);
      expect(seen).toEqual(want);
      const exported = await SELF.fetch(`${BASE}${base}/export?status=${status}`, { headers: acct.headers });
      const lines = (await bodyText(exported)).split("\n").filter(Boolean);
      expect(lines.map((l) => JSON.parse(l).id)).toEqual([...want].reverse());
    }
  });
});

describe("status filters while the store migration runs: legacy hours are walked plainly", () => {
  const until = T0 + 10 * HOUR + 30 * MIN;
  beforeAll(async () => {
    const job = "(SELECT num FROM cron_jobs WHERE id = ?)";
    await shardD1().batch([
      // Legacy logs are in no rollup: hour 5's failures are known only to the logs.
      shardD1()
        .prepare(`DELETE FROM log_hours WHERE job IN (${job}, ${job}) AND hour < ?`)
        .bind(jobs.a, jobs.b, Math.ceil(until / HOUR)),
      shardD1().prepare("INSERT INTO shard_state (key, value) VALUES ('legacy_logs_until', ?)").bind(until),
    ]);
  });
  afterAll(async () => {
    await shardD1().prepare("DELETE FROM shard_state WHERE key = 'legacy_logs_until'").run();
  });

  it("a range reaching before the watermark walks plainly and finds the legacy failures", async () => {
    const d = db();
    const f: LogFilters = { status: "failure" };
    expect(await walkOf(d, scopes.job as LogScope, f, 50)).toBe("plain");
    const after = { start: T0 + 11 * HOUR, end: T0 + 11 * HOUR };
    expect(await walkOf(d, scopes.job as LogScope, { ...f, start: after }, 50)).toBe("hours");
    for (const scope of Object.values(scopes)) {
      const got = await findLogsPage(d, scope, f, { page: 1, limit: 100 });
      const all = await pageQuery(d, scopeWhere(d, scope, f), 10_000, 0);
      expect(got?.totalItems).toBe(all.length);
      expect(got?.rows.map((x) => x.executedAt)).toEqual(all.slice(0, 100).map((x) => x.executedAt));
    }
    const res = await api(
      `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}?status=failure&start_date=${new Date(T0 + 5 * HOUR).toISOString()}&end_date=${new Date(T0 + 6 * HOUR - 1).toISOString()}`,
      { headers: acct.headers },
    );
    const hour5 = jobA().filter((l) => l.status === "failure" && Math.floor((l.executedAt - T0) / HOUR) === 5);
    expect(res.body.pagination.total_items).toBe(hour5.length);
  });
});
