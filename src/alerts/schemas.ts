import { z } from "@hono/zod-openapi";
import { alertChannelTypes, alertEvents, deliveryStates } from "../db/schema";
import { HttpUrl } from "../http/http-url";
import { intQuery, PaginationSchema } from "../http/schemas";
import { refuseHiddenCharacters } from "../http/well-formed";

/** At most this many channels per job: each alert is one delivery per channel. */
export const MAX_ALERT_CHANNELS = 5;
/** The p95 window's bounds (runs with a response time): enough samples for a 95th percentile, one D1 read. */
export const MIN_P95_WINDOW = 5;
export const MAX_P95_WINDOW = 100;
/** remind_every_minutes' bounds: reminders no more often than every 5 minutes, and at least weekly (10080). */
/** late_after_seconds' bound: a day; the tick claims each minute, so a few seconds of lateness is normal. */
export const MAX_LATE_AFTER_SECONDS = 86_400;
export const MIN_REMIND_MINUTES = 5;
export const MAX_REMIND_MINUTES = 10_080;

/**
 * One `local@domain.tld` mailbox, no display name, so the address confirmed by double opt-in is the one mailed.
 * Lower-cased: domains are case-insensitive (RFC 5321 §2.4), and edgecron treats local parts so too.
 */
export const EmailAddress = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@<>(),;:"\\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, "must be an e-mail address such as ops@example.com")
  .superRefine(refuseHiddenCharacters)
  .transform((s) => s.toLowerCase())
  .openapi({ type: "string", format: "email", example: "ops@example.com" });

const url = (description: string) => HttpUrl.openapi({ description });

export const AlertChannelSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("webhook"),
      url: url("POSTed the callback payload plus `event`, signed with X-Edgecron-Signature like callbacks"),
    }),
    z.strictObject({ type: z.literal("slack"), url: url("A Slack incoming-webhook URL") }),
    z.strictObject({ type: z.literal("discord"), url: url("A Discord webhook URL") }),
    z.strictObject({
      type: z.literal("email"),
      to: EmailAddress.openapi({
        description:
          "Receives alerts only once confirmed (POST /v1/cron-jobs/{accountId}/alert-recipients sends the double-opt-in link)",
      }),
    }),
  ])
  .openapi("AlertChannel");
export type AlertChannel = z.output<typeof AlertChannelSchema>;

const SlowRunSchema = z
  .strictObject({
    threshold_ms: z.number().int().min(1).max(600_000).openapi({ description: "Milliseconds", example: 5000 }),
    measure: z.enum(["run", "p95"]).optional().openapi({
      description:
        "run (default): a run whose response_time_ms is over threshold_ms; p95: the 95th percentile of the last `window` response times (this run's included) is over it",
    }),
    window: z
      .number()
      .int()
      .min(MIN_P95_WINDOW)
      .max(MAX_P95_WINDOW)
      .optional()
      .openapi({ description: `Runs in the p95 window. Default 20` }),
  })
  .openapi("SlowRunInput");

/** window_days' bounds: a day up to the 30 days the SRE workbook's burn-rate factors are stated for. */
export const MIN_SLO_WINDOW_DAYS = 1;
export const MAX_SLO_WINDOW_DAYS = 30;
/** latency_ms' bound: a day, the longest response time the latency sketches hold (src/logs/sketch.ts). */
export const MAX_SLO_LATENCY_MS = 86_400_000;

/** An objective's target: a fraction below 1, as a 100 % objective has no error budget to burn or report. */
const target = (description: string) =>
  z
    .number()
    .min(0)
    .lt(1, "must be below 1: a 100 % objective has no error budget (use 0.999 for 99.9 %)")
    .nullable()
    .optional()
    .openapi({ description, example: 0.99 });

