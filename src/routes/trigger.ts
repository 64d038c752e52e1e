import { createRoute } from "@hono/zod-openapi";
import { engineDeps } from "../engine/deps";
import { triggerNow } from "../engine/trigger";
import { formatInstant } from "../http/dates";
import { IdempotencyKeyHeaderSchema } from "../http/idempotency";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { findJob } from "../jobs/repository";
import { JobParamsSchema, problemResponses } from "../schemas/common";
import { TriggerResultSchema } from "../schemas/trigger";

const triggerRoute = createRoute({
  operationId: "triggerCronJob",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/trigger/{cron_job_id}",
  tags: ["Cron jobs"],
  summary: "Run a cron job now",
  description:
    "Executes the job immediately with the configured executor. Retries and callbacks follow as for a scheduled run; next_run_at does not change.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, headers: IdempotencyKeyHeaderSchema },
  responses: {
    200: { description: "The execution", content: { "application/json": { schema: TriggerResultSchema } } },
    ...problemResponses(
      [
        409,
        "The job's schedule has ended, it was paused or deleted during the request, or a request with the same Idempotency-Key is still in progress",
      ],
      [422, "The Idempotency-Key was already used with a different request"],
    ),
  },
});

export const triggerRoutes = createRouter().openapi(triggerRoute, async (c) => {
  const { cron_job_id } = c.req.valid("param");
  const deps = engineDeps(c.env, c.get("db"));
  const job = await findJob(deps.db, c.get("accountId"), cron_job_id);
  if (!job) return fail(404, `Cron job ${cron_job_id} not found`);
  if (job.state === "completed") return fail(409, `The schedule of cron job ${cron_job_id} has ended`);
  if (!job.isActive) return fail(400, "Cron job is not active");
  const run = (await triggerNow(deps, job)) ?? fail(409, `Cron job ${cron_job_id} was paused or deleted meanwhile`);
  return c.json(
    {
      data: {
        execution_id: run.executionId,
        status: run.result.status,
        response_code: run.result.responseCode,
        response_body: run.result.responseBody,
        executed_at: formatInstant(run.executedAt),
        response_time_ms: run.result.responseTimeMs,
      },
    },
    200,
  );
});
