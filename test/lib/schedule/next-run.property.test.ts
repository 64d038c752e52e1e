import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cronError } from "../../../src/lib/schedule/cron";
import { nextRunAt, nextRuns } from "../../../src/lib/schedule/next-run";
import type { ConfigInput } from "./helpers";
import { iso, schedule } from "./helpers";
import { refCron, refCronNext, refNextRun, refToUtc, refTransitions, refWall } from "./reference";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const ZONES = [
  "UTC",
  "America/New_York",
  "America/Los_Angeles",
  "America/St_Johns", // -3:30 / -2:30
  "America/Santiago", // DST changes at local midnight
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata", // +5:30, no DST
  "Asia/Tokyo",
  "Australia/Sydney", // southern hemisphere: DST October–April
  "Australia/Adelaide", // +9:30 / +10:30
  "Pacific/Chatham", // +12:45 / +13:45
  "Australia/Lord_Howe", // +10:30 / +11: a 30-minute shift
  "America/Scoresbysund", // from 2027 its spring-forward gap runs up to local midnight
];

const pad = (n: number) => String(n).padStart(2, "0");
// Bias towards the small hours (where DST changes happen) and round minutes, but cover everything.
const timeArb = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 1, 2, 3, 23)),
    fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 15, 30, 45, 59)),
  )
  .map(([h, m]) => `${pad(h)}:${pad(m)}`);
const dayOfMonthArb = fc.option(fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(28, 29, 30, 31)), {
  nil: undefined,
});
const weekdaysArb = fc.uniqueArray(fc.constantFrom("0", "1", "2", "3", "4", "5", "6"), { minLength: 1, maxLength: 7 });

const configArb: fc.Arbitrary<ConfigInput> = fc.oneof(
  fc.record({
    repeat_type: fc.constant("hourly" as const),
    repeat_every: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(24, 25)),
    time: timeArb,
  }),
  fc.record({
    repeat_type: fc.constant("days" as const),
    repeat_every: fc.integer({ min: 1, max: 10 }),
    time: timeArb,
  }),
  fc.record({
    repeat_type: fc.constant("weeks" as const),
    repeat_every: fc.integer({ min: 1, max: 4 }),
    time: timeArb,
    days_of_week: weekdaysArb,
  }),
  fc.record(
    {
      repeat_type: fc.constant("months" as const),
      repeat_every: fc.integer({ min: 1, max: 14 }),
      time: timeArb,
      day_of_month: dayOfMonthArb,
    },
    { requiredKeys: ["repeat_type", "repeat_every", "time"] },
  ),
  fc.record(
    {
      repeat_type: fc.constant("years" as const),
      repeat_every: fc.integer({ min: 1, max: 3 }),
      time: timeArb,
      day_of_month: dayOfMonthArb,
    },
    { requiredKeys: ["repeat_type", "repeat_every", "time"] },
  ),
);

const anchorArb = fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2027, 0, 1) });
// Reference times: anywhere in the next few years, or near the DST seasons (March/April, September–November).
const afterArb = (anchor: number) =>
  fc.oneof(
    fc.integer({ min: anchor, max: anchor + 3 * 366 * DAY }),
    fc
      .record({
        year: fc.integer({ min: 2020, max: 2029 }),
        month: fc.constantFrom(2, 3, 8, 9, 10),
        day: fc.integer({ min: 0, max: 31 }),
        minute: fc.integer({ min: 0, max: DAY / MIN - 1 }),
        ms: fc.integer({ min: 0, max: MIN - 1 }),
      })
      .map(({ year, month, day, minute, ms }) => Date.UTC(year, month, day) + minute * MIN + ms),
  );

const caseArb = fc
  .record({ config: configArb, tz: fc.constantFrom(...ZONES), anchor: anchorArb })
  .chain((c) => afterArb(c.anchor).map((after) => ({ ...c, after })));

/** Days the brute-force walk needs to be sure to reach the next run. */
function horizonDays(c: ConfigInput): number {
  const n = c.repeat_every ?? 1;
  switch (c.repeat_type) {
    case "hourly":
      return Math.ceil(n / 24) + 1;
    case "days":
      return n + 5;
    case "weeks":
      return 7 * n + 10;
    case "months":
      return 31 * n + 40;
    default:
      return 366 * n + 40;
  }
}

