import { beforeAll, describe, expect, it } from "vitest";
import { statsWindow } from "../../src/logs/stats-window";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs, type LogInput } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const DAY = 86_400_000;

let acct: TestAccount;
let jobId: string;
const get = (query = "", id = jobId, a: TestAccount = acct) =>
  api(`/v1/cron-jobs/${a.accountId}/stats/${id}${query}`, { headers: a.headers });

const zero = { p50: null, p95: null, p99: null, max: null };
/** Percentiles of whole hours come from the rollups' sketches: within 1 % of the exact nearest-rank value. */
const near = (v: number) => ({
  asymmetricMatch: (x: unknown) => typeof x === "number" && Math.abs(x - v) <= 0.01 * v,
  toString: () => `within 1 % of ${v}`,
});
const emptyBucket = (start: string) => ({
  start,
  total: 0,
  success: 0,
  failure: 0,
  error: 0,
  timeout: 0,
  success_rate: null,
  response_time_ms: zero,
});

/**
 * Hand-computed fixture.
 * 2024-01-20: 20 successes of 10, 20, …, 200 ms (inserted shuffled), 2 failures (50, 60 ms: not in the
 *   percentiles), a timeout (30000 ms), an error (no time). n = 20 → p50 = 10th = 100, p95 = 19th = 190,
 *   p99 = 20th = 200.
 * 2024-01-21: nothing.
 * 2024-01-22: 10:00 success 40 · 10:45 success 10 · 12:10 success 30 · 12:20 failure · 12:50 success 20 ·
 *   13:15:00 success 5000 · 13:16 failure. Successes sorted 10, 20, 30, 40, 5000: p50 = 3rd = 30,
 *   p95 = p99 = 5th = 5000.
 * Outside every range asked: 2024-01-19T23:59:59.999 and 2024-01-23T00:00:00 (successes of 1 ms).
 * Whole range: 25 successes, sorted 10,10,20,20,30,30,40,40,50,60,…,200,5000 → p50 = 13th = 90,
 *   p95 = ⌈23.75⌉ = 24th = 200, p99 = ⌈24.75⌉ = 25th = 5000.
 */
function fixture(): LogInput[] {
  const day20 = Date.UTC(2024, 0, 20);
  const times = [70, 10, 200, 130, 50, 190, 20, 160, 100, 30, 120, 180, 40, 90, 150, 60, 110, 80, 170, 140];
  const logs: LogInput[] = times.map((ms, i) => ({ executedAt: day20 + i * MIN, responseTimeMs: ms }));
  logs.push(
    { executedAt: day20 + 30 * MIN, status: "failure", responseCode: 500, responseTimeMs: 50 },
    { executedAt: day20 + 31 * MIN, status: "failure", responseCode: 404, responseTimeMs: 60 },
    { executedAt: day20 + 32 * MIN, status: "timeout", responseCode: null, responseTimeMs: 30000 },
    { executedAt: day20 + 23 * 60 * MIN, status: "error", responseCode: null, responseTimeMs: null },
    { executedAt: at("2024-01-22T10:00:00Z"), responseTimeMs: 40 },
    { executedAt: at("2024-01-22T10:45:00Z"), responseTimeMs: 10 },
    { executedAt: at("2024-01-22T12:10:00Z"), responseTimeMs: 30 },
    { executedAt: at("2024-01-22T12:20:00Z"), status: "failure", responseCode: 503, responseTimeMs: 15 },
    { executedAt: at("2024-01-22T12:50:00Z"), responseTimeMs: 20 },
    { executedAt: at("2024-01-22T13:15:00Z"), responseTimeMs: 5000 },
    { executedAt: at("2024-01-22T13:16:00Z"), status: "failure", responseCode: 500, responseTimeMs: 7 },
    { executedAt: day20 - 1, responseTimeMs: 1 },
    { executedAt: at("2024-01-23T00:00:00Z"), responseTimeMs: 1 },
  );
  return logs;
}

