import { SELF } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExecutionStatus } from "../../src/db/schema";
import { codeLookup, probeCount, RARE_MATCHES } from "../../src/logs/code-index";
import { countLogsQuery } from "../../src/logs/counts";
import type { LogPosition } from "../../src/logs/cursor";
import { openLogExport } from "../../src/logs/export";
import type { LogFilters } from "../../src/logs/filters";
import { newestFirst } from "../../src/logs/keyset";
import { lateLookup } from "../../src/logs/late-lookup";
import { findLogsPage, walkOf } from "../../src/logs/query";
import { filtersOf, LogsExportQuerySchema, LogsQuerySchema } from "../../src/logs/schemas";
import { type LogScope, scopeWhere } from "../../src/logs/scope";
import { hoursLookup, statusHoursQuery } from "../../src/logs/status-hours";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs, type LogInput } from "../helpers/fixtures";
import { api, BASE, expectProblem } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 6);

/** A log every 5 minutes for 30 hours: mostly 200s, 5xx bursts in hours 4 and 20, 404s, and errors without a response. */
function logsOf(seed: number): LogInput[] {
  return Array.from({ length: 360 }, (_, i) => {
    const hour = Math.floor(i / 12);
    const r = (i * 7919 + seed * 104_729) % 1000;
    const burst = (hour === 4 || hour === 20 + seed) && r % 3 === 0;
    let status: ExecutionStatus = "success";
    let responseCode: number | null = 200;
    let responseTimeMs: number | null = 20 + (r % 300);
    if (burst) [status, responseCode] = ["failure", r % 2 ? 500 : 503];
    else if (r % 17 === 0) [status, responseCode] = ["failure", 404];
    else if (r % 29 === 0) [status, responseCode, responseTimeMs] = ["error", null, null];
    else if (r % 31 === 0) [status, responseCode, responseTimeMs] = ["timeout", null, 30_000];
    if (hour === 12) responseTimeMs = responseTimeMs === null ? null : 2000 + r;
    return { executedAt: T0 + i * 5 * MIN + (r % 50), status, responseCode, responseTimeMs };
  });
}

interface Log {
  id: string;
  cron_job_id: string;
  executed_at: string;
  status: string;
  response_code: number | null;
  response_time_ms: number | null;
}

let acct: TestAccount;
const jobs = { a: "", b: "" };
let all: Log[];

