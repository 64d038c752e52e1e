import { createRoute } from "@hono/zod-openapi";
import { createDb } from "../db/client";
import { COMPLETION_TOKEN } from "../engine/completion";
import { recordCompletion } from "../engine/completion-record";
import { engineDeps } from "../engine/deps";
import { fail } from "../http/problem";
import { createRouter } from "../http/router";
import { json, NoQuerySchema, problemResponses } from "../http/schemas";
import { formatInstant } from "../lib/dates";
import { logKeyOf } from "../logs/log-key";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard } from "../shards/resolve";
import { CompletionParamsSchema, CompletionRecordedSchema, CompletionReportSchema } from "./schemas";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One 404 for a bad account, job, execution or token: the answer never says which. */
const notFound = (): never => fail(404, "No execution awaits completion at this URL");

const completeRoute = createRoute({
  operationId: "completeExecution",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/complete/{cron_job_id}/{execution_id}/{token}",
  summary: "Record the outcome of an execution awaiting completion",
  description:
    'The URL a completion-mode job\'s request carries in X-Edgecron-Completion-Url (README "Async completion"). ' +
    "Unauthenticated apart from its token. The first report before the deadline records the outcome (retries, " +
    "callbacks and alerts follow); the same report again gets 200 with the recorded result; a different one, or " +
    "any after the deadline recorded `timeout`, gets 409. An unknown execution or a wrong token gets 404.",
  security: [],
  request: {
    params: CompletionParamsSchema,
    query: NoQuerySchema,
    body: { content: { "application/json": { schema: CompletionReportSchema } }, required: true },
  },
  responses: {
    200: json(CompletionRecordedSchema, "The outcome recorded (by this report or an identical one before it)"),
    ...problemResponses([409, "Another outcome is recorded: a different report, or `timeout` at the deadline"]),
  },
});

/**
 * Mounted outside /v1's API-key middleware (src/app.ts): the URL's 128-bit token is the credential, compared by
 * its hash with the one the run keeps (src/engine/completion.ts).
 */
export const completionRoutes = createRouter().openapi(completeRoute, async (c) => {
  const { accountId, cron_job_id, execution_id, token } = c.req.valid("param");
  if (!UUID.test(cron_job_id) || !logKeyOf(execution_id) || !COMPLETION_TOKEN.test(token)) return notFound();
  const place = await accountShard(c.env, accountId);
  if (!place) return notFound();
  if (place.state === "moving") {
    c.header("Retry-After", String(MOVING_RETRY_SECONDS));
    fail(503, "This account is being moved between databases; retry shortly");
  }
  const deps = engineDeps(c.env, createDb(place.binding));
  const report = c.req.valid("json");
  const answer = await recordCompletion(
    deps,
    { id: execution_id, jobId: cron_job_id.toLowerCase(), accountId },
    token,
    report,
  );
  if (answer.kind === "not_found") return notFound();
  if (answer.kind === "conflict") {
    const recorded = answer.log ? ` as ${answer.log.status}` : "";
    return fail(409, `This execution's outcome is already recorded${recorded}; a different report cannot change it`);
  }
  const log = answer.log;
  return c.json(
    {
      execution_id: log.id,
      cron_job_id: log.cronJobId,
      status: log.status === "failure" ? ("failure" as const) : ("success" as const),
      executed_at: formatInstant(log.executedAt),
      response_time_ms: log.responseTimeMs ?? 0,
      response_body: log.responseBody,
      error_message: log.errorMessage,
    },
    200,
  );
});
