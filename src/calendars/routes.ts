import { createRoute } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import { countLimitReached } from "../http/account-limits";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { refuseAtTheDoor } from "../http/validation";
import type { FieldError } from "../lib/field-error";
import { rulesCache } from "./cache";
import { encodePosition } from "./cursor";
import type { IcsExclusions } from "./ics";
import { presentCalendar, presentWindow } from "./present";
import {
  deleteCalendarUnreferenced,
  deleteWindow,
  findCalendar,
  findWindow,
  insertCalendar,
  insertWindow,
  jobsReferencing,
  listCalendars,
  listWindows,
  liveScopeIds,
  updateCalendar,
  updateWindow,
} from "./repository";
import {
  CalendarEnvelopeSchema,
  CalendarListSchema,
  CalendarParamsSchema,
  CreateCalendarSchema,
  CreateWindowSchema,
  DeletedSchema,
  ImportIcsSchema,
  ListQuerySchema,
  MAX_DATES,
  MAX_RANGES,
  UpdateCalendarSchema,
  UpdateWindowSchema,
  WindowEnvelopeSchema,
  WindowListSchema,
  WindowParamsSchema,
  windowIssues,
} from "./schemas";

/** Calendars and maintenance windows per account: each is read by every tick that claims the account's slots. */
export const MAX_CALENDARS = 100;
export const MAX_MAINTENANCE_WINDOWS = 100;

const calendarsPath = "/v1/cron-jobs/{accountId}/calendars";
const windowsPath = "/v1/cron-jobs/{accountId}/maintenance-windows";
const body = <T>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });

const calendarNotFound = (id: string): never => fail(404, `Calendar ${id} not found`);
const windowNotFound = (id: string): never => fail(404, `Maintenance window ${id} not found`);

/**
 * Merges an ICS file into dates and ranges, refusing text it cannot read and lists past their caps (400). The
 * parser is imported on first use, so isolates that never import a file do not evaluate it at start.
 */
async function withIcs(
  field: string,
  ics: string,
  tz: string,
  now: number,
  base: { dates: string[]; ranges: Array<{ start: number; end: number }> },
) {
  const { IcsError, parseIcs } = await import("./ics");
  let parsed: IcsExclusions;
  try {
    parsed = parseIcs(ics, tz, now);
  } catch (err) {
    if (err instanceof IcsError) refuseAtTheDoor([{ field, in: "body", message: err.message }]);
    throw err;
  }
  const dates = [...new Set([...base.dates, ...parsed.dates])].sort();
  const seen = new Set(base.ranges.map((r) => `${r.start}-${r.end}`));
  const ranges = [...base.ranges, ...parsed.ranges.filter((r) => !seen.has(`${r.start}-${r.end}`))];
  refuseAtTheDoor([
    dates.length > MAX_DATES ? { field, in: "body", message: `gives more than ${MAX_DATES} dates` } : null,
    ranges.length > MAX_RANGES ? { field, in: "body", message: `gives more than ${MAX_RANGES} ranges` } : null,
  ]);
  return { dates, ranges };
}

const createCalendarRoute = createRoute({
  operationId: "createCalendar",
  method: "post",
  path: calendarsPath,
  summary: "Create a calendar of excluded instants",
  description:
    'Jobs name it in `schedule_config.exclude_calendars`; their slots inside it are recorded as skipped with reason `calendar` (docs/API-NOTES.md "Calendars and maintenance windows"). `ics` imports an iCalendar file\'s events as dates and ranges.',
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema, ...body(CreateCalendarSchema) },
  responses: {
    201: json(CalendarEnvelopeSchema, "The created calendar"),
    ...problemResponses([409, "The account has MAX_CALENDARS calendars"]),
  },
});

const listCalendarsRoute = createRoute({
  operationId: "listCalendars",
  method: "get",
  path: calendarsPath,
  summary: "List calendars, newest first",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: ListQuerySchema },
  responses: { 200: json(CalendarListSchema, "A page of calendars"), ...problemResponses() },
});

const getCalendarRoute = createRoute({
  operationId: "getCalendar",
  method: "get",
  path: `${calendarsPath}/{calendar_id}`,
  summary: "Get a calendar",
  security: apiKeySecurity,
  request: { params: CalendarParamsSchema, query: NoQuerySchema },
  responses: { 200: json(CalendarEnvelopeSchema, "The calendar"), ...problemResponses() },
});

