import { createRoute } from "@hono/zod-openapi";
import type { CronJobRow } from "../db/schema";
import { engineDeps } from "../engine/deps";
import { runNow, runNowWait } from "../engine/run-now";
import { enqueueManualRuns } from "../engine/trigger";
import { IdempotencyKeyHeaderSchema } from "../http/idempotency";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { findJob } from "../jobs/repository";
import { finishedRunFields } from "../jobs/trigger.schemas";
import { findExecutionJobs } from "./replay";
import {
  BulkReplayInputSchema,
  BulkReplayResultSchema,
  ExecutionParamsSchema,
  ReplayPendingSchema,
  ReplayResultSchema,
} from "./replay.schemas";

const tags = ["Runs"];

const replayRoute = createRoute({
  operationId: "replayExecution",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/replay/{execution_id}",
  tags,
  summary: "Replay an execution: run its job again now",
  description:
    "Starts a new run of the execution's job now, with the job as it is today, from any recorded execution of the " +
    "account (a dead letter, a failure, a success). The run has a new execution id, trigger `replay` and " +
    "`replay_of` naming the original; retries and callbacks follow as for POST /trigger, whose answer it shares: " +
    "200 with the outcome within 25 s, else 202 `pending`. Idempotency-Key makes a repeat return the first answer " +
    "instead of running again.",
  security: apiKeySecurity,
  request: { params: ExecutionParamsSchema, query: NoQuerySchema, headers: IdempotencyKeyHeaderSchema },
  responses: {
    200: json(ReplayResultSchema, "The replay's first attempt and its outcome"),
    202: json(
      ReplayPendingSchema,
      "No outcome within the bounded wait (25 s): the run continues; its log arrives later",
    ),
    ...problemResponses(
      [
        409,
        "The job's schedule has ended, it is not active (or was paused or deleted during the request), or a request with the same Idempotency-Key is still in progress",
      ],
      [422, "The Idempotency-Key was already used with a different request"],
    ),
  },
});

const bulkReplayRoute = createRoute({
  operationId: "replayExecutions",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/replay",
  tags,
  summary: "Replay up to 100 executions (e.g. dead letters) in one call",
  description:
    "Each id is replayed as by POST /replay/{execution_id}, but through the queue (no outcome is awaited): one " +
    "result per id, in request order, `queued` with the new execution id, or `not_found` / `refused` with why. " +
    "Idempotency-Key as for the single form.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    headers: IdempotencyKeyHeaderSchema,
    body: { content: { "application/json": { schema: BulkReplayInputSchema } }, required: true },
  },
  responses: {
    200: json(BulkReplayResultSchema, "One result per requested execution id"),
    ...problemResponses(
      [409, "A request with the same Idempotency-Key is still in progress"],
      [422, "The Idempotency-Key was already used with a different request"],
    ),
  },
});

/** Why a job cannot be replayed now (as POST /trigger refuses it), or null. */
function refusal(job: CronJobRow): string | null {
  if (job.state === "completed") return `The schedule of cron job ${job.id} has ended`;
  if (!job.isActive) return `Cron job ${job.id} is not active`;
  return null;
}

const notFound = (id: string) => `Execution ${id} not found`;

export const replayRoutes = createRouter()
  .openapi(replayRoute, async (c) => {
    const { execution_id } = c.req.valid("param");
    const accountId = c.get("accountId");
    const deps = engineDeps(c.env, c.get("db"));
    const jobId = (await findExecutionJobs(deps.db, accountId, [execution_id])).get(execution_id);
    const job = jobId === undefined ? undefined : await findJob(deps.db, accountId, jobId);
    if (!job) return fail(404, notFound(execution_id));
    const refused = refusal(job);
    if (refused) return fail(409, refused);
    const run =
      (await runNow(deps, job, {
        wait: runNowWait.current,
        waitUntil: (work) => c.executionCtx.waitUntil(work),
        replayOf: execution_id,
      })) ?? fail(409, `Cron job ${job.id} was paused or deleted meanwhile`);
    const link = { replay_of: execution_id, cron_job_id: job.id };
    if (run.state === "pending") {
      return c.json({ data: { execution_id: run.executionId, ...link, status: "pending" as const } }, 202);
    }
    return c.json(
      {
        data: {
          execution_id: run.executionId,
          ...link,
          ...finishedRunFields(run),
        },
      },
      200,
    );
  })
  .openapi(bulkReplayRoute, async (c) => {
    const { execution_ids } = c.req.valid("json");
    const accountId = c.get("accountId");
    const deps = engineDeps(c.env, c.get("db"));
    const jobOf = await findExecutionJobs(deps.db, accountId, execution_ids);
    const jobs = new Map<string, CronJobRow | undefined>();
    for (const jobId of new Set(jobOf.values())) jobs.set(jobId, await findJob(deps.db, accountId, jobId));
    const plan = execution_ids.map((id) => {
      const job = jobs.get(jobOf.get(id) ?? "");
      return { id, job, refused: job ? refusal(job) : notFound(id) };
    });
    const queued = plan.filter((p) => p.refused === null);
    const newIds = await enqueueManualRuns(
      deps,
      queued.map((p) => ({ job: p.job as CronJobRow, replayOf: p.id })),
    );
    const newIdOf = new Map(queued.map((p, i) => [p.id, newIds[i] ?? null]));
    const data = plan.map((p) => ({
      execution_id: p.id,
      status: p.refused === null ? ("queued" as const) : p.job ? ("refused" as const) : ("not_found" as const),
      replay_execution_id: newIdOf.get(p.id) ?? null,
      cron_job_id: p.job?.id ?? null,
      detail: p.refused,
    }));
    return c.json({ data }, 200);
  });
