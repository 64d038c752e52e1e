import { describe, expect, it } from "vitest";
import { nextRunAt, nextRuns } from "../../../src/lib/schedule/next-run";
import { nextAfter, runsAfter, schedule } from "./helpers";

const A1CRON_EXAMPLE = { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" } as const;
const daily = (time: string, tz: string) => schedule({ repeat_type: "days", time }, tz, "2025-01-01T00:00:00Z");

describe("the A1Cron example (daily 09:00 America/New_York)", () => {
  const s = schedule(A1CRON_EXAMPLE, "America/New_York", "2025-01-01T00:00:00Z");

  it("runs at 14:00Z in winter (EST) and 13:00Z in summer (EDT)", () => {
    expect(nextAfter(s, "2025-01-15T00:00:00Z")).toBe("2025-01-15T14:00:00.000Z");
    expect(nextAfter(s, "2025-07-15T00:00:00Z")).toBe("2025-07-15T13:00:00.000Z");
  });

  it("moves with the clock change", () => {
    expect(runsAfter(s, "2025-03-07T15:00:00Z", 3)).toEqual([
      "2025-03-08T14:00:00.000Z",
      "2025-03-09T13:00:00.000Z",
      "2025-03-10T13:00:00.000Z",
    ]);
    expect(runsAfter(s, "2025-11-01T00:00:00Z", 2)).toEqual(["2025-11-01T13:00:00.000Z", "2025-11-02T14:00:00.000Z"]);
  });

  it("is strictly after the reference time and on whole minutes", () => {
    expect(nextAfter(s, "2025-01-15T14:00:00Z")).toBe("2025-01-16T14:00:00.000Z");
    expect(nextAfter(s, "2025-01-15T13:59:59.999Z")).toBe("2025-01-15T14:00:00.000Z");
    expect(nextAfter(s, "2025-01-15T14:00:00.001Z")).toBe("2025-01-16T14:00:00.000Z");
  });
});

describe("DST in the job's timezone", () => {
  it.each([
    // [zone, local time, reference, next two runs]
    ["America/New_York", "02:30", "2025-03-08T12:00:00Z", ["2025-03-09T07:00:00.000Z", "2025-03-10T06:30:00.000Z"]],
    ["Europe/London", "01:30", "2025-03-29T12:00:00Z", ["2025-03-30T01:00:00.000Z", "2025-03-31T00:30:00.000Z"]],
    ["Australia/Sydney", "02:30", "2025-10-04T00:00:00Z", ["2025-10-04T16:00:00.000Z", "2025-10-05T15:30:00.000Z"]],
    ["Australia/Adelaide", "02:15", "2025-10-04T00:00:00Z", ["2025-10-04T16:30:00.000Z", "2025-10-05T15:45:00.000Z"]],
    ["Pacific/Chatham", "03:00", "2025-09-27T00:00:00Z", ["2025-09-27T14:00:00.000Z", "2025-09-28T13:15:00.000Z"]],
    ["America/St_Johns", "02:30", "2025-03-08T12:00:00Z", ["2025-03-09T05:30:00.000Z", "2025-03-10T05:00:00.000Z"]],
  ])("%s %s in the spring-forward gap runs at the next valid minute", (tz, time, after, expected) => {
    expect(runsAfter(daily(time, tz), after, 2)).toEqual(expected);
  });

  it.each([
    // [zone, local time, reference, next two runs: the repeated time runs once, at its first occurrence]
    ["America/New_York", "01:30", "2025-11-01T12:00:00Z", ["2025-11-02T05:30:00.000Z", "2025-11-03T06:30:00.000Z"]],
    ["Europe/London", "01:30", "2025-10-25T12:00:00Z", ["2025-10-26T00:30:00.000Z", "2025-10-27T01:30:00.000Z"]],
    ["Australia/Sydney", "02:30", "2025-04-05T00:00:00Z", ["2025-04-05T15:30:00.000Z", "2025-04-06T16:30:00.000Z"]],
    ["Australia/Adelaide", "02:15", "2025-04-05T00:00:00Z", ["2025-04-05T15:45:00.000Z", "2025-04-06T16:45:00.000Z"]],
    ["Pacific/Chatham", "03:00", "2025-04-05T00:00:00Z", ["2025-04-05T13:15:00.000Z", "2025-04-06T14:15:00.000Z"]],
  ])("%s %s in the fall-back overlap runs once", (tz, time, after, expected) => {
    expect(runsAfter(daily(time, tz), after, 2)).toEqual(expected);
  });

  it("does not run the second pass of a repeated time", () => {
    // Just after the first 01:30 (EDT): the second 01:30 (EST, 06:30Z) is not a run.
    expect(nextAfter(daily("01:30", "America/New_York"), "2025-11-02T05:30:00Z")).toBe("2025-11-03T06:30:00.000Z");
  });

  it("handles 30-minute offsets without DST (Asia/Kolkata)", () => {
    expect(runsAfter(daily("09:00", "Asia/Kolkata"), "2025-06-30T12:00:00Z", 2)).toEqual([
      "2025-07-01T03:30:00.000Z",
      "2025-07-02T03:30:00.000Z",
    ]);
  });

  it("uses the local date, not the UTC date, for the run day", () => {
    // 23:30 in Tokyo on 1 March is 14:30Z the same day; in Los Angeles it is 07:30Z the next UTC day.
    expect(nextAfter(daily("23:30", "Asia/Tokyo"), "2025-03-01T00:00:00Z")).toBe("2025-03-01T14:30:00.000Z");
    expect(nextAfter(daily("23:30", "America/Los_Angeles"), "2025-03-01T08:00:00Z")).toBe("2025-03-02T07:30:00.000Z");
  });
});

describe("repeat_every counts periods from the anchor", () => {
  it("every 2 days runs across a month end (not cron's */2 day-of-month)", () => {
    // Anchored on the evening of 30 January in New York (already 31 January in UTC).
    const s = schedule(
      { repeat_type: "days", repeat_every: 2, time: "09:00" },
      "America/New_York",
      "2025-01-31T03:00:00Z",
    );
    expect(runsAfter(s, "2025-01-31T03:00:00Z", 4)).toEqual([
      "2025-02-01T14:00:00.000Z",
      "2025-02-03T14:00:00.000Z",
      "2025-02-05T14:00:00.000Z",
      "2025-02-07T14:00:00.000Z",
    ]);
    expect(runsAfter(s, "2025-02-27T15:00:00Z", 3)).toEqual([
      "2025-03-01T14:00:00.000Z",
      "2025-03-03T14:00:00.000Z",
      "2025-03-05T14:00:00.000Z",
    ]);
  });

  it("every 2 weeks runs the listed days of alternate Sunday-start weeks", () => {
    // Anchored on Wednesday 1 January 2025; its week began Sunday 29 December.
    const s = schedule(
      { repeat_type: "weeks", repeat_every: 2, time: "09:00", days_of_week: ["3", "1"] },
      "UTC",
      "2025-01-01T00:00:00Z",
    );
    expect(runsAfter(s, "2025-01-01T00:00:00Z", 6)).toEqual([
      "2025-01-01T09:00:00.000Z",
      "2025-01-13T09:00:00.000Z",
      "2025-01-15T09:00:00.000Z",
      "2025-01-27T09:00:00.000Z",
      "2025-01-29T09:00:00.000Z",
      "2025-02-10T09:00:00.000Z",
    ]);
  });

  it("weekly on Sunday and Saturday wraps the week correctly", () => {
    const s = schedule(
      { repeat_type: "weeks", time: "12:00", days_of_week: ["6", "0"] },
      "UTC",
      "2025-01-01T00:00:00Z",
    );
    expect(runsAfter(s, "2025-01-01T00:00:00Z", 3)).toEqual([
      "2025-01-04T12:00:00.000Z",
      "2025-01-05T12:00:00.000Z",
      "2025-01-11T12:00:00.000Z",
    ]);
  });

  it("months on day 31 clamp to the month's last day (28/29 in February)", () => {
    const s = schedule(
      { repeat_type: "months", time: "08:00", day_of_month: 31 },
      "Europe/Berlin",
      "2024-01-15T00:00:00Z",
    );
    expect(runsAfter(s, "2024-01-15T00:00:00Z", 5)).toEqual([
      "2024-01-31T07:00:00.000Z",
      "2024-02-29T07:00:00.000Z",
      "2024-03-31T06:00:00.000Z",
      "2024-04-30T06:00:00.000Z",
      "2024-05-31T06:00:00.000Z",
    ]);
    expect(nextAfter(s, "2025-02-01T00:00:00Z")).toBe("2025-02-28T07:00:00.000Z");
  });

  it("every 3 months counts from the anchor's month across a year end; day_of_month defaults to 1", () => {
    const s = schedule({ repeat_type: "months", repeat_every: 3, time: "00:00" }, "UTC", "2024-11-20T00:00:00Z");
    expect(runsAfter(s, "2024-11-20T00:00:00Z", 3)).toEqual([
      "2025-02-01T00:00:00.000Z",
      "2025-05-01T00:00:00.000Z",
      "2025-08-01T00:00:00.000Z",
    ]);
  });

  it("years run in January on day_of_month (default 1), every Nth year from the anchor's", () => {
    const yearly = schedule({ repeat_type: "years", time: "10:00" }, "UTC", "2025-03-10T00:00:00Z");
    expect(runsAfter(yearly, "2025-03-10T00:00:00Z", 2)).toEqual([
      "2026-01-01T10:00:00.000Z",
      "2027-01-01T10:00:00.000Z",
    ]);
    const biennial = schedule(
      { repeat_type: "years", repeat_every: 2, time: "10:00", day_of_month: 15 },
      "Asia/Tokyo",
      "2025-03-10T00:00:00Z",
    );
    expect(runsAfter(biennial, "2025-03-10T00:00:00Z", 2)).toEqual([
      "2027-01-15T01:00:00.000Z",
      "2029-01-15T01:00:00.000Z",
    ]);
  });

  it("hourly N runs every N hours from the anchor's hour, at :MM", () => {
    const s = schedule({ repeat_type: "hourly", repeat_every: 3, time: "00:05" }, "UTC", "2025-01-01T10:20:00Z");
    expect(runsAfter(s, "2025-01-01T10:20:00Z", 3)).toEqual([
      "2025-01-01T13:05:00.000Z",
      "2025-01-01T16:05:00.000Z",
      "2025-01-01T19:05:00.000Z",
    ]);
    // Only the minutes of `time` count.
    const t = schedule({ repeat_type: "hourly", time: "17:45" }, "UTC", "2025-01-01T10:20:00Z");
    expect(nextAfter(t, "2025-01-01T10:20:00Z")).toBe("2025-01-01T10:45:00.000Z");
  });

  it("hourly runs at local :MM in 30- and 45-minute offset zones", () => {
    const kolkata = schedule({ repeat_type: "hourly", time: "00:00" }, "Asia/Kolkata", "2025-01-01T10:20:00Z");
    expect(runsAfter(kolkata, "2025-01-01T10:20:00Z", 2)).toEqual([
      "2025-01-01T10:30:00.000Z",
      "2025-01-01T11:30:00.000Z",
    ]);
    const chatham = schedule(
      { repeat_type: "hourly", repeat_every: 2, time: "00:10" },
      "Pacific/Chatham",
      "2025-01-01T10:20:00Z",
    );
    // 10:20Z is 00:05 local (+13:45): the anchor hour starts at 10:15Z.
    expect(runsAfter(chatham, "2025-01-01T10:20:00Z", 2)).toEqual([
      "2025-01-01T10:25:00.000Z",
      "2025-01-01T12:25:00.000Z",
    ]);
  });

  it("hourly counts absolute hours through DST: a repeated hour runs twice, a skipped one never existed", () => {
    const s = schedule({ repeat_type: "hourly", time: "00:30" }, "America/New_York", "2025-01-01T00:00:00Z");
    expect(runsAfter(s, "2025-11-02T04:00:00Z", 4)).toEqual([
      "2025-11-02T04:30:00.000Z", // 00:30 EDT
      "2025-11-02T05:30:00.000Z", // 01:30 EDT
      "2025-11-02T06:30:00.000Z", // 01:30 EST
      "2025-11-02T07:30:00.000Z", // 02:30 EST
    ]);
    expect(runsAfter(s, "2025-03-09T05:00:00Z", 3)).toEqual([
      "2025-03-09T05:30:00.000Z", // 00:30 EST
      "2025-03-09T06:30:00.000Z", // 01:30 EST
      "2025-03-09T07:30:00.000Z", // 03:30 EDT
    ]);
  });

  it("jumps straight to the current period for a job anchored decades ago", () => {
    // 1 January 1990 was a Monday: every 7 days from it is every Monday.
    const s = schedule(
      { repeat_type: "days", repeat_every: 7, time: "06:00" },
      "Europe/London",
      "1990-01-01T12:00:00Z",
    );
    expect(nextAfter(s, "2030-01-01T00:00:00Z")).toBe("2030-01-07T06:00:00.000Z");
    const w = schedule(
      { repeat_type: "weeks", repeat_every: 1000, time: "06:00", days_of_week: ["1"] },
      "UTC",
      "1990-01-01T00:00:00Z",
    );
    // 1000 weeks after the week of 1 January 1990 starts Sunday 2009-03-01.
    expect(nextAfter(w, "2000-01-01T00:00:00Z")).toBe("2009-03-02T06:00:00.000Z");
  });
});

describe("end_type", () => {
  const base = { repeat_type: "days", time: "23:30" } as const;
  const tz = "America/New_York";

  it("on a bare date: runs through the end of that local day", () => {
    const s = schedule({ ...base, end_type: "on", end_date: "2025-03-10" }, tz, "2025-03-01T00:00:00Z");
    // 23:30 EDT on 10 March is 03:30Z on 11 March, and still counts.
    expect(runsAfter(s, "2025-03-09T12:00:00Z", 5)).toEqual(["2025-03-10T03:30:00.000Z", "2025-03-11T03:30:00.000Z"]);
    expect(nextAfter(s, "2025-03-11T03:30:00Z")).toBeNull();
  });

  it("on a date-time: runs up to and including that instant", () => {
    const at = (end_date: string) => schedule({ ...base, end_type: "on", end_date }, tz, "2025-03-01T00:00:00Z");
    expect(nextAfter(at("2025-03-11T03:30:00Z"), "2025-03-10T12:00:00Z")).toBe("2025-03-11T03:30:00.000Z");
    expect(nextAfter(at("2025-03-10T23:30:00-04:00"), "2025-03-10T12:00:00Z")).toBe("2025-03-11T03:30:00.000Z");
    expect(nextAfter(at("2025-03-11T03:29:59Z"), "2025-03-10T12:00:00Z")).toBeNull();
  });

  it("after N occurrences", () => {
    const s = schedule({ ...base, end_type: "after", end_occurrences: 3 }, tz, "2025-03-01T00:00:00Z");
    expect(runsAfter(s, "2025-03-01T00:00:00Z", 10)).toHaveLength(3);
    expect(runsAfter(s, "2025-03-01T00:00:00Z", 10, 1)).toHaveLength(2);
    expect(nextAfter(s, "2025-03-01T00:00:00Z", 2)).toBe("2025-03-01T04:30:00.000Z");
    expect(nextAfter(s, "2025-03-01T00:00:00Z", 3)).toBeNull();
    expect(nextAfter(s, "2025-03-01T00:00:00Z", 7)).toBeNull();
  });

  it("never ends by default", () => {
    const s = schedule(base, tz, "2025-03-01T00:00:00Z");
    expect(nextAfter(s, "2099-06-01T00:00:00Z", 1_000_000)).toBe("2099-06-01T03:30:00.000Z");
  });
});

describe("raw cron", () => {
  const cron = (expr: string, tz: string, extra = {}) => schedule({ cron: expr, ...extra }, tz, "2025-01-01T00:00:00Z");

  it("runs in the job's timezone", () => {
    // Friday 10 January 2025, after 09:00 New York: the next weekday run is Monday.
    expect(nextAfter(cron("0 9 * * 1-5", "America/New_York"), "2025-01-10T15:00:00Z")).toBe("2025-01-13T14:00:00.000Z");
    expect(nextAfter(cron("0 9 * * 1-5", "America/New_York"), "2025-07-10T12:00:00Z")).toBe("2025-07-10T13:00:00.000Z");
    expect(nextAfter(cron("15 9 * * *", "Asia/Kolkata"), "2025-07-10T00:00:00Z")).toBe("2025-07-10T03:45:00.000Z");
  });

  it("is strictly after the reference time", () => {
    const s = cron("*/15 * * * *", "UTC");
    expect(runsAfter(s, "2025-01-01T00:15:00Z", 2)).toEqual(["2025-01-01T00:30:00.000Z", "2025-01-01T00:45:00.000Z"]);
    expect(nextAfter(s, "2025-01-01T00:14:59.999Z")).toBe("2025-01-01T00:15:00.000Z");
  });

  it("fixed-time jobs follow the gap/overlap rule; interval jobs run every real hour", () => {
    expect(nextAfter(cron("30 2 * * *", "America/New_York"), "2025-03-08T12:00:00Z")).toBe("2025-03-09T07:00:00.000Z");
    expect(runsAfter(cron("30 1 * * *", "America/New_York"), "2025-11-01T12:00:00Z", 2)).toEqual([
      "2025-11-02T05:30:00.000Z",
      "2025-11-03T06:30:00.000Z",
    ]);
    expect(runsAfter(cron("30 * * * *", "America/New_York"), "2025-11-02T05:00:00Z", 2)).toEqual([
      "2025-11-02T05:30:00.000Z",
      "2025-11-02T06:30:00.000Z",
    ]);
  });

  it("combines restricted day-of-month and day-of-week with OR (Vixie cron); + asks for AND", () => {
    expect(nextAfter(cron("0 12 1 * 1", "UTC"), "2025-01-01T13:00:00Z")).toBe("2025-01-06T12:00:00.000Z");
    expect(nextAfter(cron("0 12 1 * +1", "UTC"), "2025-01-01T13:00:00Z")).toBe("2025-09-01T12:00:00.000Z");
    expect(nextAfter(cron("0 12 * * 1", "UTC"), "2025-01-01T13:00:00Z")).toBe("2025-01-06T12:00:00.000Z");
  });

  it("honours end conditions", () => {
    const s = cron("0 * * * *", "UTC", { end_type: "after", end_occurrences: 2 });
    expect(runsAfter(s, "2025-01-01T00:00:00Z", 5)).toEqual(["2025-01-01T01:00:00.000Z", "2025-01-01T02:00:00.000Z"]);
    const e = cron("0 0 * * *", "Asia/Tokyo", { end_type: "on", end_date: "2025-01-03" });
    expect(runsAfter(e, "2025-01-01T00:00:00Z", 5)).toEqual(["2025-01-01T15:00:00.000Z", "2025-01-02T15:00:00.000Z"]);
  });
});

describe("nextRuns", () => {
  it("chains nextRunAt and returns nothing for n = 0", () => {
    const s = daily("09:00", "Europe/Berlin");
    const runs = nextRuns(s, Date.parse("2025-03-28T00:00:00Z"), 4);
    expect(runs).toHaveLength(4);
    let after = Date.parse("2025-03-28T00:00:00Z");
    for (const run of runs) {
      expect(run).toBe(nextRunAt(s, after));
      after = run;
    }
    expect(nextRuns(s, after, 0)).toEqual([]);
  });
});