const updateCalendarRoute = createRoute({
  operationId: "updateCalendar",
  method: "patch",
  path: `${calendarsPath}/{calendar_id}`,
  summary: "Update a calendar",
  description: "Applies to the next ticks within DIRECTORY_CACHE_SECONDS (each isolate caches calendars that long).",
  security: apiKeySecurity,
  request: { params: CalendarParamsSchema, query: NoQuerySchema, ...body(UpdateCalendarSchema) },
  responses: { 200: json(CalendarEnvelopeSchema, "The updated calendar"), ...problemResponses() },
});

const deleteCalendarRoute = createRoute({
  operationId: "deleteCalendar",
  method: "delete",
  path: `${calendarsPath}/{calendar_id}`,
  summary: "Delete a calendar",
  description: "Refused (409, naming them) while a job's `schedule_config.exclude_calendars` names it.",
  security: apiKeySecurity,
  request: { params: CalendarParamsSchema, query: NoQuerySchema },
  responses: {
    200: json(DeletedSchema, "The deleted calendar's id"),
    ...problemResponses([409, "Jobs reference the calendar; `jobs` lists them"]),
  },
});

const importCalendarRoute = createRoute({
  operationId: "importCalendarIcs",
  method: "post",
  path: `${calendarsPath}/{calendar_id}/import`,
  summary: "Import an iCalendar (ICS) file into a calendar",
  description:
    "All-day events become dates (in the calendar's timezone), timed events ranges; recurring events are expanded five years ahead; events already over are left out.",
  security: apiKeySecurity,
  request: { params: CalendarParamsSchema, query: NoQuerySchema, ...body(ImportIcsSchema) },
  responses: { 200: json(CalendarEnvelopeSchema, "The calendar with the file's events"), ...problemResponses() },
});

const createWindowRoute = createRoute({
  operationId: "createMaintenanceWindow",
  method: "post",
  path: windowsPath,
  summary: "Create a maintenance window",
  description:
    "`skip`: slots of the jobs in scope inside it are recorded as skipped with reason `maintenance`, and a monitor's deadline inside it sends no `down` alert. `mute`: jobs run but send no alert, and monitors send none. One-off (`start`, `end`) or recurring (`recurrence`, optionally bounded by `start`/`end`); scoped by `job_ids`, `monitor_ids` and `tags`.",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema, ...body(CreateWindowSchema) },
  responses: {
    201: json(WindowEnvelopeSchema, "The created window"),
    ...problemResponses([409, "The account has MAX_MAINTENANCE_WINDOWS windows"]),
  },
});

const listWindowsRoute = createRoute({
  operationId: "listMaintenanceWindows",
  method: "get",
  path: windowsPath,
  summary: "List maintenance windows, newest first",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: ListQuerySchema },
  responses: { 200: json(WindowListSchema, "A page of windows"), ...problemResponses() },
});

const getWindowRoute = createRoute({
  operationId: "getMaintenanceWindow",
  method: "get",
  path: `${windowsPath}/{window_id}`,
  summary: "Get a maintenance window",
  security: apiKeySecurity,
  request: { params: WindowParamsSchema, query: NoQuerySchema },
  responses: { 200: json(WindowEnvelopeSchema, "The window"), ...problemResponses() },
});

const updateWindowRoute = createRoute({
  operationId: "updateMaintenanceWindow",
  method: "patch",
  path: `${windowsPath}/{window_id}`,
  summary: "Update a maintenance window",
  security: apiKeySecurity,
  request: { params: WindowParamsSchema, query: NoQuerySchema, ...body(UpdateWindowSchema) },
  responses: { 200: json(WindowEnvelopeSchema, "The updated window"), ...problemResponses() },
});

const deleteWindowRoute = createRoute({
  operationId: "deleteMaintenanceWindow",
  method: "delete",
  path: `${windowsPath}/{window_id}`,
  summary: "Delete a maintenance window",
  security: apiKeySecurity,
  request: { params: WindowParamsSchema, query: NoQuerySchema },
  responses: { 200: json(DeletedSchema, "The deleted window's id"), ...problemResponses() },
});

/**
 * Each job_ids and monitor_ids entry must be a live job or monitor of the account, as exclude_calendars must name
 * its calendars (another account's id reads as unknown). Ids the window already holds pass, though deleted since:
 * the window keeps working for the rest, and resending it whole stays possible.
 */
