import { z } from "@hono/zod-openapi";
import { maintenanceActions } from "../db/schema";
import { NameSchema as SharedName, TagsSchema as SharedTags, Timezone as SharedTimezone } from "../http/label-schemas";
import { cursorQuery, nextCursorSchema } from "../http/pagination";
import { AccountParamSchema, intQuery, UuidSchema } from "../http/schemas";
import { parseInstant } from "../lib/dates";
import { CronExpressionSchema } from "../lib/schedule/schema";
import { decodePosition } from "./cursor";

/** Caps on one calendar's or window's lists: a tick evaluates them per due slot, so they stay small. */
export const MAX_DATES = 1000;
export const MAX_RANGES = 500;
export const MAX_RECURRING = 20;
export const MAX_SCOPE_IDS = 100;
/** The longest recurring exclusion: a week. */
export const MAX_DURATION_MINUTES = 10_080;
/** The longest ICS text accepted (the request body limit caps it too). */
export const MAX_ICS_CHARS = 512_000;

/** The shared name, tag and zone rules, with this folder's examples. */
const NameSchema = SharedName.openapi({ example: "Public holidays" });
const TagsSchema = SharedTags.openapi({ example: ["db"] });
const Timezone = SharedTimezone.openapi({ example: "Europe/Berlin" });

const CursorPaginationSchema = z
  .object({ limit: z.number().int(), next_cursor: nextCursorSchema("items") })
  .openapi("CalendarCursorPagination");

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_ZONE = /T.*(Z|[+-]\d{2}:?\d{2})$/i;
const INSTANT = "must be an ISO 8601 date-time with Z or an offset, such as 2026-12-24T18:00:00Z";
const DURATION = `must be an integer between 1 and ${MAX_DURATION_MINUTES}`;

/** An instant as sent (a date-time with a zone), as epoch ms. */
export const InstantSchema = z
  .string()
  .refine((s) => DATE_TIME_WITH_ZONE.test(s) && parseInstant(s) !== null, INSTANT)
  .transform((s) => (parseInstant(s) as { start: number }).start)
  .openapi({ type: "string", example: "2026-12-24T18:00:00Z" });

const LocalDate = z
  .string()
  .refine((s) => BARE_DATE.test(s) && parseInstant(s) !== null, "must be a date such as 2026-12-25")
  .openapi({ example: "2026-12-25" });

const RangeSchema = z
  .strictObject({ start: InstantSchema, end: InstantSchema })
  .superRefine((r, ctx) => {
    if (r.end <= r.start) ctx.addIssue({ code: "custom", path: ["end"], message: "must be after start" });
  })
  .openapi("CalendarRangeInput");

export const RecurringSchema = z
  .strictObject({
    cron: CronExpressionSchema.openapi({
      description: "5-field cron expression in the calendar's timezone: each match starts an excluded stretch",
      example: "0 22 * * 5",
    }),
    duration_minutes: z.number({ error: DURATION }).int(DURATION).min(1, DURATION).max(MAX_DURATION_MINUTES, DURATION),
  })
  .openapi("RecurringExclusion");
export type Recurring = z.output<typeof RecurringSchema>;

const list = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z.array(item).max(max, `must list at most ${max} ${what}`);

const calendarFields = {
  name: NameSchema,
  timezone: Timezone.optional().openapi({ description: "The zone of `dates` and `recurring`. Default UTC" }),
  dates: list(LocalDate, MAX_DATES, "dates")
    .refine((d) => new Set(d).size === d.length, "must not repeat a date")
    .optional()
    .openapi({ description: "Whole local days (in `timezone`) excluded, DST days included (23 or 25 hours)" }),
  ranges: list(RangeSchema, MAX_RANGES, "ranges")
    .optional()
    .openapi({ description: "Instant ranges excluded: from `start` (included) to `end` (excluded)" }),
  recurring: list(RecurringSchema, MAX_RECURRING, "entries")
    .optional()
    .openapi({ description: "Each cron match excludes duration_minutes from it" }),
};

export const CreateCalendarSchema = z
  .strictObject({
    ...calendarFields,
    ics: z
      .string()
      .max(MAX_ICS_CHARS)
      .optional()
      .openapi({ description: "iCalendar text (a holiday file): its events are added as dates and ranges" }),
  })
  .openapi("CreateCalendar");
export type CreateCalendarInput = z.output<typeof CreateCalendarSchema>;

export const UpdateCalendarSchema = z
  .strictObject({ ...calendarFields, name: NameSchema.optional() })
  .openapi("UpdateCalendar", { description: "Send only what changes; a list sent replaces the stored one whole." });
export type UpdateCalendarInput = z.output<typeof UpdateCalendarSchema>;

export const ImportIcsSchema = z
  .strictObject({
    ics: z.string().min(1, "must not be empty").max(MAX_ICS_CHARS),
    replace: z
      .boolean()
      .optional()
      .openapi({ description: "Replace the stored dates and ranges instead of adding to them. Default false" }),
  })
  .openapi("ImportCalendarIcs");

export const CalendarParamsSchema = AccountParamSchema.extend({
  calendar_id: UuidSchema.openapi({ description: "The calendar id (UUID)" }),
});
export const WindowParamsSchema = AccountParamSchema.extend({
  window_id: UuidSchema.openapi({ description: "The maintenance window id (UUID)" }),
});

