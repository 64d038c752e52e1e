import { env } from "cloudflare:workers";
import { count, desc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { executionLogs } from "../../src/db/schema";
import { jobLogsWhere } from "../../src/logs/filters";
import { db } from "../helpers/fixtures";

const job = "00000000-0000-4000-8000-000000000000";
const day = { start: Date.UTC(2024, 0, 25), end: Date.UTC(2024, 0, 26) - 1 };

const shapes = {
  "no filter": {},
  status: { status: "failure" as const },
  "date range": { start: day, end: day },
  "status + date range": { status: "timeout" as const, start: day, end: day },
};

async function plan(sql: string, params: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

describe("logs queries use indexes, never a table scan", () => {
  for (const [name, filters] of Object.entries(shapes)) {
    it(`${name}: page and count`, async () => {
      const where = jobLogsWhere(job, filters);
      const page = db()
        .select()
        .from(executionLogs)
        .where(where)
        .orderBy(desc(executionLogs.executedAt), desc(executionLogs.id))
        .limit(50)
        .offset(100)
        .toSQL();
      const total = db().select({ n: count() }).from(executionLogs).where(where).toSQL();
      for (const q of [page, total]) {
        const p = await plan(q.sql, q.params);
        expect(p).not.toMatch(/SCAN execution_logs(?! USING)/);
        expect(p).not.toMatch(/USE TEMP B-TREE/);
        expect(p).toMatch(/USING (COVERING )?INDEX execution_logs_job_/);
      }
    });
  }
});
