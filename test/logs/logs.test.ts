import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/logs/cursor";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";

const T0 = Date.UTC(2024, 0, 25, 14, 0, 0);
const HOUR = 3_600_000;

let acct: TestAccount;
let jobId: string;
const logsUrl = (query = "") => `/v1/cron-jobs/${acct.accountId}/logs/${jobId}${query}`;
const get = (query = "") => api(logsUrl(query), { headers: acct.headers });
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((l) => l.id);
const times = (res: { body: { data: { executed_at: string }[] } }) => res.body.data.map((l) => l.executed_at);

describe("GET /logs/{cron_job_id}: the contract's example", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    await insertLogs(jobId, acct.accountId, [
      {
        id: "exe_123456789",
        executedAt: T0,
        status: "success",
        responseCode: 200,
        responseBody: '{"message":"Report generated successfully"}',
        responseTimeMs: 245,
      },
      {
        id: "exe_987654321",
        executedAt: Date.UTC(2024, 0, 24, 14, 0, 5),
        status: "failure",
        responseCode: 500,
        responseBody: '{"error":"Database connection failed"}',
        errorMessage: "Endpoint returned status code 500",
        responseTimeMs: 1200,
      },
      {
        id: "exe_456789123",
        executedAt: Date.UTC(2024, 0, 23, 14, 0, 0),
        status: "timeout",
        responseCode: null,
        responseBody: null,
        errorMessage: "Request timed out after 30 seconds",
        responseTimeMs: 30000,
        retryAttempt: 1,
      },
    ]);
  });

  it("returns the exact page, most recent first", async () => {
    const res = await get("?page=1&limit=20");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      data: [
        {
          id: "exe_123456789",
          execution_id: "exe_123456789",
          cron_job_id: jobId,
          executed_at: "2024-01-25T14:00:00Z",
          status: "success",
          response_code: 200,
          response_body: '{"message":"Report generated successfully"}',
          error_message: null,
          response_time_ms: 245,
          retry_attempt: 0,
          scheduled_at: null,
          trigger: "schedule",
          response_headers: null,
          decided_by: null,
        },
        {
          id: "exe_987654321",
          execution_id: "exe_987654321",
          cron_job_id: jobId,
          executed_at: "2024-01-24T14:00:05Z",
          status: "failure",
          response_code: 500,
          response_body: '{"error":"Database connection failed"}',
          error_message: "Endpoint returned status code 500",
          response_time_ms: 1200,
          retry_attempt: 0,
          scheduled_at: null,
          trigger: "schedule",
          response_headers: null,
          decided_by: null,
        },
        {
          id: "exe_456789123",
          execution_id: "exe_456789123",
          cron_job_id: jobId,
          executed_at: "2024-01-23T14:00:00Z",
          status: "timeout",
          response_code: null,
          response_body: null,
          error_message: "Request timed out after 30 seconds",
          response_time_ms: 30000,
          retry_attempt: 1,
          scheduled_at: null,
          trigger: "retry",
          response_headers: null,
          decided_by: null,
        },
      ],
      pagination: { page: 1, limit: 20, total_items: 3, total_pages: 1, next_cursor: null },
    });
  });

  it("defaults to page 1 and limit 50", async () => {
    const res = await get();
    expect(res.body.pagination).toEqual({ page: 1, limit: 50, total_items: 3, total_pages: 1, next_cursor: null });
  });

  it("filters by status", async () => {
    const res = await get("?status=failure&limit=10");
    expect(ids(res)).toEqual(["exe_987654321"]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, total_items: 1, total_pages: 1, next_cursor: null });
  });

  it("filters one day with the contract's example range", async () => {
    const res = await get("?start_date=2024-01-25T00:00:00Z&end_date=2024-01-25T23:59:59Z");
    expect(ids(res)).toEqual(["exe_123456789"]);
    expect(res.body.pagination.total_items).toBe(1);
  });

  it("combines status and dates", async () => {
    const res = await get("?status=timeout&start_date=2024-01-23&end_date=2024-01-24");
    expect(ids(res)).toEqual(["exe_456789123"]);
    const none = await get("?status=success&start_date=2024-01-23&end_date=2024-01-24");
    expect(none.body).toEqual({
      data: [],
      pagination: { page: 1, limit: 50, total_items: 0, total_pages: 0, next_cursor: null },
    });
  });
});

