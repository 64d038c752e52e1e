import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/logs/cursor";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";

const T0 = Date.UTC(2024, 0, 25, 14, 0, 0);
const MIN = 60_000;

let acct: TestAccount;
let other: TestAccount;
const jobs: Record<string, string> = {};
const get = (query = "", a: TestAccount = acct) =>
  api(`/v1/cron-jobs/${acct.accountId}/logs${query}`, { headers: a.headers });
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((l) => l.id);

/**
 * Account A: reports (tags reports, daily), billing (billing), plain (no tags), and a deleted job tagged
 * reports. Account B: a job tagged reports. Logs one minute apart, interleaved across jobs; ids name them.
 */
const layout: Array<[string, string, "success" | "failure" | "error" | "timeout"]> = [
  ["a01", "reports", "success"],
  ["a02", "billing", "failure"],
  ["a03", "deleted", "success"],
  ["a04", "plain", "success"],
  ["a05", "theirs", "success"],
  ["a06", "reports", "failure"],
  ["a07", "billing", "success"],
  ["a08", "deleted", "failure"],
  ["a09", "reports", "timeout"],
  ["a10", "plain", "error"],
];
const minuteOf = (id: string) => Number(id.slice(1));
const expectIds = (...names: string[]) =>
  names.map((n) => `exe_${n}`).sort((a, b) => minuteOf(b.slice(4)) - minuteOf(a.slice(4)));

