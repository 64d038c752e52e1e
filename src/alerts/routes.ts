import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { config } from "../config";
import { createDb } from "../db/client";
import type { AlertEvent } from "../db/schema";
import { listAlertDeliveries } from "../deliveries/store";
import { countLimitReached, rateLimitReached } from "../http/account-limits";
import type { AppEnv } from "../http/env";
import { canonicalId } from "../http/ids";
import { pagination } from "../http/pagination";
import { fail, jobNotFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, JobParamsSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { cspNonce, htmlPageHeaders } from "../http/security-headers";
import { findJob } from "../jobs/repository";
import { formatInstant, formatInstantOrNull } from "../lib/dates";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard } from "../shards/resolve";
import { startDoubleOptIn } from "./confirm";
import { resolveMailer } from "./mailer";
import { confirmRecipient, deleteRecipient, listRecipients, type RecipientRow } from "./recipients";
import {
  AlertDeliveryListSchema,
  AlertRecipientEnvelopeSchema,
  AlertRecipientInputSchema,
  AlertRecipientListSchema,
  AlertsQuerySchema,
  EmailAddress,
  TestAlertSchema,
} from "./schemas";
import { fireTestAlert } from "./test-alert";

const tags = ["Alerts"];

const listAlertsRoute = createRoute({
  operationId: "listCronJobAlerts",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/alerts/{cron_job_id}",
  tags,
  summary: "Alerts a cron job fired, newest first",
  description:
    "One entry per alert and channel: the event (failure, reminder, recovery, slow, disabled, test), when it fired, the " +
    "channel and its target, whether it was delivered, and the delivery attempts made.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: AlertsQuerySchema },
  responses: { 200: json(AlertDeliveryListSchema, "A page of alert deliveries"), ...problemResponses() },
});

const addRecipientRoute = createRoute({
  operationId: "addAlertRecipient",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/alert-recipients",
  tags,
  summary: "Register an e-mail address for alerts (double opt-in)",
  description:
    "Sends the address a confirmation e-mail with a one-time link; alert e-mails to it are sent only once the " +
    "link is followed. Repeating the request renews the link (at most one e-mail per address every 10 minutes, " +
    "even if the address was deleted and added again). An account has at most MAX_ALERT_RECIPIENTS addresses " +
    "and causes at most MAX_CONFIRMATION_EMAILS_PER_HOUR confirmation e-mails per hour.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    body: { required: true, content: { "application/json": { schema: AlertRecipientInputSchema } } },
  },
  responses: {
    200: json(AlertRecipientEnvelopeSchema, "Already confirmed: nothing sent"),
    202: json(AlertRecipientEnvelopeSchema, "Pending: a confirmation e-mail was sent (or was sent recently)"),
    ...problemResponses(
      [409, "The account has MAX_ALERT_RECIPIENTS recipients already"],
      [429, "Rate limit exceeded, or the account sent MAX_CONFIRMATION_EMAILS_PER_HOUR confirmations in the last hour"],
    ),
  },
});

const listRecipientsRoute = createRoute({
  operationId: "listAlertRecipients",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/alert-recipients",
  tags,
  summary: "E-mail addresses registered for alerts, confirmed or pending",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema },
  responses: { 200: json(AlertRecipientListSchema, "The account's recipients"), ...problemResponses() },
});

const deleteRecipientRoute = createRoute({
  operationId: "deleteAlertRecipient",
  method: "delete",
  path: "/v1/cron-jobs/{accountId}/alert-recipients/{email}",
  tags,
  summary: "Remove an alert e-mail address (alerts to it stop)",
  security: apiKeySecurity,
  request: { params: AccountParamSchema.extend({ email: EmailAddress }), query: NoQuerySchema },
  responses: {
    200: json(z.object({ data: z.object({ email: z.string(), message: z.string() }) }), "Removed"),
    ...problemResponses(),
  },
});

