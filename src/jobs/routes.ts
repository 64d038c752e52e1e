import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { exclusionErrors } from "../calendars/job-check";
import { config } from "../config";
import type { Db } from "../db/client";
import type { CronJobRow } from "../db/schema";
import { countLimitReached } from "../http/account-limits";
import { IdempotencyKeyHeaderSchema } from "../http/idempotency";
import { pagination } from "../http/pagination";
import { fail, jobNotFound as notFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, JobParamsSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { refuseAtTheDoor, validationHookWith } from "../http/validation";
import { buildNewJob, buildUpdate } from "./build";
import { cloneInput } from "./clone";
import { presentJob } from "./present";
import {
  findJob,
  holdsActiveSlot,
  insertJobWithinLimits,
  type JobLimits,
  listJobs,
  softDeleteJob,
  updateJob,
} from "./repository";
import { createdRequestFields, requestErrors, sentRequestFields, updatedRequestFields } from "./request-checks";
import {
  CloneJobSchema,
  CreateJobSchema,
  DeletedJobSchema,
  JobEnvelopeSchema,
  JobListSchema,
  ListJobsQuerySchema,
  UpdateJobSchema,
} from "./schemas";
import { openJobInClear, resolveTokens, sealedColumns, sealJob, tokensInCreate, unsealJob } from "./secrets";
import { serialiseJobSafely } from "./serialise-safe";
import { ScheduleEndedError } from "./state";
import { targetErrors } from "./targets";

const body = <T>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });
const tags = ["Cron jobs"];

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
  countLimitReached(
    `This account already has ${limit} active cron jobs (MAX_ACTIVE_JOBS), the most allowed. Pause or delete one first.`,
  );

/** Inserts a new job within the account's job limits, or answers 409 naming the one reached. */
async function insertWithinLimits(db: Db, row: Parameters<typeof insertJobWithinLimits>[1], limits: JobLimits) {
  const refused = await insertJobWithinLimits(db, row, limits);
  if (refused === "MAX_JOBS") {
    countLimitReached(
      `This account already has ${limits.MAX_JOBS} cron jobs (MAX_JOBS), paused, disabled and completed ones included, the most allowed. Delete one first.`,
    );
  }
  if (refused === "MAX_ACTIVE_JOBS") limitReached(limits.MAX_ACTIVE_JOBS);
}

