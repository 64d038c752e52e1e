import { beforeEach, describe, expect, it } from "vitest";
import { IcsError, parseIcs } from "../../src/calendars/ics";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { accountApi, createCalendar, fieldsOf } from "./support";

const NOW = Date.UTC(2026, 0, 1);
const ics = (...events: string[][]) =>
  [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//edgecron//test//EN",
    ...events.flatMap((lines, i) => [
      "BEGIN:VEVENT",
      `UID:e${i}@test`,
      "DTSTAMP:20250101T000000Z",
      ...lines,
      "END:VEVENT",
    ]),
    "END:VCALENDAR",
    "",
  ].join("\r\n");

describe("parseIcs", () => {
  it("all-day events become local dates (DTEND exclusive), timed ones ranges, recurring ones expand", () => {
    const text = ics(
      ["SUMMARY:Christmas", "DTSTART;VALUE=DATE:20261225", "DTEND;VALUE=DATE:20261227"],
      ["SUMMARY:Single day", "DTSTART;VALUE=DATE:20260501"],
      ["SUMMARY:Deploy freeze", "DTSTART:20260610T220000Z", "DTEND:20260611T020000Z"],
      ["SUMMARY:Berlin meeting", "DTSTART;TZID=Europe/Berlin:20260329T013000", "DURATION:PT2H"],
      ["SUMMARY:New Year", "DTSTART;VALUE=DATE:20250101", "RRULE:FREQ=YEARLY;COUNT=4"],
      ["SUMMARY:Long ago", "DTSTART;VALUE=DATE:20200101"],
    );
    const out = parseIcs(text, "UTC", NOW);
    expect(out.dates).toEqual(["2026-01-01", "2026-05-01", "2026-12-25", "2026-12-26", "2027-01-01", "2028-01-01"]);
    expect(out.ranges).toEqual([
      // 01:30 Berlin on the spring-forward day is CET (+01:00): 00:30Z, for two hours.
      { start: Date.UTC(2026, 2, 29, 0, 30), end: Date.UTC(2026, 2, 29, 2, 30) },
      { start: Date.UTC(2026, 5, 10, 22), end: Date.UTC(2026, 5, 11, 2) },
    ]);
  });

  it("floating times are read in the calendar's zone, and a runaway rule is bounded", () => {
    const out = parseIcs(
      ics(
        ["DTSTART:20260301T090000", "DTEND:20260301T100000"],
        ["DTSTART:20260101T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"],
      ),
      "America/New_York",
      NOW,
    );
    expect(out.ranges[0]).toEqual({ start: Date.UTC(2026, 0, 1, 0, 0), end: Date.UTC(2026, 0, 1, 0, 1) });
    expect(out.ranges.length).toBeLessThanOrEqual(2001);
    expect(out.ranges).toContainEqual({ start: Date.UTC(2026, 2, 1, 14), end: Date.UTC(2026, 2, 1, 15) });
  });

  it("refuses what is not iCalendar", () => {
    expect(() => parseIcs("hello", "UTC", NOW)).toThrow(IcsError);
    expect(() => parseIcs("BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n", "UTC", NOW)).toThrow(IcsError);
  });
});

describe("ICS through the API", () => {
  let acct: TestAccount;
  beforeEach(async () => {
    acct = await createAccount();
  });
  const future = ics(
    ["SUMMARY:Holiday", "DTSTART;VALUE=DATE:20991225"],
    ["DTSTART:20991231T220000Z", "DTEND:20991231T230000Z"],
  );

  it("creates a calendar from `ics`, then imports more into it (adding, or replacing)", async () => {
    const cal = await createCalendar(acct, { name: "Imported", dates: ["2099-01-01"], ics: future });
    expect(cal.dates).toEqual(["2099-01-01", "2099-12-25"]);
    expect(cal.ranges).toEqual([{ start: "2099-12-31T22:00:00Z", end: "2099-12-31T23:00:00Z" }]);
    const more = ics(["DTSTART;VALUE=DATE:20990704"]);
    const added = await accountApi(acct, `/calendars/${cal.id}/import`, { method: "POST", body: { ics: more } });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.data.dates).toEqual(["2099-01-01", "2099-07-04", "2099-12-25"]);
    const replaced = await accountApi(acct, `/calendars/${cal.id}/import`, {
      method: "POST",
      body: { ics: more, replace: true },
    });
    expect(replaced.body.data).toMatchObject({ dates: ["2099-07-04"], ranges: [] });
  });

  it("answers 400 naming `ics` for text it cannot read, 404 for an unknown calendar", async () => {
    const cal = await createCalendar(acct, { name: "c" });
    const bad = await accountApi(acct, `/calendars/${cal.id}/import`, {
      method: "POST",
      body: { ics: "BEGIN:nonsense" },
    });
    expect(fieldsOf(expectProblem(bad, 400))).toEqual(["ics"]);
    const empty = await accountApi(acct, `/calendars/${cal.id}/import`, { method: "POST", body: {} });
    expect(fieldsOf(expectProblem(empty, 400))).toEqual(["ics"]);
    const missing = await accountApi(acct, "/calendars/550e8400-e29b-41d4-a716-446655440000/import", {
      method: "POST",
      body: { ics: future },
    });
    expectProblem(missing, 404);
  });
});
