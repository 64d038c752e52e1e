import { describe, expect, it } from "vitest";
import { isValidTimeZone, localToUtc, offsetAt, utcToLocal } from "../../../src/lib/schedule/timezone";

const wall = (s: string) => Date.parse(`${s}:00Z`);
const toUtc = (tz: string, local: string) => new Date(localToUtc(tz, wall(local))).toISOString();

describe("isValidTimeZone", () => {
  it.each(["America/New_York", "UTC", "Etc/UTC", "Asia/Kolkata", "Pacific/Chatham", "Australia/Adelaide"])(
    "accepts %s",
    (tz) => expect(isValidTimeZone(tz)).toBe(true),
  );
  it.each(["", "Mars/Olympus", "America/NewYork", "+05:30", "-03:00", "UTC+1 "])("rejects %j", (tz) =>
    expect(isValidTimeZone(tz)).toBe(false),
  );
});

describe("offsetAt / utcToLocal", () => {
  it("reads fractional-hour offsets", () => {
    expect(offsetAt("Asia/Kolkata", Date.parse("2025-01-01T00:00:00Z"))).toBe(5.5 * 3_600_000);
    expect(offsetAt("Pacific/Chatham", Date.parse("2025-07-01T00:00:00Z"))).toBe(12.75 * 3_600_000);
    expect(offsetAt("Pacific/Chatham", Date.parse("2025-01-01T00:00:00Z"))).toBe(13.75 * 3_600_000);
    expect(offsetAt("America/St_Johns", Date.parse("2025-01-01T00:00:00Z"))).toBe(-3.5 * 3_600_000);
  });

  it("keeps sub-second precision of the instant", () => {
    const t = Date.parse("2025-01-01T00:00:00.789Z");
    expect(utcToLocal("America/New_York", t)).toBe(Date.parse("2024-12-31T19:00:00.789Z"));
  });
});

describe("localToUtc", () => {
  it("converts ordinary times with the offset in force", () => {
    expect(toUtc("America/New_York", "2025-01-15T09:00")).toBe("2025-01-15T14:00:00.000Z");
    expect(toUtc("America/New_York", "2025-07-15T09:00")).toBe("2025-07-15T13:00:00.000Z");
    expect(toUtc("Asia/Kolkata", "2025-07-15T09:00")).toBe("2025-07-15T03:30:00.000Z");
    expect(toUtc("UTC", "2025-07-15T09:00")).toBe("2025-07-15T09:00:00.000Z");
  });

  it.each([
    // [zone, missing local time, first instant after the gap]
    ["America/New_York", "2025-03-09T02:30", "2025-03-09T07:00:00.000Z"],
    ["America/New_York", "2025-03-09T02:00", "2025-03-09T07:00:00.000Z"],
    ["Europe/London", "2025-03-30T01:30", "2025-03-30T01:00:00.000Z"],
    ["Australia/Sydney", "2025-10-05T02:30", "2025-10-04T16:00:00.000Z"],
    ["Australia/Adelaide", "2025-10-05T02:15", "2025-10-04T16:30:00.000Z"],
    ["Pacific/Chatham", "2025-09-28T03:00", "2025-09-27T14:00:00.000Z"],
    ["America/St_Johns", "2025-03-09T02:59", "2025-03-09T05:30:00.000Z"],
  ])("%s: %s (spring-forward gap) → the next valid minute", (tz, local, expected) => {
    expect(toUtc(tz, local)).toBe(expected);
  });

  it.each([
    // [zone, repeated local time, its first occurrence]
    ["America/New_York", "2025-11-02T01:30", "2025-11-02T05:30:00.000Z"],
    ["Europe/London", "2025-10-26T01:30", "2025-10-26T00:30:00.000Z"],
    ["Australia/Sydney", "2025-04-06T02:30", "2025-04-05T15:30:00.000Z"],
    ["Australia/Adelaide", "2025-04-06T02:15", "2025-04-05T15:45:00.000Z"],
    ["Pacific/Chatham", "2025-04-06T03:00", "2025-04-05T13:15:00.000Z"],
    ["America/St_Johns", "2025-11-02T01:30", "2025-11-02T04:00:00.000Z"],
  ])("%s: %s (fall-back overlap) → the first occurrence", (tz, local, expected) => {
    expect(toUtc(tz, local)).toBe(expected);
  });

  it("the minute just before a gap and just after an overlap are unambiguous", () => {
    expect(toUtc("America/New_York", "2025-03-09T01:59")).toBe("2025-03-09T06:59:00.000Z");
    expect(toUtc("America/New_York", "2025-03-09T03:00")).toBe("2025-03-09T07:00:00.000Z");
    expect(toUtc("America/New_York", "2025-11-02T02:00")).toBe("2025-11-02T07:00:00.000Z");
  });
});
