import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { accountApi, createCalendar, createWindow, fieldsOf } from "./support";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const daily = (exclude: string[]) => ({
  ...quickStart(),
  schedule_config: {
    repeat_type: "days",
    repeat_every: 1,
    time: "09:00",
    end_type: "never",
    exclude_calendars: exclude,
  },
});

describe("jobs and their calendars", () => {
  it("a job stores exclude_calendars; changing it alone keeps the schedule's anchor and next run", async () => {
    const cal = await createCalendar(acct, { name: "Holidays", dates: ["2099-12-25"] });
    const created = await jobsApi(acct).create(daily([cal.id]));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.schedule_config.exclude_calendars).toEqual([cal.id]);
    const id = created.body.data.id;
    const other = await createCalendar(acct, { name: "Other" });
    const updated = await jobsApi(acct).update(id, { schedule_config: { ...daily([other.id]).schedule_config } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.data.schedule_config.exclude_calendars).toEqual([other.id]);
    expect(updated.body.data.next_run_at).toBe(created.body.data.next_run_at);
  });

  it("refuses calendars that are not the account's, naming each", async () => {
    const theirs = await createCalendar(await createAccount(), { name: "theirs" });
    const mine = await createCalendar(acct, { name: "mine" });
    const res = await jobsApi(acct).create(daily([mine.id, theirs.id, "550e8400-e29b-41d4-a716-446655440000"]));
    expect(fieldsOf(expectProblem(res, 400))).toEqual([
      "schedule_config.exclude_calendars.1",
      "schedule_config.exclude_calendars.2",
    ]);
    const bad = await jobsApi(acct).create(daily(["nope", mine.id, mine.id]));
    expect(fieldsOf(expectProblem(bad, 400))).toEqual([
      "schedule_config.exclude_calendars",
      "schedule_config.exclude_calendars.0",
    ]);
  });

  it("refuses a job whose every slot for five years is excluded (400), on create and update", async () => {
    const always = await createCalendar(acct, {
      name: "Always",
      recurring: [{ cron: "0 0 * * *", duration_minutes: 1440 }],
    });
    const res = await jobsApi(acct).create(daily([always.id]));
    const problem = expectProblem(res, 400);
    expect(fieldsOf(problem)).toEqual(["schedule_config.exclude_calendars"]);
    expect(JSON.stringify(problem.errors)).toMatch(/5 years/);

    // Weekdays only, excluded on weekdays: every slot is excluded too.
    const weekdays = await createCalendar(acct, {
      name: "Weekdays",
      recurring: [{ cron: "0 0 * * 1-5", duration_minutes: 1440 }],
    });
    const job = await jobsApi(acct).create(daily([]));
    expect(job.status).toBe(201);
    const upd = await jobsApi(acct).update(job.body.data.id, {
      schedule_config: {
        repeat_type: "weeks",
        days_of_week: ["1", "3"],
        time: "09:00",
        exclude_calendars: [weekdays.id],
      },
    });
    expect(fieldsOf(expectProblem(upd, 400))).toEqual(["schedule_config.exclude_calendars"]);
    // A slot left on Saturday makes it acceptable.
    const ok = await jobsApi(acct).update(job.body.data.id, {
      schedule_config: {
        repeat_type: "weeks",
        days_of_week: ["1", "6"],
        time: "09:00",
        exclude_calendars: [weekdays.id],
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it("counts a skip window covering the job's tags in the five-year check", async () => {
    const cal = await createCalendar(acct, { name: "c", recurring: [{ cron: "0 0 * * 1-5", duration_minutes: 1440 }] });
    await createWindow(acct, {
      action: "skip",
      tags: ["reports"],
      recurrence: { cron: "0 0 * * 0,6", duration_minutes: 1440 },
    });
    // quickStart's tags include "reports": the window excludes weekends, the calendar weekdays.
    expect(fieldsOf(expectProblem(await jobsApi(acct).create(daily([cal.id])), 400))).toEqual([
      "schedule_config.exclude_calendars",
    ]);
  });

  it("gives up after 10,000 slots and accepts the job", async () => {
    // Every minute, excluded for the next eight days: more than 10,000 slots before the first one left.
    const now = Date.now();
    const cal = await createCalendar(acct, {
      name: "Long freeze",
      ranges: [{ start: new Date(now - 60_000).toISOString(), end: new Date(now + 8 * 86_400_000).toISOString() }],
    });
    const res = await jobsApi(acct).create({
      ...quickStart(),
      schedule_config: { cron: "* * * * *", exclude_calendars: [cal.id] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it("deleting a calendar that jobs exclude is a 409 naming them", async () => {
    const cal = await createCalendar(acct, { name: "Holidays", dates: ["2099-12-25"] });
    const a = (await jobsApi(acct).create({ ...daily([cal.id]), name: "Job A" })).body.data;
    const b = (await jobsApi(acct).create({ ...daily([cal.id]), name: "Job B" })).body.data;
    const res = await accountApi(acct, `/calendars/${cal.id}`, { method: "DELETE" });
    const problem = expectProblem(res, 409);
    expect(problem.detail).toContain(a.id);
    expect(problem.detail).toContain("Job B");
    expect(problem.jobs).toEqual([
      { id: a.id, name: "Job A" },
      { id: b.id, name: "Job B" },
    ]);
    // Once no live job names it, it goes.
    await jobsApi(acct).remove(a.id);
    await jobsApi(acct).update(b.id, { schedule_config: daily([]).schedule_config });
    expect((await accountApi(acct, `/calendars/${cal.id}`, { method: "DELETE" })).status).toBe(200);
  });
});
