/** Calendars and maintenance windows through the SDK and CLI against a stand-in API. */
import { mkdtempSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.js";
import { EdgecronApiError } from "../src/index.js";
import { runCli } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

const ACCOUNT = "00000000-0000-4000-8000-0000000000ee";
const CAL = "33333333-3333-4333-8333-333333333333";
const WIN = "44444444-4444-4444-8444-444444444444";
const JOB = "55555555-5555-4555-8555-555555555555";
const ICS = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

const seen: Array<{ method: string; path: string; query: URLSearchParams; body: unknown }> = [];
const dir = mkdtempSync(join(tmpdir(), "edgecron-calendars-"));

const calendar = (extra: Record<string, unknown> = {}) => ({
  id: CAL,
  name: "Holidays",
  timezone: "Europe/Berlin",
  dates: ["2026-12-25"],
  ranges: [],
  recurring: [],
  created_at: "2026-12-07T00:00:00Z",
  updated_at: "2026-12-07T00:00:00Z",
  ...extra,
});
const win = (extra: Record<string, unknown> = {}) => ({
  id: WIN,
  name: null,
  start: "2026-12-24T18:00:00Z",
  end: "2026-12-24T20:00:00Z",
  recurrence: null,
  timezone: "UTC",
  action: "skip",
  job_ids: [JOB],
  monitor_ids: [],
  tags: [],
  created_at: "2026-12-07T00:00:00Z",
  updated_at: "2026-12-07T00:00:00Z",
  ...extra,
});

const { client, env } = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
  let text = "";
  req.on("data", (c) => {
    text += c;
  });
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(`/v1/cron-jobs/${ACCOUNT}`, "");
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method ?? "", path, query: url.searchParams, body });
    const send = (status: number, value: unknown, type = "application/json") => {
      res.writeHead(status, { "Content-Type": type });
      res.end(JSON.stringify(value));
    };
    const page = (item: (x: Record<string, unknown>) => unknown) => {
      const second = url.searchParams.get("cursor") === "c2";
      return send(200, {
        data: [item({ id: second ? "b" : "a" })],
        pagination: { limit: 1, next_cursor: second ? null : "c2" },
      });
    };
    if (path === "/calendars" && req.method === "POST") return send(201, { data: calendar(body) });
    if (path === "/calendars") return page(calendar);
    if (path === `/calendars/${CAL}/import`)
      return send(200, { data: calendar({ dates: ["2026-12-25", "2026-12-26"] }) });
    if (path === `/calendars/${CAL}` && req.method === "DELETE") {
      return send(
        409,
        { title: "Conflict", status: 409, detail: `Jobs reference the calendar: ${JOB}` },
        "application/problem+json",
      );
    }
    if (path === `/calendars/${CAL}` && req.method === "PATCH") return send(200, { data: calendar(body) });
    if (path === `/calendars/${CAL}`) return send(200, { data: calendar() });
    if (path === "/maintenance-windows" && req.method === "POST") return send(201, { data: win(body) });
    if (path === "/maintenance-windows") return page(win);
    if (path === `/maintenance-windows/${WIN}` && req.method === "DELETE") {
      return send(200, { data: { id: WIN, message: "Maintenance window deleted" } });
    }
    if (path === `/maintenance-windows/${WIN}` && req.method === "PATCH") return send(200, { data: win(body) });
    if (path === `/maintenance-windows/${WIN}`) return send(200, { data: win() });
    send(404, { title: "Not Found", status: 404 }, "application/problem+json");
  });
});

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeEach(() => {
  seen.length = 0;
});

describe("SDK: client.calendars and client.maintenanceWindows", () => {
  it("calendars: create, list every page, get, update, importIcs, delete (a 409 problem)", async () => {
    const c = client();
    const made = await c.calendars.create({ name: "Holidays", timezone: "Europe/Berlin", dates: ["2026-12-25"] });
    expect(made).toMatchObject({ id: CAL, timezone: "Europe/Berlin" });
    expect(seen.at(-1)).toMatchObject({ method: "POST", path: "/calendars" });
    const ids = [];
    for await (const cal of c.calendars.list({ limit: 1 })) ids.push(cal.id);
    expect(ids).toEqual(["a", "b"]);
    expect((await c.calendars.get(CAL)).name).toBe("Holidays");
    expect(
      (await c.calendars.update(CAL, { recurring: [{ cron: "0 22 * * 5", duration_minutes: 60 }] })).recurring,
    ).toHaveLength(1);
    expect((await c.calendars.importIcs(CAL, ICS, { replace: true })).dates).toHaveLength(2);
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      path: `/calendars/${CAL}/import`,
      body: { ics: ICS, replace: true },
    });
    const err = await c.calendars.delete(CAL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgecronApiError);
    expect((err as EdgecronApiError).status).toBe(409);
  });

  it("maintenance windows: create, list, get, update, delete", async () => {
    const c = client();
    const w = await c.maintenanceWindows.create({
      start: "2026-12-24T18:00:00Z",
      end: "2026-12-24T20:00:00Z",
      action: "mute",
      tags: ["db"],
    });
    expect(w).toMatchObject({ action: "mute", tags: ["db"] });
    const ids = [];
    for await (const x of c.maintenanceWindows.list()) ids.push(x.id);
    expect(ids).toEqual(["a", "b"]);
    expect((await c.maintenanceWindows.get(WIN)).job_ids).toEqual([JOB]);
    expect((await c.maintenanceWindows.update(WIN, { action: "mute" })).action).toBe("mute");
    expect(await c.maintenanceWindows.delete(WIN)).toEqual({ id: WIN, message: "Maintenance window deleted" });
  });
});