describe("GET /stats/{cron_job_id}", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    await insertLogs(jobId, acct.accountId, fixture());
    // Another job of the same account: never counted.
    const other = await insertJob(acct.accountId);
    await insertLogs(other.id, acct.accountId, [{ executedAt: at("2024-01-20T12:00:00Z"), responseTimeMs: 1 }]);
  });

  it("daily buckets: totals, rate, nearest-rank percentiles (whole hours: within 1 %), the empty day present", async () => {
    const res = await get("?start_date=2024-01-20&end_date=2024-01-22&bucket=day");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        cron_job_id: jobId,
        start_date: "2024-01-20T00:00:00Z",
        end_date: "2024-01-22T23:59:59Z",
        bucket: "day",
        total: 31,
        success: 25,
        failure: 4,
        error: 1,
        timeout: 1,
        success_rate: 25 / 31,
        response_time_ms: { p50: near(90), p95: near(200), p99: near(5000), max: 5000 },
        slo: null,
        series: [
          {
            start: "2024-01-20T00:00:00Z",
            total: 24,
            success: 20,
            failure: 2,
            error: 1,
            timeout: 1,
            success_rate: 20 / 24,
            response_time_ms: { p50: near(100), p95: near(190), p99: near(200), max: 200 },
          },
          emptyBucket("2024-01-21T00:00:00Z"),
          {
            start: "2024-01-22T00:00:00Z",
            total: 7,
            success: 5,
            failure: 2,
            error: 0,
            timeout: 0,
            success_rate: 5 / 7,
            response_time_ms: { p50: near(30), p95: near(5000), p99: near(5000), max: 5000 },
          },
        ],
      },
    });
  });

  it("day is the default bucket", async () => {
    const res = await get("?start_date=2024-01-21&end_date=2024-01-21");
    expect(res.body.data.bucket).toBe("day");
    expect(res.body.data.series).toEqual([emptyBucket("2024-01-21T00:00:00Z")]);
  });

  it("hour buckets: aligned to UTC hours, partial first and last buckets count only the range", async () => {
    const res = await get("?start_date=2024-01-22T10:30:00Z&end_date=2024-01-22T13:15:00Z&bucket=hour");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        cron_job_id: jobId,
        start_date: "2024-01-22T10:30:00Z",
        end_date: "2024-01-22T13:15:00Z",
        bucket: "hour",
        total: 5,
        success: 4,
        failure: 1,
        error: 0,
        timeout: 0,
        success_rate: 0.8,
        response_time_ms: { p50: 20, p95: 5000, p99: 5000, max: 5000 },
        slo: null,
        series: [
          {
            start: "2024-01-22T10:00:00Z",
            total: 1,
            success: 1,
            failure: 0,
            error: 0,
            timeout: 0,
            success_rate: 1,
            response_time_ms: { p50: 10, p95: 10, p99: 10, max: 10 },
          },
          emptyBucket("2024-01-22T11:00:00Z"),
          {
            start: "2024-01-22T12:00:00Z",
            total: 3,
            success: 2,
            failure: 1,
            error: 0,
            timeout: 0,
            success_rate: 2 / 3,
            response_time_ms: { p50: 20, p95: 30, p99: 30, max: 30 },
          },
          {
            start: "2024-01-22T13:00:00Z",
            total: 1,
            success: 1,
            failure: 0,
            error: 0,
            timeout: 0,
            success_rate: 1,
            response_time_ms: { p50: 5000, p95: 5000, p99: 5000, max: 5000 },
          },
        ],
      },
    });
  });

  it("a range with only failures: rate 0, no percentiles", async () => {
    const res = await get("?start_date=2024-01-22T13:16:00Z&end_date=2024-01-22T13:16:00Z&bucket=hour");
    expect(res.body.data).toMatchObject({
      total: 1,
      failure: 1,
      success: 0,
      success_rate: 0,
      response_time_ms: zero,
      series: [{ start: "2024-01-22T13:00:00Z", total: 1, failure: 1, success_rate: 0, response_time_ms: zero }],
    });
  });

  it("an empty range: zeros, null rate and percentiles, every bucket present", async () => {
    const res = await get("?start_date=2023-06-01&end_date=2023-06-03");
    expect(res.body.data).toEqual({
      cron_job_id: jobId,
      start_date: "2023-06-01T00:00:00Z",
      end_date: "2023-06-03T23:59:59Z",
      bucket: "day",
      total: 0,
      success: 0,
      failure: 0,
      error: 0,
      timeout: 0,
      success_rate: null,
      response_time_ms: zero,
      slo: null,
      series: ["2023-06-01", "2023-06-02", "2023-06-03"].map((d) => emptyBucket(`${d}T00:00:00Z`)),
    });
  });
});

describe("GET /stats/{cron_job_id}: the default range", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    const now = Date.now();
    await insertLogs(jobId, acct.accountId, [
      { executedAt: now - 1000, responseTimeMs: 10 },
      { executedAt: now - 3 * DAY, status: "failure", responseTimeMs: 10 },
      { executedAt: Math.floor(now / DAY) * DAY - 6 * DAY, responseTimeMs: 30 },
      { executedAt: Math.floor(now / DAY) * DAY - 6 * DAY - 1, responseTimeMs: 99 },
    ]);
  });

  it("is the 7 UTC days ending today, daily", async () => {
    const before = Date.now();
    const res = await get();
    const after = Date.now();
    expect(res.status).toBe(200);
    const today = Math.floor(before / DAY) * DAY;
    const d = res.body.data;
    expect(d.bucket).toBe("day");
    expect(d.start_date).toBe(new Date(today - 6 * DAY).toISOString().replace(".000Z", "Z"));
    const end = Date.parse(d.end_date);
    expect(end).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(end).toBeLessThanOrEqual(after);
    expect(d.series.map((b: { start: string }) => b.start)).toEqual(
      Array.from({ length: 7 }, (_, i) => new Date(today - (6 - i) * DAY).toISOString().replace(".000Z", "Z")),
    );
    expect(d).toMatchObject({ total: 3, success: 2, failure: 1, success_rate: 2 / 3 });
    expect(d.response_time_ms).toEqual({ p50: 10, p95: 30, p99: 30, max: 30 });
  });
});

