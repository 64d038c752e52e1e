import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CALLBACK_DEFAULTS } from "../../src/jobs/schemas";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

const WINTER = Date.UTC(2024, 0, 20, 12, 0, 0);
const HOUR = 3_600_000;
let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;

beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});
afterEach(() => {
  vi.useRealTimers();
});

const weekly = (days: unknown[]) => ({
  ...quickStart(),
  schedule_config: { repeat_type: "weeks", time: "08:30", days_of_week: days },
});

/** The schedule bookkeeping a PATCH must not reset unless the schedule really changes. */
async function scheduleState(id: string) {
  return shardD1()
    .prepare("SELECT schedule_anchor_at AS anchor, occurrences, next_run_at AS next FROM cron_jobs WHERE id = ?")
    .bind(id)
    .first<{ anchor: number; occurrences: number; next: number | null }>();
}

describe("numeric days_of_week", () => {
  it("accepts [1, 3] and stores and returns the A1Cron strings", async () => {
    const res = await jobs.create(weekly([1, 3]));
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ schedule: "30 8 * * 1,3", days_of_week: ["1", "3"] });
    expect(res.body.data.schedule_config.days_of_week).toEqual(["1", "3"]);
  });

  it("accepts numbers and strings mixed, and on update", async () => {
    const created = (await jobs.create(weekly(["0", 6]))).body.data;
    expect(created.days_of_week).toEqual(["0", "6"]);
    const res = await jobs.update(created.id, {
      schedule_config: { repeat_type: "weeks", time: "08:30", days_of_week: [2] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ schedule: "30 8 * * 2", days_of_week: ["2"] });
  });

  it.each([
    ["7", [7], "schedule_config.days_of_week.0"],
    ["-1", [-1], "schedule_config.days_of_week.0"],
    ["1.5", [1.5], "schedule_config.days_of_week.0"],
    ['"7"', ["7"], "schedule_config.days_of_week.0"],
    ['1 and "1"', [1, "1"], "schedule_config.days_of_week"],
  ])("refuses %s, naming the field", async (_name, days, field) => {
    const res = await jobs.create(weekly(days));
    const problem = expectProblem(res, 400);
    expect((problem.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([field]);
  });
});

describe("PATCH with an echoed job object", () => {
  it("ignores the read-only fields and applies the writable ones", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const job = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(job.id, {
      ...job,
      name: "Renamed",
      id: "00000000-0000-4000-8000-000000000000",
      next_run_at: "2030-01-01T00:00:00Z",
      total_executions: 999,
      max_retries: 9,
    });
    expect(res.status).toBe(200);
    const { name, updated_at, ...rest } = res.body.data;
    const { name: _n, updated_at: _u, ...before } = job;
    expect(name).toBe("Renamed");
    expect(rest).toEqual(before);
  });

  it("keeps the schedule anchor, the occurrence count and next_run_at when schedule_config and timezone are echoed", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const body = {
      ...quickStart(),
      schedule_config: { repeat_type: "days", repeat_every: 3, time: "09:00", end_type: "after", end_occurrences: 10 },
    };
    const job = (await jobs.create(body)).body.data;
    await shardD1().prepare("UPDATE cron_jobs SET occurrences = 4 WHERE id = ?").bind(job.id).run();
    const before = await scheduleState(job.id);

    vi.setSystemTime(WINTER + 30 * HOUR);
    const echoed = (await jobs.details(job.id)).body.data;
    const res = await jobs.update(job.id, echoed);
    expect(res.status).toBe(200);
    expect(await scheduleState(job.id)).toEqual(before);
    expect(res.body.data.next_runs).toEqual(echoed.next_runs);

    // The same values re-ordered, or with the defaults left out, are still the same schedule.
    const sparse = { time: "09:00", end_occurrences: 10, end_type: "after", repeat_type: "days", repeat_every: 3 };
    await jobs.update(job.id, { schedule_config: sparse, timezone: "America/New_York" });
    expect(await scheduleState(job.id)).toEqual(before);
  });

  it("restarts the anchor and the count when the schedule or the timezone really changes", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const job = (await jobs.create(quickStart())).body.data;
    await shardD1().prepare("UPDATE cron_jobs SET occurrences = 4 WHERE id = ?").bind(job.id).run();
    vi.setSystemTime(WINTER + 30 * HOUR);
    await jobs.update(job.id, { timezone: "Europe/London" });
    expect(await scheduleState(job.id)).toMatchObject({ anchor: WINTER + 30 * HOUR, occurrences: 0 });

    await shardD1().prepare("UPDATE cron_jobs SET occurrences = 2 WHERE id = ?").bind(job.id).run();
    vi.setSystemTime(WINTER + 40 * HOUR);
    await jobs.update(job.id, { schedule_config: { ...job.schedule_config, time: "10:00" } });
    expect(await scheduleState(job.id)).toMatchObject({ anchor: WINTER + 40 * HOUR, occurrences: 0 });
  });

  it("leaves a completed job completed (its echoed is_active: false is not a pause)", async () => {
    const job = (await jobs.create(quickStart())).body.data;
    await shardD1()
      .prepare("UPDATE cron_jobs SET state = 'completed', is_active = 0, next_run_at = NULL WHERE id = ?")
      .bind(job.id)
      .run();
    const echoed = (await jobs.details(job.id)).body.data;
    expect(echoed).toMatchObject({ state: "completed", is_active: false });
    const res = await jobs.update(job.id, { ...echoed, name: "Renamed" });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: "Renamed", state: "completed", is_active: false });
  });

  it("still refuses unknown fields, and read-only fields of the wrong type, naming them", async () => {
    const job = (await jobs.create(quickStart())).body.data;
    const unknown = expectProblem(await jobs.update(job.id, { ...job, colour: "red" }), 400);
    expect(unknown.errors).toEqual([{ field: "colour", in: "body", message: "Unknown field" }]);
    const wrongType = expectProblem(await jobs.update(job.id, { ...job, total_executions: "many" }), 400);
    expect((wrongType.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(["total_executions"]);
  });
});

