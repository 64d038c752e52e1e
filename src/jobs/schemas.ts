import { z } from "@hono/zod-openapi";
import { AlertPolicyResponseSchema, AlertPolicySchema } from "../alerts/schemas";
import { jobStates } from "../db/schema";
import { HttpUrl } from "../http/http-url";
import { MAX_TAGS, NameSchema, TagsSchema, Timezone } from "../http/label-schemas";
import { intQuery, PaginationSchema } from "../http/schemas";
import { hiddenCharacterAt, hiddenCharacterMessage, refuseHiddenCharacters } from "../http/well-formed";
import { endTypes, repeatTypes, ScheduleConfigSchema, weekdays } from "../lib/schedule/schema";
import { completionInputFields, completionResponseFields } from "./completion";
import { pauseInputFields, pauseResponseFields } from "./pause";
import {
  BACKOFFS,
  CALLBACK_NOTIFY_INPUT,
  CallbacksResponseSchema,
  LastRunStatusSchema,
  RetryConfigResponseSchema,
  ScheduleConfigResponseSchema,
} from "./response.schemas";
import { schedulingInputFields, schedulingResponseFields } from "./scheduling.schemas";
import {
  RETRY_ON_DEFAULTS,
  retryOnInputFields,
  SuccessRulesResponseSchema,
  SuccessRulesSchema,
} from "./success-rules.schemas";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const MAX_BODY_CHARS = 32_768;
export const MAX_HEADERS = 50;
export const MAX_SECRET_QUERY_PARAMS = 20;

/** Headers a client may not set: hop-by-hop ones, Host, and what fetch computes itself. */
const FORBIDDEN_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

const HeadersSchema = z
  .record(z.string(), z.string().max(8192, "header values are limited to 8192 characters"))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) ctx.addIssue({ code: "custom", message: `at most ${MAX_HEADERS} headers` });
    for (const name of names) {
      const value = headers[name] ?? "";
      const hidden = hiddenCharacterAt(name);
      if (hidden)
        ctx.addIssue({ code: "custom", path: [name], message: `has a name that ${hiddenCharacterMessage(hidden)}` });
      else if (!HEADER_NAME.test(name))
        ctx.addIssue({ code: "custom", path: [name], message: "is not a valid header name" });
      else if (FORBIDDEN_HEADERS.has(name.toLowerCase()))
        ctx.addIssue({ code: "custom", path: [name], message: "is a hop-by-hop or reserved header and cannot be set" });
      if (/[\r\n\0]/.test(value))
        ctx.addIssue({ code: "custom", path: [name], message: "must not contain CR, LF or NUL" });
    }
  })
  .openapi({ example: { Authorization: "Bearer token123", "Content-Type": "application/json" } });

/** What a job runs with when retry_config, or one of its fields, is not given (A1Cron's defaults). */
export const RETRY_DEFAULTS = {
  max_retries: 3,
  retry_delay_seconds: 60,
  timeout_seconds: 30,
  backoff: "fixed",
  ...RETRY_ON_DEFAULTS,
} as const;

/**
 * The longest timeout_seconds: A1Base's own client examples use 60–300 s. A run's lease covers it plus the
 * recording margin (src/engine/ledger.ts), and a queue consumer invocation (15 minutes of wall time, Cloudflare
 * Queues limits) runs its whole batch at once, so one batch lasts about the longest timeout in it
 * (src/engine/queue-handler.ts).
 */
export const MAX_TIMEOUT_SECONDS = 600;
export const CALLBACK_DEFAULTS = { success_url: null, failure_url: null, notify: "attempt" } as const;

/**
 * retry_config and callbacks as sent: every field optional and no zod `.default()`. The defaults are applied in
 * src/jobs/build.ts (create) or the stored values kept (update): zod 4 applies a `.default()` even inside
 * `.partial()`, which reset the fields an update did not name, and a `default` in the OpenAPI document makes
 * generators (openapi-typescript) type the field as required.
 */
export const RetryConfigSchema = z
  .strictObject({
    max_retries: z.number().int().min(0).max(10).optional().openapi({ description: "Default 3" }),
    retry_delay_seconds: z.number().int().min(1).max(3600).optional().openapi({ description: "Default 60" }),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_TIMEOUT_SECONDS)
      .optional()
      .openapi({ description: `Default 30, at most ${MAX_TIMEOUT_SECONDS}` }),
    backoff: z.enum(BACKOFFS).optional().openapi({ description: "Default fixed" }),
    ...retryOnInputFields,
  })
  .openapi("RetryConfigInput");

export const CallbacksSchema = z
  .strictObject({
    success_url: HttpUrl.nullable().optional().openapi({ description: "null clears it" }),
    failure_url: HttpUrl.nullable().optional().openapi({ description: "null clears it" }),
    notify: z.enum(CALLBACK_NOTIFY_INPUT).optional().openapi({
      description:
        "attempt (default): a failure callback after every failed attempt (next_retry_at set while a retry is pending) and the success callback; final: only the run's final outcome (always is its old name); on_change: only a final outcome that flips the job between healthy and failing",
    }),
  })
  .openapi("CallbacksInput");

