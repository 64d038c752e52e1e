/**
 * The Calendars page's forms (src/dashboard/client/calendar-state.ts): a calendar or maintenance window → form →
 * request body and back, checked against the API; a list entry's error named by its position; the jobs a 409 on
 * delete names.
 */
import { describe, expect, it } from "vitest";
import {
  calendarSummary,
  calendarToForm,
  entryErrors,
  formToCalendarRequest,
  formToWindowRequest,
  parseRecurringLine,
  referencingJobs,
  windowToForm,
} from "../../src/dashboard/client/calendar-state";
import type { Calendar, MaintenanceWindow } from "../../src/dashboard/client/types";
import { ScheduleConfigSchema } from "../../src/lib/schedule/schema";
import { createAccount } from "../helpers/accounts";
import { api } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";

type Json = Record<string, unknown>;

describe("calendar form", () => {
  it("reads dates, ranges and recurring exclusions one per line", () => {
    const request = formToCalendarRequest({
      name: "Holidays",
      timezone: " Europe/Berlin ",
      dates: "2026-12-25\n\n 2026-12-26 ",
      ranges: "2026-12-31T17:00:00Z 2027-01-01T06:00:00Z",
      recurring: "0 22 * * 5 480",
      ics: "",
    });
    expect(request).toEqual({
      body: {
        name: "Holidays",
        timezone: "Europe/Berlin",
        dates: ["2026-12-25", "2026-12-26"],
        ranges: [{ start: "2026-12-31T17:00:00Z", end: "2027-01-01T06:00:00Z" }],
        recurring: [{ cron: "0 22 * * 5", duration_minutes: 480 }],
      },
      ics: null,
    });
  });

  it("names a line it cannot read", () => {
    const request = formToCalendarRequest({
      ...calendarToForm(null),
      name: "x",
      ranges: "2026-12-31T17:00:00Z",
      recurring: "0 22 * * 5\n0 22 * * 5 soon",
    });
    expect("errors" in request && request.errors).toEqual([
      { field: "ranges", message: 'line 1: must be "start end", two instants' },
      {
        field: "recurring",
        message: "line 1: must be a 5-field cron expression and the minutes, such as 0 22 * * 5 120",
      },
      { field: "recurring", message: "line 2: must end with the excluded stretch's length in minutes" },
    ]);
    expect(parseRecurringLine("*/30 1-5 * * 1 15")).toEqual({ cron: "*/30 1-5 * * 1", duration_minutes: 15 });
  });

  it("names a list entry's API error by its position, under the list", () => {
    expect(
      entryErrors([
        { field: "dates.1", message: "must be a date such as 2026-12-25" },
        { field: "ranges.0.end", message: "must be after start" },
        { field: "name", message: "must not be empty" },
      ]),
    ).toEqual([
      { field: "dates", message: "entry 2: must be a date such as 2026-12-25" },
      { field: "ranges", message: "entry 1 (end): must be after start" },
      { field: "name", message: "must not be empty" },
    ]);
  });

  it("summarises what a calendar excludes", () => {
    expect(calendarSummary({ dates: ["a", "b"], ranges: [{ start: "", end: "" }], recurring: [] })).toBe(
      "2 dates · 1 range",
    );
    expect(calendarSummary({ dates: [], ranges: [], recurring: [] })).toBe("nothing yet");
  });

  it("creates through the API, and an edit that changes nothing sends back what is stored", async () => {
    const acct = await createAccount("Calendar form");
    const call = (method: string, path: string, body?: unknown) =>
      api(`/v1/cron-jobs/${acct.accountId}${path}`, {
        method,
        headers: { ...acct.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const request = formToCalendarRequest({
      name: "Holidays",
      timezone: "Europe/Berlin",
      dates: "2026-12-25\n2026-12-26",
      ranges: "2026-12-31T18:00:00+01:00 2027-01-01T06:00:00Z",
      recurring: "0 22 * * 5 480",
      ics: "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20270101\nSUMMARY:New year\nEND:VEVENT\nEND:VCALENDAR\n",
    });
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    const created = await call("POST", "/calendars", { ...request.body, ics: request.ics });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const cal = created.body.data as Calendar;
    expect(cal.dates).toEqual(["2026-12-25", "2026-12-26", "2027-01-01"]);
    expect(cal.ranges).toEqual([{ start: "2026-12-31T17:00:00Z", end: "2027-01-01T06:00:00Z" }]);

    const again = formToCalendarRequest(calendarToForm(cal));
    if ("errors" in again) throw new Error(JSON.stringify(again.errors));
    const saved = await call("PATCH", `/calendars/${cal.id}`, again.body);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const { updated_at: _a, ...before } = cal;
    const { updated_at: _b, ...after } = saved.body.data as Calendar;
    expect(after).toEqual(before);

    // A bad date comes back named by its position.
    const bad = await call("POST", "/calendars", { name: "Bad", dates: ["2026-12-25", "2026-02-30"] });
    expect(bad.status).toBe(400);
    expect(entryErrors(bad.body.errors).map((e) => e.field)).toEqual(["dates"]);
  });
});

describe("maintenance window form", () => {
  const base = windowToForm(null, "utc");

  it("sends a one-off's start and end as instants in the dashboard's zone", () => {
    expect(
      formToWindowRequest(
        {
          ...base,
          name: "Upgrade",
          start: "2099-03-01T02:00",
          end: "2099-03-01T04:30",
          job_ids: ["j1"],
          tags: "db, x",
        },
        "utc",
        false,
      ),
    ).toEqual({
      body: {
        name: "Upgrade",
        action: "skip",
        job_ids: ["j1"],
        tags: ["db", "x"],
        start: "2099-03-01T02:00:00Z",
        end: "2099-03-01T04:30:00Z",
      },
    });
    expect(formToWindowRequest({ ...base, start: "soon" }, "utc", false)).toEqual({
      errors: [{ field: "start", message: "enter a date and a time" }],
    });
  });

  it("sends a recurrence with its zone; an edit clears what the other kind used", () => {
    const recurring = { ...base, kind: "recurring" as const, cron: "0 2 * * 0", duration_minutes: "90", tags: "db" };
    expect(formToWindowRequest({ ...recurring, timezone: "Europe/Berlin" }, "utc", true)).toEqual({
      body: {
        action: "skip",
        job_ids: [],
        tags: ["db"],
        recurrence: { cron: "0 2 * * 0", duration_minutes: 90 },
        timezone: "Europe/Berlin",
        start: null,
        end: null,
      },
    });
    const once = formToWindowRequest(
      { ...base, start: "2099-03-01T02:00", end: "2099-03-01T04:30", tags: "db" },
      "utc",
      true,
    );
    expect("body" in once && once.body.recurrence).toBeNull();
  });

  it("round-trips a window through the API and its form", async () => {
    const acct = await createAccount("Window form");
    const jobs = jobsApi(acct);
    const job = await jobs.create({
      name: "In scope",
      endpoint_url: "https://api.example.com/run",
      method: "GET",
      timezone: "UTC",
      schedule_config: { repeat_type: "days", time: "09:00" },
    });
    const call = (method: string, path: string, body?: unknown) =>
      api(`/v1/cron-jobs/${acct.accountId}${path}`, {
        method,
        headers: { ...acct.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const request = formToWindowRequest(
      {
        ...base,
        name: "Sundays",
        kind: "recurring",
        cron: "0 2 * * 0",
        duration_minutes: "120",
        timezone: "Europe/Berlin",
        action: "mute",
        job_ids: [job.body.data.id],
        start: "2099-01-01T00:00",
      },
      "utc",
      false,
    );
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    const created = await call("POST", "/maintenance-windows", request.body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const w = created.body.data as MaintenanceWindow;
    expect(w).toMatchObject({
      name: "Sundays",
      recurrence: { cron: "0 2 * * 0", duration_minutes: 120 },
      timezone: "Europe/Berlin",
      action: "mute",
      start: "2099-01-01T00:00:00Z",
      end: null,
      job_ids: [job.body.data.id],
    });
    const form = windowToForm(w, "utc");
    expect(form).toMatchObject({ kind: "recurring", start: "2099-01-01T00:00", end: "", duration_minutes: "120" });
    const again = formToWindowRequest(form, "utc", true);
    if ("errors" in again) throw new Error(JSON.stringify(again.errors));
    const saved = await call("PATCH", `/maintenance-windows/${w.id}`, again.body);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const { updated_at: _a, ...before } = w as unknown as Json;
    const { updated_at: _b, ...after } = saved.body.data as Json;
    expect(after).toEqual(before);
  });
});

describe("referencingJobs", () => {
  it.skipIf(!("exclude_calendars" in ScheduleConfigSchema.shape))(
    "names the jobs that exclude a calendar when its delete is refused",
    async () => {
      const acct = await createAccount("Calendar in use");
      const jobs = jobsApi(acct);
      const cal = await jobs.send("POST", "/calendars", { name: "In use", dates: ["2099-12-25"] });
      expect(cal.status, JSON.stringify(cal.body)).toBe(201);
      const job = await jobs.create({
        name: "Excluding",
        endpoint_url: "https://api.example.com/run",
        method: "GET",
        timezone: "UTC",
        schedule_config: { repeat_type: "days", time: "09:00", exclude_calendars: [cal.body.data.id] },
      });
      expect(job.status, JSON.stringify(job.body)).toBe(201);
      const refused = await jobs.send("DELETE", `/calendars/${cal.body.data.id}`);
      expect(refused.status).toBe(409);
      expect(referencingJobs(refused.body)).toEqual([{ id: job.body.data.id, name: "Excluding" }]);
    },
  );

  it("reads a 409's jobs, and nothing from another problem", () => {
    expect(referencingJobs({ status: 409, jobs: [{ id: "a", name: "A" }, { id: 1 }] })).toEqual([
      { id: "a", name: "A" },
    ]);
    expect(referencingJobs({ status: 409 })).toEqual([]);
  });
});