describe("GET /logs/{cron_job_id}: pagination, bounds and ordering", () => {
  let expected: string[];
  let sorted: { executedAt: number; id: string }[];
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    // 25 logs one hour apart, newest at T0, plus two ties at T0 - 30 min.
    const rows = await insertLogs(
      jobId,
      acct.accountId,
      Array.from({ length: 25 }, (_, i) => ({
        executedAt: T0 - i * HOUR,
        status: (["success", "failure", "error", "timeout", "success"] as const)[i % 5],
      })),
    );
    const ties = await insertLogs(jobId, acct.accountId, [
      { id: "exe_tie_a", executedAt: T0 - HOUR / 2 },
      { id: "exe_tie_b", executedAt: T0 - HOUR / 2 },
    ]);
    sorted = [...rows, ...ties].sort((a, b) => b.executedAt - a.executedAt || (a.id < b.id ? 1 : -1));
    expected = sorted.map((r) => r.id);
  });

  it("pages never overlap or skip; ties are broken by id descending", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 6; page++) {
      const res = await get(`?page=${page}&limit=5`);
      const last = sorted[page * 5 - 1];
      const next_cursor = page < 6 && last ? encodeCursor(last) : null;
      expect(res.body.pagination).toEqual({ page, limit: 5, total_items: 27, total_pages: 6, next_cursor });
      seen.push(...ids(res));
    }
    expect(seen).toEqual(expected);
    expect(seen.indexOf("exe_tie_b")).toBe(seen.indexOf("exe_tie_a") - 1);
  });

  it("a page past the end returns no data and the true totals", async () => {
    const res = await get("?page=99&limit=10");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [],
      pagination: { page: 99, limit: 10, total_items: 27, total_pages: 3, next_cursor: null },
    });
  });

  it("limit 100 and limit 1 are accepted", async () => {
    expect((await get("?limit=100")).body.data).toHaveLength(27);
    const one = await get("?limit=1&page=27");
    expect(ids(one)).toEqual([expected[26]]);
    expect(one.body.pagination.total_pages).toBe(27);
  });

  it("date bounds are inclusive to the millisecond they name", async () => {
    const start = new Date(T0 - 3 * HOUR).toISOString();
    const end = new Date(T0 - HOUR).toISOString();
    const res = await get(`?start_date=${start}&end_date=${end}`);
    expect(times(res)).toEqual(["2024-01-25T13:00:00Z", "2024-01-25T12:00:00Z", "2024-01-25T11:00:00Z"]);
    const justAfter = new Date(T0 - HOUR + 1).toISOString();
    expect(times(await get(`?start_date=${justAfter}&end_date=${new Date(T0 - 1).toISOString()}`))).toEqual([
      "2024-01-25T13:30:00Z",
      "2024-01-25T13:30:00Z",
    ]);
  });

  it("accepts offsets: 15:00+01:00 is 14:00Z", async () => {
    const res = await get(`?start_date=${encodeURIComponent("2024-01-25T15:00:00+01:00")}`);
    expect(times(res)).toEqual(["2024-01-25T14:00:00Z"]);
  });

  it("a bare end_date means the end of that day, a bare start_date its start", async () => {
    const res = await get("?start_date=2024-01-24&end_date=2024-01-24&limit=100");
    expect(res.body.pagination.total_items).toBe(10); // 2024-01-24T23:00 back to 14:00
    expect(res.body.data[0].executed_at).toBe("2024-01-24T23:00:00Z");
    expect(res.body.data[9].executed_at).toBe("2024-01-24T14:00:00Z");
    const d25 = await get("?start_date=2024-01-25&limit=100");
    expect(d25.body.pagination.total_items).toBe(17); // 00:00..14:00 plus the two ties
  });

  it("equal start and end select exactly that instant", async () => {
    const res = await get("?start_date=2024-01-25T13:00:00Z&end_date=2024-01-25T13:00:00Z");
    expect(times(res)).toEqual(["2024-01-25T13:00:00Z"]);
  });

  it("each status filter counts only its status", async () => {
    const counts: Record<string, number> = {};
    for (const status of ["success", "failure", "error", "timeout"]) {
      const res = await get(`?status=${status}&limit=100`);
      expect(res.body.data.every((l: { status: string }) => l.status === status)).toBe(true);
      counts[status] = res.body.pagination.total_items;
    }
    expect(counts).toEqual({ success: 12, failure: 5, error: 5, timeout: 5 });
  });
});

describe("GET /logs/{cron_job_id}: bad input", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
  });

  it.each([
    ["page=0", "page"],
    ["page=-1", "page"],
    ["page=abc", "page"],
    ["page=1.5", "page"],
    ["page=1e3", "page"],
    ["page=", "page"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
    ["status=failed", "status"],
    ["status=SUCCESS", "status"],
    ["start_date=yesterday", "start_date"],
    ["start_date=2024-02-30", "start_date"],
    ["end_date=2024-01-25T25:00:00Z", "end_date"],
    ["end_date=2024-01-25T10:00:00", "end_date"],
    ["unknown=1", "unknown"],
  ])("%s → 400 naming %s", async (query, field) => {
    const res = await get(`?${query}`);
    const body = expectProblem(res, 400);
    expect(body.errors).toEqual([expect.objectContaining({ field, in: "query", message: expect.any(String) })]);
    expect(body.detail).toContain(field);
  });

  it("names every bad field at once", async () => {
    const body = expectProblem(await get("?page=0&limit=500&status=nope"), 400);
    expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["limit", "page", "status"]);
  });

  it("start_date after end_date → 400", async () => {
    const body = expectProblem(await get("?start_date=2024-01-26&end_date=2024-01-25"), 400);
    expect(body.errors).toEqual([{ field: "start_date", in: "query", message: "must not be after end_date" }]);
  });

  it("a job id that is not a UUID → 400", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/not-a-uuid`, { headers: acct.headers });
    const body = expectProblem(res, 400);
    expect(body.errors).toEqual([{ field: "cron_job_id", in: "path", message: "must be a UUID" }]);
  });

  it("a job that does not exist → 404", async () => {
    const missing = crypto.randomUUID();
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${missing}`, { headers: acct.headers });
    expectProblem(res, 404, `Cron job ${missing} not found`);
  });

  it("a job of another account → 404, and its logs stay hidden", async () => {
    const other = await createAccount("Other");
    const theirs = await insertJob(other.accountId);
    await insertLogs(theirs.id, other.accountId, [{ executedAt: T0 }]);
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${theirs.id}`, { headers: acct.headers });
    expectProblem(res, 404);
  });

  it("a deleted job → 404", async () => {
    const gone = await insertJob(acct.accountId, { deletedAt: Date.now() });
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${gone.id}`, { headers: acct.headers });
    expectProblem(res, 404);
  });

  it("an uppercase UUID finds the job", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId.toUpperCase()}`, { headers: acct.headers });
    expect(res.status).toBe(200);
  });
});