describe("GET /v1/cron-jobs/{accountId}/logs", () => {
  beforeAll(async () => {
    acct = await createAccount();
    other = await createAccount("Other");
    jobs.reports = (await insertJob(acct.accountId, { tags: JSON.stringify(["reports", "daily"]) })).id;
    jobs.billing = (await insertJob(acct.accountId, { tags: JSON.stringify(["billing"]) })).id;
    jobs.plain = (await insertJob(acct.accountId)).id;
    jobs.deleted = (await insertJob(acct.accountId, { tags: JSON.stringify(["reports"]), deletedAt: T0 })).id;
    jobs.theirs = (await insertJob(other.accountId, { tags: JSON.stringify(["reports"]) })).id;
    for (const [id, job, status] of layout) {
      const owner = job === "theirs" ? other.accountId : acct.accountId;
      await insertLogs(jobs[job] as string, owner, [
        {
          id: `exe_${id}`,
          executedAt: T0 + minuteOf(id) * MIN,
          status,
          responseCode: status === "success" ? 200 : 500,
        },
      ]);
    }
  });

  it("returns the account's live jobs' logs, newest first, with the exact shape", async () => {
    const res = await get("?limit=3");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          id: "exe_a10",
          execution_id: "exe_a10",
          cron_job_id: jobs.plain,
          executed_at: "2024-01-25T14:10:00Z",
          status: "error",
          response_code: 500,
          response_body: '{"n":0}',
          error_message: null,
          response_time_ms: 100,
          retry_attempt: 0,
          scheduled_at: null,
          trigger: "schedule",
          response_headers: null,
          decided_by: null,
        },
        expect.objectContaining({ id: "exe_a09", cron_job_id: jobs.reports, status: "timeout" }),
        expect.objectContaining({ id: "exe_a07", cron_job_id: jobs.billing }),
      ],
      pagination: {
        page: 1,
        limit: 3,
        total_items: 7,
        total_pages: 3,
        next_cursor: encodeCursor({ executedAt: T0 + 7 * MIN, id: "exe_a07" }),
      },
    });
    const all = await get();
    expect(ids(all)).toEqual(expectIds("a01", "a02", "a04", "a06", "a07", "a09", "a10"));
  });

  it("page numbers and cursors walk the same logs", async () => {
    const byPage = [...ids(await get("?limit=3&page=2")), ...ids(await get("?limit=3&page=3"))];
    const first = await get("?limit=3");
    const second = await get(`?limit=3&cursor=${first.body.pagination.next_cursor}`);
    expect(second.body.pagination).toEqual({
      limit: 3,
      next_cursor: encodeCursor({ executedAt: T0 + 2 * MIN, id: "exe_a02" }),
    });
    const third = await get(`?limit=3&cursor=${second.body.pagination.next_cursor}`);
    expect(third.body.pagination).toEqual({ limit: 3, next_cursor: null });
    expect([...ids(second), ...ids(third)]).toEqual(byPage);
  });

  it("filters by cron_job_id", async () => {
    const res = await get(`?cron_job_id=${jobs.reports}`);
    expect(ids(res)).toEqual(expectIds("a01", "a06", "a09"));
    expect(res.body.pagination).toEqual({ page: 1, limit: 50, total_items: 3, total_pages: 1, next_cursor: null });
    expect(ids(await get(`?cron_job_id=${(jobs.billing as string).toUpperCase()}`))).toEqual(expectIds("a02", "a07"));
  });

  it("filters by tags: jobs having any of them; deleted jobs never count", async () => {
    expect(ids(await get("?tags=reports"))).toEqual(expectIds("a01", "a06", "a09"));
    expect(ids(await get("?tags=billing,daily"))).toEqual(expectIds("a01", "a02", "a06", "a07", "a09"));
    expect(ids(await get("?tags=%20billing%20,,nope"))).toEqual(expectIds("a02", "a07"));
    expect((await get("?tags=nope")).body).toEqual({
      data: [],
      pagination: { page: 1, limit: 50, total_items: 0, total_pages: 0, next_cursor: null },
    });
  });

  it("filters by status and dates, and combines every filter", async () => {
    expect(ids(await get("?status=failure"))).toEqual(expectIds("a02", "a06"));
    const range = "&start_date=2024-01-25T14:02:00Z&end_date=2024-01-25T14:07:00Z";
    expect(ids(await get(`?limit=100${range}`))).toEqual(expectIds("a02", "a04", "a06", "a07"));
    expect(ids(await get(`?status=success&tags=billing${range}`))).toEqual(expectIds("a07"));
    expect(ids(await get(`?status=failure&cron_job_id=${jobs.reports}&tags=reports${range}`))).toEqual(
      expectIds("a06"),
    );
    // A job without the tag asked for: nothing, not an error.
    expect(ids(await get(`?cron_job_id=${jobs.plain}&tags=reports`))).toEqual([]);
    const filtered = await get(`?status=success&limit=1${range}`);
    expect(ids(filtered)).toEqual(["exe_a07"]);
    const rest = await get(`?status=success&limit=1${range}&cursor=${filtered.body.pagination.next_cursor}`);
    expect(rest.body).toEqual({
      data: [expect.objectContaining({ id: "exe_a04" })],
      pagination: { limit: 1, next_cursor: null },
    });
  });

  it("a deleted job's logs are excluded, and naming it → 404", async () => {
    const all = ids(await get("?limit=100"));
    expect(all).not.toContain("exe_a03");
    expect(all).not.toContain("exe_a08");
    expectProblem(await get(`?cron_job_id=${jobs.deleted}`), 404, `Cron job ${jobs.deleted} not found`);
  });

  it("another account's job id → 404, and its logs never appear", async () => {
    expect(ids(await get("?limit=100"))).not.toContain("exe_a05");
    expectProblem(await get(`?cron_job_id=${jobs.theirs}`), 404, `Cron job ${jobs.theirs} not found`);
    expectProblem(await get(`?cron_job_id=${crypto.randomUUID()}`), 404);
  });

  it("another account's key → 403", async () => {
    expectProblem(await get("", other), 403);
  });

  it.each([
    ["cron_job_id=nope", "cron_job_id"],
    ["status=ok", "status"],
    ["page=0", "page"],
    ["limit=101", "limit"],
    ["start_date=2024-13-01", "start_date"],
    ["cursor=v1.zzz", "cursor"],
    ["job=1", "job"],
  ])("%s → 400 naming %s", async (query, field) => {
    const body = expectProblem(await get(`?${query}`), 400);
    expect(body.errors).toEqual([expect.objectContaining({ field, in: "query" })]);
  });

  it("page and cursor together → 400", async () => {
    const body = expectProblem(await get(`?page=1&cursor=${encodeCursor({ executedAt: T0, id: "exe_a01" })}`), 400);
    expect(body.errors).toEqual([
      { field: "page", in: "query", message: "cannot be combined with cursor" },
      { field: "cursor", in: "query", message: "cannot be combined with page" },
    ]);
  });

  it("start_date after end_date → 400", async () => {
    const body = expectProblem(await get("?start_date=2024-01-26&end_date=2024-01-25"), 400);
    expect(body.errors).toEqual([{ field: "start_date", in: "query", message: "must not be after end_date" }]);
  });
});