describe("CLI: edgecron calendars … and edgecron maintenance …", () => {
  it("calendars create with flags and an ICS file; ls; get; import; rm's refusal exits 5", async () => {
    const ics = file("holidays.ics", ICS);
    const made = await runCli(
      ["calendars", "create", "Holidays", "--timezone", "Europe/Berlin", "--date", "2026-12-31", "--ics", ics],
      env(),
    );
    expect(made.code).toBe(EXIT.ok);
    expect(made.out).toBe(`Created Holidays (${CAL}): 1 dates, 0 ranges\n`);
    expect(seen.at(-1)?.body).toEqual({ name: "Holidays", timezone: "Europe/Berlin", dates: ["2026-12-31"], ics: ICS });
    const fromFile = await runCli(["calendars", "create", "-f", file("c.json", '{"name":"F","dates":[]}')], env());
    expect(fromFile.code).toBe(EXIT.ok);
    expect(seen.at(-1)?.body).toEqual({ name: "F", dates: [] });
    const ls = await runCli(["calendars", "ls"], env());
    expect(ls.out.split("\n")[0]).toMatch(/^ID\s+NAME\s+TZ\s+DATES\s+RANGES\s+RECURRING$/);
    expect(ls.out.trim().split("\n")).toHaveLength(3);
    expect((await runCli(["calendars", "get", CAL], env())).out).toContain("dates      2026-12-25");
    const imported = await runCli(["calendars", "import", CAL, "--ics", ics, "--replace", "--json"], env());
    expect(JSON.parse(imported.out).dates).toEqual(["2026-12-25", "2026-12-26"]);
    expect(seen.at(-1)?.body).toEqual({ ics: ICS, replace: true });
    const rm = await runCli(["calendars", "rm", CAL], env());
    expect(rm.code).toBe(EXIT.rejected);
    expect(rm.err).toContain(`Jobs reference the calendar: ${JOB}`);
  });

  it("maintenance create one-off or recurring with its scope; ls; get; rm", async () => {
    const once = await runCli(
      ["maintenance", "create", "--start", "2026-12-24T18:00:00Z", "--end", "2026-12-24T20:00:00Z", "--job", JOB],
      env(),
    );
    expect(once.code).toBe(EXIT.ok);
    expect(seen.at(-1)?.body).toEqual({
      action: "skip",
      start: "2026-12-24T18:00:00Z",
      end: "2026-12-24T20:00:00Z",
      job_ids: [JOB],
    });
    expect(once.out).toContain(`skip 2026-12-24T18:00:00Z → 2026-12-24T20:00:00Z for job ${JOB}`);
    const weekly = await runCli(
      ["maintenance", "create", "--cron", "0 2 * * 0", "--duration", "120", "--timezone", "Europe/Paris"].concat([
        "--action",
        "mute",
        "--tag",
        "db",
        "--monitor",
        WIN,
        "--name",
        "Sunday backups",
      ]),
      env(),
    );
    expect(weekly.code).toBe(EXIT.ok);
    expect(seen.at(-1)?.body).toEqual({
      action: "mute",
      name: "Sunday backups",
      recurrence: { cron: "0 2 * * 0", duration_minutes: 120 },
      timezone: "Europe/Paris",
      monitor_ids: [WIN],
      tags: ["db"],
    });
    const ls = await runCli(["maintenance", "ls", "--limit", "1"], env());
    expect(ls.out.split("\n")[0]).toMatch(/^ID\s+NAME\s+ACTION\s+WHEN\s+SCOPE$/);
    expect(ls.out.trim().split("\n")).toHaveLength(2);
    expect((await runCli(["maintenance", "get", WIN], env())).out).toContain(WIN);
    expect(await runCli(["maintenance", "rm", WIN], env())).toMatchObject({ code: EXIT.ok, out: `Deleted ${WIN}\n` });
  });

  it.each([
    [["calendars"], "calendars needs a subcommand: ls, get, create, import, rm"],
    [["maintenance"], "maintenance needs a subcommand: ls, get, create, rm"],
    [["calendars", "create"], "give a name or -f <calendar.json>"],
    [["calendars", "create", "X", "-f", "c.json"], "give -f <calendar.json> or the options, not both"],
    [["calendars", "create", "X", "--ics", "/nonexistent.ics"], "cannot read /nonexistent.ics: ENOENT"],
    [["calendars", "import", CAL], "--ics <file.ics> is required"],
    [["maintenance", "create", "--job", JOB], "give --start and --end, or --cron and --duration"],
    [["maintenance", "create", "--cron", "0 2 * * 0", "--job", JOB], "--cron and --duration go together"],
    [["maintenance", "create", "--start", "a", "--end", "b"], "name its scope: --job, --monitor or --tag"],
    [["maintenance", "create", "--action", "pause", "--tag", "x"], "--action must be one of skip, mute"],
    [
      ["maintenance", "create", "--cron", "x", "--duration", "0", "--tag", "x"],
      "--duration must be an integer 1–10080",
    ],
  ])("%j → exit 2 naming the problem, nothing sent", async (argv, message) => {
    const r = await runCli(argv, env());
    expect(r.code).toBe(EXIT.usage);
    expect(r.err.split("\n")[0]).toContain(message);
    expect(seen).toHaveLength(0);
  });

  it("help lists the commands", async () => {
    const r = await runCli(["help"]);
    for (const c of ["calendars ls", "calendars create", "calendars import", "calendars rm", "maintenance create"]) {
      expect(r.out).toContain(`edgecron ${c}`);
    }
  });
});