const SloSchema = z
  .strictObject({
    success_rate: target("Objective: this fraction of runs (attempts, as logged) succeed, e.g. 0.99"),
    latency_ms: z
      .number()
      .int()
      .min(1)
      .max(MAX_SLO_LATENCY_MS)
      .nullable()
      .optional()
      .openapi({ description: "With latency_target: a successful run is fast at or under this many ms", example: 500 }),
    latency_target: target("With latency_ms: this fraction of successful runs is fast, e.g. 0.95"),
    window_days: z
      .number()
      .int()
      .min(MIN_SLO_WINDOW_DAYS)
      .max(MAX_SLO_WINDOW_DAYS)
      .openapi({ description: "The rolling window the objectives and the error budget span, in days", example: 30 }),
    burn_alerts: z.boolean().openapi({
      description:
        'Send `slo_burn` when the error budget burns fast (multi-window burn rates, docs/API-NOTES.md "SLO alerts") and `slo_ok` when that ends',
    }),
  })
  .superRefine((s, ctx) => {
    // null is "not set", as a job's response shows it (so a job's `alerts` can be sent back as is).
    if (s.success_rate == null && s.latency_ms == null && s.latency_target == null)
      ctx.addIssue({
        code: "custom",
        path: ["success_rate"],
        message: "an SLO needs an objective: success_rate, latency_ms with latency_target, or both",
      });
    if (s.latency_ms != null && s.latency_target == null)
      ctx.addIssue({ code: "custom", path: ["latency_target"], message: "needed with latency_ms" });
    if (s.latency_target != null && s.latency_ms == null)
      ctx.addIssue({ code: "custom", path: ["latency_ms"], message: "needed with latency_target" });
  })
  .openapi("SloInput");
export type SloInput = z.output<typeof SloSchema>;

export const SloResponseSchema = z
  .object({
    success_rate: z.number().nullable(),
    latency_ms: z.number().int().nullable(),
    latency_target: z.number().nullable(),
    window_days: z.number().int(),
    burn_alerts: z.boolean(),
  })
  .openapi("Slo", { description: "The job's service level objectives; null fields are objectives not set" });
export type Slo = z.output<typeof SloResponseSchema>;

/** How the schedule-health events repeat, as `slow` does plus reminders (src/alerts/schedule-health.ts). */
const SPELL =
  "Once per spell, which the next run that is not so ends; while it lasts, again at most every remind_every_minutes (if set).";

const count = (description: string) => z.number().int().min(1).max(1000).nullable().optional().openapi({ description });

/**
 * `alerts` as sent: every field optional; an update merges them field by field with the stored ones
 * (`channels` replaces the list whole). Defaults: src/alerts/policy.ts ALERT_DEFAULTS.
 */
