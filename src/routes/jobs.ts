import { createRoute } from "@hono/zod-openapi";
import { config } from "../config";
import { IdempotencyKeyHeaderSchema } from "../http/idempotency";
import { pagination } from "../http/pagination";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { refuseAtTheDoor } from "../http/validation";
import { buildNewJob, buildUpdate } from "../jobs/build";
import { findJob, insertJobWithinLimit, listJobs, softDeleteJob, updateJob } from "../jobs/repository";
import { serialiseJob } from "../jobs/serialise";
import { serialiseJobSafely } from "../jobs/serialise-safe";
import { ScheduleEndedError } from "../jobs/state";
import { targetErrors } from "../jobs/targets";
import { AccountParamSchema, JobParamsSchema, problemResponses } from "../schemas/common";
import {
  CreateJobSchema,
  DeletedJobSchema,
  JobEnvelopeSchema,
  JobListSchema,
  ListJobsQuerySchema,
  UpdateJobSchema,
} from "../schemas/jobs";

const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });
const tags = ["Cron jobs"];
const notFound = (id: string): never => fail(404, `Cron job ${id} not found`);

/** buildUpdate with its refusal as a problem: resuming a job whose schedule has ended is a 409. */
function buildUpdateOrFail(...args: Parameters<typeof buildUpdate>): ReturnType<typeof buildUpdate> {
  try {
    return buildUpdate(...args);
  } catch (err) {
    if (err instanceof ScheduleEndedError) fail(409, err.message, { title: "Schedule ended" });
    throw err;
  }
}
const limitReached = (limit: number): never =>
  fail(409, `This account already has ${limit} active cron jobs, the most allowed. Pause or delete one first.`);

const createJobRoute = createRoute({
  operationId: "createCronJob",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/create",
  tags,
  summary: "Create a cron job",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, headers: IdempotencyKeyHeaderSchema, ...body(CreateJobSchema) },
  responses: {
    201: json(JobEnvelopeSchema, "The created job (or, for a repeated Idempotency-Key, the first request's)"),
    ...problemResponses(
      [
        409,
        "The account's active-job limit is reached, or a request with the same Idempotency-Key is still in progress",
      ],
      [422, "The Idempotency-Key was already used with a different request"],
    ),
  },
});

const listJobsRoute = createRoute({
  operationId: "listCronJobs",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/list",
  tags,
  summary: "List cron jobs, newest first",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: ListJobsQuerySchema },
  responses: { 200: json(JobListSchema, "A page of jobs"), ...problemResponses() },
});

const jobDetailsRoute = createRoute({
  operationId: "getCronJob",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/details/{cron_job_id}",
  tags,
  summary: "Get a cron job",
  security: apiKeySecurity,
  request: { params: JobParamsSchema },
  responses: { 200: json(JobEnvelopeSchema, "The job"), ...problemResponses() },
});

const updateJobRoute = createRoute({
  operationId: "updateCronJob",
  method: "patch",
  path: "/v1/cron-jobs/{accountId}/update/{cron_job_id}",
  tags,
  summary: "Update a cron job (pause/resume with is_active)",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, ...body(UpdateJobSchema) },
  responses: {
    200: json(JobEnvelopeSchema, "The updated job"),
    ...problemResponses([
      409,
      "Resuming would exceed the account's active-job limit, or the job's schedule has ended (send a new schedule_config)",
    ]),
  },
});

const deleteJobRoute = createRoute({
  operationId: "deleteCronJob",
  method: "delete",
  path: "/v1/cron-jobs/{accountId}/delete/{cron_job_id}",
  tags,
  summary: "Delete a cron job and its execution history",
  description: "Answers 200 with a JSON body (not 204) because A1Base's own client parses one.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema },
  responses: { 200: json(DeletedJobSchema, "The job is deleted"), ...problemResponses() },
});

export const jobsRoutes = createRouter()
  .openapi(createJobRoute, async (c) => {
    const { MAX_ACTIVE_JOBS, ALLOW_PRIVATE_TARGETS } = config(c.env);
    const input = c.req.valid("json");
    refuseAtTheDoor(targetErrors(input, ALLOW_PRIVATE_TARGETS));
    const row = buildNewJob(c.get("accountId"), input, Date.now());
    if (!(await insertJobWithinLimit(c.get("db"), row, MAX_ACTIVE_JOBS))) limitReached(MAX_ACTIVE_JOBS);
    const created = (await findJob(c.get("db"), row.accountId, row.id)) ?? notFound(row.id);
    return c.json({ data: serialiseJob(created) }, 201);
  })
  .openapi(listJobsRoute, async (c) => {
    const q = c.req.valid("query");
    const { rows, total } = await listJobs(c.get("db"), {
      accountId: c.get("accountId"),
      page: q.page,
      limit: q.limit,
      isActive: q.is_active,
      tags: q.tags,
      search: q.search,
    });
    const data = await Promise.all(rows.map((row) => serialiseJobSafely(row, serialiseJob)));
    return c.json({ data, pagination: { ...pagination(q.page, q.limit, total), total } }, 200);
  })
  .openapi(jobDetailsRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const row = (await findJob(c.get("db"), c.get("accountId"), cron_job_id)) ?? notFound(cron_job_id);
    return c.json({ data: await serialiseJobSafely(row, serialiseJob) }, 200);
  })
  .openapi(updateJobRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const input = c.req.valid("json");
    const db = c.get("db");
    const accountId = c.get("accountId");
    const { MAX_ACTIVE_JOBS, ALLOW_PRIVATE_TARGETS } = config(c.env);
    refuseAtTheDoor(targetErrors(input, ALLOW_PRIVATE_TARGETS));
    const current = (await findJob(db, accountId, cron_job_id)) ?? notFound(cron_job_id);
    const set = buildUpdateOrFail(current, input, Date.now());
    const activating = set.isActive === true && !current.isActive;
    const res = await updateJob(db, accountId, cron_job_id, set, activating, MAX_ACTIVE_JOBS);
    if (!res.ok) return res.reason === "limit" ? limitReached(MAX_ACTIVE_JOBS) : notFound(cron_job_id);
    return c.json({ data: serialiseJob(res.row) }, 200);
  })
  .openapi(deleteJobRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    if (!(await softDeleteJob(c.get("db"), c.get("accountId"), cron_job_id, Date.now()))) notFound(cron_job_id);
    return c.json({ data: { id: cron_job_id, message: "Cron job deleted" } }, 200);
  });
