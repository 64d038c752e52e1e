import { describe, expect, it } from "vitest";
import { strandedRunsQuery } from "../../src/engine/ledger";
import { MAX_TAGS } from "../../src/http/label-schemas";
import { countLogsQuery } from "../../src/logs/counts";
import { exportChunkQuery } from "../../src/logs/export";
import type { LogFilters } from "../../src/logs/filters";
import { afterQuery, pageQuery } from "../../src/logs/query";
import { type LogScope, scopeWhere } from "../../src/logs/scope";
import { statsQueries } from "../../src/logs/stats";
import { statsWindow } from "../../src/logs/stats-window";
import { hoursLookup, statusHoursQuery } from "../../src/logs/status-hours";
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
  "partial hours": {
    start: { start: day.start + 90_000, end: day.start + 90_000 },
    end: { start: day.end + 1_234_567, end: day.end + 1_234_567 },
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

/** The logs steps of a plan: the lines reading the compact log table. */
const logsSteps = (p: string) => p.split("\n").filter((l) => /(SCAN|SEARCH) logs\b/.test(l));

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
        // The total sums whole hours from log_hours (a key range per status) and counts from an index only the
        // partial edge hours and the hours before the legacy watermark (an empty range once it is gone).
        const count = await plan(countLogsQuery(db(), scope, filters).toSQL());
        expect(count).not.toMatch(/SCAN (logs|log_hours|cron_jobs|accounts)(?! USING)/);
        expect(count).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\?/);
        const countSteps = logsSteps(count);
        expect(countSteps, "count").toHaveLength(name === "partial hours" ? 3 : 1);
        for (const step of countSteps) {
          expect(step, "count").toMatch(new RegExp(index.source.replace("(COVERING )?", "COVERING ")));
          expect(step, "count").toMatch(/executed_at<\?\)/);
        }
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

describe("D1 binds at most 100 parameters per statement", () => {
  it("every logs statement stays under it with the most tags a filter takes and every filter set", async () => {
    const tags = Array.from({ length: MAX_TAGS }, (_, i) => `tag-${i}`);
    const f = shapes["partial hours"] as LogFilters;
    const filters: LogFilters = { ...f, status: "failure" };
    for (const scope of [
      { kind: "account", accountId: account, tags },
      { kind: "account", accountId: account, tags, cronJobId: job },
    ] as LogScope[]) {
      const queries = {
        page: pageQuery(db(), scopeWhere(db(), scope, filters), 50, 100).toSQL(),
        count: countLogsQuery(db(), scope, filters).toSQL(),
        summary: statusHoursQuery(db(), scope, filters).toSQL(),
        hours: hoursLookup(db(), scope, filters, { order: "newest", limit: 50, before: position }).toSQL(),
        cursor: afterQuery(db(), scope, filters, position, 50).toSQL(),
        export: exportChunkQuery(db(), scope, filters, position, 1000).toSQL(),
      };
      for (const [kind, q] of Object.entries(queries)) {
        expect(q.params.length, kind).toBeLessThanOrEqual(100);
        // And SQLite accepts it (the tags are one JSON parameter).
        await planRows(q);
      }
    }
  });
});

describe("stats read whole hours from log_hours and only the edge hours from the logs", () => {
  for (const bucket of ["hour", "day"] as const) {
    it(`${bucket} buckets: rollups and logs`, async () => {
      const end = day.end + 7_200_000 + 1_800_000; // 02:30 the next day: a partial last hour
      const w = statsWindow({ start: day, end: { start: end, end }, bucket }, Date.now());
      if (!w.ok) throw new Error("window");
      const { rollups, fromLogs } = statsQueries(db(), job, w.window);
      const r = await plan(rollups.toSQL());
      expect(r).not.toMatch(/(SCAN|SEARCH) logs\b/);
      expect(r).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\? AND hour<\?\)/);
      const l = await plan(fromLogs.toSQL());
      expect(l).not.toMatch(/SCAN logs(?! USING)/);
      // The edge hour, and the hours before the legacy watermark (none once it is gone): bounded ranges.
      const steps = logsSteps(l);
      expect(steps).toHaveLength(2);
      for (const step of steps) {
        expect(step).toMatch(
          /SEARCH logs USING COVERING INDEX logs_job_time_idx \(job=\? AND executed_at>\? AND executed_at<\?\)/,
        );
      }
    });
  }
});

describe("a status filter visits only the hours holding its status", () => {
  const status: LogFilters = { status: "timeout", start: day, end: day };
  for (const [scopeName, { scope }] of Object.entries(scopes)) {
    it(`${scopeName}: the summary that decides (and answers a filter with no match) reads log_hours alone`, async () => {
      const p = await plan(statusHoursQuery(db(), scope, status).toSQL());
      expect(p).not.toMatch(/(SCAN|SEARCH) logs\b/);
      expect(p).not.toMatch(/SCAN (log_hours|cron_jobs|accounts)(?! USING)/);
      // The status's hours: one key range; each hour's all-status total: one key probe per status.
      expect(p).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\? AND hour<\?\)/);
      expect(p).toMatch(/SEARCH a USING PRIMARY KEY \(job=\? AND status=\? AND hour=\?\)/);
    });

    it(`${scopeName}: walking the hours ranges over one hour of logs_job_time_idx per rollup row`, async () => {
      const queries = {
        page: hoursLookup(db(), scope, status, { order: "newest", limit: 50, offset: 100 }).toSQL(),
        cursor: afterQuery(db(), scope, status, position, 50, "hours").toSQL(),
        "export (next chunk)": exportChunkQuery(db(), scope, status, position, 1000, "hours").toSQL(),
      };
      for (const [kind, q] of Object.entries(queries)) {
        const rows = await planRows(q);
        const text = rows.map((r) => r.detail).join("\n");
        expect(text, kind).not.toMatch(/SCAN (logs|log_hours|cron_jobs|accounts)(?! USING)/);
        const top = rows.filter((r) => r.parent === 0).map((r) => r.detail);
        expect(top, kind).toContain("SEARCH logs USING PRIMARY KEY (slot=? AND id_hi=? AND id_lo=?)");
        // Outer loop: the status's hours; inner: that hour's slice of the job's index, never the whole range.
        const inner = rows.filter((r) => r.parent !== 0).map((r) => r.detail);
        const hours = inner.findIndex((d) =>
          /^SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour/.test(d),
        );
        const slice = inner.indexOf(
          "SEARCH logs USING COVERING INDEX logs_job_time_idx (job=? AND executed_at>? AND executed_at<?)",
        );
        expect(hours, kind).toBeGreaterThanOrEqual(0);
        expect(slice, kind).toBeGreaterThan(hours);
        expect(
          inner.filter((d) => /(SCAN|SEARCH) logs\b/.test(d)),
          kind,
        ).toHaveLength(1);
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
