import { z } from "@hono/zod-openapi";
import { executionStatuses } from "../db/schema";
import { endTypes, repeatTypes, weekdays } from "../lib/schedule/schema";
import { retryOnResponseFields } from "./success-rules.schemas";

export const BACKOFFS = ["fixed", "exponential"] as const;
/** When callbacks are sent (src/engine/callbacks.ts); what is stored and returned. */
export const CALLBACK_NOTIFY = ["attempt", "final", "on_change"] as const;
/** What a request may send: `always` is an alias of `final` and is stored as `final`. */
export const CALLBACK_NOTIFY_INPUT = [...CALLBACK_NOTIFY, "always"] as const;
/** A run's final outcome, as `last_run_status` reports it (same values as a log's `status`). */
export const LastRunStatusSchema = z.enum(executionStatuses);

/**
 * The job object's nested objects as returned: every field present, so generated clients type them as required.
 * Response-only; requests use the *Input schemas, where these fields are optional.
 */

export const ScheduleConfigResponseSchema = z
  .object({
    repeat_type: z.enum(repeatTypes).optional().openapi({ description: "Absent for a `cron` schedule" }),
    repeat_every: z.number().int(),
    time: z.string().optional().openapi({ example: "09:00" }),
    days_of_week: z.array(z.enum(weekdays)).optional().openapi({ description: "Sunday = 0; always strings" }),
    day_of_month: z.number().int().optional(),
    end_type: z.enum(endTypes),
    end_date: z.string().optional(),
    end_occurrences: z.number().int().optional(),
    cron: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .openapi({ description: "Extension: a 5-field cron expression, or a list of them (as sent)" }),
    additional_times: z
      .array(z.string())
      .optional()
      .openapi({ description: "Extension: more local times besides `time`", example: ["17:30"] }),
    run_at: z.string().optional().openapi({ description: "Extension: the one-off run's instant, as sent" }),
    start_date: z.string().optional().openapi({ description: "Extension: no run before it, as sent" }),
    exclude_calendars: z
      .array(z.string())
      .optional()
      .openapi({ description: "Extension: calendars whose instants the job skips (reason calendar)" }),
  })
  .openapi("ScheduleConfig", {
    description: "The stored schedule: what was sent, with `repeat_every` and `end_type` defaulted",
  });

export const RetryConfigResponseSchema = z
  .object({
    max_retries: z.number().int(),
    retry_delay_seconds: z.number().int(),
    timeout_seconds: z.number().int(),
    backoff: z.enum(BACKOFFS),
    ...retryOnResponseFields,
  })
  .openapi("RetryConfig");

export type RetryConfig = z.output<typeof RetryConfigResponseSchema>;

export const CallbacksResponseSchema = z
  .object({
    success_url: z.string().nullable(),
    failure_url: z.string().nullable(),
    notify: z.enum(CALLBACK_NOTIFY),
  })
  .openapi("Callbacks");
export type Callbacks = z.output<typeof CallbacksResponseSchema>;

// A1Cron defines these four statuses and no "retry": a retry is a log with retry_attempt > 0.
export const ExecutionStatusSchema = z
  .enum(executionStatuses, {
    error: `must be one of ${executionStatuses.join(", ")} (a retry is a log with retry_attempt > 0, not a status)`,
  })
  .openapi({
    description:
      "success: 2xx · failure: 4xx/5xx · error: network error or invalid URL · timeout: exceeded the timeout",
  });
