import { createRoute } from "@hono/zod-openapi";
import { jobNotFound, ProblemError } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { JobParamsSchema, problemResponses } from "../http/schemas";
import { validationProblem } from "../http/validation";
import { formatInstant } from "../lib/dates";
import { serialiseFigures } from "./serialise";
import { jobStats } from "./stats";
import { StatsQuerySchema, StatsSchema } from "./stats.schemas";
import { statsWindow } from "./stats-window";

const jobStatsRoute = createRoute({
  operationId: "getCronJobStats",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/stats/{cron_job_id}",
  tags: ["Logs"],
  summary: "Execution statistics of a cron job",
  description:
    "Counts per status, success rate and response-time percentiles over a range (default: the 7 UTC days " +
    "ending today), in total and per UTC hour or day.",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: StatsQuerySchema },
  responses: {
    200: { description: "The job's statistics", content: { "application/json": { schema: StatsSchema } } },
    ...problemResponses(),
  },
});

export const statsRoutes = createRouter().openapi(jobStatsRoute, async (c) => {
  const { cron_job_id } = c.req.valid("param");
  const q = c.req.valid("query");
  const resolved = statsWindow({ start: q.start_date, end: q.end_date, bucket: q.bucket }, Date.now());
  if (!resolved.ok) throw new ProblemError(validationProblem(resolved.errors));
  const w = resolved.window;
  const stats = await jobStats(c.get("db"), c.get("accountId"), cron_job_id, w);
  if (!stats) return jobNotFound(cron_job_id);
  return c.json(
    {
      data: {
        cron_job_id,
        start_date: formatInstant(w.start),
        end_date: formatInstant(w.end),
        bucket: w.bucket,
        ...serialiseFigures(stats.totals),
        series: stats.series.map(({ start, ...f }) => ({ start: formatInstant(start), ...serialiseFigures(f) })),
      },
    },
    200,
  );
});
