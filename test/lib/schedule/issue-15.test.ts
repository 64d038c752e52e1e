import { describe, expect, it } from "vitest";
import { runsAfter, schedule } from "./helpers";

/** Replayed bug reports (issue 15, items 1–4): each expected value is worked out by hand in the comment. */

describe("hourly presets agree with the same schedule written as cron (item 1)", () => {
  const tz = "Australia/Lord_Howe"; // +11 in summer, +10:30 in winter; April fall-back 02:00 → 01:30
  // 2026-04-05 02:00 +11 = 2026-04-04T15:00Z. Runs at :10 local: 00:10 (+11) 13:10Z, 01:10 (+11) 14:10Z,
  // 02:10 (+10:30) 15:40Z, 03:10 16:40Z — no run at 01:40 local.
  const expected = [
    "2026-04-04T13:10:00.000Z",
    "2026-04-04T14:10:00.000Z",
    "2026-04-04T15:40:00.000Z",
    "2026-04-04T16:40:00.000Z",
  ];
  for (const anchor of ["2026-01-15T00:00:00Z", "2026-03-15T00:00:00Z", "2025-07-15T00:00:00Z"]) {
    it(`hourly 00:10 in ${tz}, created ${anchor}`, () => {
      const preset = schedule({ repeat_type: "hourly", time: "00:10" }, tz, anchor);
      expect(runsAfter(preset, "2026-04-04T13:00:00Z", 4)).toEqual(expected);
      const cron = schedule({ cron: "10 * * * *" }, tz, anchor);
      expect(runsAfter(cron, "2026-04-04T13:00:00Z", 4)).toEqual(expected);
    });
  }

  it("a minute inside the repeated half hour runs on both passes, as cron does", () => {
    // :40 local: 01:40 (+11) 14:40Z, then 01:40 again (+10:30) 15:10Z, then 02:40 16:10Z.
    const preset = schedule({ repeat_type: "hourly", time: "00:40" }, tz, "2026-01-15T00:00:00Z");
    const cron = schedule({ cron: "40 * * * *" }, tz, "2026-01-15T00:00:00Z");
    const runs = ["2026-04-04T14:40:00.000Z", "2026-04-04T15:10:00.000Z", "2026-04-04T16:10:00.000Z"];
    expect(runsAfter(preset, "2026-04-04T14:00:00Z", 3)).toEqual(runs);
    expect(runsAfter(cron, "2026-04-04T14:00:00Z", 3)).toEqual(runs);
  });

  it("spring-forward (02:00 → 02:30, October): :10 runs at 01:10 then 03:10", () => {
    // 2026-10-04 02:00 +10:30 = 2026-10-03T15:30Z. 01:10 +10:30 = 14:40Z; 03:10 +11 = 16:10Z.
    const preset = schedule({ repeat_type: "hourly", time: "00:10" }, tz, "2026-06-01T00:00:00Z");
    expect(runsAfter(preset, "2026-10-03T14:00:00Z", 2)).toEqual([
      "2026-10-03T14:40:00.000Z",
      "2026-10-03T16:10:00.000Z",
    ]);
  });
});

describe("a DST gap that runs up to local midnight (item 2)", () => {
  const tz = "America/Scoresbysund"; // 2027-03-27 23:00 -02 → 2027-03-28 00:00 -01
  it("daily cron 30 23 runs at the first valid minute, on the next date", () => {
    const s = schedule({ cron: "30 23 * * *" }, tz, "2027-03-01T00:00:00Z");
    expect(runsAfter(s, "2027-03-26T12:00:00Z", 3)).toEqual([
      "2027-03-27T01:30:00.000Z", // Friday 26th 23:30 -02
      "2027-03-28T01:00:00.000Z", // Saturday 27th 23:30 is skipped → Sunday 00:00 -01
      "2027-03-29T00:30:00.000Z", // Sunday 28th 23:30 -01
    ]);
  });

  it("the preset spelling gives the same runs", () => {
    const s = schedule({ repeat_type: "days", time: "23:30" }, tz, "2027-03-01T00:00:00Z");
    expect(runsAfter(s, "2027-03-26T12:00:00Z", 3)).toEqual([
      "2027-03-27T01:30:00.000Z",
      "2027-03-28T01:00:00.000Z",
      "2027-03-29T00:30:00.000Z",
    ]);
  });

  it("a yearly cron on that date runs that night, not a year later", () => {
    const s = schedule({ cron: "30 23 27 3 *" }, tz, "2027-01-01T00:00:00Z");
    expect(runsAfter(s, "2027-01-01T00:00:00Z", 2)).toEqual(["2027-03-28T01:00:00.000Z", "2028-03-28T00:30:00.000Z"]);
  });
});

