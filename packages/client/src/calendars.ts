/**
 * Calendars (instants a job skips: `schedule_config.exclude_calendars`) and maintenance windows (spans that skip or
 * mute the jobs and monitors in their scope): `client.calendars` and `client.maintenanceWindows`.
 */
import type { Client } from "openapi-fetch";
import type { paths } from "./schema.js";

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Body<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

type CalendarsPath = paths["/v1/cron-jobs/{accountId}/calendars"];
type CalendarPath = paths["/v1/cron-jobs/{accountId}/calendars/{calendar_id}"];
type ImportOp = paths["/v1/cron-jobs/{accountId}/calendars/{calendar_id}/import"]["post"];
type WindowsPath = paths["/v1/cron-jobs/{accountId}/maintenance-windows"];
type WindowPath = paths["/v1/cron-jobs/{accountId}/maintenance-windows/{window_id}"];

/** A calendar: whole local `dates`, instant `ranges` and `recurring` cron stretches, in its `timezone`. */
export type Calendar = Json<CalendarPath["get"]["responses"][200]>["data"];
/** The body of `POST …/calendars` (`ics`: an iCalendar file's events added as dates and ranges). */
export type CalendarCreate = Body<CalendarsPath["post"]>;
/** The body of `PATCH …/calendars/{id}`: only what changes; a list sent replaces the stored one. */
export type CalendarUpdate = Body<CalendarPath["patch"]>;
/** One page of calendars, newest first. */
export type CalendarsPage = Json<CalendarsPath["get"]["responses"][200]>;
/** The body of `POST …/calendars/{id}/import`: `ics` text, `replace` the stored dates and ranges or add to them. */
export type CalendarImport = Body<ImportOp>;
/** A maintenance window: one-off (`start`, `end`) or `recurrence`; `action` skip or mute; scoped by ids and tags. */
export type MaintenanceWindow = Json<WindowPath["get"]["responses"][200]>["data"];
/** The body of `POST …/maintenance-windows`. */
export type MaintenanceWindowCreate = Body<WindowsPath["post"]>;
/** The body of `PATCH …/maintenance-windows/{id}`: only what changes; null clears start, end or recurrence. */
export type MaintenanceWindowUpdate = Body<WindowPath["patch"]>;
/** One page of maintenance windows, newest first. */
export type MaintenanceWindowsPage = Json<WindowsPath["get"]["responses"][200]>;
/** `DELETE` of a calendar or a window: its id. */
export type DeletedCalendarOrWindow = Json<CalendarPath["delete"]["responses"][200]>["data"];

export interface ListPageOptions {
  /** 1–100 a page (the API's default is 50). */
  limit?: number;
  /** `pagination.next_cursor` of the previous page. */
  cursor?: string;
  signal?: AbortSignal;
}

type Call = <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>) => Promise<T>;
type Page<T> = { data: T[]; pagination: { next_cursor?: string | null } };

async function* every<T>(options: ListPageOptions, page: (o: ListPageOptions) => Promise<Page<T>>) {
  let cursor = options.cursor;
  for (;;) {
    const res = await page({ ...options, cursor });
    yield* res.data;
    cursor = res.pagination.next_cursor ?? undefined;
    if (!cursor || res.data.length === 0) return;
  }
}

/** `client.calendars`: create, page, list, get, update, delete, importIcs. */
export class CalendarsResource {
  constructor(
    private readonly raw: Client<paths>,
    private readonly accountId: string,
    private readonly call: Call,
  ) {}

  private path(id: string) {
    return { accountId: this.accountId, calendar_id: id };
  }

  async create(calendar: CalendarCreate): Promise<Calendar> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/calendars", {
        params: { path: { accountId: this.accountId } },
        body: calendar,
      }),
    );
    return res.data;
  }

  /** One page of calendars, newest first. */
  page(options: ListPageOptions = {}): Promise<CalendarsPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/calendars", {
        params: { path: { accountId: this.accountId }, query },
        signal,
      }),
    );
  }

  /** Every calendar, newest first, following `next_cursor` page by page. */
  list(options: ListPageOptions = {}): AsyncGenerator<Calendar> {
    return every(options, (o) => this.page(o));
  }

  async get(id: string): Promise<Calendar> {
    const res = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/calendars/{calendar_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  async update(id: string, patch: CalendarUpdate): Promise<Calendar> {
    const res = await this.call(
      this.raw.PATCH("/v1/cron-jobs/{accountId}/calendars/{calendar_id}", {
        params: { path: this.path(id) },
        body: patch,
      }),
    );
    return res.data;
  }

  /** Refused (409, naming the jobs) while a job's `schedule_config.exclude_calendars` names it. */
  async delete(id: string): Promise<DeletedCalendarOrWindow> {
    const res = await this.call(
      this.raw.DELETE("/v1/cron-jobs/{accountId}/calendars/{calendar_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  /** Adds an iCalendar file's events (all-day → dates, timed → ranges; `replace: true` replaces the stored ones). */
  async importIcs(id: string, ics: string, options: { replace?: boolean } = {}): Promise<Calendar> {
    const body: CalendarImport = options.replace === undefined ? { ics } : { ics, replace: options.replace };
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/calendars/{calendar_id}/import", {
        params: { path: this.path(id) },
        body,
      }),
    );
    return res.data;
  }
}

/** `client.maintenanceWindows`: create, page, list, get, update, delete. */
export class MaintenanceWindowsResource {
  constructor(
    private readonly raw: Client<paths>,
    private readonly accountId: string,
    private readonly call: Call,
  ) {}

  private path(id: string) {
    return { accountId: this.accountId, window_id: id };
  }

  async create(window: MaintenanceWindowCreate): Promise<MaintenanceWindow> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/maintenance-windows", {
        params: { path: { accountId: this.accountId } },
        body: window,
      }),
    );
    return res.data;
  }

  /** One page of maintenance windows, newest first. */
  page(options: ListPageOptions = {}): Promise<MaintenanceWindowsPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/maintenance-windows", {
        params: { path: { accountId: this.accountId }, query },
        signal,
      }),
    );
  }

  /** Every maintenance window, newest first, following `next_cursor` page by page. */
  list(options: ListPageOptions = {}): AsyncGenerator<MaintenanceWindow> {
    return every(options, (o) => this.page(o));
  }

  async get(id: string): Promise<MaintenanceWindow> {
    const res = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/maintenance-windows/{window_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  async update(id: string, patch: MaintenanceWindowUpdate): Promise<MaintenanceWindow> {
    const res = await this.call(
      this.raw.PATCH("/v1/cron-jobs/{accountId}/maintenance-windows/{window_id}", {
        params: { path: this.path(id) },
        body: patch,
      }),
    );
    return res.data;
  }

  async delete(id: string): Promise<DeletedCalendarOrWindow> {
    const res = await this.call(
      this.raw.DELETE("/v1/cron-jobs/{accountId}/maintenance-windows/{window_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }
}
