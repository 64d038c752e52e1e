/**
 * Calendar semantics across DST, by property (fast-check) against brute-force references that share no code
 * with src/calendars/rules.ts: local dates from Intl, stretches by walking every minute.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accountRules,
  calendarExcludes,
  calendarRules,
  exclusionAt,
  inStretch,
  windowOpen,
  windowRules,
} from "../../src/calendars/rules";
import type { MaintenanceWindowRow } from "../../src/db/schema";
import { cronStepper } from "../../src/lib/schedule/cron";
import { slotsThrough } from "../../src/lib/schedule/next-run";

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Zones with DST (whole-hour and Lord Howe's half hour), one south of the equator, one without. */
const ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"];
/** Instants near 2026's transitions of those zones (UTC). */
const TRANSITIONS = [
  Date.UTC(2026, 2, 29, 1),
  Date.UTC(2026, 9, 25, 1),
  Date.UTC(2026, 2, 8, 7),
  Date.UTC(2026, 10, 1, 6),
  Date.UTC(2026, 3, 4, 15),
  Date.UTC(2026, 9, 3, 15, 30),
  Date.UTC(2026, 3, 5, 3),
  Date.UTC(2026, 8, 6, 4),
];

const zone = fc.constantFrom(...ZONES);
/** An instant within 36 hours of a transition, on a minute. */
const nearDst = fc
  .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -36 * 60, max: 36 * 60 }))
  .map(([t, m]) => t + m * MIN);

const intlDate = (tz: string, t: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);

const calendar = (over: Partial<{ timezone: string; dates: string[]; ranges: unknown[]; recurring: unknown[] }>) =>
  calendarRules({
    id: "c",
    timezone: over.timezone ?? "UTC",
    dates: JSON.stringify(over.dates ?? []),
    ranges: JSON.stringify(over.ranges ?? []),
    recurring: JSON.stringify(over.recurring ?? []),
  });

describe("calendar dates", () => {
  it("exclude exactly the instants whose local date (Intl) is listed, on 23- and 25-hour days too", () => {
    fc.assert(
      fc.property(zone, nearDst, fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 }), (tz, t, offsets) => {
        const dates = offsets.map((d) => intlDate(tz, t + d * 24 * HOUR));
        const cal = calendar({ timezone: tz, dates });
        expect(calendarExcludes(cal, t)).toBe(dates.includes(intlDate(tz, t)));
      }),
      { numRuns: 400 },
    );
  });

  it("a listed date excludes every minute of that local day and nothing else (23, 24 or 25 hours)", () => {
    fc.assert(
      fc.property(zone, fc.constantFrom(...TRANSITIONS), (tz, transition) => {
        const date = intlDate(tz, transition);
        const cal = calendar({ timezone: tz, dates: [date] });
        let excluded = 0;
        for (let t = transition - 30 * HOUR; t < transition + 30 * HOUR; t += 15 * MIN) {
          const inside = intlDate(tz, t) === date;
          expect(calendarExcludes(cal, t)).toBe(inside);
          if (inside) excluded++;
        }
        // 15-minute steps: 92, 96 or 100 of them (Lord Howe: 94 or 98).
        expect([92, 94, 96, 98, 100]).toContain(excluded);
      }),
      { numRuns: 60 },
    );
  });
});

describe("ranges and recurring stretches", () => {
  it("a range excludes [start, end)", () => {
    fc.assert(
      fc.property(nearDst, fc.integer({ min: 1, max: 600 }), fc.integer({ min: -700, max: 700 }), (start, len, d) => {
        const cal = calendar({ ranges: [{ start, end: start + len * MIN }] });
        const t = start + d * MIN;
        expect(calendarExcludes(cal, t)).toBe(t >= start && t < start + len * MIN);
      }),
    );
  });

  it("a recurring entry excludes t exactly when a cron match lies in (t − duration, t], matches found minute by minute", () => {
    const crons = ["30 2 * * *", "0 1-3 * * *", "15 */2 * * *", "45 23 * * 6", "0 0 * * *"];
    fc.assert(
      fc.property(zone, nearDst, fc.constantFrom(...crons), fc.integer({ min: 1, max: 240 }), (tz, t, cron, dur) => {
        const cal = calendar({ timezone: tz, recurring: [{ cron, duration_minutes: dur }] });
        // Brute force: every match of the schedule from a day before, walked one by one.
        const step = cronStepper(cron, tz);
        const matches = new Set<number>();
        for (let m = step(t - dur * MIN - 24 * HOUR); m !== null && m <= t; m = step(m)) matches.add(m);
        let expected = false;
        for (let u = t - dur * MIN + MIN; u <= t; u += MIN) if (matches.has(u)) expected = true;
        expect(calendarExcludes(cal, t)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("a recurring window is open only inside its bounds and a stretch", () => {
    fc.assert(
      fc.property(
        zone,
        nearDst,
        fc.integer({ min: 1, max: 180 }),
        fc.integer({ min: -600, max: 600 }),
        (tz, t, dur, b) => {
          const row = {
            id: "w",
            accountId: "a",
            name: null,
            startAt: t + b * MIN,
            endAt: null,
            recurrence: JSON.stringify({ cron: "0 * * * *", duration_minutes: dur }),
            timezone: tz,
            action: "skip",
            jobIds: "[]",
            monitorIds: "[]",
            tags: '["x"]',
            createdAt: 0,
            updatedAt: 0,
          } satisfies MaintenanceWindowRow;
          const w = windowRules(row);
          const stretch = { step: cronStepper("0 * * * *", tz), durationMs: dur * MIN };
          expect(windowOpen(w, t)).toBe(t >= t + b * MIN && inStretch(stretch, t));
        },
      ),
    );
  });
});

describe("a schedule's slots against its calendar", () => {
  it("the slots excluded are exactly those a per-slot brute force finds, across DST, for daily schedules", () => {
    fc.assert(
      fc.property(
        zone,
        fc.constantFrom(...TRANSITIONS),
        fc.constantFrom("00:30", "02:30", "03:00", "12:00", "23:30"),
        fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 4 }),
        (tz, transition, time, offsets) => {
          const dates = offsets.map((d) => intlDate(tz, transition + d * 24 * HOUR));
          const rules = accountRules(
            [
              {
                id: "c",
                accountId: "a",
                name: "c",
                timezone: tz,
                dates: JSON.stringify(dates),
                ranges: "[]",
                recurring: "[]",
                createdAt: 0,
                updatedAt: 0,
              },
            ],
            [],
          );
          const schedule = {
            config: { repeat_type: "days" as const, repeat_every: 1, time, end_type: "never" as const },
            timezone: tz,
            anchorAt: transition - 10 * 24 * HOUR,
          };
          const { slots } = slotsThrough(schedule, transition - 5 * 24 * HOUR, transition + 5 * 24 * HOUR, 20);
          const job = { id: "j", tags: [], excludeCalendars: ["c"] };
          const excluded = slots.filter((s) => exclusionAt(rules, job, s) !== null);
          expect(excluded).toEqual(slots.filter((s) => dates.includes(intlDate(tz, s))));
        },
      ),
      { numRuns: 150 },
    );
  });
});
