import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { accountApi, createCalendar, createWindow, fieldsOf, type Json, readOnlyHeaders } from "./support";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const preview = (body: Json, headers?: Record<string, string>) =>
  accountApi(acct, "/schedule/preview", { method: "POST", body, ...(headers ? { headers } : {}) });

/** Local date (YYYY-MM-DD) of an instant in Europe/Berlin. */
const berlinDate = (iso: string) => new Date(iso).toLocaleDateString("sv-SE", { timeZone: "Europe/Berlin" });

describe("schedule preview with exclusions", () => {
  it("lists excluded instants with their reason, and the runs left (read-only keys too)", async () => {
    // Daily 09:00 Berlin; the calendar excludes the next two local days.
    const day = (n: number) =>
      new Date(Date.now() + n * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Europe/Berlin" });
    const cal = await createCalendar(acct, { name: "Days off", timezone: "Europe/Berlin", dates: [day(1), day(2)] });
    const res = await preview(
      {
        schedule_config: { repeat_type: "days", time: "09:00", exclude_calendars: [cal.id] },
        timezone: "Europe/Berlin",
        count: 3,
      },
      await readOnlyHeaders(acct),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { next_runs, excluded_runs } = res.body.data;
    expect(next_runs).toHaveLength(3);
    expect(excluded_runs.map((e: Json) => berlinDate(e.at))).toEqual([day(1), day(2)]);
    for (const e of excluded_runs)
      expect(e).toMatchObject({ reason: "calendar", calendar_id: cal.id, window_id: null });
    for (const r of next_runs) expect([day(1), day(2)]).not.toContain(berlinDate(r));
  });

  it("applies skip windows scoped by the tags sent", async () => {
    const start = new Date(Date.now() + 3_600_000);
    start.setUTCMinutes(0, 0, 0);
    const win = await createWindow(acct, {
      action: "skip",
      tags: ["db"],
      start: start.toISOString(),
      end: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
    });
    const body = { schedule_config: { cron: "30 * * * *" }, timezone: "UTC", count: 2 };
    const plain = await preview(body);
    expect(plain.body.data.excluded_runs).toEqual([]);
    const tagged = await preview({ ...body, tags: ["db"] });
    expect(tagged.body.data.excluded_runs.map((e: Json) => [e.reason, e.window_id])).toEqual([
      ["maintenance", win.id],
      ["maintenance", win.id],
      ["maintenance", win.id],
    ]);
    const end = start.getTime() + 3 * 3_600_000;
    const runs = (tagged.body.data.next_runs as string[]).map(Date.parse);
    for (const r of runs) expect(r < start.getTime() || r >= end).toBe(true);
    expect(runs[runs.length - 1]).toBeGreaterThan(end);
  });

  it("refuses unknown calendars by field", async () => {
    const res = await preview({
      schedule_config: {
        repeat_type: "days",
        time: "09:00",
        exclude_calendars: ["550e8400-e29b-41d4-a716-446655440000"],
      },
      timezone: "UTC",
    });
    expect(fieldsOf(expectProblem(res, 400))).toEqual(["schedule_config.exclude_calendars.0"]);
  });
});
