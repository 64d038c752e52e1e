import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCronStrings } from "../../../src/lib/schedule/cron-string";
import { nextRuns } from "../../../src/lib/schedule/next-run";
import type { ScheduleConfig } from "../../../src/lib/schedule/schema";
import type { ConfigInput } from "./helpers";
import { iso, schedule } from "./helpers";
import { refCronNext, refNextRun, refTransitions } from "./reference";

/**
 * Several schedules per job (a `cron` list, or `time` plus `additional_times`): the runs are the union of each
 * schedule's runs, an instant two share once, and each schedule keeps its own DST rule. The reference walks each
 * schedule by brute force (reference.ts) and merges: the next union run is the earliest of their next runs.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/Berlin",
  "Australia/Sydney",
  "Australia/Lord_Howe", // a 30-minute shift
  "America/St_Johns",
  "Asia/Kolkata",
];

const pad = (n: number) => String(n).padStart(2, "0");
// The small hours hold the DST changes: bias towards them.
const hourArb = fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(1, 2, 3));
const minuteArb = fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 30));
const timeArb = fc.tuple(hourArb, minuteArb).map(([h, m]) => `${pad(h)}:${pad(m)}`);

/** Fixed-time expressions (the presets' DST rule) and interval ones (elapsed time), mixed in one list. */
const cronArb = fc.oneof(
  fc.tuple(minuteArb, hourArb).map(([m, h]) => `${m} ${h} * * *`),
  fc.tuple(minuteArb, hourArb, hourArb).map(([m, a, b]) => `${m} ${Math.min(a, b)},${Math.max(a, b)} * * *`),
  fc.tuple(minuteArb, hourArb).map(([m, h]) => `${m} ${h} * * 1-5`),
  fc.constantFrom("*/30 * * * *", "15 */2 * * *", "0 * * * *", "*/20 1-3 * * *", "45 2 * * 0"),
);

const cronListArb = fc.uniqueArray(cronArb, { minLength: 1, maxLength: 4 });

const presetArb = fc
  .record({
    repeat_type: fc.constantFrom("hourly", "days", "weeks"),
    times: fc.uniqueArray(timeArb, { minLength: 2, maxLength: 4 }),
    days_of_week: fc.uniqueArray(fc.constantFrom("0", "1", "3", "6"), { minLength: 1, maxLength: 3 }),
  })
  .map(({ repeat_type, times, days_of_week }): ConfigInput => {
    const [time, ...additional_times] = times as [string, ...string[]];
    const base = { repeat_type, time, additional_times } as ConfigInput;
    return repeat_type === "weeks" ? { ...base, days_of_week } : base;
  });

/** A reference time a few hours before one of the zone's DST changes, or anywhere in 2026–2028. */
const caseArb = fc
  .record({
    config: fc.oneof(
      cronListArb.map((cron): ConfigInput => ({ cron })),
      presetArb,
    ),
    tz: fc.constantFrom(...ZONES),
  })
  .chain((c) => {
    const changes = refTransitions(c.tz).filter((t) => t > Date.UTC(2026, 0, 1) && t < Date.UTC(2029, 0, 1));
    const near =
      changes.length === 0
        ? fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2029, 0, 1) })
        : fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -30 * HOUR, max: 2 * HOUR })).map(([t, d]) => t + d);
    const anywhere = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2029, 0, 1) });
    return fc.oneof(near, anywhere).map((after) => ({ ...c, after }));
  });

/** Each member schedule's brute-force next run after `after`. */
function memberSteppers(
  config: ScheduleConfig,
  tz: string,
  anchor: number,
): Array<(after: number) => number | undefined> {
  if (config.cron !== undefined) {
    const list = typeof config.cron === "string" ? [config.cron] : config.cron;
    return list.map((expr) => (after) => refCronNext(expr, tz, after, 20));
  }
  const times = [config.time as string, ...(config.additional_times ?? [])];
  return times.map(
    (time) => (after) => refNextRun({ ...config, time, additional_times: undefined }, tz, anchor, after, 20),
  );
}

