import { describe, expect, it } from "vitest";
import { ScheduleConfigSchema } from "../../../src/lib/schedule/schema";

/** The issue paths (dotted) of a rejected config. */
function paths(input: unknown): string[] {
  const result = ScheduleConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" ? issue.keys : [issue.path.map(String).join(".")],
  );
}

const daily = { repeat_type: "days", time: "09:00" };

describe("ScheduleConfigSchema: valid configs", () => {
  it("accepts the A1Cron example and fills defaults", () => {
    expect(
      ScheduleConfigSchema.parse({ repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" }),
    ).toEqual({ repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" });
    expect(ScheduleConfigSchema.parse(daily)).toEqual({ ...daily, repeat_every: 1, end_type: "never" });
  });

  it.each([
    { repeat_type: "hourly", repeat_every: 6, time: "00:30" },
    { repeat_type: "weeks", repeat_every: 2, time: "23:59", days_of_week: ["0", "6"] },
    { repeat_type: "months", time: "00:00", day_of_month: 31, end_type: "after", end_occurrences: 12 },
    { repeat_type: "years", repeat_every: 1000, time: "12:00", end_type: "on", end_date: "2030-12-31" },
    { ...daily, end_type: "on", end_date: "2030-12-31T23:59:59+05:30" },
    { ...daily, days_of_week: [] },
    { cron: "*/15 9-17 * * 1-5" },
    { cron: "0 12 L * *", end_type: "after", end_occurrences: 1 },
    { cron: "0 9 * * MON-FRI" },
  ])("accepts %j", (config) => {
    expect(paths(config)).toEqual([]);
  });
});

describe("ScheduleConfigSchema: every error names its field", () => {
  it.each<[string, unknown, string[]]>([
    ["missing days_of_week for weeks", { repeat_type: "weeks", time: "09:00" }, ["days_of_week"]],
    ["empty days_of_week for weeks", { repeat_type: "weeks", time: "09:00", days_of_week: [] }, ["days_of_week"]],
    ["days_of_week out of range", { repeat_type: "weeks", time: "09:00", days_of_week: ["7"] }, ["days_of_week.0"]],
    ["repeated days_of_week", { repeat_type: "weeks", time: "09:00", days_of_week: ["1", "1"] }, ["days_of_week"]],
    ["days_of_week for days", { ...daily, days_of_week: ["1"] }, ["days_of_week"]],
    ["time 24:00", { ...daily, time: "24:00" }, ["time"]],
    ["time 9:00", { ...daily, time: "9:00" }, ["time"]],
    ["time 09:60", { ...daily, time: "09:60" }, ["time"]],
    ["time 09:00:00", { ...daily, time: "09:00:00" }, ["time"]],
    ["missing time", { repeat_type: "days" }, ["time"]],
    ["missing time for hourly", { repeat_type: "hourly" }, ["time"]],
    ["unknown key", { ...daily, start_time: "2025-01-01" }, ["start_time"]],
    ["bad repeat_type", { ...daily, repeat_type: "minutes" }, ["repeat_type"]],
    ["repeat_every 0", { ...daily, repeat_every: 0 }, ["repeat_every"]],
    ["repeat_every 1.5", { ...daily, repeat_every: 1.5 }, ["repeat_every"]],
    ["repeat_every 1001", { ...daily, repeat_every: 1001 }, ["repeat_every"]],
    ["repeat_every as string", { ...daily, repeat_every: "2" }, ["repeat_every"]],
    ["day_of_month 0", { repeat_type: "months", time: "09:00", day_of_month: 0 }, ["day_of_month"]],
    ["day_of_month 32", { repeat_type: "months", time: "09:00", day_of_month: 32 }, ["day_of_month"]],
    ["day_of_month for days", { ...daily, day_of_month: 5 }, ["day_of_month"]],
    ["neither repeat_type nor cron", { time: "09:00" }, ["repeat_type"]],
    ["both cron and repeat_type", { ...daily, cron: "0 9 * * *" }, ["cron", "time"]],
    ["repeat_every with cron", { cron: "0 9 * * *", repeat_every: 2 }, ["repeat_every"]],
    ["invalid cron", { cron: "61 * * * *" }, ["cron"]],
    ["cron with seconds", { cron: "0 0 9 * * *" }, ["cron"]],
    ["cron nickname", { cron: "@daily" }, ["cron"]],
    ["cron with 4 fields", { cron: "0 9 * *" }, ["cron"]],
    ["cron that never matches", { cron: "0 0 30 2 *" }, ["cron"]],
    ["bad end_type", { ...daily, end_type: "sometime" }, ["end_type"]],
    ["end_type on without end_date", { ...daily, end_type: "on" }, ["end_date"]],
    ["unparseable end_date", { ...daily, end_type: "on", end_date: "31/12/2025" }, ["end_date"]],
    ["impossible end_date", { ...daily, end_type: "on", end_date: "2025-02-30" }, ["end_date"]],
    ["end_date without offset", { ...daily, end_type: "on", end_date: "2025-12-31T10:00:00" }, ["end_date"]],
    ["end_date with end_type never", { ...daily, end_date: "2025-12-31" }, ["end_date"]],
    ["end_type after without end_occurrences", { ...daily, end_type: "after" }, ["end_occurrences"]],
    ["end_occurrences 0", { ...daily, end_type: "after", end_occurrences: 0 }, ["end_occurrences"]],
    [
      "end_occurrences with end_type on",
      { ...daily, end_type: "on", end_date: "2030-01-01", end_occurrences: 3 },
      ["end_occurrences"],
    ],
  ])("%s", (_, input, expected) => {
    expect(paths(input)).toEqual(expected);
  });

  it("rejects non-objects at the root", () => {
    expect(paths(null)).toEqual([""]);
    expect(paths(["days"])).toEqual([""]);
  });
});