const jobFields = {
  name: NameSchema,
  description: z.string().max(2000).nullable().optional(),
  endpoint_url: HttpUrl,
  method: z.enum(HTTP_METHODS),
  headers: HeadersSchema.optional(),
  body: z.string().max(MAX_BODY_CHARS, `at most ${MAX_BODY_CHARS} characters`).nullable().optional(),
  secret_headers: z
    .array(z.string().regex(HEADER_NAME, "is not a valid header name"))
    .max(MAX_HEADERS, `at most ${MAX_HEADERS} names`)
    .optional()
    .openapi({
      description:
        'Header names whose values are secret besides the built-in ones (Authorization, Cookie, names containing token, secret, key, auth, password, signature or session): stored encrypted, shown as "[redacted:…]" (README "Security")',
      example: ["X-Tenant"],
    }),
  secret_query_params: z
    .array(z.string().min(1).max(256).superRefine(refuseHiddenCharacters))
    .max(MAX_SECRET_QUERY_PARAMS, `at most ${MAX_SECRET_QUERY_PARAMS} names`)
    .optional()
    .openapi({
      description: "Query parameters whose values are secret in endpoint_url and the callback URLs",
      example: ["api_key"],
    }),
  body_is_secret: z
    .boolean()
    .optional()
    .openapi({ description: "Default false: true stores the body encrypted and shows it as a redaction token" }),
  timezone: Timezone,
  schedule_config: ScheduleConfigSchema,
  tags: TagsSchema.optional(),
  alerts: AlertPolicySchema.optional(),
  request_signature: z.boolean().optional().openapi({
    description:
      'Default true: requests to endpoint_url carry X-Edgecron-Request-Signature (README "Requests to your endpoint"); false sends none',
  }),
  ...schedulingInputFields,
  ...completionInputFields,
  is_active: z.boolean().optional(),
  ...pauseInputFields,
  retry_config: RetryConfigSchema.optional(),
  callbacks: CallbacksSchema.optional(),
  success_rules: SuccessRulesSchema.optional(),
};

export const CreateJobSchema = z.strictObject(jobFields).openapi("CreateCronJob");
export type CreateJobInput = z.output<typeof CreateJobSchema>;

/** Every field optional. Nested retry_config/callbacks merge with the stored ones; the rest replace. */
const updateFields = z.strictObject({
  ...jobFields,
  name: jobFields.name.optional(),
  endpoint_url: HttpUrl.optional(),
  method: jobFields.method.optional(),
  timezone: Timezone.optional(),
  schedule_config: ScheduleConfigSchema.optional(),
});

export const ListJobsQuerySchema = z.strictObject({
  page: intQuery({ min: 1, default: 1 }),
  limit: intQuery({ min: 1, max: 100, default: 50 }),
  is_active: z
    .enum(["true", "false"], { message: "must be true or false" })
    .transform((v) => v === "true")
    .optional()
    .openapi({ type: "string", enum: ["true", "false"] }),
  tags: z
    .string()
    .max(1100)
    .transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ])
    .refine((t) => t.length <= MAX_TAGS, `at most ${MAX_TAGS} tags`)
    .optional()
    .openapi({
      type: "string",
      description: "Comma-separated; a job matches if it has any of them",
      example: "reports,daily",
    }),
  search: z.string().max(200).optional().openapi({ description: "Case-insensitive substring of the job name" }),
});

const iso = z.string().openapi({ example: "2024-01-26T14:00:00Z" });

