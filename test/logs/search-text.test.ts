import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/logs/cursor";
import type { LogScope } from "../../src/logs/scope";
import { logContains, SCAN_BUDGET, scanChunkQuery, searchLogs } from "../../src/logs/search";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs, type LogInput } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { accountDb, shardD1 } from "../helpers/shards";

const MIN = 60_000;
/** Recent enough for q's default range (the last 31 days). */
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

/** 300 logs, a minute apart: long JSON bodies (stored compressed); every 25th says DeadlockDetected, some errors too. */
function logsOf(): LogInput[] {
  return Array.from({ length: 300 }, (_, i) => {
    const listing = JSON.stringify({ items: Array.from({ length: 20 }, (_, k) => ({ id: k, name: `item ${k}` })) });
    if (i % 25 === 0) return { executedAt: T0 + i * MIN, responseBody: `{"error":"DeadlockDetected #${i}"}${listing}` };
    if (i % 40 === 7) {
      return {
        executedAt: T0 + i * MIN,
        status: "error" as const,
        responseCode: null,
        responseBody: null,
        errorMessage: `connect failed: deadlockdetected upstream ${i}`,
      };
    }
    return { executedAt: T0 + i * MIN, responseBody: listing };
  });
}

let acct: TestAccount;
let job: string;
let path: string;
let expected: string[];

beforeAll(async () => {
  acct = await createAccount("Search text");
  job = (await insertJob(acct.accountId)).id as string;
  path = `/v1/cron-jobs/${acct.accountId}/logs/${job}`;
  const rows = await insertLogs(job, acct.accountId, logsOf());
  expected = rows
    .filter((r) => logContains(r, "deadlockdetected"))
    .sort((a, b) => b.executedAt - a.executedAt)
    .map((r) => r.id);
  expect(expected).toHaveLength(12 + 8);
  // The bodies really are compressed (codec byte ≠ 0): the search must decode them in the Worker.
  const { results } = await shardD1()
    .prepare("SELECT count(*) AS n FROM log_bodies WHERE substr(response_body, 1, 1) != x'00'")
    .all<{ n: number }>();
  expect(results[0]?.n).toBeGreaterThan(200);
});

describe("q: text search of one job's bodies and errors", () => {
  it("finds the text case-insensitively in bodies and errors, newest first, cursor-paged, without totals", async () => {
    const got: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res = await api(`${path}?q=DEADLOCKdetected&limit=6${cursor ? `&cursor=${cursor}` : ""}`, {
        headers: acct.headers,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.pagination).not.toHaveProperty("total_items");
      expect(res.body.scan).toMatchObject({ complete: true, next_cursor: res.body.pagination.next_cursor });
      got.push(...res.body.data.map((l: { id: string }) => l.id));
      cursor = res.body.pagination.next_cursor;
      if (!cursor) break;
    }
    expect(got).toEqual(expected);
  });

  it("combines with the other filters (status, response_code, dates)", async () => {
    const res = await api(`${path}?q=deadlockdetected&status=error&limit=100`, { headers: acct.headers });
    expect(res.body.data).toHaveLength(8);
    const coded = await api(`${path}?q=deadlock&response_code=2xx&limit=100`, { headers: acct.headers });
    expect(coded.body.data).toHaveLength(12);
    const none = await api(`${path}?q=no-such-text&limit=100`, { headers: acct.headers });
    expect(none.body).toMatchObject({
      data: [],
      pagination: { next_cursor: null },
      scan: { complete: true, scanned: 300 },
    });
  });

  it("a search of a missing job is a 404", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${crypto.randomUUID()}?q=x`, { headers: acct.headers });
    expect(res.status).toBe(404);
  });

  it("stops at its own budget and says so; the cursor resumes the scan where it ended", async () => {
    const scope = { kind: "job" as const, accountId: acct.accountId, cronJobId: job };
    const budget = { ...SCAN_BUDGET, rows: 40, chunk: 15 };
    const found: string[] = [];
    let after: Parameters<typeof searchLogs>[4]["after"];
    let requests = 0;
    for (;;) {
      const page = await searchLogs(await accountDb(acct.accountId), scope, {}, "deadlockdetected", {
        after,
        limit: 100,
        budget,
      });
      if (!page) throw new Error("job gone");
      requests++;
      expect(page.scanned).toBeLessThanOrEqual(40);
      found.push(...page.rows.map((r) => r.id));
      if (page.next === null) {
        expect(page.complete).toBe(true);
        break;
      }
      expect(page.complete).toBe(false);
      after = page.next;
    }
    expect(requests).toBe(Math.ceil(300 / 40));
    expect(found).toEqual(expected);
    // The route hands out the same resumable cursor.
    expect(encodeCursor({ executedAt: T0, id: expected[0] as string })).toMatch(/^v1\./);
  });

  it("each chunk walks logs_job_time_idx in order: no sort, one row and one text seek per log", async () => {
    const scope: LogScope = { kind: "job", accountId: acct.accountId, cronJobId: job };
    const q = scanChunkQuery(
      db(),
      scope,
      { start: { start: T0, end: T0 } },
      { executedAt: T0 + 60 * MIN, id: expected[0] as string },
      200,
    ).toSQL();
    const { results } = await shardD1()
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    // Bounded on both sides: start_date below, the position above.
    expect(plan).toContain(
      "SEARCH logs USING INDEX logs_job_time_idx (job=? AND executed_at>? AND (executed_at,slot,id_hi,id_lo)<(?,?,?,?))",
    );
    expect(plan).toContain("SEARCH log_bodies USING INTEGER PRIMARY KEY (rowid=?)");
    expect(plan).not.toMatch(/USE TEMP B-TREE|SCAN logs(?! USING)/);
  });
});
