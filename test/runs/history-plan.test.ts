import { describe, expect, it } from "vitest";
import { type HistoryFilters, historyRangeQuery, spanIntoRangeQuery } from "../../src/runs/history";
import { db } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const job = "00000000-0000-4000-8000-000000000000";
const day = { start: Date.UTC(2024, 0, 25), end: Date.UTC(2024, 0, 26) - 1 };
const position = { slot: Date.UTC(2024, 0, 25, 12), id: "exe_01HN0B9C40GAABYD8VDQDT8QYB" };

async function plan(q: { sql: string; params: unknown[] }): Promise<string> {
  const { results } = await shardD1()
    .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
    .bind(...q.params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

const shapes: Record<string, HistoryFilters> = {
  "no filter": {},
  state: { state: "skipped" },
  start_date: { start: day },
  end_date: { end: day },
  "date range + state": { state: "done", start: day, end: day },
};

describe("a job's history is a primary-key range of runs, newest first, never a scan or a sort", () => {
  for (const [name, f] of Object.entries(shapes)) {
    it(`${name}: first page and cursor page`, async () => {
      for (const after of [undefined, position]) {
        const p = await plan(historyRangeQuery(db(), job, f, after, 51).toSQL());
        const label = `${name}, ${after ? "cursor" : "first page"}`;
        expect(p, label).toMatch(/SEARCH runs USING PRIMARY KEY \(job=\?/);
        expect(p, label).not.toMatch(/SCAN runs/);
        expect(p, label).not.toMatch(/USE TEMP B-TREE/);
        // The log check is one primary-key probe per row; the job number one probe by id.
        expect(p, label).toMatch(/SEARCH l USING PRIMARY KEY \(slot=\? AND id_hi=\? AND id_lo=\?\)/);
        expect(p, label).not.toMatch(/SCAN (logs|l|cron_jobs)\b/);
        if (after && !f.end) expect(p, label).toMatch(/\(slot,id_hi,id_lo\)<\(\?,\?,\?\)/);
        if (f.start) expect(p, label).toMatch(/slot>\?/);
      }
    });
  }

  it("the span reaching into start_date is one probe of runs_job_span_idx", async () => {
    for (const after of [undefined, position]) {
      const p = await plan(spanIntoRangeQuery(db(), job, { start: day }, after).toSQL());
      expect(p).toMatch(/SEARCH runs USING INDEX runs_job_span_idx \(job=\? AND last_slot>\?\)/);
      expect(p).not.toMatch(/SCAN runs|USE TEMP B-TREE/);
    }
  });
});
