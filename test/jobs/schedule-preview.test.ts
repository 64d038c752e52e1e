import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";

describe("POST /v1/cron-jobs/{accountId}/schedule/preview", () => {
  let acct: TestAccount;
  const preview = (body: unknown) =>
    api(`/v1/cron-jobs/${acct.accountId}/schedule/preview`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    acct = await createAccount("Preview");
  });

  it("lists the next runs in UTC for the job's timezone, without creating a job", async () => {
    const res = await preview({
      schedule_config: { repeat_type: "days", time: "09:00" },
      timezone: "America/New_York",
      count: 3,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.schedule).toBe("0 9 * * *");
    expect(res.body.data.timezone).toBe("America/New_York");
    const runs = res.body.data.next_runs as string[];
    expect(runs).toHaveLength(3);
    for (const r of runs) {
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: "America/New_York",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(r));
      expect(local).toBe("09:00");
      expect(r).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/);
    }
    expect(Date.parse(runs[0] ?? "")).toBeGreaterThan(Date.now());
    expect(Date.parse(runs[1] ?? "") - Date.parse(runs[0] ?? "")).toBeGreaterThanOrEqual(23 * 3_600_000);
    const list = await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers: acct.headers });
    expect(list.body.data).toEqual([]);
  });

  it("defaults to 5 runs, stops where the schedule ends, takes cron expressions, refuses an ended schedule", async () => {
    const five = await preview({ schedule_config: { cron: "*/15 * * * *" }, timezone: "UTC" });
    expect(five.body.data.next_runs).toHaveLength(5);
    expect(five.body.data.schedule).toBe("*/15 * * * *");
    const after = await preview({
      schedule_config: { repeat_type: "hourly", time: "00:30", end_type: "after", end_occurrences: 2 },
      timezone: "UTC",
      count: 10,
    });
    expect(after.body.data.next_runs).toHaveLength(2);
    const ended = await preview({
      schedule_config: { repeat_type: "days", time: "09:00", end_type: "on", end_date: "2020-01-01" },
      timezone: "UTC",
    });
    // As job creation: a schedule that has already ended is refused, naming the field.
    const p = expectProblem(ended, 400);
    expect(p.errors).toEqual([expect.objectContaining({ field: "schedule_config.end_date" })]);
  });

  it("gives the same field errors as job creation", async () => {
    const res = await preview({
      schedule_config: { repeat_type: "weeks", time: "25:00" },
      timezone: "Mars/Olympus",
      count: 0,
    });
    const p = expectProblem(res, 400);
    expect((p.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(
      ["count", "schedule_config.days_of_week", "schedule_config.time", "timezone"].sort(),
    );
  });

  it("needs credentials", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/schedule/preview`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expectProblem(res, 401);
  });
});
