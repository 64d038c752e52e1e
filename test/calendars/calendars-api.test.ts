import { beforeEach, describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { accountApi, createCalendar, createWindow, fieldsOf, type Json, readOnlyHeaders } from "./support";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const UUID = "550e8400-e29b-41d4-a716-446655440000";

describe("calendars", () => {
  it("create, get, list with a cursor, update and delete", async () => {
    const cal = await createCalendar(acct, {
      name: "Holidays",
      timezone: "Europe/Berlin",
      dates: ["2026-12-25", "2026-12-26"],
      ranges: [{ start: "2026-12-31T18:00:00+01:00", end: "2027-01-01T06:00:00Z" }],
      recurring: [{ cron: "0 22 * * 5", duration_minutes: 480 }],
    });
    expect(cal).toMatchObject({
      name: "Holidays",
      timezone: "Europe/Berlin",
      dates: ["2026-12-25", "2026-12-26"],
      ranges: [{ start: "2026-12-31T17:00:00Z", end: "2027-01-01T06:00:00Z" }],
      recurring: [{ cron: "0 22 * * 5", duration_minutes: 480 }],
    });
    expect(cal.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await accountApi(acct, `/calendars/${cal.id}`)).body.data).toEqual(cal);

    const second = await createCalendar(acct, { name: "Second" });
    expect(second).toMatchObject({ timezone: "UTC", dates: [], ranges: [], recurring: [] });
    const first = await accountApi(acct, "/calendars?limit=1");
    expect(first.status).toBe(200);
    expect(first.body.data.map((c: Json) => c.id)).toEqual([second.id]);
    const next = await accountApi(acct, `/calendars?limit=1&cursor=${first.body.pagination.next_cursor}`);
    expect(next.body.data.map((c: Json) => c.id)).toEqual([cal.id]);
    expect(next.body.pagination.next_cursor).toBeNull();

    const patched = await accountApi(acct, `/calendars/${cal.id}`, {
      method: "PATCH",
      body: { dates: ["2027-01-01"] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ name: "Holidays", dates: ["2027-01-01"], recurring: cal.recurring });

    const gone = await accountApi(acct, `/calendars/${cal.id}`, { method: "DELETE" });
    expect(gone.body).toEqual({ data: { id: cal.id, message: "Calendar deleted" } });
    expectProblem(await accountApi(acct, `/calendars/${cal.id}`), 404);
    expectProblem(await accountApi(acct, `/calendars/${cal.id}`, { method: "DELETE" }), 404);
  });

  it("refuses bad input with a 400 naming each field, never a 500", async () => {
    const cases: Array<[Json, string[]]> = [
      [{}, ["name"]],
      [{ name: "a", timezone: "Mars/Base", extra: 1 }, ["extra", "timezone"]],
      [{ name: "a", dates: ["2026-02-30", "25.12.2026"] }, ["dates.0", "dates.1"]],
      [{ name: "a", dates: ["2026-12-25", "2026-12-25"] }, ["dates"]],
      [{ name: "a", ranges: [{ start: "2026-12-25T10:00:00Z", end: "2026-12-25T09:00:00Z" }] }, ["ranges.0.end"]],
      [{ name: "a", ranges: [{ start: "2026-12-25", end: "x" }] }, ["ranges.0.end", "ranges.0.start"]],
      [
        { name: "a", recurring: [{ cron: "61 * * * *", duration_minutes: 0 }] },
        ["recurring.0.cron", "recurring.0.duration_minutes"],
      ],
      [{ name: "a", ics: "not a calendar" }, ["ics"]],
    ];
    for (const [body, fields] of cases) {
      const res = await accountApi(acct, "/calendars", { method: "POST", body });
      const problem = expectProblem(res, 400);
      expect(fieldsOf(problem), JSON.stringify(body)).toEqual(fields);
    }
    expectProblem(await accountApi(acct, "/calendars/not-a-uuid"), 400);
    expectProblem(await accountApi(acct, `/calendars/${UUID}`), 404);
    expectProblem(await accountApi(acct, "/calendars?cursor=garbage"), 400);
    const cal = await createCalendar(acct, { name: "x" });
    const bad = await accountApi(acct, `/calendars/${cal.id}`, { method: "PATCH", body: { name: "" } });
    expect(fieldsOf(expectProblem(bad, 400))).toEqual(["name"]);
  });

  it("is another account's 404", async () => {
    const other = await createAccount();
    const cal = await createCalendar(other, { name: "theirs" });
    expectProblem(await accountApi(acct, `/calendars/${cal.id}`), 404);
    expectProblem(await accountApi(acct, `/calendars/${cal.id}`, { method: "DELETE" }), 404);
  });
});

describe("maintenance windows", () => {
  it("create (one-off and recurring), get, list, update and delete", async () => {
    const jobId = (await jobsApi(acct).create(quickStart())).body.data.id as string;
    const once = await createWindow(acct, {
      name: "DB upgrade",
      start: "2026-12-20T01:00:00Z",
      end: "2026-12-20T03:00:00Z",
      action: "skip",
      job_ids: [jobId],
    });
    expect(once).toMatchObject({
      name: "DB upgrade",
      start: "2026-12-20T01:00:00Z",
      end: "2026-12-20T03:00:00Z",
      recurrence: null,
      timezone: "UTC",
      action: "skip",
      job_ids: [jobId],
      monitor_ids: [],
      tags: [],
    });
    const weekly = await createWindow(acct, {
      recurrence: { cron: "0 2 * * 0", duration_minutes: 60 },
      timezone: "America/New_York",
      action: "mute",
      tags: ["db"],
    });
    expect(weekly).toMatchObject({ name: null, start: null, end: null, action: "mute", tags: ["db"] });
    const list = await accountApi(acct, "/maintenance-windows");
    expect(list.body.data.map((w: Json) => w.id)).toEqual([weekly.id, once.id]);

    const patched = await accountApi(acct, `/maintenance-windows/${weekly.id}`, {
      method: "PATCH",
      body: { action: "skip", end: "2027-06-01T00:00:00Z" },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({ action: "skip", end: "2027-06-01T00:00:00Z", tags: ["db"] });
    // Clearing the recurrence of a window without start leaves it unbounded: refused, naming start.
    const cleared = await accountApi(acct, `/maintenance-windows/${weekly.id}`, {
      method: "PATCH",
      body: { recurrence: null },
    });
    expect(fieldsOf(expectProblem(cleared, 400))).toEqual(["start"]);

    const gone = await accountApi(acct, `/maintenance-windows/${once.id}`, { method: "DELETE" });
    expect(gone.status).toBe(200);
    expectProblem(await accountApi(acct, `/maintenance-windows/${once.id}`), 404);
  });

  it("refuses bad input with a 400 naming each field", async () => {
    const cases: Array<[Json, string[]]> = [
      [{ action: "skip", job_ids: [UUID] }, ["end", "start"]],
      [{ start: "2026-12-20T01:00:00Z", end: "2026-12-20T00:00:00Z", action: "skip", tags: ["a"] }, ["end"]],
      [{ start: "2026-12-20T01:00:00Z", end: "2026-12-20T02:00:00Z", action: "skip" }, ["job_ids"]],
      [{ recurrence: { cron: "0 2 * * 0", duration_minutes: 60 }, action: "pause", tags: ["a"] }, ["action"]],
      [
        { recurrence: { cron: "bad", duration_minutes: 99_999 }, action: "mute", monitor_ids: ["x"] },
        ["monitor_ids.0", "recurrence.cron", "recurrence.duration_minutes"],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await accountApi(acct, "/maintenance-windows", { method: "POST", body });
      expect(fieldsOf(expectProblem(res, 400)), JSON.stringify(body)).toEqual(fields);
    }
  });
});

describe("read-only keys", () => {
  it("read calendars and windows but get 403 on every write", async () => {
    const cal = await createCalendar(acct, { name: "c" });
    const win = await createWindow(acct, {
      action: "mute",
      tags: ["a"],
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
    });
    const ro = await readOnlyHeaders(acct);
    expect((await accountApi(acct, "/calendars", { headers: ro })).status).toBe(200);
    expect((await accountApi(acct, `/maintenance-windows/${win.id}`, { headers: ro })).status).toBe(200);
    const writes: Array<[string, string, Json | undefined]> = [
      ["POST", "/calendars", { name: "x" }],
      ["PATCH", `/calendars/${cal.id}`, { name: "y" }],
      ["DELETE", `/calendars/${cal.id}`, undefined],
      ["POST", `/calendars/${cal.id}/import`, { ics: "BEGIN:VCALENDAR\r\nEND:VCALENDAR" }],
      ["POST", "/maintenance-windows", { action: "mute", tags: ["a"] }],
      ["PATCH", `/maintenance-windows/${win.id}`, { action: "skip" }],
      ["DELETE", `/maintenance-windows/${win.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      expectProblem(await accountApi(acct, path, { method, body, headers: ro }), 403);
    }
  });
});

describe("the README's examples", () => {
  it("its calendar and maintenance-window bodies are accepted as written", async () => {
    const section = readme.slice(readme.indexOf("## Calendars and maintenance windows"));
    const bodies = [...section.matchAll(/"\$BASE\/v1\/cron-jobs\/\$ACCOUNT(\/[a-z-]+)"[\s\S]*?-d '([^']+)'/g)];
    expect(bodies.map((m) => m[1])).toEqual(["/calendars", "/maintenance-windows"]);
    for (const [, path, body] of bodies) {
      const res = await accountApi(acct, path as string, { method: "POST", body: JSON.parse(body as string) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });
});