export const ListQuerySchema = z.strictObject({
  limit: intQuery({ min: 1, max: 100, default: 50 }),
  cursor: cursorQuery(decodePosition, "Opaque: `pagination.next_cursor` of the previous page"),
});

const iso = z.string().openapi({ example: "2026-12-24T18:00:00Z" });

export const CalendarSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    dates: z.array(z.string()),
    ranges: z.array(z.object({ start: iso, end: iso })),
    recurring: z.array(z.object({ cron: z.string(), duration_minutes: z.number().int() })),
    created_at: iso,
    updated_at: iso,
  })
  .openapi("Calendar");

export const CalendarEnvelopeSchema = z.object({ data: CalendarSchema }).openapi("CalendarEnvelope");
export const CalendarListSchema = z
  .object({ data: z.array(CalendarSchema), pagination: CursorPaginationSchema })
  .openapi("CalendarList");
export const DeletedSchema = z
  .object({ data: z.object({ id: z.string(), message: z.string() }) })
  .openapi("DeletedCalendarOrWindow");

const windowFields = {
  name: NameSchema.optional(),
  start: InstantSchema.optional().openapi({
    description: "A one-off window's start; with `recurrence`, no occurrence counts before it",
  }),
  end: InstantSchema.optional().openapi({
    description: "A one-off window's end (excluded); with `recurrence`, none counts from it",
  }),
  recurrence: RecurringSchema.optional().openapi({
    description: "A recurring window: each cron match (in `timezone`) opens it for duration_minutes",
  }),
  timezone: Timezone.optional().openapi({ description: "The recurrence's zone. Default UTC" }),
  action: z.enum(maintenanceActions, { error: "must be skip or mute" }).openapi({
    description: "skip: slots inside are recorded skipped (reason maintenance); mute: they run but send no alert",
  }),
  job_ids: list(UuidSchema, MAX_SCOPE_IDS, "ids")
    .optional()
    .openapi({ description: "Live jobs of this account (else 400); one deleted after the window names it stays" }),
  monitor_ids: list(UuidSchema, MAX_SCOPE_IDS, "ids")
    .optional()
    .openapi({ description: "Live monitors of this account (else 400); one deleted later stays, as job_ids" }),
  tags: TagsSchema.optional().openapi({ description: "Jobs and monitors with any of these tags are in scope" }),
};

type WindowShape = {
  start?: number;
  end?: number;
  recurrence?: Recurring;
  job_ids?: string[];
  monitor_ids?: string[];
  tags?: string[];
};

/** A window needs `start` and `end`, or a recurrence; and a scope. An update checks the merged result instead. */
export function windowIssues(w: WindowShape): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if (w.recurrence === undefined) {
    if (w.start === undefined) issues.push({ path: "start", message: "is required unless recurrence is given" });
    if (w.end === undefined) issues.push({ path: "end", message: "is required unless recurrence is given" });
  }
  if (w.start !== undefined && w.end !== undefined && w.end <= w.start)
    issues.push({ path: "end", message: "must be after start" });
  if (!w.job_ids?.length && !w.monitor_ids?.length && !w.tags?.length)
    issues.push({ path: "job_ids", message: "name at least one job id, monitor id or tag (the window's scope)" });
  return issues;
}

export const CreateWindowSchema = z
  .strictObject(windowFields)
  .superRefine((w, ctx) => {
    for (const i of windowIssues(w)) ctx.addIssue({ code: "custom", path: [i.path], message: i.message });
  })
  .openapi("CreateMaintenanceWindow");
export type CreateWindowInput = z.output<typeof CreateWindowSchema>;

export const UpdateWindowSchema = z
  .strictObject({
    ...windowFields,
    action: windowFields.action.optional(),
    // nullable() inside optional(): the OpenAPI document then says null is accepted (it clears the field).
    start: InstantSchema.nullable().optional().openapi({ description: "A one-off window's start; null clears it" }),
    end: InstantSchema.nullable()
      .optional()
      .openapi({ description: "A one-off window's end (excluded); null clears it" }),
    recurrence: RecurringSchema.nullable().optional().openapi({ description: "The recurrence; null clears it" }),
  })
  .openapi("UpdateMaintenanceWindow", { description: "Send only what changes; null clears start, end or recurrence." });
export type UpdateWindowInput = z.output<typeof UpdateWindowSchema>;

export const MaintenanceWindowSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    start: iso.nullable(),
    end: iso.nullable(),
    recurrence: z.object({ cron: z.string(), duration_minutes: z.number().int() }).nullable(),
    timezone: z.string(),
    action: z.enum(maintenanceActions),
    job_ids: z.array(z.string()),
    monitor_ids: z.array(z.string()),
    tags: z.array(z.string()),
    created_at: iso,
    updated_at: iso,
  })
  .openapi("MaintenanceWindow");

export const WindowEnvelopeSchema = z.object({ data: MaintenanceWindowSchema }).openapi("MaintenanceWindowEnvelope");
export const WindowListSchema = z
  .object({ data: z.array(MaintenanceWindowSchema), pagination: CursorPaginationSchema })
  .openapi("MaintenanceWindowList");
