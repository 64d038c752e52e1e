import { z } from "@hono/zod-openapi";
import { AlertPolicyResponseSchema, AlertPolicySchema } from "../alerts/schemas";
import { pingKinds, pingMethods } from "../db/schema";
import { NameSchema, TagsSchema, Timezone } from "../http/label-schemas";
import { AccountParamSchema, intQuery, UuidSchema } from "../http/schemas";
import { ListJobsQuerySchema } from "../jobs/schemas";
import { CronExpressionSchema } from "../lib/schedule/schema";
import { decodeCursor, type LogPosition } from "../logs/cursor";
import { CursorPaginationSchema } from "../logs/schemas";

/** A monitor's shown state: `late` is `up` past next_expected_at, inside its grace. */
export const monitorViewStates = ["new", "up", "late", "down", "paused"] as const;
export type MonitorViewState = (typeof monitorViewStates)[number];

/** The shortest period and grace: the tick that checks monitors runs once a minute. */
export const MIN_SECONDS = 60;
/** The longest period and grace: 365 days. */
export const MAX_SECONDS = 31_536_000;
/** What `?create=1` (and a create naming no schedule) gives a monitor: a daily ping, an hour's grace. */
export const DEFAULT_PERIOD_SECONDS = 86_400;
export const DEFAULT_GRACE_SECONDS = 3_600;

/** Healthchecks' slug alphabet (its Pinging API docs), so its scripts keep their URLs. */
export const SLUG = /^[a-z0-9_-]{1,100}$/;

const Seconds = (description: string) =>
  z
    .number()
    .int(`must be an integer between ${MIN_SECONDS} and ${MAX_SECONDS}`)
    .min(MIN_SECONDS, `must be an integer between ${MIN_SECONDS} and ${MAX_SECONDS}`)
    .max(MAX_SECONDS, `must be an integer between ${MIN_SECONDS} and ${MAX_SECONDS}`)
    .openapi({ description, example: 3600 });

export const SlugSchema = z
  .string()
  .regex(SLUG, "must be 1 to 100 of a-z, 0-9, hyphen and underscore")
  .openapi({ example: "nightly-backup" });

/** A monitor's alerts: the jobs' channels, and whether the end of a down spell alerts (`up`). */
export const MonitorAlertsSchema = z
  .strictObject({
    channels: AlertPolicySchema.shape.channels,
    on_recovery: AlertPolicySchema.shape.on_recovery.openapi({
      description: "Alert `up` when a success ends a down spell. Default true",
    }),
  })
  .superRefine((alerts, ctx) => {
    // The jobs' policy judges a channel list as a whole (no channel twice): the same rules, not a copy of them.
    if (alerts.channels === undefined) return;
    const judged = AlertPolicySchema.safeParse({ channels: alerts.channels });
    for (const issue of judged.success ? [] : judged.error.issues)
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  })
  .openapi("MonitorAlertsInput", {
    description: "Where `down` and `up` go. Fields sent replace the stored ones (`channels` whole).",
  });
export type MonitorAlertsInput = z.output<typeof MonitorAlertsSchema>;

export const MonitorAlertsResponseSchema = AlertPolicyResponseSchema.pick({
  channels: true,
  on_recovery: true,
}).openapi("MonitorAlerts");
export type MonitorAlerts = z.output<typeof MonitorAlertsResponseSchema>;

const monitorFields = {
  name: NameSchema,
  slug: SlugSchema.optional().openapi({
    description: "Unique among the account's monitors; the ping URL's last part. Default: derived from the name",
  }),
  period_seconds: Seconds(
    `Seconds between expected pings (${MIN_SECONDS} to ${MAX_SECONDS}); instead of cron. Default ${DEFAULT_PERIOD_SECONDS} when neither is given`,
  ).optional(),
  cron: CronExpressionSchema.optional().openapi({
    description: "A 5-field cron expression in `timezone`: a ping is expected at each match; instead of period_seconds",
    example: "0 3 * * *",
  }),
  timezone: Timezone.optional().openapi({ description: "The cron expression's IANA time zone. Default UTC" }),
  grace_seconds: Seconds(
    `How long after the expected time the monitor is late before it goes down (${MIN_SECONDS} to ${MAX_SECONDS}). Default ${DEFAULT_GRACE_SECONDS}`,
  ).optional(),
  tags: TagsSchema.optional(),
  alerts: MonitorAlertsSchema.optional(),
};

type ScheduleFields = { period_seconds?: number; cron?: string; timezone?: string };

/** One schedule: period_seconds or cron; a timezone goes with cron (an update may send it alone, for a stored cron). */
const oneSchedule = (update: boolean) => (m: ScheduleFields, ctx: z.RefinementCtx) => {
  if (m.period_seconds !== undefined && m.cron !== undefined) {
    ctx.addIssue({ code: "custom", path: ["period_seconds"], message: "cannot be combined with cron" });
    ctx.addIssue({ code: "custom", path: ["cron"], message: "cannot be combined with period_seconds" });
  } else if (m.timezone !== undefined && m.cron === undefined && (!update || m.period_seconds !== undefined)) {
    ctx.addIssue({ code: "custom", path: ["timezone"], message: "only applies with cron" });
  }
};

export const CreateMonitorSchema = z
  .strictObject(monitorFields)
  .superRefine(oneSchedule(false))
  .openapi("CreateMonitor");