async function scopeErrors(
  db: Db,
  accountId: string,
  sent: { job_ids?: string[]; monitor_ids?: string[] },
  held: { job_ids: string[]; monitor_ids: string[] } = { job_ids: [], monitor_ids: [] },
): Promise<FieldError[]> {
  const fresh = (ids: string[] | undefined, kept: string[]) => (ids ?? []).filter((id) => !kept.includes(id));
  const jobIds = fresh(sent.job_ids, held.job_ids);
  const monitorIds = fresh(sent.monitor_ids, held.monitor_ids);
  if (jobIds.length === 0 && monitorIds.length === 0) return [];
  const live = await liveScopeIds(db, accountId, jobIds, monitorIds);
  const unknown = (field: "job_ids" | "monitor_ids", known: Set<string>, kept: string[], what: string) =>
    (sent[field] ?? []).flatMap((id, i) =>
      known.has(id) || kept.includes(id)
        ? []
        : [{ field: `${field}.${i}`, in: "body" as const, message: `is not a ${what} of this account` }],
    );
  return [
    ...unknown("job_ids", live.jobs, held.job_ids, "job"),
    ...unknown("monitor_ids", live.monitors, held.monitor_ids, "monitor"),
  ];
}

/** A page's next cursor: the last row's position, when one more row than asked for came back. */
function page<T extends { createdAt: number; id: string }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  const next_cursor = more && last ? encodePosition({ createdAt: last.createdAt, id: last.id }) : null;
  return { shown, pagination: { limit, next_cursor } };
}

const json_ = (v: unknown) => JSON.stringify(v);

export const calendarsRoutes = createRouter()
  .openapi(createCalendarRoute, async (c) => {
    const input = c.req.valid("json");
    const now = Date.now();
    const timezone = input.timezone ?? "UTC";
    let lists = { dates: input.dates ?? [], ranges: input.ranges ?? [] };
    if (input.ics !== undefined) lists = await withIcs("ics", input.ics, timezone, now, lists);
    const row = {
      id: crypto.randomUUID(),
      accountId: c.get("accountId"),
      name: input.name,
      timezone,
      dates: json_(lists.dates),
      ranges: json_(lists.ranges),
      recurring: json_(input.recurring ?? []),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await insertCalendar(c.get("db"), row, MAX_CALENDARS)))
      countLimitReached(`This account already has ${MAX_CALENDARS} calendars (MAX_CALENDARS). Delete one first.`);
    return c.json({ data: presentCalendar(row) }, 201);
  })
  .openapi(listCalendarsRoute, async (c) => {
    const q = c.req.valid("query");
    const rows = await listCalendars(c.get("db"), c.get("accountId"), q.limit, q.cursor);
    const { shown, pagination } = page(rows, q.limit);
    return c.json({ data: shown.map(presentCalendar), pagination }, 200);
  })
  .openapi(getCalendarRoute, async (c) => {
    const { calendar_id } = c.req.valid("param");
    const row = (await findCalendar(c.get("db"), c.get("accountId"), calendar_id)) ?? calendarNotFound(calendar_id);
    return c.json({ data: presentCalendar(row) }, 200);
  })
  .openapi(updateCalendarRoute, async (c) => {
    const { calendar_id } = c.req.valid("param");
    const input = c.req.valid("json");
    const accountId = c.get("accountId");
    const set = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
      ...(input.dates === undefined ? {} : { dates: json_(input.dates) }),
      ...(input.ranges === undefined ? {} : { ranges: json_(input.ranges) }),
      ...(input.recurring === undefined ? {} : { recurring: json_(input.recurring) }),
      updatedAt: Date.now(),
    };
    const row = (await updateCalendar(c.get("db"), accountId, calendar_id, set)) ?? calendarNotFound(calendar_id);
    rulesCache.forget(accountId);
    return c.json({ data: presentCalendar(row) }, 200);
  })
  .openapi(deleteCalendarRoute, async (c) => {
    const { calendar_id } = c.req.valid("param");
    const db = c.get("db");
    const accountId = c.get("accountId");
    if (!(await deleteCalendarUnreferenced(db, accountId, calendar_id))) {
      if (!(await findCalendar(db, accountId, calendar_id))) calendarNotFound(calendar_id);
      const jobs = await jobsReferencing(db, accountId, calendar_id);
      const names = jobs.map((j) => `${j.id} (${j.name})`).join(", ");
      fail(409, `Jobs exclude this calendar: ${names}. Remove it from their schedule_config.exclude_calendars first.`, {
        title: "Calendar in use",
        jobs: jobs.map((j) => ({ id: j.id, name: j.name })),
      } as Record<string, unknown>);
    }
    rulesCache.forget(accountId);
    return c.json({ data: { id: calendar_id, message: "Calendar deleted" } }, 200);
  })
  .openapi(importCalendarRoute, async (c) => {
    const { calendar_id } = c.req.valid("param");
    const input = c.req.valid("json");
    const db = c.get("db");
    const accountId = c.get("accountId");
    const cal = (await findCalendar(db, accountId, calendar_id)) ?? calendarNotFound(calendar_id);
    const base = input.replace
      ? { dates: [], ranges: [] }
      : {
          dates: JSON.parse(cal.dates) as string[],
          ranges: JSON.parse(cal.ranges) as Array<{ start: number; end: number }>,
        };
    const lists = await withIcs("ics", input.ics, cal.timezone, Date.now(), base);
    const set = { dates: json_(lists.dates), ranges: json_(lists.ranges), updatedAt: Date.now() };
    const row = (await updateCalendar(db, accountId, calendar_id, set)) ?? calendarNotFound(calendar_id);
    rulesCache.forget(accountId);
    return c.json({ data: presentCalendar(row) }, 200);
  });

