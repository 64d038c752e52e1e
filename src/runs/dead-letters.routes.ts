import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, problemResponses } from "../http/schemas";
import { formatInstant } from "../lib/dates";
import { type DeadLetter, listDeadLetters } from "./dead-letters";
import { DeadLettersPageSchema, DeadLettersQuerySchema } from "./dead-letters.schemas";

const deadLettersRoute = createRoute({
  operationId: "listDeadLetters",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/dead-letters",
  summary: "Dead letters: runs closed without an outcome, account-wide",
  description:
    "Runs in state `dead` of the account's live jobs, newest first (by execution id): `undelivered` (the queue gave " +
    "up before any delivery called the endpoint) or `outcome_unknown` (a delivery took the run and recorded " +
    "nothing). Each has a log (GET /logs) saying so. Page with `cursor`; replay with POST /replay.",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: DeadLettersQuerySchema },
  responses: { 200: json(DeadLettersPageSchema, "A page of dead letters"), ...problemResponses() },
});

function serialise(d: DeadLetter) {
  return {
    execution_id: d.log.id,
    cron_job_id: d.log.cronJobId,
    state: "dead" as const,
    reason: d.reason === "undelivered" || d.reason === "outcome_unknown" ? d.reason : null,
    attempt: d.attempt,
    trigger: d.log.trigger,
    scheduled_at: d.log.scheduledAt === null ? null : formatInstant(d.log.scheduledAt),
    executed_at: formatInstant(d.log.executedAt),
    status: d.log.status,
    error_message: d.log.errorMessage,
    replay_of: d.replayOf,
  };
}

export const deadLettersRoutes = createRouter().openapi(deadLettersRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await listDeadLetters(c.get("db"), c.get("accountId"), cursor ?? null, limit);
  const last = page.rows[page.rows.length - 1];
  return c.json(
    { data: page.rows.map(serialise), pagination: { limit, next_cursor: page.more && last ? last.log.id : null } },
    200,
  );
});