const describeCase = ({
  config,
  tz,
  anchor,
  after,
}: {
  config: ConfigInput;
  tz: string;
  anchor: number;
  after: number;
}) => `${JSON.stringify(config)} ${tz} anchor=${iso(anchor)} after=${iso(after)}`;

describe("nextRunAt, property-based", () => {
  it("equals a brute-force walk over local days/minutes (never skips a valid run)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = schedule(c.config, c.tz, c.anchor);
        const expected = refNextRun(s.config, c.tz, c.anchor, c.after, horizonDays(c.config));
        expect(expected, `reference found no run: ${describeCase(c)}`).toBeDefined();
        expect(iso(nextRunAt(s, c.after)), describeCase(c)).toBe(iso(expected));
      }),
      { numRuns: 400 },
    );
  });

  it("is strictly after the reference time, on a whole minute, at the local HH:MM (or just after a gap)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = schedule(c.config, c.tz, c.anchor);
        const run = nextRunAt(s, c.after);
        if (run === null) throw new Error(`no run: ${describeCase(c)}`);
        expect(run).toBeGreaterThan(c.after);
        expect(run % MIN).toBe(0);
        const [hh, mm] = (s.config.time ?? "").split(":").map(Number) as [number, number];
        const local = refWall(c.tz, run);
        const atTime =
          Math.floor(local / MIN) % 60 === mm &&
          (c.config.repeat_type === "hourly" || Math.floor(local / HOUR) % 24 === hh);
        if (!atTime) {
          // Gap rule: the planned wall time fell between the minute before the run and the run itself.
          const before = refWall(c.tz, run - MIN);
          const planned = [before, local].map((w) => Math.floor(w / DAY) * DAY + hh * HOUR + mm * MIN);
          expect(
            planned.some((w) => before < w && w < local),
            `not at ${s.config.time} local: ${iso(run)} (${iso(local)} local) ${describeCase(c)}`,
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("nextRuns is strictly increasing and chains nextRunAt", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = schedule(c.config, c.tz, c.anchor);
        const runs = nextRuns(s, c.after, 6);
        expect(runs).toHaveLength(6);
        let prev = c.after;
        for (const run of runs) {
          expect(run).toBe(nextRunAt(s, prev));
          expect(run).toBeGreaterThan(prev);
          prev = run;
        }
      }),
      { numRuns: 150 },
    );
  });

  it("end_type after stops after end_occurrences runs in total", () => {
    const arb = fc.record({
      c: caseArb,
      total: fc.integer({ min: 1, max: 8 }),
      done: fc.integer({ min: 0, max: 10 }),
    });
    fc.assert(
      fc.property(arb, ({ c, total, done }) => {
        const s = schedule({ ...c.config, end_type: "after", end_occurrences: total }, c.tz, c.anchor);
        const unbounded = nextRuns(schedule(c.config, c.tz, c.anchor), c.after, 10);
        expect(nextRuns(s, c.after, 10, done)).toEqual(unbounded.slice(0, Math.max(0, total - done)));
      }),
      { numRuns: 100 },
    );
  });

  it("end_type on keeps exactly the runs up to end_date (a bare date ends with its local day)", () => {
    const arb = fc.record({ c: caseArb, days: fc.integer({ min: -2, max: 120 }), bare: fc.boolean() });
    fc.assert(
      fc.property(arb, ({ c, days, bare }) => {
        const endWall = Math.floor(refWall(c.tz, c.after) / DAY + days) * DAY;
        const date = new Date(endWall).toISOString().slice(0, 10);
        const endDate = bare ? date : `${date}T12:34:00+05:30`;
        const last = bare ? refToUtc(c.tz, endWall + DAY) - 1 : Date.parse(endDate);
        const s = schedule({ ...c.config, end_type: "on", end_date: endDate }, c.tz, c.anchor);
        const unbounded = nextRuns(schedule(c.config, c.tz, c.anchor), c.after, 8);
        expect(nextRuns(s, c.after, 8).map(iso)).toEqual(unbounded.filter((t) => t <= last).map(iso));
      }),
      { numRuns: 100 },
    );
  });
});