export const JobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    endpoint_url: z.string(),
    schedule: z.string().openapi({
      example: "0 9 * * *",
      description: "The job's (first) schedule as a 5-field cron string; `schedules` lists all of them",
    }),
    schedules: z.array(z.string()).openapi({
      example: ["0 9 * * *", "30 17 * * *"],
      description:
        "Extension: every schedule as a 5-field cron string (each `cron` expression, or `time` and each of `additional_times`); the job runs at their union",
    }),
    method: z.enum(HTTP_METHODS),
    headers: z.record(z.string(), z.string()).openapi({
      description: 'Secret values are shown as "[redacted:<hash>]"; send a token back unchanged to keep the value',
    }),
    body: z.string().nullable(),
    secret_headers: z.array(z.string()),
    secret_query_params: z.array(z.string()),
    body_is_secret: z.boolean(),
    is_active: z.boolean().openapi({ description: "A1Cron's field: true exactly when state is active" }),
    ...pauseResponseFields,
    state: z.enum(jobStates).openapi({
      description:
        "active; paused (is_active: false, set by the user); completed (the last run of an ended schedule has its final outcome); disabled (alerts.auto_disable_after consecutive failed runs; is_active: true re-enables it and resets consecutive_failures)",
    }),
    disabled_at: iso.nullable().openapi({
      description: "When the alert policy disabled the job (state disabled); null in every other state",
    }),
    disabled_reason: z.string().nullable().openapi({
      description: "Why the job is disabled; null unless state is disabled",
      example: "Disabled after 5 consecutive failed runs (alerts.auto_disable_after)",
    }),
    timezone: z.string(),
    repeat_type: z.enum(repeatTypes).nullable(),
    repeat_every: z.number().int().nullable(),
    days_of_week: z.array(z.enum(weekdays)).nullable(),
    day_of_month: z.number().int().nullable(),
    hours: z.number().int().nullable(),
    minutes: z.number().int().nullable(),
    end_type: z.enum(endTypes),
    end_date: z.string().nullable(),
    end_occurrences: z.number().int().nullable(),
    max_retries: z.number().int(),
    retry_delay_seconds: z.number().int(),
    timeout_seconds: z.number().int(),
    success_callback_url: z.string().nullable(),
    failure_callback_url: z.string().nullable(),
    tags: z.array(z.string()),
    alerts: AlertPolicyResponseSchema,
    request_signature: z.boolean().openapi({ description: "Whether requests carry X-Edgecron-Request-Signature" }),
    ...schedulingResponseFields,
    ...completionResponseFields,
    next_run_at: iso.nullable(),
    next_runs: z.array(iso).openapi({ description: "The next three run times" }),
    last_run_at: iso.nullable(),
    last_run_status: LastRunStatusSchema.nullable(),
    consecutive_failures: z.number().int(),
    total_executions: z.number().int(),
    successful_executions: z.number().int(),
    failed_executions: z.number().int(),
    schedule_config: ScheduleConfigResponseSchema,
    retry_config: RetryConfigResponseSchema,
    callbacks: CallbacksResponseSchema,
    success_rules: SuccessRulesResponseSchema,
    warnings: z
      .array(
        z
          .object({
            field: z.string().openapi({ example: "headers.AUTHORIZATION" }),
            message: z.string().openapi({
              example:
                'differs only in case from "Authorization" (header names are case-insensitive): all are sent as one header, their values joined with commas; a create or update sending this is refused (keep one of them)',
            }),
          })
          .openapi("CronJobWarning"),
      )
      .openapi({
        description:
          "What of the job's request is not sent as declared, on a job stored before such requests were refused: header names (or secret_headers) that differ only in case, a Content-Type charset edgecron does not encode, a body character the declared single-byte charset lacks. Each names the field as a 400 would; empty for any job created or updated since",
      }),
    created_at: iso,
    updated_at: iso,
    error: z.string().optional().openapi({
      description:
        "Only on a job whose stored row cannot be read (it is logged for the operator): then the job object carries just id, name and this message",
      example: "stored job is unreadable: headers is not valid JSON",
    }),
  })
  .openapi("CronJob");

type JobShape = typeof JobSchema.shape;
type ReadOnlyKey = Exclude<keyof JobShape, keyof typeof updateFields.shape>;

/** The job object's fields that no request writes: its id, derived and flattened fields, counters, times. */
const readOnlyFields = Object.fromEntries(
  Object.entries(JobSchema.shape)
    .filter(([key]) => !(key in updateFields.shape))
    .map(([key, schema]) => [
      key,
      schema.optional().openapi({ readOnly: true, description: "Read-only: accepted and ignored (see UpdateCronJob)" }),
    ]),
) as { [K in ReadOnlyKey]: z.ZodOptional<JobShape[K]> };

/**
 * The PATCH body: every writable field optional, plus the job object's read-only fields, accepted and ignored, so
 * a job read with GET can be sent back whole (A1Base's client does). Any other unknown field is still a 400.
 */
export const UpdateJobSchema = updateFields.extend(readOnlyFields).openapi("UpdateCronJob", {
  description:
    "Send only what changes, or a whole job object read with GET: its read-only fields (id, schedule, next_run_at, " +
    "the counters, the flattened copies of schedule_config / retry_config / callbacks, …) are ignored, and a " +
    "field sent with the value it already has changes nothing (an unchanged schedule_config or timezone keeps the " +
    "schedule's anchor and occurrence count). Unknown fields are refused.",
});
export type UpdateJobInput = z.output<typeof UpdateJobSchema>;

export const CloneJobSchema = z
  .strictObject({
    name: jobFields.name.optional().openapi({ description: 'Default: the source\'s name followed by " (copy)"' }),
    is_active: z.boolean().optional().openapi({ description: "Default false: the copy starts paused" }),
  })
  .openapi("CloneCronJob");

export const JobEnvelopeSchema = z.object({ data: JobSchema }).openapi("CronJobEnvelope");
export const JobListSchema = z
  .object({
    data: z.array(JobSchema),
    pagination: PaginationSchema.extend({ total: z.number().int().openapi({ description: "Same as total_items" }) }),
  })
  .openapi("CronJobList");
export const DeletedJobSchema = z
  .object({ data: z.object({ id: z.string(), message: z.string() }) })
  .openapi("DeletedCronJob");