const createJobRoute = createRoute({
  operationId: "createCronJob",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/create",
  tags,
  summary: "Create a cron job",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    headers: IdempotencyKeyHeaderSchema,
    ...body(CreateJobSchema),
  },
  responses: {
    201: json(JobEnvelopeSchema, "The created job (or, for a repeated Idempotency-Key, the first request's)"),
    ...problemResponses(
      [
        409,
        "The account's job limit (MAX_JOBS) or active-job limit (MAX_ACTIVE_JOBS) is reached, or a request with the same Idempotency-Key is still in progress",
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
  request: { params: JobParamsSchema, query: NoQuerySchema },
  responses: { 200: json(JobEnvelopeSchema, "The job"), ...problemResponses() },
});

const updateJobRoute = createRoute({
  operationId: "updateCronJob",
  method: "patch",
  path: "/v1/cron-jobs/{accountId}/update/{cron_job_id}",
  tags,
  summary: "Update a cron job (pause/resume with is_active)",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: NoQuerySchema, ...body(UpdateJobSchema) },
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
  request: { params: JobParamsSchema, query: NoQuerySchema },
  responses: { 200: json(DeletedJobSchema, "The job is deleted"), ...problemResponses() },
});

const cloneJobRoute = createRoute({
  operationId: "cloneCronJob",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/clone/{cron_job_id}",
  tags,
  summary: "Create a copy of a cron job, secrets included",
  description:
    "The copy has the job's whole configuration, its secret values included (they are copied on the server and never shown), new counters and no history. It is paused unless `is_active: true` is sent, so a copy never calls the target twice by surprise.",
  security: apiKeySecurity,
  request: {
    params: JobParamsSchema,
    query: NoQuerySchema,
    body: { required: false, content: { "application/json": { schema: CloneJobSchema } } },
  },
  responses: {
    201: json(JobEnvelopeSchema, "The new job"),
    ...problemResponses([409, "The account's job limit is reached"]),
  },
});

type ExcludingRow = Pick<
  CronJobRow,
  "id" | "accountId" | "tags" | "scheduleConfig" | "timezone" | "scheduleAnchorAt"
> & {
  occurrences?: number;
};

/** schedule_config.exclude_calendars names the account's calendars and leaves the job a run (400 otherwise). */
async function refuseExclusions(db: Db, row: ExcludingRow, now: number): Promise<void> {
  const job = {
    id: row.id,
    tags: JSON.parse(row.tags) as string[],
    config: JSON.parse(row.scheduleConfig),
    timezone: row.timezone,
    anchorAt: row.scheduleAnchorAt,
    occurrences: row.occurrences ?? 0,
  };
  refuseAtTheDoor(await exclusionErrors(db, row.accountId, job, now));
}

const allowed = (c: Context) => config(c.env).ALLOW_PRIVATE_TARGETS;
// The checks made after the schema, also run when the schema fails, so one 400 names every bad field.
const createChecks = validationHookWith((body, c) => [
  ...targetErrors(body, allowed(c)),
  ...requestErrors(sentRequestFields(body)),
]);
// An update's request checks need the stored job (its headers decide the body's charset): only its URLs here.
const updateChecks = validationHookWith((body, c) => targetErrors(body, allowed(c)));
/** A clone's URLs are the source job's: judged beside a refused override as the handler would judge them. */
const cloneChecks = validationHookWith(async (_body, c) => {
  const source = await findJob(c.get("db"), c.get("accountId"), c.req.param("cron_job_id") ?? "");
  if (!source) return [];
  return targetErrors(cloneInput(await unsealJob(config(c.env).secrets, source), {}), allowed(c));
});

export const jobsRoutes = createRouter()
  .openapi(
    createJobRoute,
    async (c) => {
      const cfg = config(c.env);
      const input = c.req.valid("json");
      refuseAtTheDoor([
        ...targetErrors(input, cfg.ALLOW_PRIVATE_TARGETS),
        ...tokensInCreate(input),
        ...requestErrors(createdRequestFields(input)),
      ]);
      const row = await sealJob(cfg.secrets, buildNewJob(c.get("accountId"), input, Date.now()));
      await refuseExclusions(c.get("db"), row, Date.now());
      await insertWithinLimits(c.get("db"), row, cfg);
      const created = (await findJob(c.get("db"), row.accountId, row.id)) ?? notFound(row.id);
      return c.json({ data: await presentJob(cfg, created) }, 201);
    },
    createChecks,
  )
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
    const cfg = config(c.env);
    const data = await Promise.all(rows.map((row) => serialiseJobSafely(row, (r) => presentJob(cfg, r))));
    return c.json({ data, pagination: { ...pagination(q.page, q.limit, total), total } }, 200);
  })
  .openapi(jobDetailsRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const row = (await findJob(c.get("db"), c.get("accountId"), cron_job_id)) ?? notFound(cron_job_id);
    return c.json({ data: await serialiseJobSafely(row, (r) => presentJob(config(c.env), r)) }, 200);
  })
  .openapi(
    updateJobRoute,
    async (c) => {
      const { cron_job_id } = c.req.valid("param");
      const input = c.req.valid("json");
      const db = c.get("db");
      const accountId = c.get("accountId");
      const cfg = config(c.env);
      const current = (await findJob(db, accountId, cron_job_id)) ?? notFound(cron_job_id);
      // Tokens sent back keep the stored values; the job is rebuilt in clear and sealed again whole.
      const opened = await openJobInClear(cfg.secrets, current);
      const resolved = resolveTokens(input, opened);
      const plain = opened.plain;
      const request = updatedRequestFields(plain, resolved.input);
      refuseAtTheDoor([
        ...targetErrors(resolved.input, cfg.ALLOW_PRIVATE_TARGETS),
        ...resolved.errors,
        ...requestErrors(request.fields, request.changed),
      ]);
      const set = buildUpdateOrFail(plain, resolved.input, Date.now());
      if (set.scheduleConfig !== undefined || set.timezone !== undefined || set.tags !== undefined)
        await refuseExclusions(db, { ...current, ...set } as ExcludingRow, Date.now());
      const sealed = await sealJob(cfg.secrets, { ...plain, ...set });
      Object.assign(set, sealedColumns(sealed));
      const activating = holdsActiveSlot({ ...current, ...set }) && !holdsActiveSlot(current);
      const res = await updateJob(db, accountId, cron_job_id, set, activating, cfg.MAX_ACTIVE_JOBS);
      if (!res.ok) return res.reason === "limit" ? limitReached(cfg.MAX_ACTIVE_JOBS) : notFound(cron_job_id);
      return c.json({ data: await presentJob(cfg, res.row) }, 200);
    },
    updateChecks,
  )
  .openapi(
    cloneJobRoute,
    async (c) => {
      const { cron_job_id } = c.req.valid("param");
      // The body is optional: without one the validator is skipped.
      const options = (c.req.valid("json") as { name?: string; is_active?: boolean } | undefined) ?? {};
      const cfg = config(c.env);
      const db = c.get("db");
      const source = (await findJob(db, c.get("accountId"), cron_job_id)) ?? notFound(cron_job_id);
      const input = cloneInput(await unsealJob(cfg.secrets, source), options);
      refuseAtTheDoor(targetErrors(input, cfg.ALLOW_PRIVATE_TARGETS));
      const row = await sealJob(cfg.secrets, buildNewJob(source.accountId, input, Date.now()));
      await refuseExclusions(db, row, Date.now());
      await insertWithinLimits(db, row, cfg);
      const created = (await findJob(db, row.accountId, row.id)) ?? notFound(row.id);
      return c.json({ data: await presentJob(cfg, created) }, 201);
    },
    cloneChecks,
  )
  .openapi(deleteJobRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    if (!(await softDeleteJob(c.get("db"), c.get("accountId"), cron_job_id, Date.now()))) notFound(cron_job_id);
    return c.json({ data: { id: cron_job_id, message: "Cron job deleted" } }, 200);
  });