describe("day-of-month and day-of-week combine exactly as in Vixie cron (item 3)", () => {
  const runs = (expr: string, after: string, n: number) => runsAfter(schedule({ cron: expr }, "UTC", after), after, n);

  it("*/2 in day-of-month starts with * → unrestricted, ANDed: only odd-dated Mondays", () => {
    // June 2026: Mondays are 1, 8, 15, 22, 29 → odd: 1, 15, 29; then July 13, 27.
    expect(runs("0 9 */2 * 1", "2026-05-31T00:00:00Z", 4)).toEqual([
      "2026-06-01T09:00:00.000Z",
      "2026-06-15T09:00:00.000Z",
      "2026-06-29T09:00:00.000Z",
      "2026-07-13T09:00:00.000Z",
    ]);
  });

  it("*/2 in day-of-week ANDs with a restricted day-of-month", () => {
    // Day 13 on Sunday/Tuesday/Thursday/Saturday (0,2,4,6). 2026: Jun 13 Sat, Jul 13 Mon (no), Aug 13 Thu,
    // Sep 13 Sun, Oct 13 Tue.
    expect(runs("0 9 13 * */2", "2026-06-01T00:00:00Z", 4)).toEqual([
      "2026-06-13T09:00:00.000Z",
      "2026-08-13T09:00:00.000Z",
      "2026-09-13T09:00:00.000Z",
      "2026-10-13T09:00:00.000Z",
    ]);
  });

  it("both restricted without a leading * → OR", () => {
    // 1-7/3 = 1, 4, 7; or Friday. June 2026: 1 (Mon), 4 (Thu), 5 (Fri), 7 (Sun), 12 (Fri).
    expect(runs("0 9 1-7/3 * 5", "2026-05-31T00:00:00Z", 5)).toEqual([
      "2026-06-01T09:00:00.000Z",
      "2026-06-04T09:00:00.000Z",
      "2026-06-05T09:00:00.000Z",
      "2026-06-07T09:00:00.000Z",
      "2026-06-12T09:00:00.000Z",
    ]);
  });

  it("a plain * defers to the other field", () => {
    expect(runs("0 9 * * 1", "2026-05-31T00:00:00Z", 2)).toEqual([
      "2026-06-01T09:00:00.000Z",
      "2026-06-08T09:00:00.000Z",
    ]);
    expect(runs("0 9 15 * *", "2026-05-31T00:00:00Z", 2)).toEqual([
      "2026-06-15T09:00:00.000Z",
      "2026-07-15T09:00:00.000Z",
    ]);
  });
});

describe("every fixed-time job keeps the DST rule; interval jobs run by elapsed time (item 4)", () => {
  const ny = "America/New_York"; // 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST
  const cronRuns = (expr: string, after: string, n: number) => runsAfter(schedule({ cron: expr }, ny, after), after, n);

  it("a list of hours runs once in the repeated hour", () => {
    // 01:30 EDT = 05:30Z; the second 01:30 (EST, 06:30Z) is not a run; 13:30 EST = 18:30Z.
    expect(cronRuns("30 1,13 * * *", "2026-11-01T00:00:00Z", 3)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T18:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("a range of hours runs a skipped time at the next valid minute", () => {
    // 02:30 does not exist on 8 March → 03:00 EDT (07:00Z); 03:30 EDT = 07:30Z.
    expect(cronRuns("30 2-3 * * *", "2026-03-08T00:00:00Z", 3)).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("a list of minutes in the gap meets at its end once", () => {
    // 02:00 and 02:30 both fall in the gap → one run at 03:00 EDT (07:00Z).
    expect(cronRuns("0,30 2 * * *", "2026-03-08T00:00:00Z", 2)).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
    ]);
  });

  it("an interval job runs on both passes of the repeated hour and skips the gap", () => {
    expect(cronRuns("10 * * * *", "2026-11-01T05:00:00Z", 3)).toEqual([
      "2026-11-01T05:10:00.000Z", // 01:10 EDT
      "2026-11-01T06:10:00.000Z", // 01:10 EST
      "2026-11-01T07:10:00.000Z", // 02:10 EST
    ]);
    expect(cronRuns("*/30 * * * *", "2026-03-08T06:20:00Z", 3)).toEqual([
      "2026-03-08T06:30:00.000Z", // 01:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT (02:00–02:59 do not exist)
      "2026-03-08T07:30:00.000Z",
    ]);
  });

  it("a step without * is an interval job (as in croner's no-wildcard rule)", () => {
    expect(cronRuns("0 0-23/1 * * *", "2026-11-01T04:30:00Z", 3)).toEqual([
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T07:00:00.000Z",
    ]);
  });
});
