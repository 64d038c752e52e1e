import { createRoute } from "@hono/zod-openapi";
import { pagination } from "../http/pagination";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { findJobLogsPage } from "../logs/query";
import { serialiseLog } from "../logs/serialise";
import { JobParamsSchema, problemResponses } from "../schemas/common";
import { LogsPageSchema, LogsQuerySchema } from "../schemas/logs";

const jobLogsRoute = createRoute({
  method: "get",
  path: "/v1/cron-jobs/{accountId}/logs/{cron_job_id}",
  tags: ["Logs"],
  summary: "Execution logs of a cron job",
  description: "Most recent first. Logs are kept for 30 days.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: LogsQuerySchema },
  responses: {
    200: { description: "A page of execution logs", content: { "application/json": { schema: LogsPageSchema } } },
    ...problemResponses(),
  },
});

export const logsRoutes = createRouter().openapi(jobLogsRoute, async (c) => {
  const { cron_job_id } = c.req.valid("param");
  const q = c.req.valid("query");
  const page = await findJobLogsPage(c.get("db"), {
    accountId: c.get("accountId"),
    cronJobId: cron_job_id,
    page: q.page,
    limit: q.limit,
    status: q.status,
    start: q.start_date,
    end: q.end_date,
  });
  if (!page) fail(404, `Cron job ${cron_job_id} not found`);
  return c.json({ data: page.rows.map(serialiseLog), pagination: pagination(q.page, q.limit, page.totalItems) }, 200);
});
