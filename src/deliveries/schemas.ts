import { z } from "@hono/zod-openapi";
import {
  alertChannelTypes,
  alertEvents,
  callbackEvents,
  deliveryKinds,
  deliverySources,
  deliveryStates,
  monitorAlertEvents,
} from "../db/schema";
import { paginationSchemas } from "../http/pagination";
import { AccountParamSchema } from "../http/schemas";

const iso = z.string().openapi({ example: "2024-01-26T14:00:00Z" });
/** The callbacks' success/failure and the jobs' and monitors' alert events, each once. */
const events = [...new Set<string>([...callbackEvents, ...alertEvents, ...monitorAlertEvents])] as [
  string,
  ...string[],
];

export const DeliveryStateSchema = z.enum(deliveryStates).openapi({
  description:
    "pending (queued, or waiting for a retry at next_attempt_at), delivered (a 2xx, or the e-mail was accepted), " +
    "failed (retries exhausted, a 301/302/303 redirect, more than 5 redirects), unconfirmed (e-mail recipient not " +
    "confirmed: nothing sent), refused (the target or a redirect hop is not allowed: last_error says why), recorded " +
    "(CALLBACKS=record: logged, not sent)",
});

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8:callback" }),
    source: z.enum(deliverySources).openapi({ description: "What caused it: a job's run (or a monitor)" }),
    cron_job_id: z.string().nullable().openapi({ description: "The job, when source is `job`" }),
    monitor_id: z.string().nullable().openapi({ description: "The monitor, when source is `monitor`" }),
    execution_id: z
      .string()
      .nullable()
      .openapi({ description: "The run attempt that caused it (`test-…` for a test alert); null when no run did" }),
    kind: z.enum(deliveryKinds),
    event: z.enum(events).openapi({
      description:
        "A callback's success or failure (which of success_url and failure_url), or the alert's event (a job's failure, reminder, recovery, slow, disabled, test, …; a monitor's down, up)",
    }),
    channel: z.enum(alertChannelTypes).nullable().openapi({ description: "The alert's channel; null for a callback" }),
    target: z.string().openapi({ description: "The URL (secret query values redacted) or e-mail address" }),
    state: DeliveryStateSchema,
    attempts: z.number().int().openapi({ description: "Attempts made, redeliveries included" }),
    last_status_code: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The latest attempt's HTTP status (after redirects); null without a response" }),
    last_error: z
      .string()
      .nullable()
      .openapi({ description: "The latest failed attempt's error (kept after a later attempt delivered)" }),
    next_attempt_at: iso.nullable().openapi({ description: "When the next attempt is due while pending" }),
    fired_at: iso,
    delivered_at: iso.nullable(),
  })
  .openapi("Delivery");

const { page: PagePaginationSchema, cursor: CursorPaginationSchema } = paginationSchemas("Deliveries", "deliveries");

export const DeliveriesPageSchema = z
  .object({ data: z.array(DeliverySchema), pagination: z.union([PagePaginationSchema, CursorPaginationSchema]) })
  .openapi("DeliveriesPage");

export const DeliveryEnvelopeSchema = z.object({ data: DeliverySchema }).openapi("DeliveryEnvelope");

/** Delivery ids are printable ASCII (`<execution id>:callback`, `…:alert:<event>:<i>`). */
export const DeliveryParamsSchema = AccountParamSchema.extend({
  delivery_id: z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be a delivery id as listed by GET …/deliveries")
    .openapi({ description: "The delivery's id", example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8:callback" }),
});
