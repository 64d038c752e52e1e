import { z } from "@hono/zod-openapi";
import { parseInstant } from "../dates";
import { cronError, normaliseCron } from "./cron";

export const repeatTypes = ["hourly", "days", "weeks", "months", "years"] as const;
export const endTypes = ["never", "on", "after"] as const;

export const weekdays = ["0", "1", "2", "3", "4", "5", "6"] as const;
const WEEKDAY = "must be 0 (Sunday) to 6 (Saturday), as a number or a string";

/** A weekday as A1Cron writes it ("0"–"6") or as clients often send it (0–6); stored as the string. */
const Weekday = z
  .union([z.enum(weekdays, { error: WEEKDAY }), z.int({ error: WEEKDAY }).min(0, WEEKDAY).max(6, WEEKDAY)], {
    error: WEEKDAY,
  })
  .transform((d) => String(d) as (typeof weekdays)[number]);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const HH_MM = "must be HH:MM between 00:00 and 23:59";
/** run_at names an instant: a date-time with a time and a zone (`Z` or an offset), never a bare date. */
const DATE_TIME_WITH_ZONE = /T.*(Z|[+-]\d{2}:?\d{2})$/i;
const RUN_AT = "must be an ISO 8601 date-time with Z or an offset, such as 2026-12-24T18:00:00Z";
/** schedule_config fields a one-off (run_at) job refuses. */
const ONE_OFF_EXCLUDES = [
  "repeat_type",
  "cron",
  "time",
  "days_of_week",
  "day_of_month",
  "end_date",
  "end_occurrences",
  "start_date",
  "additional_times",
] as const;

/** Schedules one job may have: cron expressions, or `time` plus `additional_times`. */
export const MAX_SCHEDULES = 10;

/** Calendars one job may exclude: each due slot is tested against every one of them. */
export const MAX_EXCLUDED_CALENDARS = 20;

/** One 5-field cron expression (a job's, or a monitor's). */
export const CronExpressionSchema = z
  .string({ error: "must be a cron expression (a string)" })
  .superRefine((expr, ctx) => {
    const error = cronError(expr);
    if (error) ctx.addIssue({ code: "custom", message: error });
  });

const CRON_LIST = `must list 1 to ${MAX_SCHEDULES} expressions`;
const TIMES = `must list 1 to ${MAX_SCHEDULES - 1} times (with \`time\`, ${MAX_SCHEDULES} at most)`;

