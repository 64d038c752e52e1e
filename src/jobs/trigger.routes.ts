import { createRoute } from "@hono/zod-openapi";
import { engineDeps } from "../engine/deps";
import { runNow, runNowWait } from "../engine/run-now";
import { IdempotencyKeyHeaderSchema } from "../http/idempotency";
import { fail, jobNotFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { JobParamsSchema, NoQuerySchema, problemResponses } from "../http/schemas";
import { findJob } from "./repository";
import { finishedRunFields, TriggerPendingSchema, TriggerResultSchema } from "./trigger.schemas";

const triggerRoute = createRoute({
  operationId: "triggerCronJob",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/trigger/{cron_job_id}",
  summary: "Run a cron job now",
  description:
    "Executes the job immediately with the configured executor. Retries and callbacks follow as for a scheduled run; " +
    "next_run_at does not change. The answer waits at most 25 s for the first attempt: 200 with its outcome (A1Cron's " +
    "answer) when it has one by then, otherwise 202 with its execution_id and status `pending` while the run " +
    "continues durably (jobs with timeout_seconds over 30 run through the queue; their log arrives in GET /logs).",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: NoQuerySchema, headers: IdempotencyKeyHeaderSchema },
  responses: {
    200: { description: "The execution", content: { "application/json": { schema: TriggerResultSchema } } },
    202: {
      description: "No outcome within the bounded wait (25 s): the run continues; its log arrives later",
      content: { "application/json": { schema: TriggerPendingSchema } },
    },
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
  if (!job) return jobNotFound(cron_job_id);
  if (job.state === "completed") return fail(409, `The schedule of cron job ${cron_job_id} has ended`);
  if (!job.isActive) return fail(400, "Cron job is not active");
  const run =
    (await runNow(deps, job, {
      wait: runNowWait.current,
      waitUntil: (work) => c.executionCtx.waitUntil(work),
    })) ?? fail(409, `Cron job ${cron_job_id} was paused or deleted meanwhile`);
  if (run.state === "pending") {
    return c.json({ data: { execution_id: run.executionId, cron_job_id, status: "pending" as const } }, 202);
  }
  return c.json(
    {
      data: {
        execution_id: run.executionId,
        ...finishedRunFields(run),
      },
    },
    200,
  );
});