function serialiseRecipient(r: RecipientRow) {
  return {
    email: r.email,
    status: r.status,
    created_at: formatInstant(r.createdAt),
    confirmation_sent_at: formatInstantOrNull(r.confirmationSentAt),
    confirmed_at: formatInstantOrNull(r.confirmedAt),
  };
}

const testAlertRoute = createRoute({
  operationId: "sendTestAlert",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/alerts/{cron_job_id}/test",
  tags,
  summary: "Send a test alert to every channel of a cron job",
  description:
    "Each channel gets a `test` alert, delivered and retried like any alert and listed with the job's alerts " +
    "(GET …/alerts/{cron_job_id}), so a channel can be checked before a failure needs it. The job's runs and " +
    "alert state are not touched. E-mail channels receive it only once their address is confirmed.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: NoQuerySchema },
  responses: {
    202: json(TestAlertSchema, "The test alert's deliveries, queued"),
    ...problemResponses([409, "The job has no alert channels"]),
  },
});

export const alertsRoutes = createRouter()
  .openapi(testAlertRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const db = c.get("db");
    const job = (await findJob(db, c.get("accountId"), cron_job_id)) ?? jobNotFound(cron_job_id);
    const ids = await fireTestAlert(db, c.env.RUNS, job, Date.now());
    if (ids.length === 0)
      fail(409, `Cron job ${cron_job_id} has no alert channels: add one under alerts.channels first`);
    return c.json({ data: { delivery_ids: ids } }, 202);
  })
  .openapi(listAlertsRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const q = c.req.valid("query");
    const page = await listAlertDeliveries(c.get("db"), c.get("accountId"), cron_job_id, q.page, q.limit);
    if (!page) return jobNotFound(cron_job_id);
    // Alert rows always have an execution id, a channel and an alert event (src/alerts/fire.ts).
    const data = page.rows.map((r) => ({
      id: r.id,
      cron_job_id: r.sourceId,
      execution_id: r.executionId ?? "",
      event: r.event as AlertEvent,
      channel: r.channel ?? "webhook",
      target: r.target,
      status: r.state,
      attempts: r.attempts,
      last_error: r.lastError,
      fired_at: formatInstant(r.firedAt),
      delivered_at: formatInstantOrNull(r.deliveredAt),
    }));
    return c.json({ data, pagination: pagination(q.page, q.limit, page.total) }, 200);
  })
  .openapi(addRecipientRoute, async (c) => {
    const { email } = c.req.valid("json");
    const mailer = (await resolveMailer({}, c.env)) ?? fail(503, "E-mail alerts are not configured (no EMAIL binding)");
    const cfg = config(c.env);
    const { ALERT_EMAIL_FROM: from, MAX_ALERT_RECIPIENTS, MAX_CONFIRMATION_EMAILS_PER_HOUR } = cfg;
    // The link names the configured origin: the request's Host is the caller's to choose (docs/OPERATING.md "Deploy").
    const origin = cfg.PUBLIC_ORIGIN;
    const limits = { maxRecipients: MAX_ALERT_RECIPIENTS, maxEmailsPerHour: MAX_CONFIRMATION_EMAILS_PER_HOUR };
    let outcome: Awaited<ReturnType<typeof startDoubleOptIn>>;
    try {
      const accountId = c.get("accountId");
      outcome = await startDoubleOptIn(c.get("db"), mailer, from, origin, accountId, email, Date.now(), limits);
    } catch (err) {
      console.error(JSON.stringify({ event: "confirmation_email_failed", error: String(err) }));
      return fail(503, "The confirmation e-mail could not be sent; try again later");
    }
    if (outcome.kind === "recipient-limit") {
      return countLimitReached(
        `This account already has ${outcome.limit} alert e-mail recipients (MAX_ALERT_RECIPIENTS), the most allowed. Delete one first.`,
      );
    }
    if (outcome.kind === "hourly-limit") {
      return rateLimitReached(
        `This account has sent ${outcome.limit} confirmation e-mails in the last hour (MAX_CONFIRMATION_EMAILS_PER_HOUR), the most allowed. Retry after ${outcome.retryAfterSeconds} seconds.`,
        outcome.retryAfterSeconds,
      );
    }
    return c.json({ data: serialiseRecipient(outcome.row) }, outcome.kind === "confirmed" ? 200 : 202);
  })
  .openapi(listRecipientsRoute, async (c) => {
    const rows = await listRecipients(c.get("db"), c.get("accountId"));
    return c.json({ data: rows.map(serialiseRecipient) }, 200);
  })
  .openapi(deleteRecipientRoute, async (c) => {
    const { email } = c.req.valid("param");
    if (!(await deleteRecipient(c.get("db"), c.get("accountId"), email))) fail(404, `Recipient ${email} not found`);
    return c.json({ data: { email, message: "Recipient removed" } }, 200);
  });

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const PAGE_CSS = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}";

