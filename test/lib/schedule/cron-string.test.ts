import { describe, expect, it } from "vitest";
import { toCronString } from "../../../src/lib/schedule/cron-string";
import { ScheduleConfigSchema } from "../../../src/lib/schedule/schema";
import type { ConfigInput } from "./helpers";

const cron = (config: ConfigInput) => toCronString(ScheduleConfigSchema.parse(config));

describe("toCronString", () => {
  it.each<[ConfigInput, string]>([
    [{ repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" }, "0 9 * * *"],
    [{ repeat_type: "days", repeat_every: 3, time: "18:05" }, "5 18 */3 * *"],
    [{ repeat_type: "hourly", time: "00:15" }, "15 * * * *"],
    [{ repeat_type: "hourly", repeat_every: 4, time: "23:45" }, "45 */4 * * *"],
    [{ repeat_type: "weeks", time: "07:30", days_of_week: ["3", "1", "5"] }, "30 7 * * 1,3,5"],
    [{ repeat_type: "weeks", repeat_every: 2, time: "00:00", days_of_week: ["0"] }, "0 0 * * 0"],
    [{ repeat_type: "months", time: "12:00" }, "0 12 1 * *"],
    [{ repeat_type: "months", time: "12:00", day_of_month: 31 }, "0 12 31 * *"],
    [{ repeat_type: "months", repeat_every: 6, time: "12:00", day_of_month: 15 }, "0 12 15 */6 *"],
    [{ repeat_type: "years", time: "06:00" }, "0 6 1 1 *"],
    [{ repeat_type: "years", repeat_every: 2, time: "06:00", day_of_month: 20 }, "0 6 20 1 *"],
    [{ cron: "  */5   9-17 * *\t1-5 " }, "*/5 9-17 * * 1-5"],
  ])("%j → %s", (config, expected) => {
    expect(cron(config)).toBe(expected);
  });
});