describe("GET /stats/{cron_job_id}: bad input and isolation", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
  });

  it.each([
    ["bucket=week", "bucket"],
    ["bucket=", "bucket"],
    ["start_date=yesterday", "start_date"],
    ["end_date=2024-01-25T10:00:00", "end_date"],
    ["page=1", "page"],
  ])("%s → 400 naming %s", async (query, field) => {
    const body = expectProblem(await get(`?${query}`), 400);
    expect(body.errors).toEqual([expect.objectContaining({ field, in: "query" })]);
  });

  it("start_date after end_date → 400", async () => {
    const body = expectProblem(await get("?start_date=2024-01-26&end_date=2024-01-25"), 400);
    expect(body).toMatchObject({
      detail: "Invalid query parameter 'start_date': must not be after end_date",
      errors: [{ field: "start_date", in: "query", message: "must not be after end_date" }],
    });
  });

  it("a start_date in the future without end_date → 400", async () => {
    const body = expectProblem(await get("?start_date=2999-01-01"), 400);
    expect(body.errors).toEqual([
      { field: "start_date", in: "query", message: "must not be after now (the default end_date)" },
    ]);
  });

  it("at most 1000 buckets", async () => {
    const ok = await get("?start_date=2024-01-01T00:00:00Z&end_date=2024-02-11T15:59:59Z&bucket=hour");
    expect(ok.status).toBe(200);
    expect(ok.body.data.series).toHaveLength(1000);
    const body = expectProblem(
      await get("?start_date=2024-01-01T00:00:00Z&end_date=2024-02-11T16:00:00Z&bucket=hour"),
      400,
    );
    expect(body).toEqual({
      type: "https://edgecron.dev/problems/validation-error",
      title: "Bad Request",
      status: 400,
      detail:
        "Invalid query parameter 'bucket': the range spans 1001 hour buckets; at most 1000 (shorten the range or use a longer bucket)",
      errors: [
        {
          field: "bucket",
          in: "query",
          message: "the range spans 1001 hour buckets; at most 1000 (shorten the range or use a longer bucket)",
        },
      ],
    });
    expect((await get("?start_date=2024-01-01&end_date=2024-12-31")).status).toBe(200);
  });

  it("another account's key → 403", async () => {
    const other = await createAccount("Other");
    const res = await api(`/v1/cron-jobs/${acct.accountId}/stats/${jobId}`, { headers: other.headers });
    expectProblem(res, 403);
  });

  it("another account's job → 404; a deleted, unknown or malformed job id → 404/400", async () => {
    const other = await createAccount("Other");
    const theirs = await insertJob(other.accountId);
    await insertLogs(theirs.id, other.accountId, [{ executedAt: Date.now() - 1000 }]);
    expectProblem(await get("", theirs.id), 404, `Cron job ${theirs.id} not found`);
    const gone = await insertJob(acct.accountId, { deletedAt: Date.now() });
    expectProblem(await get("", gone.id), 404);
    expectProblem(await get("", crypto.randomUUID()), 404);
    const bad = expectProblem(await get("", "nope"), 400);
    expect(bad.errors).toEqual([{ field: "cron_job_id", in: "path", message: "must be a UUID" }]);
  });
});

describe("statsWindow", () => {
  const now = Date.UTC(2024, 0, 25, 14, 3, 12, 345);

  it("defaults: the 7 UTC days ending with now's day", () => {
    expect(statsWindow({ bucket: "day" }, now)).toEqual({
      ok: true,
      window: {
        start: Date.UTC(2024, 0, 19),
        end: now,
        bucket: "day",
        size: DAY,
        origin: Date.UTC(2024, 0, 19),
        buckets: 7,
      },
    });
  });

  it("an end_date alone: the 7 days ending with its day", () => {
    const end = { start: Date.UTC(2024, 0, 10), end: Date.UTC(2024, 0, 11) - 1 };
    const r = statsWindow({ end, bucket: "hour" }, now);
    expect(r).toMatchObject({ ok: true, window: { start: Date.UTC(2024, 0, 4), end: end.end, buckets: 168 } });
  });

  it("an unaligned start: the first bucket starts at its hour", () => {
    const start = { start: Date.UTC(2024, 0, 25, 10, 30), end: Date.UTC(2024, 0, 25, 10, 30, 59, 999) };
    const r = statsWindow({ start, bucket: "hour" }, now);
    expect(r).toMatchObject({ ok: true, window: { origin: Date.UTC(2024, 0, 25, 10), buckets: 5 } });
  });
});
