/**
 * Issue 14, scheduling through the jobs API: one-off jobs (schedule_config.run_at), start_date, jitter_seconds and
 * overlap_policy — validation (400 naming each field), the job object's round trip, next_run_at and the preview.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { nextRuns } from "../../src/lib/schedule/next-run";
import { ScheduleConfigSchema } from "../../src/lib/schedule/schema";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const fields = (body: Record<string, unknown>) =>
  ((body.errors as Array<{ field: string }>) ?? []).map((e) => e.field).sort();
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A whole minute a day or two ahead, so the instant is in the future whenever the test runs. */
const future = (days = 2) => new Date(Math.ceil((Date.now() + days * DAY) / 60_000) * 60_000);
const preview = (body: unknown) =>
  api(`/v1/cron-jobs/${acct.accountId}/schedule/preview`, {
    method: "POST",
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("one-off jobs (schedule_config.run_at)", () => {
  it("round-trips: next_run_at is run_at, one run previewed, the pinned cron in the job's zone", async () => {
    const at = future();
    const runAt = at.toISOString().replace(/\.000Z$/, "Z");
    const res = await jobs.create({ ...quickStart(), timezone: "UTC", schedule_config: { run_at: runAt } });
    expect(res.status).toBe(201);
    const job = res.body.data;
    expect(job.schedule_config).toMatchObject({ run_at: runAt, end_type: "never" });
    expect(job.next_run_at).toBe(runAt);
    expect(job.next_runs).toEqual([runAt]);
    expect(job.repeat_type).toBeNull();
    expect(job.schedule).toBe(`${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`);
    const got = await jobs.details(job.id);
    expect(got.body.data.schedule_config).toEqual(job.schedule_config);
    // An offset is accepted and names the same instant.
    const local = await jobs.create({
      ...quickStart(),
      schedule_config: { run_at: `${at.toISOString().slice(0, 16)}+00:00` },
    });
    expect(local.body.data.next_run_at).toBe(runAt);
  });

  it("a run_at in the past → 400 naming schedule_config.run_at, on create, update and preview", async () => {
    const past = new Date(Date.now() - HOUR).toISOString();
    const res = await jobs.create({ ...quickStart(), schedule_config: { run_at: past } });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["schedule_config.run_at"]);
    const created = await jobs.create(quickStart());
    const upd = await jobs.update(created.body.data.id, { schedule_config: { run_at: past } });
    expect(fields(expectProblem(upd, 400))).toEqual(["schedule_config.run_at"]);
    expect((await jobs.details(created.body.data.id)).body.data.repeat_type).toBe("days");
    const pre = await preview({ schedule_config: { run_at: past }, timezone: "UTC" });
    expect(fields(expectProblem(pre, 400))).toEqual(["schedule_config.run_at"]);
  });

  it("refuses a bare date, junk, and every repeating field beside run_at, naming each", async () => {
    for (const run_at of ["2030-01-01", "tomorrow", "2030-01-01T10:00:00"]) {
      const res = await jobs.create({ ...quickStart(), schedule_config: { run_at } });
      expect(fields(expectProblem(res, 400)), run_at).toEqual(["schedule_config.run_at"]);
    }
    const res = await jobs.create({
      ...quickStart(),
      schedule_config: {
        run_at: future().toISOString(),
        repeat_type: "days",
        time: "09:00",
        repeat_every: 2,
        end_type: "after",
        end_occurrences: 2,
        start_date: "2030-01-01",
      },
    });
    expect(fields(expectProblem(res, 400))).toEqual(
      [
        "schedule_config.end_occurrences",
        "schedule_config.end_type",
        "schedule_config.repeat_every",
        "schedule_config.repeat_type",
        "schedule_config.start_date",
        "schedule_config.time",
      ].sort(),
    );
  });

  it("leaves A1Cron's schedule_config forms as they were", () => {
    const a1 = { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" };
    expect(ScheduleConfigSchema.parse(a1)).toEqual(a1);
    const missing = ScheduleConfigSchema.safeParse({ end_type: "never" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.message).toBe("is required unless cron or run_at is given");
  });
});

describe("start_date", () => {
  it("no run before it: next_run_at, next_runs and the preview all start there", async () => {
    const start = future(10).toISOString().slice(0, 10);
    const config = { repeat_type: "hourly", time: "00:15", start_date: start };
    const res = await jobs.create({ ...quickStart(), timezone: "UTC", schedule_config: config });
    expect(res.status).toBe(201);
    const job = res.body.data;
    expect(job.schedule_config.start_date).toBe(start);
    expect(job.next_run_at).toBe(`${start}T00:15:00Z`);
    expect(job.next_runs).toEqual([`${start}T00:15:00Z`, `${start}T01:15:00Z`, `${start}T02:15:00Z`]);
    const pre = await preview({ schedule_config: config, timezone: "UTC", count: 2 });
    expect(pre.body.data.next_runs).toEqual([`${start}T00:15:00Z`, `${start}T01:15:00Z`]);
  });

  it("a bare date starts at midnight in the job's zone; repeat_every counts from it", () => {
    const tz = "America/New_York";
    const config = ScheduleConfigSchema.parse({
      repeat_type: "days",
      repeat_every: 3,
      time: "00:00",
      start_date: "2030-03-10",
    });
    const runs = nextRuns({ config, timezone: tz, anchorAt: Date.UTC(2026, 0, 1) }, Date.UTC(2026, 0, 1), 3);
    // 2030-03-10 is the US DST change day: local midnight is still EST (05:00Z); then every 3rd day in EDT.
    expect(runs.map((r) => new Date(r).toISOString())).toEqual([
      "2030-03-10T05:00:00.000Z",
      "2030-03-13T04:00:00.000Z",
      "2030-03-16T04:00:00.000Z",
    ]);
    // A date-time start is an instant; a past start_date changes nothing but the anchor.
    const at = ScheduleConfigSchema.parse({ cron: "*/30 * * * *", start_date: "2030-01-01T10:10:00+02:00" });
    expect(new Date(nextRuns({ config: at, timezone: "UTC", anchorAt: 0 }, 0, 1)[0] as number).toISOString()).toBe(
      "2030-01-01T08:30:00.000Z",
    );
  });

  it("an end_date before start_date → 400 naming schedule_config.end_date; junk → 400 naming start_date", async () => {
    const start = future(10).toISOString().slice(0, 10);
    const res = await jobs.create({
      ...quickStart(),
      schedule_config: {
        ...quickStart().schedule_config,
        start_date: start,
        end_type: "on",
        end_date: future(5).toISOString().slice(0, 10),
      },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["schedule_config.end_date"]);
    const junk = await jobs.create({
      ...quickStart(),
      schedule_config: { ...quickStart().schedule_config, start_date: "soon" },
    });
    expect(fields(expectProblem(junk, 400))).toEqual(["schedule_config.start_date"]);
    // A start after the last run croner computes (it stops before year 10000) leaves the job no run at all.
    const never = await jobs.create({
      ...quickStart(),
      schedule_config: { cron: "0 9 * * *", start_date: "9999-12-31" },
    });
    expect(fields(expectProblem(never, 400))).toEqual(["schedule_config.start_date"]);
  });
});

describe("jitter_seconds and overlap_policy", () => {
  it("defaults, then round-trips through create, update, details and list; skipped_runs is read-only", async () => {
    const plain = await jobs.create(quickStart());
    expect(plain.body.data).toMatchObject({ jitter_seconds: 0, overlap_policy: "allow", skipped_runs: 0 });
    const res = await jobs.create({ ...quickStart(), jitter_seconds: 90, overlap_policy: "skip" });
    expect(res.status).toBe(201);
    const id = res.body.data.id;
    expect(res.body.data).toMatchObject({ jitter_seconds: 90, overlap_policy: "skip", skipped_runs: 0 });
    const upd = await jobs.update(id, { overlap_policy: "queue", skipped_runs: 5 });
    expect(upd.status).toBe(200);
    expect(upd.body.data).toMatchObject({ jitter_seconds: 90, overlap_policy: "queue", skipped_runs: 0 });
    // A job read with GET can be sent back whole.
    const echoed = await jobs.update(id, (await jobs.details(id)).body.data);
    expect(echoed.body.data).toMatchObject({ jitter_seconds: 90, overlap_policy: "queue" });
    const list = await jobs.list();
    expect(list.body.data.find((j: { id: string }) => j.id === id)).toMatchObject({
      jitter_seconds: 90,
      overlap_policy: "queue",
      skipped_runs: 0,
    });
  });

  it("bad values → 400 naming each field", async () => {
    const res = await jobs.create({ ...quickStart(), jitter_seconds: 3601, overlap_policy: "never" });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["jitter_seconds", "overlap_policy"]);
    const created = await jobs.create(quickStart());
    for (const jitter_seconds of [-1, 1.5, "30"]) {
      const upd = await jobs.update(created.body.data.id, { jitter_seconds });
      expect(fields(expectProblem(upd, 400)), String(jitter_seconds)).toEqual(["jitter_seconds"]);
    }
  });
});

describe("catchup and max_lateness_seconds", () => {
  it("default latest and no limit; round-trip through create, update, details, list and clone", async () => {
    const plain = await jobs.create(quickStart());
    expect(plain.body.data).toMatchObject({ catchup: "latest", max_lateness_seconds: null });
    const res = await jobs.create({ ...quickStart(), catchup: "none", max_lateness_seconds: 300 });
    expect(res.status).toBe(201);
    const id = res.body.data.id;
    expect(res.body.data).toMatchObject({ catchup: "none", max_lateness_seconds: 300 });
    const upd = await jobs.update(id, { catchup: "latest" });
    expect(upd.body.data).toMatchObject({ catchup: "latest", max_lateness_seconds: 300 });
    const cleared = await jobs.update(id, { max_lateness_seconds: null });
    expect(cleared.body.data).toMatchObject({ catchup: "latest", max_lateness_seconds: null });
    await jobs.update(id, { catchup: "none", max_lateness_seconds: 3600 });
    // A job read with GET can be sent back whole.
    const echoed = await jobs.update(id, (await jobs.details(id)).body.data);
    expect(echoed.body.data).toMatchObject({ catchup: "none", max_lateness_seconds: 3600 });
    const list = await jobs.list();
    expect(list.body.data.find((j: { id: string }) => j.id === id)).toMatchObject({
      catchup: "none",
      max_lateness_seconds: 3600,
    });
    const copy = await api(`/v1/cron-jobs/${acct.accountId}/clone/${id}`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(copy.status).toBe(201);
    expect(copy.body.data).toMatchObject({ catchup: "none", max_lateness_seconds: 3600 });
  });

  it("bad values → 400 naming each field", async () => {
    const res = await jobs.create({ ...quickStart(), catchup: "oldest", max_lateness_seconds: 59 });
    expect(fields(expectProblem(res, 400))).toEqual(["catchup", "max_lateness_seconds"]);
    const created = await jobs.create(quickStart());
    for (const max_lateness_seconds of [0, -1, 1.5, "300", 366 * 86_400 + 1]) {
      const upd = await jobs.update(created.body.data.id, { max_lateness_seconds });
      expect(fields(expectProblem(upd, 400)), String(max_lateness_seconds)).toEqual(["max_lateness_seconds"]);
    }
    for (const catchup of [null, "", "LATEST", 1]) {
      const upd = await jobs.update(created.body.data.id, { catchup });
      expect(fields(expectProblem(upd, 400)), String(catchup)).toEqual(["catchup"]);
    }
  });
});