async function everyLog(path: string): Promise<Log[]> {
  const out: Log[] = [];
  let cursor: string | null = null;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await api(`${path}${sep}limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: acct.headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.pagination.next_cursor;
    if (!cursor) return out;
  }
}

interface Case {
  query: string;
  keep: (l: Log) => boolean;
}

const at = (l: Log) => Date.parse(l.executed_at);
const cases: Record<string, Case> = {
  "code 500": { query: "response_code=500", keep: (l) => l.response_code === 500 },
  "class 5xx": { query: "response_code=5xx", keep: (l) => (l.response_code ?? 0) >= 500 },
  "class 5XX": { query: "response_code=5XX", keep: (l) => (l.response_code ?? 0) >= 500 },
  "code 404": { query: "response_code=404", keep: (l) => l.response_code === 404 },
  "class 2xx": { query: "response_code=2xx", keep: (l) => l.response_code === 200 },
  "no match: 302": { query: "response_code=302", keep: () => false },
  "no match: 1xx": { query: "response_code=1xx", keep: () => false },
  "at least 1 s": { query: "min_response_time_ms=1000", keep: (l) => (l.response_time_ms ?? -1) >= 1000 },
  "at most 50 ms": {
    query: "max_response_time_ms=50",
    keep: (l) => l.response_time_ms !== null && l.response_time_ms <= 50,
  },
  "100–200 ms": {
    query: "min_response_time_ms=100&max_response_time_ms=200",
    keep: (l) => l.response_time_ms !== null && l.response_time_ms >= 100 && l.response_time_ms <= 200,
  },
  "no match: ≥ 99,999 ms": { query: "min_response_time_ms=99999", keep: () => false },
  "failure + 5xx": {
    query: "status=failure&response_code=5xx",
    keep: (l) => l.status === "failure" && (l.response_code ?? 0) >= 500,
  },
  "2xx + at most 100 ms": {
    query: "response_code=2xx&max_response_time_ms=100",
    keep: (l) => l.response_code === 200 && l.response_time_ms !== null && l.response_time_ms <= 100,
  },
  "5xx in partial hours": {
    query: `response_code=5xx&start_date=${new Date(T0 + 90 * MIN).toISOString()}&end_date=${new Date(T0 + 20 * HOUR + 10 * MIN).toISOString()}`,
    keep: (l) => (l.response_code ?? 0) >= 500 && at(l) >= T0 + 90 * MIN && at(l) <= T0 + 20 * HOUR + 10 * MIN,
  },
};

beforeAll(async () => {
  acct = await createAccount("Search filters");
  jobs.a = (await insertJob(acct.accountId)).id as string;
  jobs.b = (await insertJob(acct.accountId)).id as string;
  await insertLogs(jobs.a, acct.accountId, logsOf(0));
  await insertLogs(jobs.b, acct.accountId, logsOf(1));
  all = await everyLog(`/v1/cron-jobs/${acct.accountId}/logs`);
  expect(all).toHaveLength(720);
});

async function expectSameAsBruteForce(label: string) {
  for (const [name, c] of Object.entries(cases)) {
    for (const [scope, path, keepJob] of [
      ["job", `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}`, (l: Log) => l.cron_job_id === jobs.a],
      ["account", `/v1/cron-jobs/${acct.accountId}/logs`, () => true],
    ] as const) {
      const want = all.filter((l) => keepJob(l) && c.keep(l)).map((l) => l.id);
      const got = (await everyLog(`${path}?${c.query}`)).map((l) => l.id);
      expect(got, `${label} ${scope} ${name}`).toEqual(want);
      // Page numbers: the exact total, and the same page as the cursor walk.
      const page2 = await api(`${path}?${c.query}&page=2&limit=7`, { headers: acct.headers });
      expect(page2.status).toBe(200);
      expect(page2.body.pagination.total_items, `${label} ${scope} ${name} total`).toBe(want.length);
      expect(page2.body.data.map((l: Log) => l.id)).toEqual(want.slice(7, 14));
    }
  }
}

describe("response_code and latency filters", () => {
  it("match a brute-force filter of every log, in order, with exact totals (job and account)", async () => {
    await expectSameAsBruteForce("flags kept:");
  });

  it("page alike from the code index (rare) and the time walk (common), by cursor and by page number", async () => {
    for (const [name, c] of Object.entries(cases)) {
      const params = new URLSearchParams(c.query);
      const q = LogsQuerySchema.parse(Object.fromEntries(params));
      const f = filtersOf(q);
      for (const [scopeName, scope, keepJob] of [
        ["job", { kind: "job", accountId: acct.accountId, cronJobId: jobs.a }, (l: Log) => l.cron_job_id === jobs.a],
        ["account", { kind: "account", accountId: acct.accountId }, () => true],
      ] as const) {
        const want = all.filter((l) => keepJob(l) && c.keep(l)).map((l) => l.id);
        // Rare matches paged from the code index, or past `rare` the time walk with a total counted match by
        // match (dense share never reached) or as the range less what the filter leaves out (any share).
        for (const [rare, dense] of [
          [1_000_000, 0.5],
          [0, 2],
          [0, -1],
          [5, -1],
          [5, 0.5],
        ] as const) {
          const o = { rare, dense };
          const label = `${scopeName} ${name} rare < ${rare}, dense > ${dense}`;
          const got: string[] = [];
          let after: LogPosition | undefined;
          for (;;) {
            const page = await findLogsPage(db(), scope, f, after ? { after, limit: 9 } : { page: 1, limit: 9 }, o);
            got.push(...(page?.rows.map((r) => r.id) ?? []));
            if (!after) expect(page?.totalItems, label).toBe(want.length);
            if (!page?.next) break;
            after = page.next;
          }
          expect(got, label).toEqual(want);
          const third = await findLogsPage(db(), scope, f, { page: 3, limit: 5 }, o);
          expect(third?.totalItems, label).toBe(want.length);
          expect(
            third?.rows.map((r) => r.id),
            label,
          ).toEqual(want.slice(10, 15));
        }
      }
    }
  });

  it("stay exact where log_hours knows nothing of codes (rows from before the flags: flags NULL)", async () => {
    await shardD1().prepare("UPDATE log_hours SET flags = NULL, code_min = NULL, code_max = NULL").run();
    await expectSameAsBruteForce("flags unknown:");
  });
});

describe("a filter with no match is answered by log_hours alone", () => {
  const job = (): LogScope => ({ kind: "job", accountId: acct.accountId, cronJobId: jobs.a });
  it.each<[string, LogFilters]>([
    ["a code no log has", { code: { lo: 302, hi: 302 } }],
    ["a class no log has", { code: { lo: 100, hi: 199 } }],
    ["a latency no log has", { minMs: 99_999 }],
    [
      "a class absent from the range's hours",
      { code: { lo: 500, hi: 599 }, start: { start: T0 + 6 * HOUR, end: 0 }, end: { start: 0, end: T0 + 10 * HOUR } },
    ],
  ])("%s → walk none (no logs read)", async (_name, f) => {
    // Restore the flags the previous block cleared: the trigger's values, rebuilt from the logs.
    await shardD1()
      .prepare(
        `UPDATE log_hours SET
          flags = (SELECT ${flagsSql} FROM logs l WHERE l.job = log_hours.job AND l.status = log_hours.status AND l.executed_at / 3600000 = log_hours.hour),
          code_min = (SELECT min(response_code) FROM logs l WHERE l.job = log_hours.job AND l.status = log_hours.status AND l.executed_at / 3600000 = log_hours.hour),
          code_max = (SELECT max(response_code) FROM logs l WHERE l.job = log_hours.job AND l.status = log_hours.status AND l.executed_at / 3600000 = log_hours.hour)`,
      )
      .run();
    expect(await walkOf(db(), job(), f, 50)).toBe("none");
  });
});

const flagsSql = [1, 2, 4, 8, 16, 32, 64, 128]
  .map(
    (b) =>
      `max(((CASE WHEN l.response_code IS NULL THEN 1 WHEN l.response_code BETWEEN 100 AND 599 THEN 2 << (l.response_code / 100 - 1) ELSE 64 END) | (CASE WHEN l.response_time_ms IS NULL THEN 128 ELSE 0 END)) & ${b})`,
  )
  .join(" | ");

describe("plans of the code and latency filters", () => {
  const account = "00000000-0000-4000-8000-0000000000aa";
  const job = "00000000-0000-4000-8000-000000000000";
  const scopes: Record<string, LogScope> = {
    job: { kind: "job", accountId: account, cronJobId: job },
    account: { kind: "account", accountId: account },
  };
  const day = { start: T0, end: T0 + 24 * HOUR - 1 };
  const f: LogFilters = { code: { lo: 500, hi: 599 }, minMs: 100, maxMs: 2000, start: day, end: day };
  const plan = async (q: { sql: string; params: unknown[] }) => {
    const { results } = await shardD1()
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail).join("\n");
  };

  for (const [name, scope] of Object.entries(scopes)) {
    it(`${name}: the summary reads log_hours key ranges only`, async () => {
      const p = await plan(statusHoursQuery(db(), scope, f).toSQL());
      expect(p).not.toMatch(/(SCAN|SEARCH) logs\b/);
      expect(p).not.toMatch(/SCAN (log_hours|cron_jobs)(?! USING)/);
      expect(p).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\? AND hour<\?\)/);
    });

    it(`${name}: the count visits matching entries of logs_job_code_idx only`, async () => {
      const p = await plan(countLogsQuery(db(), scope, f).toSQL());
      expect(p).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
      expect(p).not.toMatch(/log_hours/);
      expect(p).toMatch(
        /SEARCH logs USING COVERING INDEX logs_job_code_idx \(job=\? AND response_code>\? AND response_code<\?\)/,
      );
    });

    it(`${name}: a latency bound alone counts one key range per code, the codes found by a skip-scan`, async () => {
      const p = await plan(countLogsQuery(db(), scope, { minMs: 100, start: day, end: day }).toSQL());
      expect(p).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
      expect(p).toMatch(/RECURSIVE STEP/);
      expect(p).toMatch(/SEARCH l USING COVERING INDEX logs_job_code_idx \(job=\? AND response_code>\?\)/);
      expect(p).toMatch(
        /SEARCH logs USING COVERING INDEX logs_job_code_idx \(job=\? AND response_code=\? AND response_time_ms>\?\)/,
      );
    });

    it(`${name}: walking the candidate hours ranges over one hour of the index per row`, async () => {
      const p = await plan(hoursLookup(db(), scope, f, { order: "newest", limit: 50 }).toSQL());
      expect(p).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
      expect(p).toMatch(/SEARCH log_hours USING PRIMARY KEY/);
      expect(p).toMatch(
        /SEARCH logs USING COVERING INDEX logs_job_time_idx \(job=\? AND executed_at>\? AND executed_at<\?\)/,
      );
    });

    it(`${name}: a rare filter's page and a cursor's probe range over logs_job_code_idx, sorting matches only`, async () => {
      for (const filters of [f, { minMs: 100, start: day, end: day }]) {
        const page = await plan(codeLookup(db(), scope, filters, { limit: 50 }).toSQL());
        const probe = await plan(
          db()
            .select({ n: sql<number>`${probeCount(db(), scope, filters, RARE_MATCHES)}` })
            .from(sql`(SELECT 1)`)
            .toSQL(),
        );
        for (const p of [page, probe]) {
          expect(p).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
          expect(p).toMatch(/SEARCH logs USING COVERING INDEX logs_job_code_idx \(job=\? AND response_code/);
        }
        expect(page).toMatch(/SEARCH logs USING PRIMARY KEY \(slot=\? AND id_hi=\? AND id_lo=\?\)/);
      }
    });

    it(`${name}: a page walks the time index, testing code and latency in it, no row read before the page`, async () => {
      const p = await plan(lateLookup(db(), scopeWhere(db(), scope, f), newestFirst, 51).toSQL());
      expect(p).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
      expect(p).toMatch(/SEARCH logs USING COVERING INDEX logs_(job|account)_time_idx/);
      expect(p).not.toMatch(/logs_job_code_idx/);
    });
  }
});

describe("bad search input → 400 naming each field", () => {
  const job = () => `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}`;
  const account = () => `/v1/cron-jobs/${acct.accountId}/logs`;
  it.each<[string, () => string, string[]]>([
    ["a code past 599", () => `${job()}?response_code=600`, ["response_code"]],
    ["a code that is no number", () => `${job()}?response_code=abc`, ["response_code"]],
    ["a class 6xx", () => `${account()}?response_code=6xx`, ["response_code"]],
    ["a negative latency", () => `${job()}?min_response_time_ms=-1`, ["min_response_time_ms"]],
    ["min over max", () => `${job()}?min_response_time_ms=10&max_response_time_ms=5`, ["min_response_time_ms"]],
    ["q over 48 bytes", () => `${job()}?q=${"é".repeat(25)}`, ["q"]],
    ["an empty q", () => `${job()}?q=`, ["q"]],
    ["q with page", () => `${job()}?q=boom&page=2`, ["page"]],
    ["q over more than 31 days", () => `${job()}?q=boom&start_date=2024-01-01&end_date=2024-02-15`, ["start_date"]],
    ["q account-wide", () => `${account()}?q=boom`, ["q"]],
  ])("%s", async (_name, path, fields) => {
    const body = expectProblem(await api(path(), { headers: acct.headers }), 400);
    expect((body.errors as Array<{ field: string; in: string }>).map((e) => e.field)).toEqual(fields);
    for (const e of body.errors as Array<{ in: string }>) expect(e.in).toBe("query");
  });
});

describe("the exports take the same code and latency filters", () => {
  it("match the brute-force filter, oldest first (job and account; one chunk and many)", async () => {
    for (const [name, c] of Object.entries(cases)) {
      for (const [scope, path, logScope] of [
        ["job", `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}/export`, { kind: "job", cronJobId: jobs.a }],
        ["account", `/v1/cron-jobs/${acct.accountId}/logs/export`, { kind: "account" }],
      ] as const) {
        const keepJob = (l: Log) => scope === "account" || l.cron_job_id === jobs.a;
        const want = all
          .filter((l) => keepJob(l) && c.keep(l))
          .map((l) => l.id)
          .reverse();
        const res = await SELF.fetch(`${BASE}${path}?${c.query}`, { headers: acct.headers });
        expect(res.status, `${scope} ${name}`).toBe(200);
        const lines = (await res.text()).split("\n").filter(Boolean);
        expect(
          lines.map((l) => JSON.parse(l).id),
          `${scope} ${name}`,
        ).toEqual(want);
        // Small chunks walk after each chunk's last row, through the hours where the rollups lead there.
        const f = filtersOfQuery(c.query);
        const chunks = await openLogExport(db(), { ...logScope, accountId: acct.accountId }, f, {
          asOf: Date.now(),
          chunk: 7,
        });
        const ids: string[] = [];
        for await (const rows of chunks ?? []) ids.push(...rows.map((r) => r.id));
        expect(ids, `${scope} ${name} in chunks of 7`).toEqual(want);
      }
    }
  });

  const job = () => `/v1/cron-jobs/${acct.accountId}/logs/${jobs.a}/export`;
  const account = () => `/v1/cron-jobs/${acct.accountId}/logs/export`;
  it.each<[string, () => string, string[]]>([
    ["a code past 599", () => `${job()}?response_code=600`, ["response_code"]],
    ["a class 6xx", () => `${account()}?response_code=6xx`, ["response_code"]],
    ["a negative latency", () => `${account()}?max_response_time_ms=-1`, ["max_response_time_ms"]],
    ["min over max", () => `${job()}?min_response_time_ms=10&max_response_time_ms=5`, ["min_response_time_ms"]],
    ["q (a search is budgeted; an export reads every log)", () => `${job()}?q=boom`, ["q"]],
    ["q account-wide", () => `${account()}?q=boom&response_code=9`, ["q", "response_code"]],
  ])("bad input → 400 naming each field: %s", async (_name, path, fields) => {
    const body = expectProblem(await api(path(), { headers: acct.headers }), 400);
    expect((body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(fields);
  });
});

/** The LogFilters the routes derive from a query string: parsed by the export schema itself. */
const filtersOfQuery = (query: string): LogFilters =>
  filtersOf(LogsExportQuerySchema.parse(Object.fromEntries(new URLSearchParams(query))));