describe("partial nested updates", () => {
  it("retry_config: the fields not sent keep their stored values", async () => {
    const job = (
      await jobs.create({
        ...quickStart(),
        retry_config: { max_retries: 1, retry_delay_seconds: 120, timeout_seconds: 10, backoff: "exponential" },
      })
    ).body.data;
    const res = await jobs.update(job.id, { retry_config: { max_retries: 5 } });
    expect(res.body.data.retry_config).toEqual({
      max_retries: 5,
      retry_delay_seconds: 120,
      timeout_seconds: 10,
      backoff: "exponential",
      retry_on_status_codes: "100-599",
      retry_on_timeout: true,
      retry_on_error: true,
    });
    expect(res.body.data).toMatchObject({ max_retries: 5, retry_delay_seconds: 120, timeout_seconds: 10 });
  });

  it("callbacks: null clears one URL and keeps the other and notify", async () => {
    const job = (await jobs.create({ ...quickStart(), callbacks: { ...quickStart().callbacks, notify: "on_change" } }))
      .body.data;
    const res = await jobs.update(job.id, { callbacks: { failure_url: null } });
    expect(res.body.data.callbacks).toEqual({
      success_url: "https://api.example.com/callbacks/success",
      failure_url: null,
      notify: "on_change",
    });
    expect(res.body.data.failure_callback_url).toBeNull();
  });

  it("create without retry_config or callbacks gets A1Cron's defaults", async () => {
    const { retry_config: _r, callbacks: _c, ...bare } = quickStart();
    const job = (await jobs.create(bare)).body.data;
    expect(job.retry_config).toEqual({
      max_retries: 3,
      retry_delay_seconds: 60,
      timeout_seconds: 30,
      backoff: "fixed",
      retry_on_status_codes: "100-599",
      retry_on_timeout: true,
      retry_on_error: true,
    });
    expect(job.callbacks).toEqual(CALLBACK_DEFAULTS);
  });
});

describe("status=retry", () => {
  it("is a 400 whose detail lists the statuses A1Cron defines", async () => {
    const job = (await jobs.create(quickStart())).body.data;
    for (const path of [`/logs/${job.id}?status=retry`, "/logs?status=retry", `/logs/${job.id}/export?status=retry`]) {
      const problem = expectProblem(await jobs.send("GET", path), 400);
      expect(problem.detail).toMatch(/'status'.*success.*failure.*error.*timeout/);
      expect(problem.detail).toMatch(/retry_attempt/);
    }
  });
});