export const ScheduleConfigSchema = z
  .strictObject({
    repeat_type: z.enum(repeatTypes).optional().openapi({ description: "How often the job repeats (or give `cron`)" }),
    repeat_every: z
      .number()
      .int("must be an integer between 1 and 1000")
      .min(1, "must be an integer between 1 and 1000")
      .max(1000, "must be an integer between 1 and 1000")
      .optional()
      // A transform, not .default(): openapi-typescript would turn a schema `default` into a required field.
      .transform((n) => n ?? 1)
      .openapi({
        description: "Run every N hours/days/weeks/months/years, counted from creation or the last change. Default 1",
      }),
    time: z.string({ error: HH_MM }).regex(TIME, HH_MM).optional().openapi({
      description: "Local time in the job's timezone; for hourly only the minutes count",
      example: "09:00",
    }),
    days_of_week: z
      .array(Weekday)
      .refine((days) => new Set(days).size === days.length, "must not repeat a day")
      .optional()
      .openapi({
        description: "Weekdays for `weeks`, Sunday = 0; numbers (0–6) are accepted too",
        example: ["1", "3"],
      }),
    day_of_month: z
      .number()
      .int("must be an integer between 1 and 31")
      .min(1, "must be an integer between 1 and 31")
      .max(31, "must be an integer between 1 and 31")
      .optional()
      .openapi({
        description: "Extension for `months`/`years` (default 1); past a month's end it runs on the last day",
        example: 15,
      }),
    end_type: z
      .enum(endTypes)
      .optional()
      .transform((t) => t ?? "never")
      .openapi({ description: "Default never" }),
    end_date: z
      .string()
      .refine((s) => parseInstant(s) !== null, "must be an ISO 8601 date (2025-12-31) or date-time with Z or an offset")
      .optional()
      .openapi({
        description: "Last moment for `end_type: on`; a bare date means the end of that day in the job's timezone",
        example: "2025-12-31",
      }),
    end_occurrences: z
      .number()
      .int("must be a positive integer")
      .min(1, "must be a positive integer")
      .optional()
      .openapi({ description: "Number of scheduled runs for `end_type: after`", example: 10 }),
    run_at: z
      .string()
      .refine((s) => DATE_TIME_WITH_ZONE.test(s) && parseInstant(s) !== null, RUN_AT)
      .optional()
      .openapi({
        description:
          "Extension: a one-off job — it runs once at this instant (retries as configured), then becomes `completed`. Instead of repeat_type/cron; must be in the future",
        example: "2026-12-24T18:00:00Z",
      }),
    start_date: z
      .string()
      .refine((s) => parseInstant(s) !== null, "must be an ISO 8601 date (2025-12-31) or date-time with Z or an offset")
      .optional()
      .openapi({
        description:
          "Extension: no run before it; repeat_every periods count from it. A bare date means the start of that day in the job's timezone",
        example: "2026-01-15",
      }),
    cron: z
      .union(
        [
          CronExpressionSchema,
          z
            .array(CronExpressionSchema)
            .min(1, CRON_LIST)
            .max(MAX_SCHEDULES, CRON_LIST)
            .refine((list) => new Set(list.map(normaliseCron)).size === list.length, "must not repeat an expression"),
        ],
        { error: `must be a cron expression or a list of 1 to ${MAX_SCHEDULES} expressions` },
      )
      .optional()
      .openapi({
        description: `Extension: a 5-field cron expression in the job's timezone, instead of the repeat fields; or a list of up to ${MAX_SCHEDULES}, run at the union of their times (an instant two share runs once)`,
        example: "*/15 9-17 * * 1-5",
      }),
    exclude_calendars: z
      .array(z.uuid({ message: "must be a calendar id (UUID)" }).transform((id) => id.toLowerCase()))
      .max(MAX_EXCLUDED_CALENDARS, `must list at most ${MAX_EXCLUDED_CALENDARS} calendars`)
      .refine((ids) => new Set(ids).size === ids.length, "must not repeat a calendar")
      .optional()
      .openapi({
        description:
          "Extension: ids of the account's calendars (…/calendars); a slot inside any of them is recorded as skipped with reason calendar instead of running",
        example: ["550e8400-e29b-41d4-a716-446655440000"],
      }),
    additional_times: z
      .array(z.string({ error: HH_MM }).regex(TIME, HH_MM), { error: "must be a list of HH:MM times" })
      .min(1, TIMES)
      .max(MAX_SCHEDULES - 1, TIMES)
      .refine((times) => new Set(times).size === times.length, "must not repeat a time")
      .optional()
      .openapi({
        description:
          "Extension: more local times besides `time`, each with the same repeat fields; the job runs at the union (for hourly only the minutes count)",
        example: ["17:30"],
      }),
  })
  .superRefine((c, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    if (c.run_at !== undefined) {
      // A one-off: every repeating field, the end conditions and start_date have nothing to act on.
      for (const field of ONE_OFF_EXCLUDES) if (c[field] !== undefined) issue(field, "is not used with run_at");
      if (c.repeat_every !== 1) issue("repeat_every", "is not used with run_at");
      if (c.end_type !== "never") issue("end_type", "is not used with run_at (a one-off ends after its run)");
      return;
    }
    if (c.additional_times !== undefined) {
      if (c.cron !== undefined) issue("additional_times", "is not used with cron (list several expressions instead)");
      else if (c.time !== undefined && c.additional_times.includes(c.time)) issue("additional_times", "repeats time");
    }
    if (c.cron !== undefined) {
      if (c.repeat_type !== undefined) issue("cron", "cannot be combined with repeat_type");
      if (c.time !== undefined) issue("time", "is not used with cron");
      if (c.repeat_every !== 1) issue("repeat_every", "is not used with cron");
    } else if (c.repeat_type === undefined) {
      issue("repeat_type", "is required unless cron or run_at is given");
    } else if (c.time === undefined) {
      issue("time", `is required for repeat_type ${c.repeat_type}`);
    }
    const weekly = c.repeat_type === "weeks";
    if (weekly && !c.days_of_week?.length) issue("days_of_week", "must list at least one day for repeat_type weeks");
    if (!weekly && c.days_of_week?.length) issue("days_of_week", "only applies to repeat_type weeks");
    if (c.day_of_month !== undefined && c.repeat_type !== "months" && c.repeat_type !== "years") {
      issue("day_of_month", "only applies to repeat_type months or years");
    }
    if (c.end_type === "on" && c.end_date === undefined) issue("end_date", "is required when end_type is on");
    if (c.end_type !== "on" && c.end_date !== undefined) issue("end_date", "only applies when end_type is on");
    if (c.end_type === "after" && c.end_occurrences === undefined) {
      issue("end_occurrences", "is required when end_type is after");
    }
    if (c.end_type !== "after" && c.end_occurrences !== undefined) {
      issue("end_occurrences", "only applies when end_type is after");
    }
  })
  .openapi("ScheduleConfigInput", {
    example: { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
  });

export type ScheduleConfig = z.output<typeof ScheduleConfigSchema>;
