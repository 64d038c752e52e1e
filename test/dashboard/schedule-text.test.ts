/** A job's schedules in words on the jobs list and job page (src/dashboard/client/schedule-text.ts). */
import { describe, expect, it } from "vitest";
import { describeSchedule, listText, scheduleStrings } from "../../src/dashboard/client/schedule-text";
import type { Job } from "../../src/dashboard/client/types";

const job = (schedule_config: Record<string, unknown>, schedule = "0 9 * * *") =>
  ({ schedule_config, schedule }) as unknown as Pick<Job, "schedule_config" | "schedule">;

describe("describeSchedule", () => {
  it("describes each of several cron expressions, in order", () => {
    expect(describeSchedule(job({ cron: ["0 9 * * 1-5", "30 17 * * 0"] }))).toBe(
      "At 09:00, Monday through Friday; At 17:30, only on Sunday",
    );
  });

  it("lists every time of a preset with additional_times", () => {
    expect(describeSchedule(job({ repeat_type: "days", time: "09:00", additional_times: ["12:30", "17:45"] }))).toBe(
      "Every day at 09:00, 12:30 and 17:45",
    );
    expect(
      describeSchedule(
        job({ repeat_type: "weeks", time: "06:00", days_of_week: ["1", "3"], additional_times: ["18:00"] }),
      ),
    ).toBe("Every week on Mon, Wed at 06:00 and 18:00");
    // Hourly: only the minutes count.
    expect(describeSchedule(job({ repeat_type: "hourly", time: "00:15", additional_times: ["00:45"] }))).toBe(
      "Every hour at :15 and :45",
    );
  });

  it("keeps the single-schedule wording", () => {
    expect(describeSchedule(job({ repeat_type: "hourly", time: "00:15" }))).toBe("Every hour at :15");
    expect(describeSchedule(job({ cron: "30 7 * * 1,3" }))).toBe("At 07:30, only on Monday and Wednesday");
    expect(
      describeSchedule(job({ repeat_type: "days", repeat_every: 2, time: "08:00", start_date: "2099-01-15" })),
    ).toBe("Every 2 days at 08:00, from 2099-01-15");
  });
});

describe("scheduleStrings", () => {
  it("is `schedules`, or `schedule` alone when a job lacks it", () => {
    expect(scheduleStrings({ schedule: "0 9 * * *", schedules: ["0 9 * * *", "30 12 * * *"] })).toEqual([
      "0 9 * * *",
      "30 12 * * *",
    ]);
    expect(scheduleStrings({ schedule: "0 9 * * *" })).toEqual(["0 9 * * *"]);
  });

  it("joins a list in words", () => {
    expect([listText([]), listText(["a"]), listText(["a", "b"]), listText(["a", "b", "c"])]).toEqual([
      "",
      "a",
      "a and b",
      "a, b and c",
    ]);
  });
});
