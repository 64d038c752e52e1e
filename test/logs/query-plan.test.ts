import { describe, expect, it } from "vitest";
import { strandedRunsQuery } from "../../src/engine/ledger";
import { countLogsQuery } from "../../src/logs/counts";
import { exportChunkQuery } from "../../src/logs/export";
import type { LogFilters } from "../../src/logs/filters";
import { afterQuery, pageQuery } from "../../src/logs/query";
import { type LogScope, scopeWhere } from "../../src/logs/scope";
import { statsQueries } from "../../src/logs/stats";
import { statsWindow } from "../../src/logs/stats-window";
import { db } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const account = "00000000-0000-4000-8000-0000000000aa";
const job = "00000000-0000-4000-8000-000000000000";
const day = { start: Date.UTC(2024, 0, 25), end: Date.UTC(2024, 0, 26) - 1 };
const position = { executedAt: Date.UTC(2024, 0, 25, 12), id: "exe_01HN0B9C40GAABYD8VDQDT8QYB" };

const shapes: Record<string, LogFilters> = {
  "no filter": {},
  status: { status: "failure" },
  "date range": { start: day, end: day },
  "status + date range": { status: "timeout", start: day, end: day },
  "partial days": {
    start: { start: day.start + 3_600_000, end: day.start + 3_600_000 },
    end: { start: day.end + 7_200_000, end: day.end + 7_200_000 },
  },
};

const scopes: Record<string, { scope: LogScope; index: RegExp }> = {
  "one job": {
    scope: { kind: "job", accountId: account, cronJobId: job },
    index: /USING (COVERING )?INDEX logs_job_time_idx\b/,
  },
  account: { scope: { kind: "account", accountId: account }, index: /USING (COVERING )?INDEX logs_account_time_idx\b/ },
  "account, one job": {
    scope: { kind: "account", accountId: account, cronJobId: job },
    index: /USING (COVERING )?INDEX logs_job_time_idx\b/,
  },
  "account, tags": {
    scope: { kind: "account", accountId: account, tags: ["reports", "daily"] },
    index: /USING (COVERING )?INDEX logs_account_time_idx\b/,
  },
};

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

async function planRows(q: { sql: string; params: unknown[] }): Promise<PlanRow[]> {
  const { results } = await shardD1()
    .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
    .bind(...q.params)
    .all<PlanRow>();
  return results;
}

async function plan(q: { sql: string; params: unknown[] }): Promise<string> {
  return (await planRows(q)).map((r) => r.detail).join("\n");
}

/**
 * A late row lookup's plan (src/logs/late-lookup.ts): at the top, the page's rows by primary key and the sort of
 * those rows only; below it, the keys from `index` alone (COVERING: no row is read while filtering and skipping),
 * with no sort of their own.
 */
function expectLateLookup(rows: PlanRow[], index: RegExp, kind: string) {
  const text = rows.map((r) => r.detail).join("\n");
  expect(text, kind).not.toMatch(/SCAN logs(?! USING)/);
  expect(text, kind).not.toMatch(/SCAN (cron_jobs|accounts)/);
  const top = rows.filter((r) => r.parent === 0).map((r) => r.detail);
  expect(top, kind).toContain("SEARCH logs USING PRIMARY KEY (slot=? AND id_hi=? AND id_lo=?)");
  const keys = rows.filter((r) => r.parent !== 0 && /(SCAN|SEARCH) logs\b/.test(r.detail));
  expect(keys, kind).toHaveLength(1);
  expect(keys[0]?.detail, kind).toMatch(new RegExp(index.source.replace("(COVERING )?", "COVERING ")));
  const sorts = rows.filter((r) => /USE TEMP B-TREE/.test(r.detail));
  expect(
    sorts.every((r) => r.parent === 0),
    kind,
  ).toBe(true);
  return keys[0]?.detail ?? "";
}

/** The logs step of a plan: the line reading the compact log table. */
const logsStep = (p: string) => p.split("\n").find((l) => /(SCAN|SEARCH) logs\b/.test(l)) ?? "";

describe("logs queries walk an index alone, never a table scan or a sort of more than the page", () => {
  for (const [scopeName, { scope, index }] of Object.entries(scopes)) {
    for (const [name, filters] of Object.entries(shapes)) {
      it(`${scopeName}, ${name}: page, count, cursor page and export chunk`, async () => {
        const where = scopeWhere(db(), scope, filters);
        const queries = {
          page: pageQuery(db(), where, 50, 100).toSQL(),
          cursor: afterQuery(db(), scope, filters, position, 50).toSQL(),
          "export (first chunk)": exportChunkQuery(db(), scope, filters, undefined, 1000).toSQL(),
          "export (next chunk)": exportChunkQuery(db(), scope, filters, position, 1000).toSQL(),
        };
        for (const [kind, q] of Object.entries(queries)) {
          const keysStep = expectLateLookup(await planRows(q), index, kind);
          if (kind === "cursor" || kind === "export (next chunk)") {
            // The position is part of the index range, not a filter applied after it.
            expect(keysStep, kind).toMatch(/\(executed_at,slot,id_hi,id_lo\)[<>]\(\?,\?,\?,\?\)/);
          }
        }
        // The total sums whole days from log_day_counts and counts only partial edge days from an index.
        const count = await plan(countLogsQuery(db(), scope, filters).toSQL());
        expect(count).not.toMatch(/SCAN (logs|log_day_counts|cron_jobs|accounts)(?! USING)/);
        expect(count).toMatch(/SEARCH log_day_counts USING PRIMARY KEY \(job=\?/);
        if (name === "partial days") expect(logsStep(count)).toMatch(index);
        else expect(logsStep(count)).toBe("");
      });
    }
  }

  it("account scopes leave deleted jobs out through the account's job ids, read from an index", async () => {
    const p = await plan(pageQuery(db(), scopeWhere(db(), scopes.account?.scope as LogScope, {}), 50, 0).toSQL());
    expect(p).toMatch(/LIST SUBQUERY/);
    expect(p).toMatch(/SEARCH cron_jobs USING (COVERING )?INDEX cron_jobs_account_created_idx \(account_id=\?\)/);
    const count = await plan(countLogsQuery(db(), scopes.account?.scope as LogScope, {}).toSQL());
    expect(count).toMatch(/SEARCH cron_jobs USING (COVERING )?INDEX cron_jobs_account_created_idx \(account_id=\?\)/);
  });
});

describe("stats queries read the job's index range", () => {
  for (const bucket of ["hour", "day"] as const) {
    it(`${bucket} buckets: counts and percentiles`, async () => {
      const w = statsWindow({ start: day, end: day, bucket }, Date.now());
      if (!w.ok) throw new Error("window");
      const { counts, percentiles } = statsQueries(db(), job, w.window);
      for (const q of [counts.toSQL(), percentiles.toSQL()]) {
        const p = await plan(q);
        expect(p).not.toMatch(/SCAN logs(?! USING)/);
        expect(logsStep(p)).toMatch(
          /SEARCH logs USING (COVERING )?INDEX logs_job_time_idx \(job=\? AND executed_at>\? AND executed_at<\?\)/,
        );
      }
    });
  }
});

describe("the run ledger needs no index of its own beyond unfinished runs", () => {
  it("the relay scans runs_job_unfinished_idx (runs in flight only), never the ledger", async () => {
    const p = await plan(strandedRunsQuery(db(), Date.UTC(2024, 0, 25), 600_000, 100).toSQL());
    expect(p).toMatch(/SCAN runs USING INDEX runs_job_unfinished_idx/);
    expect(p).not.toMatch(/SCAN runs(?! USING)/);
  });
});