export type CreateMonitorInput = z.output<typeof CreateMonitorSchema>;

/** Every field optional; a new schedule (period_seconds or cron) replaces the other one. */
export const UpdateMonitorSchema = z
  .strictObject({ ...monitorFields, name: NameSchema.optional() })
  .superRefine(oneSchedule(true))
  .openapi("UpdateMonitor", {
    description:
      "Send only what changes. A new schedule or grace restarts the current period from now. A timezone alone applies to the stored cron.",
  });
export type UpdateMonitorInput = z.output<typeof UpdateMonitorSchema>;

export const MonitorParamsSchema = AccountParamSchema.extend({
  monitor_id: UuidSchema.openapi({ description: "The monitor id (UUID)" }),
});

const CursorSchema = z
  .string()
  .transform((value, ctx): LogPosition => {
    const position = decodeCursor(value);
    if (position) return position;
    ctx.addIssue({
      code: "custom",
      message: "is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
    });
    return z.NEVER;
  })
  .optional()
  .openapi({ type: "string", description: "Opaque: `pagination.next_cursor` of the previous page" });

export const ListMonitorsQuerySchema = z.strictObject({
  limit: intQuery({ min: 1, max: 100, default: 50 }),
  cursor: CursorSchema,
  state: z
    .enum(monitorViewStates, { error: `must be one of ${monitorViewStates.join(", ")}` })
    .optional()
    .openapi({ description: "Only monitors in this state (late: up, past next_expected_at)" }),
  pings: intQuery({ min: 0, max: 20, default: 0, example: 20 }).openapi({
    description:
      "Also answer each monitor's last `pings` pings as `recent_pings`, newest first (one query for the page)",
  }),
  tags: ListJobsQuerySchema.shape.tags.openapi({
    type: "string",
    description: "Comma-separated; a monitor matches if it has any of them",
    example: "backups,nightly",
  }),
});

export const ListPingsQuerySchema = z.strictObject({
  limit: intQuery({ min: 1, max: 100, default: 50 }),
  cursor: CursorSchema,
});

const iso = z.string().openapi({ example: "2024-01-26T14:00:00Z" });

export const MonitorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    period_seconds: z.number().int().nullable(),
    cron: z.string().nullable(),
    timezone: z.string(),
    grace_seconds: z.number().int(),
    tags: z.array(z.string()),
    alerts: MonitorAlertsResponseSchema,
    state: z.enum(monitorViewStates).openapi({
      description:
        "new (no ping yet), up, late (past next_expected_at, within grace), down (missed past its grace, a start not ended within grace, or a fail), paused",
    }),
    last_ping_at: iso.nullable().openapi({ description: "The latest ping other than /log" }),
    last_start_at: iso.nullable(),
    last_duration_ms: z.number().int().nullable().openapi({ description: "The latest start-to-end time" }),
    next_expected_at: iso.nullable().openapi({ description: "When the next success is due; null while new or paused" }),
    down_at: iso.nullable().openapi({
      description: "When the monitor goes down unless a success comes first (next_expected_at + grace, or a start's)",
    }),
    ping_url: z.string().openapi({
      description:
        'GET, POST or HEAD it (README "Monitors"). Read-only API keys see `<ping_key>` in place of the account\'s ping key',
      example: "https://edgecron.example/ping/Xh3kq9Tb2Lm5Vn8Rc1Wd0A/nightly-backup",
    }),
    created_at: iso,
    updated_at: iso,
    recent_pings: z
      .array(
        z.object({
          id: z.number().int(),
          kind: z.enum(pingKinds),
          exit_status: z.number().int().nullable(),
          received_at: iso,
        }),
      )
      .optional()
      .openapi({ description: "The last pings, newest first: only in a list asked for them with `pings`" }),
  })
  .openapi("Monitor");

export const MonitorEnvelopeSchema = z.object({ data: MonitorSchema }).openapi("MonitorEnvelope");
export const MonitorListSchema = z
  .object({ data: z.array(MonitorSchema), pagination: CursorPaginationSchema })
  .openapi("MonitorList");
export const DeletedMonitorSchema = z
  .object({ data: z.object({ id: z.string(), message: z.string() }) })
  .openapi("DeletedMonitor");

export const PingSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(pingKinds).openapi({ description: "success, start, fail or log; an exit status 0 is a success" }),
    exit_status: z.number().int().nullable().openapi({ description: "From `/ping/…/{0-255}`" }),
    method: z.enum(pingMethods),
    rid: z.string().nullable(),
    duration_ms: z.number().int().nullable().openapi({ description: "Since the start this end pairs with" }),
    received_at: iso,
    body: z.string().nullable().openapi({ description: "The POST body's first 10 KB" }),
  })
  .openapi("MonitorPing");

export const PingListSchema = z
  .object({ data: z.array(PingSchema), pagination: CursorPaginationSchema })
  .openapi("MonitorPingList");

export const PingKeySchema = z
  .object({
    data: z.object({
      ping_key: z.string().openapi({
        description:
          "The new key, also shown in ping_url to full-scope keys; the old one stops working within DIRECTORY_CACHE_SECONDS",
      }),
      rotated_at: iso,
    }),
  })
  .openapi("RotatedPingKey");
