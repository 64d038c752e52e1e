import { createRoute, z } from "@hono/zod-openapi";
import { deliveryKinds, deliveryStates } from "../db/schema";
import { engineDeps } from "../engine/deps";
import { redeliver } from "../engine/redeliver";
import { cursorQuery, pagination } from "../http/pagination";
import { fail, jobNotFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import {
  AccountParamSchema,
  intQuery,
  json,
  NoQuerySchema,
  optionalIntQuery,
  problemResponses,
  UuidSchema,
} from "../http/schemas";
import { formatInstant, formatInstantOrNull } from "../lib/dates";
import { decodeCursor, encodeCursor } from "../logs/cursor";
import { DeliveriesPageSchema, DeliveryEnvelopeSchema, DeliveryParamsSchema } from "./schemas";
import { type DeliveryPaging, type DeliveryRow, findDeliveriesPage } from "./store";

const tags = ["Deliveries"];

/*
 * The query's cursor is the logs' codec (src/logs/cursor.ts) over (fired_at, id); it is decoded here, in the
 * routes, so the deliveries domain does not depend on logs.
 */
const CursorSchema = cursorQuery((cursor) => {
  const position = decodeCursor(cursor);
  return position ? { firedAt: position.executedAt, id: position.id } : null;
}, "Opaque: `pagination.next_cursor` of the previous page. Continues after that page's last delivery, at the " +
  "same cost at any depth. Not with `page`.");

export const DeliveriesQuerySchema = z
  .strictObject({
    page: optionalIntQuery({ min: 1, documentedDefault: 1 }).openapi({
      description: "Page number (with totals). Not with `cursor`.",
    }),
    limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
    cursor: CursorSchema,
    cron_job_id: UuidSchema.optional().openapi({
      description: "Only this job's deliveries (a live job of the account)",
    }),
    kind: z.enum(deliveryKinds).optional(),
    state: z.enum(deliveryStates).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.page !== undefined && q.cursor !== undefined) {
      ctx.addIssue({ code: "custom", path: ["page"], message: "cannot be combined with cursor" });
      ctx.addIssue({ code: "custom", path: ["cursor"], message: "cannot be combined with page" });
    }
  });

const listRoute = createRoute({
  operationId: "listDeliveries",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/deliveries",
  tags,
  summary: "Callback and alert deliveries, newest first",
  description:
    "Every success/failure callback and every alert of the account's live jobs and its monitors, one entry per delivery (an alert " +
    "per channel), with its state, attempts and latest error; kept as long as logs. Filter by `cron_job_id`, " +
    "`kind` and `state`. Page with `page` (totals included) or with `cursor` (`pagination.next_cursor`).",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: DeliveriesQuerySchema },
  responses: { 200: json(DeliveriesPageSchema, "A page of deliveries"), ...problemResponses() },
});

const redeliverRoute = createRoute({
  operationId: "redeliverDelivery",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/deliveries/{delivery_id}/redeliver",
  tags,
  summary: "Send a delivery again now",
  description:
    "Sends the same payload to the same target again, whatever the delivery's state, through the queue: it is " +
    "`pending` until the attempt settles it, retried on failure like a first delivery, and `attempts` counts it. " +
    "Callbacks are signed afresh. Read-only keys get 403.",
  security: apiKeySecurity,
  request: { params: DeliveryParamsSchema, query: NoQuerySchema },
  responses: {
    202: json(DeliveryEnvelopeSchema, "Queued: the delivery as it is now (pending)"),
    ...problemResponses([409, "An attempt of this delivery is in flight; retry in a minute"]),
  },
});

export function serialiseDelivery(r: DeliveryRow) {
  return {
    id: r.id,
    source: r.source,
    cron_job_id: r.source === "job" ? r.sourceId : null,
    monitor_id: r.source === "monitor" ? r.sourceId : null,
    execution_id: r.executionId,
    kind: r.kind,
    event: r.event,
    channel: r.channel,
    target: r.target,
    state: r.state,
    attempts: r.attempts,
    last_status_code: r.lastStatusCode,
    last_error: r.lastError,
    next_attempt_at: formatInstantOrNull(r.nextAttemptAt),
    fired_at: formatInstant(r.firedAt),
    delivered_at: formatInstantOrNull(r.deliveredAt),
  };
}

export const deliveriesRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const paging: DeliveryPaging = q.cursor
      ? { after: q.cursor, limit: q.limit }
      : { page: q.page ?? 1, limit: q.limit };
    const filters = { cronJobId: q.cron_job_id, kind: q.kind, state: q.state };
    const page = await findDeliveriesPage(c.get("db"), c.get("accountId"), filters, paging);
    if (!page) return jobNotFound(q.cron_job_id ?? "");
    const next_cursor = page.next ? encodeCursor({ executedAt: page.next.firedAt, id: page.next.id }) : null;
    return c.json(
      {
        data: page.rows.map(serialiseDelivery),
        pagination:
          "after" in paging
            ? { limit: paging.limit, next_cursor }
            : { ...pagination(paging.page, paging.limit, page.totalItems ?? 0), next_cursor },
      },
      200,
    );
  })
  .openapi(redeliverRoute, async (c) => {
    const { delivery_id } = c.req.valid("param");
    const outcome = await redeliver(engineDeps(c.env, c.get("db")), c.get("accountId"), delivery_id);
    if (outcome.kind === "not-found") return fail(404, `Delivery ${delivery_id} not found`);
    if (outcome.kind === "in-flight")
      return fail(409, `Delivery ${delivery_id} has an attempt in flight; retry once it has settled`);
    return c.json({ data: serialiseDelivery(outcome.row) }, 202);
  });