export const maintenanceWindowsRoutes = createRouter()
  .openapi(createWindowRoute, async (c) => {
    const input = c.req.valid("json");
    const now = Date.now();
    const accountId = c.get("accountId");
    refuseAtTheDoor(await scopeErrors(c.get("db"), accountId, input));
    const row = {
      id: crypto.randomUUID(),
      accountId,
      name: input.name ?? null,
      startAt: input.start ?? null,
      endAt: input.end ?? null,
      recurrence: input.recurrence ? json_(input.recurrence) : null,
      timezone: input.timezone ?? "UTC",
      action: input.action,
      jobIds: json_(input.job_ids ?? []),
      monitorIds: json_(input.monitor_ids ?? []),
      tags: json_(input.tags ?? []),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await insertWindow(c.get("db"), row, MAX_MAINTENANCE_WINDOWS)))
      countLimitReached(
        `This account already has ${MAX_MAINTENANCE_WINDOWS} maintenance windows (MAX_MAINTENANCE_WINDOWS). Delete one first.`,
      );
    rulesCache.forget(accountId);
    return c.json({ data: presentWindow(row) }, 201);
  })
  .openapi(listWindowsRoute, async (c) => {
    const q = c.req.valid("query");
    const rows = await listWindows(c.get("db"), c.get("accountId"), q.limit, q.cursor);
    const { shown, pagination } = page(rows, q.limit);
    return c.json({ data: shown.map(presentWindow), pagination }, 200);
  })
  .openapi(getWindowRoute, async (c) => {
    const { window_id } = c.req.valid("param");
    const row = (await findWindow(c.get("db"), c.get("accountId"), window_id)) ?? windowNotFound(window_id);
    return c.json({ data: presentWindow(row) }, 200);
  })
  .openapi(updateWindowRoute, async (c) => {
    const { window_id } = c.req.valid("param");
    const input = c.req.valid("json");
    const db = c.get("db");
    const accountId = c.get("accountId");
    const current = (await findWindow(db, accountId, window_id)) ?? windowNotFound(window_id);
    const shown = presentWindow(current);
    const pick = <T>(sent: T | null | undefined, stored: T | null): T | undefined =>
      sent === undefined ? (stored ?? undefined) : (sent ?? undefined);
    const merged = {
      start: pick(input.start, current.startAt),
      end: pick(input.end, current.endAt),
      recurrence: pick(input.recurrence, shown.recurrence),
      job_ids: input.job_ids ?? shown.job_ids,
      monitor_ids: input.monitor_ids ?? shown.monitor_ids,
      tags: input.tags ?? shown.tags,
    };
    refuseAtTheDoor([
      ...windowIssues(merged).map((i) => ({ field: i.path, in: "body" as const, message: i.message })),
      ...(await scopeErrors(db, accountId, input, shown)),
    ]);
    const set = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.action === undefined ? {} : { action: input.action }),
      ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
      startAt: merged.start ?? null,
      endAt: merged.end ?? null,
      recurrence: merged.recurrence ? json_(merged.recurrence) : null,
      jobIds: json_(merged.job_ids),
      monitorIds: json_(merged.monitor_ids),
      tags: json_(merged.tags),
      updatedAt: Date.now(),
    };
    const row = (await updateWindow(db, accountId, window_id, set)) ?? windowNotFound(window_id);
    rulesCache.forget(accountId);
    return c.json({ data: presentWindow(row) }, 200);
  })
  .openapi(deleteWindowRoute, async (c) => {
    const { window_id } = c.req.valid("param");
    const accountId = c.get("accountId");
    if (!(await deleteWindow(c.get("db"), accountId, window_id))) windowNotFound(window_id);
    rulesCache.forget(accountId);
    return c.json({ data: { id: window_id, message: "Maintenance window deleted" } }, 200);
  });