function refUnionRuns(config: ScheduleConfig, tz: string, anchor: number, after: number, n: number): number[] {
  const members = memberSteppers(config, tz, anchor);
  const out: number[] = [];
  let t = after;
  while (out.length < n) {
    const next = members.map((m) => m(t)).filter((r): r is number => r !== undefined);
    if (next.length === 0) break;
    t = Math.min(...next);
    out.push(t);
  }
  return out;
}

const show = (c: { config: ConfigInput; tz: string; after: number }) =>
  `${JSON.stringify(c.config)} ${c.tz} after=${iso(c.after)}`;

describe("several schedules per job, property-based", () => {
  it("runs at the union of the schedules' runs, each instant once, across DST changes", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const anchor = Date.UTC(2025, 11, 1);
        const s = schedule(c.config, c.tz, anchor);
        const runs = nextRuns(s, c.after, 8);
        expect(runs.map(iso), show(c)).toEqual(refUnionRuns(s.config, c.tz, anchor, c.after, 8).map(iso));
        for (let i = 1; i < runs.length; i++) expect(runs[i] as number).toBeGreaterThan(runs[i - 1] as number);
      }),
      { numRuns: 250 },
    );
  });

  it("end_occurrences counts runs of the union", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 7 }), (c, total, done) => {
        const anchor = Date.UTC(2025, 11, 1);
        const unbounded = nextRuns(schedule(c.config, c.tz, anchor), c.after, 10);
        const ending = schedule({ ...c.config, end_type: "after", end_occurrences: total }, c.tz, anchor);
        expect(nextRuns(ending, c.after, 10, done)).toEqual(unbounded.slice(0, Math.max(0, total - done)));
      }),
      { numRuns: 60 },
    );
  });

  it("lists every schedule as a cron string, the first being A1Cron's `schedule`", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = schedule(c.config, c.tz, 0);
        const strings = toCronStrings(s.config, c.tz);
        const count =
          s.config.cron !== undefined ? [s.config.cron].flat().length : 1 + (s.config.additional_times?.length ?? 0);
        expect(strings).toHaveLength(count);
      }),
      { numRuns: 50 },
    );
  });
});

describe("several schedules per job, examples", () => {
  it("an instant two expressions share runs once", () => {
    const s = schedule({ cron: ["0 9 * * *", "0 9 * * 1-5", "30 17 * * *"] }, "UTC", 0);
    expect(nextRuns(s, Date.UTC(2026, 11, 7), 4).map(iso)).toEqual([
      "2026-12-07T09:00:00.000Z",
      "2026-12-07T17:30:00.000Z",
      "2026-12-08T09:00:00.000Z",
      "2026-12-08T17:30:00.000Z",
    ]);
  });

  it("additional_times run each day at every listed local time, DST included", () => {
    const s = schedule({ repeat_type: "days", time: "09:00", additional_times: ["17:30"] }, "Europe/Berlin", 0);
    // 2026-03-29: Berlin moves from +01:00 to +02:00.
    expect(nextRuns(s, Date.UTC(2026, 2, 28, 12), 4).map(iso)).toEqual([
      "2026-03-28T16:30:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-29T15:30:00.000Z",
      "2026-03-30T07:00:00.000Z",
    ]);
    expect(toCronStrings(s.config, "Europe/Berlin")).toEqual(["0 9 * * *", "30 17 * * *"]);
  });

  it("a fixed-time and an interval expression keep their own DST rules in one list", () => {
    // New York, 2026-11-01 01:00–02:00 repeats: `30 1 * * *` runs once, `*/30 1 * * *` (interval) at both passes.
    const s = schedule({ cron: ["30 1 * * *", "*/30 1 * * *"] }, "America/New_York", 0);
    const runs = nextRuns(s, Date.UTC(2026, 10, 1, 4), 4).map(iso);
    expect(runs).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
    ]);
  });
});