export const AlertPolicySchema = z
  .strictObject({
    channels: z
      .array(AlertChannelSchema)
      .max(MAX_ALERT_CHANNELS, `at most ${MAX_ALERT_CHANNELS} channels`)
      .optional()
      .openapi({ description: "Where alerts go. Default none" }),
    after_consecutive_failures: count(
      "Alert once when the Nth consecutive failed run (final outcome) is recorded; not again for N+1… Default 1; null: no failure alerts",
    ),
    remind_every_minutes: z
      .number()
      .int()
      .min(MIN_REMIND_MINUTES)
      .max(MAX_REMIND_MINUTES)
      .nullable()
      .optional()
      .openapi({
        description: `While the streak goes on, a failed run recorded at least this long after the streak's last alert sends a reminder: ${MIN_REMIND_MINUTES} to ${MAX_REMIND_MINUTES} minutes (7 days). Needs after_consecutive_failures. Default null (none)`,
      }),
    on_recovery: z
      .boolean()
      .optional()
      .openapi({ description: "Alert when a success ends an alerted failure streak. Default true" }),
    slow_run: SlowRunSchema.nullable()
      .optional()
      .openapi({ description: "Alert when runs become slow (once per slow spell). Default null" }),
    auto_disable_after: count(
      "Disable the job (state disabled, is_active false) when this many consecutive runs have failed, with a `disabled` alert. Default null (never)",
    ),
    on_missed: z
      .boolean()
      .optional()
      .openapi({
        description: `A \`missed\` alert when slots are recorded missed (one per span of missed slots). ${SPELL} Default false`,
      }),
    on_skipped: z
      .boolean()
      .optional()
      .openapi({
        description: `A \`skipped\` alert when overlap_policy skip skips a slot. ${SPELL} Default false`,
      }),
    late_after_seconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_LATE_AFTER_SECONDS)
      .nullable()
      .optional()
      .openapi({
        description: `A \`late\` alert when a scheduled run starts more than this many seconds after it was due (its slot plus the job's jitter offset). ${SPELL} Default null (none)`,
      }),
    on_dead_lettered: z
      .boolean()
      .optional()
      .openapi({
        description: `A \`dead_lettered\` alert when a run is closed without an outcome (state dead, GET …/dead-letters). ${SPELL} Default false`,
      }),
    slo: SloSchema.nullable().optional().openapi({
      description:
        "Service level objectives over a rolling window: shown by GET …/stats/{id}, and with burn_alerts, `slo_burn` and `slo_ok` alerts. Replaced whole; null removes it. Default null",
    }),
  })
  .superRefine((p, ctx) => {
    if (p.remind_every_minutes != null && p.after_consecutive_failures === null)
      ctx.addIssue({
        code: "custom",
        path: ["remind_every_minutes"],
        message: "needs after_consecutive_failures: reminders repeat a failure alert",
      });
    const seen = new Set<string>();
    for (const c of p.channels ?? []) {
      const key = `${c.type}:${c.type === "email" ? c.to : c.url}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["channels"], message: "channels must be unique" });
      seen.add(key);
    }
  })
  .openapi("AlertPolicyInput");
export type AlertPolicyInput = z.output<typeof AlertPolicySchema>;

export const AlertPolicyResponseSchema = z
  .object({
    channels: z.array(AlertChannelSchema),
    after_consecutive_failures: z.number().int().nullable(),
    remind_every_minutes: z.number().int().nullable(),
    on_recovery: z.boolean(),
    slow_run: z
      .object({ threshold_ms: z.number().int(), measure: z.enum(["run", "p95"]), window: z.number().int() })
      .nullable(),
    auto_disable_after: z.number().int().nullable(),
    on_missed: z.boolean(),
    on_skipped: z.boolean(),
    late_after_seconds: z.number().int().nullable(),
    on_dead_lettered: z.boolean(),
    slo: SloResponseSchema.nullable(),
  })
  .openapi("AlertPolicy", {
    description:
      'When the job alerts and where (README "Alerts"). Events: failure, reminder, recovery, slow, disabled, the schedule-health events missed, skipped, late, dead_lettered, and the SLO events slo_burn, slo_ok. Failure alerts are judged on runs\' final outcomes (after their retries).',
  });
export type AlertPolicy = z.output<typeof AlertPolicyResponseSchema>;

const iso = z.string().openapi({ example: "2024-01-26T14:00:00Z" });

export const AlertDeliverySchema = z
  .object({
    id: z.string(),
    cron_job_id: z.string(),
    execution_id: z
      .string()
      .openapi({ description: "The run attempt whose recording fired the alert (`test-…` for a test alert)" }),
    event: z.enum(alertEvents),
    channel: z.enum(alertChannelTypes),
    target: z.string().openapi({ description: "The channel's URL or e-mail address" }),
    status: z.enum(deliveryStates).openapi({
      description:
        "pending (queued or being retried), delivered, failed (retries exhausted, or a redirect not followed), unconfirmed (e-mail recipient not confirmed: nothing sent), refused (target or a redirect hop not allowed), recorded (CALLBACKS=record: logged, not sent)",
    }),
    attempts: z.number().int(),
    last_error: z
      .string()
      .nullable()
      .openapi({ description: "The latest failed attempt's error (kept after a later attempt delivered)" }),
    fired_at: iso,
    delivered_at: iso.nullable(),
  })
  .openapi("AlertDelivery");

export const AlertsQuerySchema = z.strictObject({
  page: intQuery({ min: 1, default: 1 }),
  limit: intQuery({ min: 1, max: 100, default: 50 }),
});

export const AlertDeliveryListSchema = z
  .object({ data: z.array(AlertDeliverySchema), pagination: PaginationSchema })
  .openapi("AlertDeliveryList");

export const TestAlertSchema = z
  .object({
    data: z.object({
      delivery_ids: z.array(z.string()).openapi({ description: "One per channel, as listed by GET …/alerts/{id}" }),
    }),
  })
  .openapi("TestAlert");

export const AlertRecipientInputSchema = z.strictObject({ email: EmailAddress }).openapi("AlertRecipientInput");

export const AlertRecipientSchema = z
  .object({
    email: z.string(),
    status: z.enum(["pending", "confirmed"]),
    created_at: iso,
    confirmation_sent_at: iso.nullable(),
    confirmed_at: iso.nullable(),
  })
  .openapi("AlertRecipient");

export const AlertRecipientEnvelopeSchema = z.object({ data: AlertRecipientSchema }).openapi("AlertRecipientEnvelope");
export const AlertRecipientListSchema = z.object({ data: z.array(AlertRecipientSchema) }).openapi("AlertRecipientList");
