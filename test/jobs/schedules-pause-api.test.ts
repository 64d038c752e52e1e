/**
 * Several schedules per job (schedule_config.cron as a list, additional_times) and pause until (paused_until,
 * pause_reason) through the jobs API: validation naming each field, the job object, the preview, the limit.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const DAY = 86_400_000;
const fields = (body: Record<string, unknown>) =>
  ((body.errors as Array<{ field: string }>) ?? []).map((e) => e.field).sort();
const preview = (body: unknown) =>
  api(`/v1/cron-jobs/${acct.accountId}/schedule/preview`, {
    method: "POST",
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
/** A whole second some days ahead, as the API formats instants. */
const ahead = (days: number) =>
  `${new Date(Math.ceil((Date.now() + days * DAY) / 1000) * 1000).toISOString().slice(0, 19)}Z`;

describe("several schedules per job", () => {
  it("previews the union of a cron list, each instant once", async () => {
    const res = await preview({
      schedule_config: { cron: ["0 9 * * *", "30 17 * * *", "0 9 * * 1-5"] },
      timezone: "UTC",
      count: 6,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.schedule).toBe("0 9 * * *");
    expect(res.body.data.schedules).toEqual(["0 9 * * *", "30 17 * * *", "0 9 * * 1-5"]);
    const runs = res.body.data.next_runs as string[];
    expect(new Set(runs).size).toBe(6);
    expect(runs.every((r) => /T(09:00|17:30):00Z$/.test(r))).toBe(true);
    expect([...runs].sort()).toEqual(runs);
  });

  it("creates a job with several times: schedule stays one string, schedules lists all, next_runs their union", async () => {
    const res = await jobs.create({
      ...quickStart(),
      timezone: "UTC",
      schedule_config: { repeat_type: "days", time: "09:00", additional_times: ["17:30", "12:00"] },
    });
    expect(res.status).toBe(201);
    const job = res.body.data;
    expect(job.schedule).toBe("0 9 * * *");
    expect(job.schedules).toEqual(["0 9 * * *", "30 17 * * *", "0 12 * * *"]);
    expect(job.schedule_config.additional_times).toEqual(["17:30", "12:00"]);
    const times = (job.next_runs as string[]).map((r) => r.slice(11, 16));
    expect(new Set(times).size).toBe(3);
    expect(job.next_run_at).toBe(job.next_runs[0]);
    const listed = await jobs.details(job.id);
    expect(listed.body.data.schedules).toEqual(job.schedules);
  });

  it("a one-expression job has schedules of one", async () => {
    const res = await jobs.create({ ...quickStart(), schedule_config: { cron: "*/5 * * * *" } });
    expect(res.body.data.schedules).toEqual(["*/5 * * * *"]);
    expect(res.body.data.paused_until).toBeNull();
    expect(res.body.data.pause_reason).toBeNull();
  });

  it("refuses a bad expression naming its index, more than 10, repeats, and additional_times with cron", async () => {
    const bad = await preview({
      schedule_config: { cron: ["0 9 * * *", "0 10 * * *", "0 11 * * *", "0 25 * * *"] },
      timezone: "UTC",
    });
    const p = expectProblem(bad, 400);
    expect(fields(p)).toEqual(["schedule_config.cron.3"]);
    expect(JSON.stringify(p.errors)).toMatch(/hour field '25'/);
    const many = await preview({
      schedule_config: { cron: Array.from({ length: 11 }, (_, i) => `${i} 9 * * *`) },
      timezone: "UTC",
    });
    expect(fields(expectProblem(many, 400))).toEqual(["schedule_config.cron"]);
    const empty = await preview({ schedule_config: { cron: [] }, timezone: "UTC" });
    expect(fields(expectProblem(empty, 400))).toEqual(["schedule_config.cron"]);
    const twice = await preview({ schedule_config: { cron: ["0 9 * * *", " 0  9 * * * "] }, timezone: "UTC" });
    expect(fields(expectProblem(twice, 400))).toEqual(["schedule_config.cron"]);
    const mixed = await jobs.create({
      ...quickStart(),
      schedule_config: { cron: "0 9 * * *", additional_times: ["10:00"] },
    });
    expect(fields(expectProblem(mixed, 400))).toEqual(["schedule_config.additional_times"]);
    const badTime = await jobs.create({
      ...quickStart(),
      schedule_config: { repeat_type: "days", time: "09:00", additional_times: ["10:00", "25:00", "09:00"] },
    });
    // Each fault named: the bad time by its index, the repeat of `time` by the list.
    expect(fields(expectProblem(badTime, 400))).toEqual([
      "schedule_config.additional_times",
      "schedule_config.additional_times.1",
    ]);
    const repeatsTime = await jobs.create({
      ...quickStart(),
      schedule_config: { repeat_type: "days", time: "09:00", additional_times: ["09:00"] },
    });
    expect(fields(expectProblem(repeatsTime, 400))).toEqual(["schedule_config.additional_times"]);
  });

  const daily = (additional_times: unknown) => ({ repeat_type: "days", time: "09:00", additional_times });
  const CRON_RULE = "must list 1 to 10 expressions";
  const TIMES_RULE = "must list 1 to 9 times (with `time`, 10 at most)";
  it.each([
    ["11 expressions", { cron: Array.from({ length: 11 }, (_, i) => `${i} 9 * * *`) }, "cron", CRON_RULE],
    [
      "12 entries of any kind",
      { cron: [...Array.from({ length: 11 }, (_, i) => `${i} 9 * * *`), 5] },
      "cron",
      CRON_RULE,
    ],
    ["no expression", { cron: [] }, "cron", CRON_RULE],
    ["a repeated expression", { cron: ["0 9 * * *", " 0  9 * * * "] }, "cron", "must not repeat an expression"],
    ["a number in the list", { cron: ["0 9 * * *", 5] }, "cron.1", "must be a cron expression (a string)"],
    ["a null in the list", { cron: [null] }, "cron.0", "must be a cron expression (a string)"],
    ["a number", { cron: 5 }, "cron", "must be a cron expression or a list of 1 to 10 expressions"],
    ["an object", { cron: {} }, "cron", "must be a cron expression or a list of 1 to 10 expressions"],
    ["10 additional times", daily(Array.from({ length: 10 }, (_, i) => `1${i}:30`)), "additional_times", TIMES_RULE],
    ["no additional time", daily([]), "additional_times", TIMES_RULE],
    ["a repeated additional time", daily(["10:00", "10:00"]), "additional_times", "must not repeat a time"],
    [
      "a number as an additional time",
      daily(["10:00", 5]),
      "additional_times.1",
      "must be HH:MM between 00:00 and 23:59",
    ],
    ["additional_times not a list", daily("10:00"), "additional_times", "must be a list of HH:MM times"],
  ])("%s: create, update and preview name the field and say the rule", async (_name, config, field, message) => {
    const created = await jobs.create({ ...quickStart(), timezone: "UTC", schedule_config: { cron: "0 3 * * *" } });
    const refusals = [
      await jobs.create({ ...quickStart(), schedule_config: config }),
      await jobs.update(created.body.data.id as string, { schedule_config: config }),
      await preview({ schedule_config: config, timezone: "UTC" }),
    ];
    for (const res of refusals) {
      const p = expectProblem(res, 400, `Invalid body parameter 'schedule_config.${field}': ${message}`);
      expect(p.errors).toEqual([{ field: `schedule_config.${field}`, in: "body", message }]);
    }
  });

  it("an update to a cron list recomputes next_run_at from the union; echoing it keeps the anchor", async () => {
    const created = await jobs.create({ ...quickStart(), timezone: "UTC", schedule_config: { cron: "0 3 * * *" } });
    const id = created.body.data.id as string;
    const res = await jobs.update(id, { schedule_config: { cron: ["0 3 * * *", "*/10 * * * *"] } });
    expect(res.status).toBe(200);
    const next = Date.parse(res.body.data.next_run_at);
    expect(next - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    expect(res.body.data.schedules).toEqual(["0 3 * * *", "*/10 * * * *"]);
    const echoed = await jobs.update(id, res.body.data);
    expect(echoed.status).toBe(200);
    expect(echoed.body.data.next_run_at).toBe(res.body.data.next_run_at);
  });
});

describe("pause until", () => {
  it("pauses until an instant with a reason; every job response carries both; is_active: true clears them", async () => {
    const created = await jobs.create(quickStart());
    const id = created.body.data.id as string;
    const until = ahead(3);
    const paused = await jobs.update(id, { paused_until: until, pause_reason: "Holidays" });
    expect(paused.status).toBe(200);
    expect(paused.body.data).toMatchObject({
      state: "paused",
      is_active: false,
      paused_until: until,
      pause_reason: "Holidays",
      next_run_at: null,
    });
    const listed = await jobs.list();
    expect(listed.body.data[0]).toMatchObject({ paused_until: until, pause_reason: "Holidays" });
    // Echoing the paused job (a client sending back what it read) changes nothing.
    const echoed = await jobs.update(id, paused.body.data);
    expect(echoed.body.data).toMatchObject({ paused_until: until, pause_reason: "Holidays", state: "paused" });
    const resumed = await jobs.update(id, { is_active: true });
    expect(resumed.body.data).toMatchObject({ state: "active", paused_until: null, pause_reason: null });
    expect(resumed.body.data.next_run_at).not.toBeNull();
  });

  it("pausing without until clears it, and paused_until: null leaves the job paused with no end", async () => {
    const created = await jobs.create(quickStart());
    const id = created.body.data.id as string;
    await jobs.update(id, { paused_until: ahead(2) });
    const open = await jobs.update(id, { is_active: false });
    expect(open.body.data).toMatchObject({ state: "paused", paused_until: null });
    await jobs.update(id, { paused_until: ahead(2), pause_reason: "deploy" });
    const cleared = await jobs.update(id, { paused_until: null });
    expect(cleared.body.data).toMatchObject({ state: "paused", paused_until: null, pause_reason: "deploy" });
  });

  it("creates a job paused until an instant", async () => {
    const until = ahead(1);
    const res = await jobs.create({ ...quickStart(), paused_until: until, pause_reason: "starts tomorrow" });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ state: "paused", paused_until: until, pause_reason: "starts tomorrow" });
  });

  it("refuses a past instant, a bare date, is_active: true with it, a long reason, a reason for an active job", async () => {
    const created = await jobs.create(quickStart());
    const id = created.body.data.id as string;
    expect(fields(expectProblem(await jobs.update(id, { paused_until: "2020-01-01T00:00:00Z" }), 400))).toEqual([
      "paused_until",
    ]);
    expect(fields(expectProblem(await jobs.update(id, { paused_until: "2030-01-01" }), 400))).toEqual(["paused_until"]);
    const both = await jobs.update(id, { paused_until: ahead(2), is_active: true });
    expect(fields(expectProblem(both, 400))).toEqual(["paused_until"]);
    const long = await jobs.update(id, { is_active: false, pause_reason: "x".repeat(201) });
    expect(fields(expectProblem(long, 400))).toEqual(["pause_reason"]);
    const active = await jobs.update(id, { pause_reason: "why" });
    expect(fields(expectProblem(active, 400))).toEqual(["pause_reason"]);
    expect((await jobs.details(id)).body.data.state).toBe("active");
  });
});