describe("nextRunAt around real DST transitions", () => {
  const DST_ZONES = ZONES.filter((tz) => refTransitions(tz).length > 0);
  // A transition, a reference time up to two days before it, and a run time within an hour of its gap/overlap.
  const dstCaseArb = fc
    .record({
      tz: fc.constantFrom(...DST_ZONES),
      pick: fc.nat(),
      lead: fc.integer({ min: 0, max: 2 * DAY }),
      around: fc.integer({ min: -90, max: 90 }),
      kind: fc.constantFrom("days", "weeks", "hourly"),
      anchorDaysBefore: fc.integer({ min: 0, max: 400 }),
    })
    .map(({ tz, pick, lead, around, kind, anchorDaysBefore }) => {
      const transitions = refTransitions(tz);
      const t = transitions[pick % transitions.length] as number;
      const local = new Date(refWall(tz, t - MIN) + MIN + around * MIN);
      const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
      const config: ConfigInput =
        kind === "weeks"
          ? { repeat_type: "weeks", time, days_of_week: ["0", "1", "2", "3", "4", "5", "6"] }
          : { repeat_type: kind, time };
      return { config, tz, anchor: t - lead - anchorDaysBefore * DAY, after: t - lead };
    });

  it("matches the brute-force reference and the gap/overlap rules", () => {
    fc.assert(
      fc.property(dstCaseArb, (c) => {
        const s = schedule(c.config, c.tz, c.anchor);
        const runs = nextRuns(s, c.after, 4);
        let prev = c.after;
        for (const run of runs) {
          const expected = refNextRun(s.config, c.tz, c.anchor, prev, horizonDays(c.config));
          expect(iso(run), `after ${iso(prev)}: ${describeCase(c)}`).toBe(iso(expected));
          prev = run;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("raw cron, property-based", () => {
  // Day-of-month/day-of-week forms Vixie cron treats differently: a leading `*` (with or without a step) makes
  // the field unrestricted and the pair ANDed; otherwise the pair is ORed.
  const fields = {
    minute: ["0", "30", "*/15", "5,35", "59", "10-20/5"],
    hour: ["*", "0", "2", "9-17", "*/6", "1,13", "2-3"],
    dom: ["*", "1", "15", "31", "*/2", "*/10", "1-15/7", "2-30/14", "10-20", "1,31"],
    month: ["*", "*", "*", "1-6", "*/3", "2"],
    dow: ["*", "1-5", "0,6", "3", "*/2", "*/3", "1-5/2", "7", "0-6/4"],
  };
  const cronArb = fc.record({
    minute: fc.constantFrom(...fields.minute),
    hour: fc.constantFrom(...fields.hour),
    dom: fc.constantFrom(...fields.dom),
    month: fc.constantFrom(...fields.month),
    dow: fc.constantFrom(...fields.dow),
    tz: fc.constantFrom(...ZONES),
    after: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
  });

  it("equals a brute-force reference (Vixie day-of-month/day-of-week rule, DST rules by job kind)", () => {
    fc.assert(
      fc.property(cronArb, ({ minute, hour, dom, month, dow, tz, after }) => {
        // A single month with restricted days can be years away: only fixed-time jobs (a day walk) get one.
        const fixed = refCron(`${minute} ${hour} * * *`).fixed;
        const expr = `${minute} ${hour} ${dom} ${fixed || month !== "2" ? month : "*"} ${dow}`;
        fc.pre(cronError(expr) === null); // 31 February never comes
        const s = schedule({ cron: expr }, tz, after);
        let prev = after;
        for (const run of nextRuns(s, after, 2)) {
          const expected = refCronNext(expr, tz, prev, fixed ? 366 * 12 : 800);
          expect(iso(run), `${expr} ${tz} after ${iso(prev)}`).toBe(iso(expected));
          prev = run;
        }
      }),
      { numRuns: 120 },
    );
  });

  it("an interval job's next run equals a minute-by-minute walk", () => {
    const arb = fc.record({
      minute: fc.constantFrom(...fields.minute),
      hour: fc.constantFrom("*", "*/6", "*/2", "9-17/4"),
      tz: fc.constantFrom(...ZONES),
      after: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
    });
    fc.assert(
      fc.property(arb, ({ minute, hour, tz, after }) => {
        const expr = `${minute} ${hour} * * *`;
        const run = nextRunAt(schedule({ cron: expr }, tz, after), after);
        expect(iso(run), `${expr} ${tz} after ${iso(after)}`).toBe(iso(refCronNext(expr, tz, after, 2)));
      }),
      { numRuns: 200 },
    );
  });
});