/**
 * A confirm page, with the dashboard's headers (src/http/security-headers.ts): no script, its own style by nonce, and
 * its form posting back to this origin.
 */
function confirmPage(c: Context<AppEnv>, status: 200 | 404 | 409 | 503, title: string, body: string) {
  const n = cspNonce();
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${title} · edgecron</title><style nonce="${n}">${PAGE_CSS}</style></head>` +
    `<body><h1>${title}</h1>${body}</body></html>`;
  return c.html(html, status, htmlPageHeaders([`style-src 'nonce-${n}'`, "form-action 'self'"]));
}

/** A person (a browser) gets a page; anything else the RFC 9457 problem every other 4xx is. */
const wantsHtml = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes("text/html");

/**
 * The public end of the double opt-in (no API key: the recipient follows the e-mailed link). GET only shows a
 * button; the POST it sends confirms. Mail scanners that open links (GET) therefore cannot confirm an address.
 */
export const alertConfirmRoutes = createRouter()
  .get("/alerts/:accountId/confirm", (c) => {
    const token = c.req.query("token") ?? "";
    return confirmPage(
      c,
      200,
      "Confirm alert e-mails",
      `<p>Receive edgecron cron job alerts at this address?</p>` +
        `<form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}">` +
        `<button type="submit">Confirm</button></form>`,
    );
  })
  .post("/alerts/:accountId/confirm", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === "string" ? form.token : (c.req.query("token") ?? "");
    // A public route: no key names the account, so its shard comes from the path (an unknown account is a 404 page).
    const accountId = canonicalId(c.req.param("accountId"));
    const place = token ? await accountShard(c.env, accountId) : null;
    // During a move nothing is written (it would land on the copy being replaced): the link keeps working.
    const found =
      place?.state === "moving"
        ? { moving: true as const }
        : place
          ? await confirmRecipient(createDb(place.binding), accountId, token, Date.now())
          : undefined;
    if (found && "moving" in found) {
      const detail =
        "This account is being moved between databases, so nothing was confirmed. Try again in a minute: the link still works.";
      c.header("Retry-After", String(MOVING_RETRY_SECONDS));
      if (!wantsHtml(c)) fail(503, detail);
      return confirmPage(c, 503, "Try again in a minute", `<p>${detail}</p>`);
    }
    if (!found) {
      const detail = "This link is not valid: it was replaced by a newer one, its address was removed, or it is wrong.";
      if (!wantsHtml(c)) fail(404, detail);
      return confirmPage(c, 404, "Link not valid", `<p>${detail}</p>`);
    }
    const email = escapeHtml(found.row.email);
    // The link used again (a second press, a reload): 409, it conflicts with the current state (RFC 9110 §15.5.10).
    if (found.already) {
      const detail = `${found.row.email} is already confirmed: this link was used. Nothing changed.`;
      if (!wantsHtml(c)) fail(409, detail);
      return confirmPage(
        c,
        409,
        "Already confirmed",
        `<p>${email} is already confirmed: it receives the alerts it is set up for. Nothing changed.</p>`,
      );
    }
    return confirmPage(c, 200, "Confirmed", `<p>${email} will now receive the alerts it is set up for.</p>`);
  });
